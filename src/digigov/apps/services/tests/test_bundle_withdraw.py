"""撤回一件事: the applicant withdraws a whole bundle application while no component has
been decided (all components in one transaction, or nothing); refusals change nothing;
someone else's bundle answers as an unknown one (audited); repeating it is harmless.
Service, API (/api/v1/services/bundles/applications/{number}/withdraw) and the citizen
and enterprise result pages."""

# ruff: noqa: F811 (pytest fixtures are imported from test_bundle_channels_support)

import pytest

from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import Conflict, NotFound, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.kernel.principals import Principal

from ..models import Application, BundleApplication, CaseEvent, CaseTask
from ..services.applications import application_withdraw
from ..services.bundles import bundle_submit, bundle_withdraw
from .test_bundle_channels_support import (  # noqa: F401 (fixtures)
    applicant,
    channels,
    citizen_make,
    clerk,
    key,
    legal_rep_make,
    licensed,
    login,
    principal_of,
    staff_make,
    stranger,
)

BASE = "/api/v1/services/bundles"


def _filed(account, code="test-wd", **extra):
    return bundle_submit(
        principal=principal_of(account),
        bundle_code=code,
        form_data={"phone": "13912345678"},
        idempotency_key=key(),
        **extra,
    )


def _snapshot(bundle_application):
    cases = Application.objects.filter(bundle_application=bundle_application).order_by("id")
    return (
        BundleApplication.objects.get(pk=bundle_application.pk).status,
        [c.status for c in cases],
        CaseEvent.objects.filter(application__in=cases).count(),
        Event.objects.count(),
    )


# --- service --------------------------------------------------------------------------------


def test_withdraw_withdraws_every_component_in_one_go(
    channels, applicant, django_capture_on_commit_callbacks
):
    filed = _filed(applicant)
    assert filed.status == "submitted"
    cases = list(filed.applications.order_by("id"))
    assert [c.status for c in cases] == ["submitted", "submitted"]
    assert CaseTask.objects.filter(application__in=cases, status="open").exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = bundle_withdraw(
            principal=principal_of(applicant), number=filed.number, reason="搬家"
        )
    assert done.status == "withdrawn" and done.closed_at is not None
    assert set(
        Application.objects.filter(bundle_application=filed).values_list("status", flat=True)
    ) == {"withdrawn"}
    # each component withdrawn as one case is: timeline, workflow stopped, tasks cancelled
    for case in cases:
        assert CaseEvent.objects.filter(application=case, kind="withdrawn").exists()
    assert not CaseTask.objects.filter(application__in=cases, status="open").exists()
    entry = AuditEntry.objects.get(action="services.bundle.withdrawn", object_id=filed.number)
    assert entry.actor == principal_of(applicant).actor and entry.outcome == "success"
    assert entry.detail["reason"] == "搬家"
    assert sorted(entry.detail["components"]) == sorted(c.number for c in cases)
    withdrawn = Event.objects.get(topic="services.bundle.withdrawn")
    assert withdrawn.payload["number"] == filed.number
    completed = Event.objects.get(topic="services.bundle.completed")
    assert completed.payload["status"] == "withdrawn"
    assert Event.objects.filter(topic="services.application.withdrawn").count() == 2
    # the components' closing events refresh the bundle: nothing more to announce
    assert BundleApplication.objects.get(pk=filed.pk).status == "withdrawn"
    assert Event.objects.filter(topic="services.bundle.completed").count() == 1


def test_a_second_withdraw_changes_nothing(channels, applicant):
    filed = _filed(applicant)
    bundle_withdraw(principal=principal_of(applicant), number=filed.number, reason="不办了")
    before = _snapshot(filed)
    again = bundle_withdraw(principal=principal_of(applicant), number=filed.number, reason="再点")
    assert again.status == "withdrawn"
    assert _snapshot(filed) == before
    assert AuditEntry.objects.filter(action="services.bundle.withdrawn").count() == 1


def test_refused_when_a_component_was_decided(channels, applicant):
    from ..license_source import license_source_set
    from .test_bundles_support import FakeLicenses

    previous = license_source_set(FakeLicenses(channels.people))
    try:
        from .test_bundles_support import child_form

        filed = bundle_submit(
            principal=principal_of(applicant),
            bundle_code="test-mixed",
            form_data=child_form(),
            materials=[{"code": "B01", "license_address": f"license:JMSFZ:{channels.people[0]}"}],
            idempotency_key=key(),
        )
    finally:
        license_source_set(previous)
    statuses = sorted(filed.applications.values_list("approval_mode", "status"))
    assert statuses == [("instant", "approved"), ("workflow", "submitted")]
    before = _snapshot(filed)
    with pytest.raises(Conflict) as caught:
        bundle_withdraw(principal=principal_of(applicant), number=filed.number, reason="不办了")
    assert caught.value.code == "services/bundle_not_withdrawable"
    assert "出生医学证明（测试）" in caught.value.message and "不能整件撤回" in caught.value.message
    assert _snapshot(filed) == before  # nothing changed, not even the open workflow case
    assert AuditEntry.objects.filter(
        action="services.bundle.withdraw", object_id=filed.number, outcome="denied"
    ).exists()


