"""portals layer."""
