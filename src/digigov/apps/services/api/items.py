"""/api/v1/services/items: thin, parse, call one service or selector, render."""

from ninja import Router

router = Router()
