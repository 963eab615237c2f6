"""Services of 一网通办, one module per area (items, applications, approval, workflow,
clock, bundles, ratings): import the module you need, e.g. `from .services.items import ...`."""
