"""/api/v1 router of 城市事件."""

from ninja import Router

router = Router(tags=["城市事件"])
