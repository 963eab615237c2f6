"""URL patterns of one area, included by its portal's urls.py (names live in that portal's namespace)."""

from django.urls import path

from . import cityevents

urlpatterns: list = [
    path("", cityevents.report, name="cityevents"),
    path("photos/<int:photo_id>/", cityevents.photo, name="cityevent_photo"),
    path("<str:number>/", cityevents.detail, name="cityevent"),
]
