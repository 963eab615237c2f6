"""粤政易 pages of 秒批 rules and 告知承诺 checks, and the decision partial template."""

# ruff: noqa: F811 (pytest fixtures imported from test_instant_support)

from __future__ import annotations

import json

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import CommitmentCheck, InstantRuleSet
from ..selectors.decisions import commitment_text_for, decision_explain
from ..services.commitment import commitment_grant
from ..services.instant import instant_decide, ruleset_draft_save
from ..testing import item_make
from .test_instant_support import (  # noqa: F401 (fixtures)
    AGE_RULE,
    ONCE_RULE,
    OPERATOR,
    REGION_RULE,
    case_make,
    citizen,
    instant_item_make,
    login,
    other_citizen,
    people,
    staff_make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return staff_make("rulesmgr", organization_code="440000-zsj", roles=("事项管理人员",))


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("citizen", 403), ("approver", 403), ("manager", 200)],
)
def test_rules_list_authorization(client, request, who, status):
    instant_item_make(rules=[AGE_RULE])
    if who == "citizen":
        login(client, request.getfixturevalue("citizen"))
    elif who == "approver":
        login(client, staff_make("appr", organization_code="440100-scjg", roles=("审批人员",)))
    elif who == "manager":
        login(client, request.getfixturevalue("manager"))
    response = client.get(reverse("staff:rules"))
    assert response.status_code == status
    if status == 200:
        assert "TEST-INSTANT 规则 v1" in response.content.decode()


def test_manager_reads_rules_in_chinese_and_edits_a_draft(client, manager):
    item = instant_item_make(rules=[AGE_RULE])
    published = InstantRuleSet.objects.get()
    client = login(client, manager)
    page = client.get(reverse("staff:rule_set", args=[published.pk])).content.decode()
    assert "申请人年龄（周岁） 不小于 18" in page
    assert 'name="rules"' not in page  # published: no editor
    # make a new draft from it, then edit it with invalid and valid JSON
    response = client.post(reverse("staff:rule_set", args=[published.pk]), {"action": "new_draft"})
    draft = InstantRuleSet.objects.get(status="draft")
    assert response.status_code == 302 and draft.number == 2
    url = reverse("staff:rule_set", args=[draft.pk])
    response = client.post(url, {"action": "save", "rules": "[{"})
    assert response.status_code == 422
    assert "JSON 格式错误" in response.content.decode()
    bad = json.dumps([{**AGE_RULE, "op": "like"}])
    response = client.post(url, {"action": "save", "rules": bad})
    assert response.status_code == 422
    assert "未知的运算符" in response.content.decode()
    draft.refresh_from_db()
    assert len(draft.rules) == 1 and draft.rules[0]["op"] == "gte"
    good = json.dumps([AGE_RULE, REGION_RULE], ensure_ascii=False)
    response = client.post(url, {"action": "save", "rules": good, "change_note": "加户籍"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [r["id"] for r in draft.rules] == ["age", "region"] and draft.change_note == "加户籍"
    response = client.post(url, {"action": "publish"})
    assert response.status_code == 302
    statuses = dict(
        InstantRuleSet.objects.filter(standard_code=item.standard_code).values_list(
            "number", "status"
        )
    )
    assert statuses == {1: "superseded", 2: "published"}


def test_manager_creates_a_draft_for_a_standard(client, manager):
    item = instant_item_make(rules=None)
    client = login(client, manager)
    assert client.get(reverse("staff:rules_new")).status_code == 200
    response = client.post(
        reverse("staff:rules_new"),
        {"standard_code": item.standard_code, "rules": json.dumps([ONCE_RULE])},
    )
    assert response.status_code == 302
    assert InstantRuleSet.objects.get().status == "draft"


def test_approver_cannot_post_rules(client):
    item = instant_item_make(rules=None)
    approver = staff_make("appr2", organization_code="440100-scjg", roles=("审批人员",))
    response = login(client, approver).post(
        reverse("staff:rules_new"),
        {"standard_code": item.standard_code, "rules": json.dumps([ONCE_RULE])},
    )
    assert response.status_code == 403
    assert not InstantRuleSet.objects.exists()


def _commitment_case(citizen):
    item = item_make(code="TEST-COMMIT", approval_mode="commitment", conditions=["条件一"])
    application = case_make(
        item=item,
        principal=citizen.as_principal(),
        applicant_id_number=citizen.id_number,
        account=citizen,
    )
    commitment_grant(
        application=application,
        principal=citizen.as_principal(),
        commitment={
            "accepted": True,
            "text": commitment_text_for(item_version=item.published),
            "signature": application.applicant_name,
        },
    )
    return application


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("citizen", 403), ("manager", 403), ("other_org", 200), ("handler", 200)],
)
def test_commitment_page_authorization(client, request, citizen, who, status):
    application = _commitment_case(citizen)
    if who == "citizen":
        login(client, citizen)
    elif who == "manager":
        login(client, request.getfixturevalue("manager"))
    elif who == "other_org":
        login(client, staff_make("o1", organization_code="440300-scjg", roles=("审批人员",)))
    elif who == "handler":
        login(client, staff_make("h1", organization_code="440100-scjg", roles=("审批人员",)))
    response = client.get(reverse("staff:commitments"))
    assert response.status_code == status
    if status == 200:
        assert (application.number in response.content.decode()) is (who == "handler")


