"""Photo evidence: sniffed type, size limit, stored outside the web root, served to the
entitled only."""

from __future__ import annotations

import pytest

from digigov.apps.cityevents.models import CityEvent, EventPhoto
from digigov.apps.cityevents.selectors.events import photo_for_viewer
from digigov.apps.cityevents.services import city_event_report
from digigov.apps.cityevents.services import photos as photo_service
from digigov.apps.cityevents.services.photos import photo_path
from digigov.apps.cityevents.testing import photo
from digigov.data.registries.services import demo_person_id_numbers, registry_demo_generate
from digigov.kernel.errors import PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.principals import ANONYMOUS
from digigov.support.identity.testing import citizen_make, principal_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(world):
    registry_demo_generate(people=3, entities=1)
    return principal_of(citizen_make("ce_up", demo_person_id_numbers(count=1)[0]))


def _report(world, citizen, photos):
    return city_event_report(
        source="citizen",
        event_type_code="cityapp.garbage",
        lng=world.grid_point[0],
        lat=world.grid_point[1],
        title="垃圾堆放",
        reporter=citizen,
        photos=photos,
    )


def test_citizen_photo_is_stored_outside_the_web_root(world, citizen, settings):
    ref = _report(world, citizen, [photo(3)])
    stored = EventPhoto.objects.get(event_id=ref.id)
    path = photo_path(stored.sha256)
    assert path.exists() and str(path).startswith(str(settings.DIGIGOV_UPLOAD_ROOT))
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert stored.content_type == "image/png"


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (("a.png", b""), "cityevents/photo_empty"),
        (("a.jpg", b"MZ\x90\x00 not an image at all" * 10), "cityevents/photo_format"),
        (("a.png", b"%PDF-1.7\n" + b"0" * 100), "cityevents/photo_format"),
    ],
)
def test_bad_photos_are_refused_and_nothing_is_stored(world, citizen, upload, code):
    with pytest.raises(ValidationFailed) as raised:
        _report(world, citizen, [upload])
    assert raised.value.code == code
    assert not CityEvent.objects.exists()


def test_too_large_photo_is_refused(world, citizen, monkeypatch):
    monkeypatch.setattr(photo_service, "PHOTO_MAX_BYTES", 100)
    name, data = photo(1)
    with pytest.raises(ValidationFailed) as raised:
        _report(world, citizen, [(name, data + b"\x00" * 200)])
    assert raised.value.code == "cityevents/photo_too_large"
    assert not CityEvent.objects.exists()


def test_citizen_report_needs_a_photo(world, citizen):
    with pytest.raises(ValidationFailed) as raised:
        _report(world, citizen, [])
    assert raised.value.code == "cityevents/photo_required"


def test_photo_served_only_to_the_entitled(world, citizen, dispatcher, outsider, no_role):
    ref = _report(world, citizen, [photo(4)])
    stored = EventPhoto.objects.get(event_id=ref.id)
    assert photo_for_viewer(principal=citizen, photo_id=stored.pk) == stored
    assert photo_for_viewer(principal=dispatcher, photo_id=stored.pk) == stored
    other = principal_of(citizen_make("ce_other", None))
    for principal in (other, outsider, no_role):
        with pytest.raises(PermissionDenied):
            photo_for_viewer(principal=principal, photo_id=stored.pk)
    with pytest.raises(Unauthenticated):
        photo_for_viewer(principal=ANONYMOUS, photo_id=stored.pk)
