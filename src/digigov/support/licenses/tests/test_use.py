"""用证: 亮证 tokens (five minutes, chosen fields, each opening recorded), downloads
(recorded, the JSON verifies offline) and material use by a case (only the holder's
usable license)."""

# ruff: noqa: F811 (pytest fixtures are imported from test_wallet_support)

from __future__ import annotations

import base64
import json
import time

import pytest
from django.core import signing

from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import NotFound, ValidationFailed
from digigov.kernel.principals import Principal

from ..canonical import canonical_bytes
from ..models import LicenseUse
from ..services.status import license_revoke
from ..services.use import (
    SHOW_MAX_AGE,
    license_download,
    license_material_use,
    license_show_open,
    license_show_token,
)
from ..testing import SYSTEM
from .test_wallet_support import (  # noqa: F401 (fixtures)
    citizen,
    issue,
    other_citizen,
    principal_of,
    world,
)

CLERK = Principal(kind="anonymous", source_address="10.0.0.8")


def test_show_token_opens_with_the_chosen_fields_and_is_recorded(world, citizen):
    license = issue(world.people[0], data={"category": "乙", "issued_on": "2026-01-02"})
    token = license_show_token(
        principal=principal_of(citizen), address=license.address, fields=["category", "bogus"]
    )
    assert token.fields == ["category"]
    view = license_show_open(principal=CLERK, token=token.token)
    assert view.verification.outcome == "valid"
    assert [(r.key, r.value) for r in view.face] == [("category", "乙")]
    assert view.holder_name_masked.endswith("*")
    use = LicenseUse.objects.get(license=license)
    assert use.kind == LicenseUse.Kind.SHOW and use.reference == "10.0.0.8"


def test_show_of_a_revoked_license_says_so(world, citizen):
    license = issue(world.people[0])
    token = license_show_token(principal=principal_of(citizen), address=license.address, fields=[])
    license_revoke(principal=SYSTEM, address=license.address, reason="注销")
    assert license_show_open(principal=CLERK, token=token.token).verification.outcome == "revoked"


def test_show_token_expires_after_five_minutes(world, citizen, monkeypatch):
    license = issue(world.people[0])
    token = license_show_token(principal=principal_of(citizen), address=license.address, fields=[])
    later = time.time() + SHOW_MAX_AGE + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with pytest.raises(ValidationFailed) as caught:
        license_show_open(principal=CLERK, token=token.token)
    assert caught.value.code == "licenses/show_expired"
    assert not LicenseUse.objects.exists()


@pytest.mark.parametrize("token", ["", "abc", "eyJhIjoiMSJ9:1tX:forged", "x" * 500])
def test_forged_or_malformed_tokens_are_refused(world, token):
    with pytest.raises(ValidationFailed) as caught:
        license_show_open(principal=CLERK, token=token)
    assert caught.value.code == "licenses/show_invalid"
    assert not LicenseUse.objects.exists()


def test_only_the_holder_makes_a_show_token(world, citizen, other_citizen):
    license = issue(world.people[0])
    with pytest.raises(NotFound):
        license_show_token(
            principal=principal_of(other_citizen), address=license.address, fields=["category"]
        )


def test_json_download_verifies_offline_and_is_recorded(world, citizen):
    license = issue(world.people[0])
    download = license_download(
        principal=principal_of(citizen), address=license.address, file_format="json"
    )
    envelope = json.loads(download.content)
    assert crypto.verify(
        key_id=envelope["document"]["keyId"],
        data=canonical_bytes(envelope["document"]),
        signature=base64.b64decode(envelope["signature"]),
    )
    pdf = license_download(
        principal=principal_of(citizen), address=license.address, file_format="pdf"
    )
    assert pdf.content.startswith(b"%PDF")
    assert list(LicenseUse.objects.values_list("kind", flat=True)) == ["download", "download"]


def test_download_refused_to_others_and_bad_format(world, citizen, other_citizen):
    license = issue(world.people[0])
    with pytest.raises(NotFound):
        license_download(
            principal=principal_of(other_citizen), address=license.address, file_format="json"
        )
    with pytest.raises(ValidationFailed):
        license_download(
            principal=principal_of(citizen), address=license.address, file_format="exe"
        )
    assert not LicenseUse.objects.exists()


def test_material_use_only_for_the_holders_usable_license(world):
    license = issue(world.people[0])
    values = {
        "principal": Principal(kind="citizen", id="1"),
        "address": license.address,
        "holder_kind": "person",
        "reference": "440100-20260101-000001",
        "purpose": "办件：测试",
        "user_label": "广州市市场监督管理局",
    }
    with pytest.raises(ValidationFailed):
        license_material_use(**values, holder_key=world.people[1])
    use = license_material_use(**values, holder_key=world.people[0])
    assert (use.kind, use.reference) == ("material", "440100-20260101-000001")
    license_revoke(principal=SYSTEM, address=license.address, reason="注销")
    with pytest.raises(ValidationFailed):
        license_material_use(**values, holder_key=world.people[0])
    assert LicenseUse.objects.count() == 1