def test_a_component_withdrawn_before_is_skipped(channels, applicant):
    filed = _filed(applicant)
    first, second = filed.applications.order_by("id")
    application_withdraw(principal=principal_of(applicant), number=first.number, reason="单独撤")
    done = bundle_withdraw(principal=principal_of(applicant), number=filed.number, reason="都撤")
    assert done.status == "withdrawn"
    second.refresh_from_db()
    assert second.status == "withdrawn"
    entry = AuditEntry.objects.get(action="services.bundle.withdrawn", object_id=filed.number)
    assert entry.detail["components"] == [second.number]


def test_someone_elses_bundle_is_unknown_and_audited(channels, applicant, stranger, clerk):
    filed = _filed(applicant)
    before = _snapshot(filed)
    for principal in (
        principal_of(stranger),
        principal_of(clerk),
        Principal(kind="machine", id="m1", scopes=frozenset({"services:apply"})),
    ):
        with pytest.raises(NotFound) as caught:
            bundle_withdraw(principal=principal, number=filed.number, reason="恶意")
        assert caught.value.code == "services/bundle_application_not_found"
    with pytest.raises(NotFound) as unknown:
        bundle_withdraw(principal=principal_of(stranger), number="NO-SUCH", reason="x")
    assert unknown.value.message == caught.value.message  # no difference to tell
    assert _snapshot(filed) == before
    assert (
        AuditEntry.objects.filter(
            action="services.bundle.withdraw", object_id=filed.number, outcome="denied"
        ).count()
        == 3
    )


def test_reason_is_required(channels, applicant):
    filed = _filed(applicant)
    for reason in ("", "  ", "长" * 301):
        with pytest.raises(ValidationFailed) as caught:
            bundle_withdraw(principal=principal_of(applicant), number=filed.number, reason=reason)
        assert caught.value.code == "services/withdraw_reason"
        assert "reason" in caught.value.fields
    assert BundleApplication.objects.get(pk=filed.pk).status == "submitted"


def test_enterprise_agent_withdraws_the_entitys_bundle(channels):
    rep = legal_rep_make("yjs_rep", channels.usccs[0])
    other = citizen_make("yjs_ent2", channels.people[3], kind="enterprise")  # not bound
    filed = _filed(rep, "test-ent", applicant_uscc=channels.usccs[0])
    assert filed.applicant_kind == "entity" and filed.applications.count() == 2
    with pytest.raises(NotFound):
        bundle_withdraw(principal=principal_of(other), number=filed.number, reason="x")
    done = bundle_withdraw(principal=principal_of(rep), number=filed.number, reason="暂不开办")
    assert done.status == "withdrawn"


# --- API ------------------------------------------------------------------------------------


