"""Queries of the catalog, one module per area (read-only)."""
