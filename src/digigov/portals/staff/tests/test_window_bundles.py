"""综合窗口受理一件事: a window clerk chooses a bundle, identifies the applicant from the
registries, fills the merged prefilled form and files the bundle on their behalf
(channel "window", the clerk as filer); the result lists the component cases; only
window staff (the single-item window permission) get there."""

# ruff: noqa: F811 (pytest fixtures are imported from test_bundle_channels_support)

import pytest

from digigov.apps.services.models import Application, BundleApplication, CommitmentCheck
from digigov.apps.services.selectors.bundles import bundle_applications_mine
from digigov.apps.services.tests.test_bundle_channels_support import (  # noqa: F401 (fixtures)
    COMMITMENT,
    WORKFLOW,
    applicant,
    channels,
    citizen_make,
    clerk,
    key,
    login,
    principal_of,
    staff_make,
)
from digigov.kernel.audit.models import AuditEntry

URL = "/staff/window/bundles/"


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("approver", 403),
        ("no_totp", 302),
        ("clerk", 200),
    ],
)
def test_window_bundle_page_permission(client, channels, who, status):
    if who == "citizen":
        login(client, citizen_make("yjs_c", channels.people[1]))
    elif who == "approver":
        login(client, staff_make("yjs_ap", organization_code="440100-zsj", roles=("审批人员",)))
    elif who == "no_totp":
        account = staff_make("yjs_nt", organization_code="440100-zsj", roles=("窗口受理人员",))
        login(client, account, verified=False)
    elif who == "clerk":
        login(client, staff_make("yjs_ck", organization_code="440100-zsj", roles=("窗口受理人员",)))
    response = client.get(URL)
    assert response.status_code == status
    refused = client.post(
        URL,
        {
            "action": "submit",
            "idempotency_key": key(),
            "bundle_code": "test-wd",
            "applicant_id_number": channels.people[0],
        },
    )
    if who != "clerk":
        assert refused.status_code in (302, 403)
        assert not BundleApplication.objects.exists()
    if status == 200:
        assert "户籍医保一件事（测试）" in _text(response)  # the bundles to choose from


def test_identify_errors_change_nothing(client, channels, clerk):
    login(client, clerk)
    unknown = client.post(
        URL,
        {
            "action": "identify",
            "bundle_code": "test-wd",
            "applicant_id_number": "110105194912310021",
        },
    )
    assert unknown.status_code == 422 and "基础库中存在" in _text(unknown)
    wrong_kind = client.post(
        URL,
        {"action": "identify", "bundle_code": "test-wd", "applicant_uscc": channels.usccs[0]},
    )
    assert wrong_kind.status_code == 422 and "服务对象为自然人" in _text(wrong_kind)
    no_bundle = client.post(
        URL,
        {"action": "identify", "bundle_code": "nope", "applicant_id_number": channels.people[0]},
    )
    assert no_bundle.status_code == 422 and "请选择要受理的一件事" in _text(no_bundle)
    assert not BundleApplication.objects.exists()


def test_clerk_files_a_bundle_for_the_applicant(client, channels, clerk, applicant):
    login(client, clerk)
    person = channels.people[0]
    form = client.post(
        URL, {"action": "identify", "bundle_code": "test-wd", "applicant_id_number": person}
    )
    html = _text(form)
    assert form.status_code == 200, html[:2000]
    assert channels.name(person) in html and "已从基础库自动填写" in html
    assert 'data-testid="bundle-apply-form"' in html and 'name="f_phone"' in html
    post = {
        "action": "submit",
        "idempotency_key": "wb-1",
        "bundle_code": "test-wd",
        "applicant_id_number": person,
        "f_phone": "13912345678",
    }
    done = client.post(URL, post)
    assert done.status_code == 302, _text(done)[:3000]
    filed = BundleApplication.objects.get()
    assert done["Location"] == f"/staff/window/bundles/{filed.number}/"
    assert filed.filed_by_actor == principal_of(clerk).actor
    assert filed.applicant_id_number == person and filed.applicant_name == channels.name(person)
    cases = list(filed.applications.all())
    assert len(cases) == 2
    for case in cases:
        assert case.channel == "window"
        assert case.filed_by_actor == principal_of(clerk).actor
        assert case.received_organization.code == "440100-zsj"
        assert case.applicant_id_number == person
    assert AuditEntry.objects.filter(
        action="services.bundle.submitted", object_id=filed.number, actor=principal_of(clerk).actor
    ).exists()
    # a double click files one bundle
    again = client.post(URL, post)
    assert again.status_code == 302 and BundleApplication.objects.count() == 1
    # the result lists the component case numbers; the window list shows the bundle
    result = _text(client.get(done["Location"]))
    for case in cases:
        assert case.number in result and f"/staff/window/cases/{case.number}/" in result
    assert filed.number in _text(client.get(URL))
    # the applicant follows it in their own account
    mine = bundle_applications_mine(principal=principal_of(applicant))
    assert [v.number for v in mine] == [filed.number]


