"""/api/v1 router of 开放广东."""

from ninja import Router

router = Router(tags=["开放广东"])