def test_handler_records_a_violation_and_others_cannot(client, citizen):
    application = _commitment_case(citizen)
    check = CommitmentCheck.objects.get()
    url = reverse("staff:commitment_verify", args=[check.pk])
    other = staff_make("o2", organization_code="440300-scjg", roles=("审批人员",))
    response = login(client, other).post(url, {"outcome": "violated", "finding": "x"})
    assert response.status_code == 403
    check.refresh_from_db()
    assert check.status == "pending"
    handler = staff_make("h2", organization_code="440100-scjg", roles=("审批人员",))
    client = login(client, handler)
    response = client.post(url, {"outcome": "violated", "finding": ""}, follow=True)
    assert "核查结论" in response.content.decode()
    check.refresh_from_db()
    assert check.status == "pending"
    response = client.post(url, {"outcome": "violated", "finding": "场地不符"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert (check.status, check.finding) == ("violated", "场地不符")
    assert application.number


def test_decision_partial_renders_rules_and_commitment(citizen):
    item = instant_item_make(rules=[AGE_RULE, {**REGION_RULE, "value": "11"}])
    principal = citizen.as_principal()
    application = case_make(
        item=item, principal=principal, applicant_id_number=citizen.id_number, account=citizen
    )
    instant_decide(application=application, principal=principal)
    html = render_to_string(
        "services/partials/decision.html",
        {"decision": decision_explain(principal=principal, number=application.number)},
    )
    assert "不予许可" in html and "申请人年满18周岁" in html and "申请人户籍不在广东省" in html
    assert "规则版本 v1" in html
    committed = _commitment_case(citizen)
    html = render_to_string(
        "services/partials/decision.html",
        {"decision": decision_explain(principal=principal, number=committed.number)},
    )
    assert "验证通过，内容未被篡改" in html and "待核查" in html


def test_draft_save_through_the_page_matches_the_service(client, manager):
    item = instant_item_make(rules=None)
    ruleset_draft_save(principal=OPERATOR, standard_code=item.standard_code, rules=[AGE_RULE])
    page = login(client, manager).get(reverse("staff:rules") + "?q=TEST-INSTANT")
    assert "草稿" in page.content.decode()


def test_admin_saves_rules_through_the_service(client):
    from digigov.support.identity import services as identity

    item = instant_item_make(rules=None)
    admin_account = staff_make(
        "rulesadmin", organization_code="440000-zsj", roles=("事项管理人员",)
    )
    admin_account.is_staff = admin_account.is_superuser = True
    admin_account.save()
    admin_account.device = identity.totp_device_create(account_id=admin_account.pk)
    client = login(client, admin_account)
    url = reverse("admin:services_instantruleset_add")
    assert client.get(url).status_code == 200
    bad = json.dumps([{**AGE_RULE, "op": "like"}])
    response = client.post(url, {"standard_code": item.standard_code, "rules": bad}, follow=True)
    assert "未知的运算符" in response.content.decode()
    assert not InstantRuleSet.objects.exists()
    good = json.dumps([AGE_RULE])
    client.post(url, {"standard_code": item.standard_code, "rules": good, "change_note": "x"})
    draft = InstantRuleSet.objects.get()
    assert draft.status == "draft" and draft.created_by.startswith("staff:")