def test_form_errors_are_shown_and_nothing_is_filed(client, channels, clerk):
    login(client, clerk)
    response = client.post(
        URL,
        {
            "action": "submit",
            "idempotency_key": key(),
            "bundle_code": "test-wd",
            "applicant_id_number": channels.people[0],
            "f_phone": "123",
        },
    )
    assert response.status_code == 422
    assert "联系电话格式不正确" in _text(response)
    assert not Application.objects.exists()


def test_entity_bundle_at_the_window(client, channels, clerk):
    login(client, clerk)
    uscc = channels.usccs[0]
    form = client.post(
        URL, {"action": "identify", "bundle_code": "test-ent", "applicant_uscc": uscc}
    )
    assert form.status_code == 200
    done = client.post(
        URL,
        {
            "action": "submit",
            "idempotency_key": key(),
            "bundle_code": "test-ent",
            "applicant_uscc": uscc,
            "f_phone": "13912345678",
        },
    )
    assert done.status_code == 302, _text(done)[:3000]
    filed = BundleApplication.objects.get()
    assert filed.applicant_kind == "entity" and filed.applicant_uscc == uscc
    assert {c.channel for c in filed.applications.all()} == {"window"}


def test_commitment_components_at_the_window(client, channels, clerk):
    login(client, clerk)
    person = channels.people[0]
    form = client.post(
        URL, {"action": "identify", "bundle_code": "test-commit", "applicant_id_number": person}
    )
    assert 'data-testid="bundle-commitments"' in _text(form)
    done = client.post(
        URL,
        {
            "action": "submit",
            "idempotency_key": key(),
            "bundle_code": "test-commit",
            "applicant_id_number": person,
            "f_phone": "13912345678",
            "chosen_items": [COMMITMENT[1]],
            f"commitment_{COMMITMENT[0]}_accepted": "on",
            f"commitment_{COMMITMENT[1]}_accepted": "on",
            "commitment_signature": channels.name(person),
        },
    )
    assert done.status_code == 302, _text(done)[:3000]
    filed = BundleApplication.objects.get()
    assert CommitmentCheck.objects.filter(application__bundle_application=filed).count() == 2
    assert filed.applications.get(item__standard_code=WORKFLOW[0]).status == "submitted"


def test_another_organizations_clerk_cannot_open_the_result(client, channels, clerk):
    login(client, clerk)
    client.post(
        URL,
        {
            "action": "submit",
            "idempotency_key": key(),
            "bundle_code": "test-wd",
            "applicant_id_number": channels.people[0],
            "f_phone": "13912345678",
        },
    )
    filed = BundleApplication.objects.get()
    other = staff_make("yjs_ck2", organization_code="440300-zsj", roles=("窗口受理人员",))
    login(client, other)
    response = client.get(f"/staff/window/bundles/{filed.number}/")
    assert response.status_code == 403
    assert channels.name(channels.people[0]) not in _text(response)
    assert filed.number not in _text(client.get(URL))
    assert AuditEntry.objects.filter(
        action="services.bundle_application.access", object_id=filed.number, outcome="denied"
    ).exists()
