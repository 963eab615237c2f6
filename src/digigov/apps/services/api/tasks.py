"""/api/v1/services/tasks: thin, parse, call one service or selector, render."""

from ninja import Router

router = Router()
