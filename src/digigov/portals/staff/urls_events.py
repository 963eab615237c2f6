"""URL patterns of one area, included by its portal's urls.py (names live in that portal's namespace)."""

from django.urls import path

from . import cityevents, cityevents_admin

urlpatterns: list = [
    path("", cityevents.events, name="cityevents"),
    path("grid/", cityevents.grid_worker, name="cityevent_grid_worker"),
    path("types/", cityevents_admin.types, name="cityevent_types"),
    path("types/<str:code>/", cityevents_admin.type_edit, name="cityevent_type_edit"),
    path("grids/", cityevents_admin.grids, name="cityevent_grids"),
    path("grids.geojson", cityevents_admin.grids_geojson, name="cityevent_grids_geojson"),
    path("photos/<int:photo_id>/", cityevents.photo, name="cityevent_photo"),
    path("<str:number>/", cityevents.event, name="cityevent"),
    path("<str:number>/act/", cityevents.event_act, name="cityevent_act"),
    path("<str:number>/merge/", cityevents.event_merge, name="cityevent_merge"),
    path("<str:number>/reporters/", cityevents.event_reporters, name="cityevent_reporters"),
]
