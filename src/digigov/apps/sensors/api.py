"""/api/v1 router of 感知终端."""

from ninja import Router

router = Router(tags=["感知终端"])
