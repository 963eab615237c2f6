"""Commands of the catalog, one module per area: resources (register, review, publish),
datasets (upload rows), systems."""
