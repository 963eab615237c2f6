"""告知承诺 components inside a bundle: the merged form shows each commitment-mode
component's own commitment text; the applicant accepts each one (one signature); every
such component case is granted on its commitment exactly as a single case is (signed
CommitmentCheck, verification task for the handling department); anything missing or
wrong is reported per component and nothing is filed."""

# ruff: noqa: F811 (pytest fixtures are imported from test_bundle_channels_support)

import pytest

from digigov.kernel.errors import ValidationFailed

from ..models import Application, BundleApplication, CommitmentCheck
from ..selectors.decisions import commitment_checks_for, commitment_signature_valid
from ..services.bundles import bundle_submit
from .test_bundle_channels_support import (  # noqa: F401 (fixtures)
    COMMITMENT,
    NAMES,
    WORKFLOW,
    applicant,
    channels,
    commitment_of,
    key,
    login,
    principal_of,
    staff_make,
)

BASE = "/api/v1/services/bundles"


def _submit(account, **extra):
    return bundle_submit(
        principal=principal_of(account),
        bundle_code="test-commit",
        form_data={},
        idempotency_key=key(),
        **extra,
    )


def _all_signed(channels, **changes):
    name = channels.name(channels.people[0])
    return {code: commitment_of(code, name, **changes) for code in COMMITMENT}


def test_each_commitment_component_is_granted_on_its_own_commitment(channels, applicant):
    filed = _submit(applicant, commitments=_all_signed(channels))
    cases = {c.item.standard_code: c for c in filed.applications.select_related("item")}
    assert set(cases) == {*COMMITMENT, WORKFLOW[0]}
    assert cases[WORKFLOW[0]].status == "submitted"
    texts = set()
    for code in COMMITMENT:
        case = cases[code]
        assert case.status == "approved" and case.approval_mode == "commitment"
        check = CommitmentCheck.objects.get(application=case)
        assert check.status == "pending"
        assert check.signer_name == channels.name(channels.people[0])
        assert check.commitment_text == commitment_of(code, "")["text"]
        assert NAMES[code] in check.commitment_text
        assert commitment_signature_valid(check=check)
        texts.add(check.commitment_text)
        submitted = case.events.get(kind="submitted")
        assert submitted.detail["commitment"]["accepted"] is True
    assert len(texts) == 2  # each component signed its own text
    assert filed.status == "submitted"  # the workflow component is still open
    # the verification task reaches each handling department
    for code, organization in ((COMMITMENT[0], "440000-wjw"), (COMMITMENT[1], "440000-rsj")):
        handler = staff_make(f"h-{code}", organization_code=organization, roles=("审批人员",))
        checks = list(commitment_checks_for(principal=principal_of(handler)))
        assert [c.application.number for c in checks] == [cases[code].number]


def test_missing_commitments_are_reported_per_component(channels, applicant):
    with pytest.raises(ValidationFailed) as caught:
        _submit(applicant)
    fields = caught.value.fields
    for code in COMMITMENT:
        assert f"commitments.{code}.accepted" in fields
        assert f"commitments.{code}.signature" in fields
        assert NAMES[code] in fields[f"commitments.{code}.accepted"][0]
    assert not Application.objects.exists() and not BundleApplication.objects.exists()


def test_one_shared_commitment_cannot_stand_for_two_texts(channels, applicant):
    only_first = commitment_of(COMMITMENT[0], channels.name(channels.people[0]))
    with pytest.raises(ValidationFailed) as caught:
        _submit(applicant, commitment=only_first)
    assert set(caught.value.fields) == {f"commitments.{COMMITMENT[1]}.text"}
    assert not Application.objects.exists()


