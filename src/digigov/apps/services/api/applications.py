"""/api/v1/services/applications: thin, parse, call one service or selector, render."""

from ninja import Router

router = Router()
