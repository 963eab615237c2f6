"""/api/v1: the one NinjaAPI, the JSON error shape, and machine clients with scopes."""
