"""URL patterns of one area, included by its portal's urls.py (names live in that portal's namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
