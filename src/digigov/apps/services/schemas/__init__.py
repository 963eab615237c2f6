"""Schemas of /api/v1/services, one module per area (...In and ...Out)."""
