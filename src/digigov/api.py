"""The composition root of /api/v1: every app's router, mounted in one list so that the
OpenAPI contract (docs/openapi.json) has one owner. Lives above the layers, like urls.py."""

from importlib import import_module

from digigov.kernel.api.root import api

ROUTERS: list[tuple[str, str]] = [
    ("digigov.kernel.ops.api", "/ops"),
    ("digigov.kernel.regions.api", "/regions"),
    ("digigov.kernel.organizations.api", "/organizations"),
    ("digigov.kernel.audit.api", "/audit"),
    ("digigov.data.registries.api", "/registries"),
    ("digigov.data.catalog.api", "/catalog"),
    ("digigov.data.sharing.api", "/sharing"),
    ("digigov.data.sharing.exchange_api", "/exchange"),
    ("digigov.data.quality.api", "/quality"),
    ("digigov.support.identity.api", "/identity"),
    ("digigov.support.licenses.api", "/licenses"),
    ("digigov.apps.services.api", "/services"),
    ("digigov.support.seals.api", "/seals"),
    ("digigov.data.opendata.api", "/opendata"),
    ("digigov.apps.cityevents.api", "/city-events"),
    ("digigov.apps.sensors.api", "/sensors"),
    ("digigov.apps.governance.api", "/governance"),
]

for module, prefix in ROUTERS:
    api.add_router(prefix, import_module(module).router)
