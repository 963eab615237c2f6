"""Queries of the licenses app, one module per area (read-only)."""