def _machine_key(scopes):
    operator = Principal(kind="operator", id="test")
    client = machine_client_create(actor=operator, name=f"c-{key()[:8]}", scopes=scopes)
    return api_key_issue(actor=operator, client_id=client.pk).key


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("stranger", 404),
        ("enterprise", 404),
        ("staff", 404),
        ("machine_without_scope", 403),
        ("machine_with_scope", 404),
        ("applicant", 200),
    ],
)
def test_api_withdraw_authorization(client, channels, applicant, who, status):
    filed = _filed(applicant)
    headers = {}
    if who == "stranger":
        login(client, citizen_make("yjs_other", channels.people[2]))
    elif who == "enterprise":
        login(client, legal_rep_make("yjs_rep", channels.usccs[0]))
    elif who == "staff":
        login(
            client, staff_make("yjs_staff", organization_code="440100-zsj", roles=("窗口受理人员",))
        )
    elif who == "applicant":
        login(client, applicant)
    elif who.startswith("machine"):
        scopes = ["services:read", "services:apply"] if who.endswith("with_scope") else []
        headers = {"X-API-Key": _machine_key(scopes)}
    before = _snapshot(filed)
    response = client.post(
        f"{BASE}/applications/{filed.number}/withdraw",
        {"reason": "不办了"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == status, response.content
    if status == 200:
        body = response.json()
        assert body["status"] == "withdrawn"
        assert [c["status"] for c in body["components"]] == ["withdrawn", "withdrawn"]
        again = client.post(
            f"{BASE}/applications/{filed.number}/withdraw",
            {"reason": "不办了"},
            content_type="application/json",
        )
        assert again.status_code == 200 and again.json()["status"] == "withdrawn"
    else:
        assert _snapshot(filed) == before
        if status == 404:
            assert "新生儿" not in response.content.decode()
            assert response.json()["error"]["code"] == "services/bundle_application_not_found"


def test_api_refusal_has_a_stable_code(client, channels, applicant):
    filed = _filed(applicant)
    first = filed.applications.order_by("id").first()
    from ..services.cases import case_transition

    case_transition(application=first, to="rejected", principal=Principal(kind="system", id="t"))
    login(client, applicant)
    response = client.post(
        f"{BASE}/applications/{filed.number}/withdraw",
        {"reason": "不办了"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "services/bundle_not_withdrawable"
    assert "户口迁移（测试）" in response.json()["error"]["message"]
    missing = client.post(
        f"{BASE}/applications/{filed.number}/withdraw",
        {"reason": ""},
        content_type="application/json",
    )
    assert missing.status_code == 422


# --- pages ----------------------------------------------------------------------------------


def test_citizen_result_page_offers_withdraw_and_posts_it(client, channels, applicant):
    filed = _filed(applicant)
    login(client, applicant)
    url = f"/citizen/bundles/applications/{filed.number}/"
    page = client.get(url).content.decode()
    assert 'data-testid="bundle-withdraw-form"' in page
    assert f'action="{url}withdraw/"' in page and "csrfmiddlewaretoken" in page
    # without the confirmation nothing happens
    unconfirmed = client.post(f"{url}withdraw/", {"reason": "不办了"}, follow=True)
    assert "请勾选" in unconfirmed.content.decode()
    assert BundleApplication.objects.get(pk=filed.pk).status == "submitted"
    done = client.post(f"{url}withdraw/", {"reason": "不办了", "confirm": "on"})
    assert done.status_code == 302 and done["Location"] == url
    assert BundleApplication.objects.get(pk=filed.pk).status == "withdrawn"
    after = client.get(url).content.decode()
    assert "已撤回" in after and 'data-testid="bundle-withdraw-form"' not in after
    # a double POST (a second click, a resent form) is harmless
    before = _snapshot(filed)
    again = client.post(f"{url}withdraw/", {"reason": "不办了", "confirm": "on"})
    assert again.status_code == 302 and _snapshot(filed) == before


def test_citizen_page_refusal_is_a_message(client, channels, applicant):
    filed = _filed(applicant)
    first = filed.applications.order_by("id").first()
    from ..services.cases import case_transition

    case_transition(application=first, to="approved", principal=Principal(kind="system", id="t"))
    login(client, applicant)
    url = f"/citizen/bundles/applications/{filed.number}/"
    assert 'data-testid="bundle-withdraw-form"' not in client.get(url).content.decode()
    response = client.post(f"{url}withdraw/", {"reason": "不办了", "confirm": "on"}, follow=True)
    assert "不能整件撤回" in response.content.decode()
    assert BundleApplication.objects.get(pk=filed.pk).status == "submitted"


def test_someone_elses_bundle_page_post_is_404(client, channels, applicant, stranger):
    filed = _filed(applicant)
    before = _snapshot(filed)
    login(client, stranger)
    response = client.post(
        f"/citizen/bundles/applications/{filed.number}/withdraw/",
        {"reason": "x", "confirm": "on"},
    )
    assert response.status_code == 404
    assert "户籍医保一件事" not in response.content.decode()
    assert _snapshot(filed) == before


def test_withdraw_page_needs_post_and_csrf(channels, applicant):
    from django.test import Client

    filed = _filed(applicant)
    strict = Client(enforce_csrf_checks=True)
    login(strict, applicant)
    url = f"/citizen/bundles/applications/{filed.number}/withdraw/"
    assert strict.get(url).status_code == 405
    assert strict.post(url, {"reason": "x", "confirm": "on"}).status_code == 403
    assert BundleApplication.objects.get(pk=filed.pk).status == "submitted"


def test_enterprise_result_page_withdraw(client, channels):
    rep = legal_rep_make("yjs_rep", channels.usccs[0])
    filed = _filed(rep, "test-ent", applicant_uscc=channels.usccs[0])
    login(client, rep)
    url = f"/business/bundles/applications/{filed.number}/"
    assert 'data-testid="bundle-withdraw-form"' in client.get(url).content.decode()
    done = client.post(f"{url}withdraw/", {"reason": "暂不开办", "confirm": "on"})
    assert done.status_code == 302
    assert BundleApplication.objects.get(pk=filed.pk).status == "withdrawn"
    login(client, citizen_make("yjs_ent2", channels.people[3], kind="enterprise"))
    assert client.post(f"{url}withdraw/", {"reason": "x", "confirm": "on"}).status_code == 404