def test_wrong_signature_or_unchecked_is_refused(channels, applicant):
    commitments = _all_signed(channels)
    commitments[COMMITMENT[0]] = {**commitments[COMMITMENT[0]], "signature": "张三丰"}
    commitments[COMMITMENT[1]] = {**commitments[COMMITMENT[1]], "accepted": False}
    with pytest.raises(ValidationFailed) as caught:
        _submit(applicant, commitments=commitments)
    fields = caught.value.fields
    assert fields[f"commitments.{COMMITMENT[0]}.signature"] == [
        "签名须与申请人（或单位法定代表人）姓名一致"
    ]
    assert f"commitments.{COMMITMENT[1]}.accepted" in fields
    assert not Application.objects.exists()


def test_an_unchosen_optional_commitment_component_needs_no_commitment(channels, applicant):
    name = channels.name(channels.people[0])
    filed = _submit(
        applicant,
        chosen_items=[],
        commitments={COMMITMENT[0]: commitment_of(COMMITMENT[0], name)},
    )
    codes = sorted(filed.applications.values_list("item__standard_code", flat=True))
    assert codes == sorted([COMMITMENT[0], WORKFLOW[0]])
    assert CommitmentCheck.objects.count() == 1


# --- API ------------------------------------------------------------------------------------


def test_api_shows_each_text_and_takes_commitments_per_component(client, channels, applicant):
    detail = client.get(f"{BASE}/test-commit").json()
    texts = {c["standard_code"]: c["commitment_text"] for c in detail["components"]}
    assert texts[WORKFLOW[0]] == ""
    assert texts[COMMITMENT[0]] != texts[COMMITMENT[1]]
    login(client, applicant)
    name = channels.name(channels.people[0])
    body = {
        "form_data": {},
        "idempotency_key": key(),
        "commitments": {
            code: {"accepted": True, "text": texts[code], "signature": name} for code in COMMITMENT
        },
    }
    response = client.post(f"{BASE}/test-commit/apply", body, content_type="application/json")
    assert response.status_code == 201, response.content
    statuses = {c["standard_code"]: c["status"] for c in response.json()["components"]}
    assert statuses == {
        COMMITMENT[0]: "approved",
        COMMITMENT[1]: "approved",
        WORKFLOW[0]: "submitted",
    }
    body["idempotency_key"] = key()
    body["commitments"] = {}
    refused = client.post(f"{BASE}/test-commit/apply", body, content_type="application/json")
    assert refused.status_code == 422
    assert f"commitments.{COMMITMENT[0]}.accepted" in refused.json()["error"]["fields"]
    assert BundleApplication.objects.count() == 1


# --- pages ----------------------------------------------------------------------------------


def test_citizen_form_shows_each_commitment_and_files_them(client, channels, applicant):
    login(client, applicant)
    url = "/citizen/bundles/test-commit/apply/"
    page = client.get(url).content.decode()
    assert 'data-testid="bundle-commitments"' in page
    for code in COMMITMENT:
        assert f'name="commitment_{code}_accepted"' in page
        assert f"“{NAMES[code]}”" in page
    assert "申请人具有完全民事行为能力" in page and "申请人在本省参加社会保险" in page
    assert page.count('name="commitment_signature"') == 1

    unchecked = client.post(
        url,
        {"idempotency_key": key(), "chosen_items": [COMMITMENT[1]], "commitment_signature": ""},
    )
    assert unchecked.status_code == 422
    text = unchecked.content.decode()
    assert f"请阅读并勾选同意“{NAMES[COMMITMENT[0]]}”的告知承诺书" in text
    assert "请输入申请人姓名作为签名" in text
    assert not Application.objects.exists()

    done = client.post(
        url,
        {
            "idempotency_key": key(),
            "chosen_items": [COMMITMENT[1]],
            f"commitment_{COMMITMENT[0]}_accepted": "on",
            f"commitment_{COMMITMENT[1]}_accepted": "on",
            "commitment_signature": channels.name(channels.people[0]),
        },
    )
    assert done.status_code == 302, done.content.decode()[:3000]
    filed = BundleApplication.objects.get()
    assert CommitmentCheck.objects.filter(application__bundle_application=filed).count() == 2
