"""/api/v1/services/ratings: thin, parse, call one service or selector, render."""

from ninja import Router

router = Router()
