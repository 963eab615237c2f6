"""/api/v1 router of 一网统管."""

from ninja import Router

router = Router(tags=["一网统管"])
