"""/api/v1/services/rules: 秒批规则集 through the API, for staff who maintain rules (the
staff pages' permission). Drafts are validated as the page validates them: an unknown
fact, operator or form field is a 422 with a Chinese message and a stable code, and
nothing changes; refusals are audited."""

from __future__ import annotations

import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.events.models import Event

from ..models import InstantRuleSet
from .test_instant_support import (  # noqa: F401 (fixtures)
    AGE_RULE,
    ONCE_RULE,
    REGION_RULE,
    citizen,
    instant_item_make,
    login,
    people,
    staff_make,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/services/rules"


def _as(who, client, request):
    if who == "anonymous":
        return client
    if who == "citizen":
        return login(client, request.getfixturevalue("citizen"))
    if who == "approver":
        return login(
            client, staff_make("r_appr", organization_code="440100-scjg", roles=("审批人员",))
        )
    if who == "manager_no_otp":
        account = staff_make("r_nootp", organization_code="440000-zsj", roles=("事项管理人员",))
        return login(client, account, verified=False)
    if who == "manager":
        return login(
            client, staff_make("r_mgr", organization_code="440000-zsj", roles=("事项管理人员",))
        )
    raise AssertionError(who)


DENIED = [
    ("anonymous", 401),
    ("citizen", 403),
    ("approver", 403),
    ("manager_no_otp", 403),
]


@pytest.fixture
def item(db):
    return instant_item_make(rules=[AGE_RULE])


@pytest.mark.parametrize(("who", "status"), [*DENIED, ("manager", 200)])
def test_list_and_show_authorization(client, request, item, who, status):
    published = InstantRuleSet.objects.get()
    client = _as(who, client, request)
    listed = client.get(BASE, {"standard_code": item.standard_code})
    shown = client.get(f"{BASE}/{published.pk}")
    assert listed.status_code == status and shown.status_code == status, listed.content
    if status == 200:
        body = listed.json()
        assert body["standard_code"] == item.standard_code and body["total"] == 1
        assert body["rows"][0]["number"] == 1 and body["rows"][0]["status"] == "published"
        detail = shown.json()
        assert detail["status_label"] == "已发布" and detail["rule_count"] == 1
        assert detail["rules"][0]["text"] == "申请人年龄（周岁） 不小于 18"
        assert detail["rules"][0]["value"] == 18
    elif status == 403:
        assert listed.json()["error"]["code"] == "services/rules_forbidden"
        assert (
            AuditEntry.objects.filter(action="services.ruleset.read", outcome="denied").count() == 2
        )


@pytest.mark.parametrize(("who", "status"), DENIED)
def test_draft_and_publish_refused_change_nothing(client, request, item, who, status):
    client = _as(who, client, request)
    response = client.post(
        BASE,
        {"standard_code": item.standard_code, "rules": [AGE_RULE, ONCE_RULE]},
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    published = InstantRuleSet.objects.get()
    draft = InstantRuleSet.objects.create(
        standard_code=item.standard_code, number=2, rules=[AGE_RULE, ONCE_RULE]
    )
    publish = client.post(f"{BASE}/{draft.pk}/publish")
    assert publish.status_code == status
    published.refresh_from_db()
    draft.refresh_from_db()
    assert published.status == "published" and draft.status == "draft"
    assert InstantRuleSet.objects.count() == 2
    assert not Event.objects.filter(topic="services.ruleset.published", payload__number=2).exists()


def test_manager_drafts_and_publishes_a_new_version(client, request, item):
    client = _as("manager", client, request)
    response = client.post(
        BASE,
        {
            "standard_code": item.standard_code,
            "rules": [AGE_RULE, REGION_RULE],
            "change_note": "增加户籍条件",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["number"] == 2 and draft["status"] == "draft"
    assert [r["id"] for r in draft["rules"]] == ["age", "region"]
    assert draft["rules"][1]["text"] == "申请人户籍区划 区划（编码前缀）属于 44"
    assert draft["change_note"] == "增加户籍条件"
    # saving again updates the same draft (one draft per standard)
    again = client.post(
        BASE,
        {"standard_code": item.standard_code, "rules": [REGION_RULE]},
        content_type="application/json",
    )
    assert again.status_code == 201 and again.json()["id"] == draft["id"]
    assert again.json()["rule_count"] == 1
    assert AuditEntry.objects.filter(action="services.ruleset.draft_save").count() >= 2
    # listed by the item's code as well as by its standard
    listed = client.get(BASE, {"item": item.code}).json()
    assert [(r["number"], r["status"]) for r in listed["rows"]] == [
        (2, "draft"),
        (1, "published"),
    ]
    published = client.post(f"{BASE}/{draft['id']}/publish")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published" and published.json()["published_by"]
    statuses = dict(
        InstantRuleSet.objects.filter(standard_code=item.standard_code).values_list(
            "number", "status"
        )
    )
    assert statuses == {1: "superseded", 2: "published"}
    assert Event.objects.filter(topic="services.ruleset.published").exists()
    # a published version is never edited
    twice = client.post(f"{BASE}/{draft['id']}/publish")
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "services/ruleset_not_draft"


@pytest.mark.parametrize(
    ("rules", "field", "text"),
    [
        ([{**AGE_RULE, "op": "like"}], "rules[0].op", "未知的运算符"),
        ([{**AGE_RULE, "fact": "applicant.shoe_size"}], "rules[0].fact", "未知的数据项"),
        ([{**AGE_RULE, "fact": "form.no_such_field"}], "rules[0].fact", "申请表中没有字段"),
        ([AGE_RULE, {**ONCE_RULE, "id": "age"}], "rules[1].id", "规则编号重复"),
        ([{**AGE_RULE, "value": None}], "rules[0].value", "缺少比较值"),
        ([], "rules", "不能为空"),
        ({"id": "age"}, "rules", "应为数组"),
    ],
)
def test_invalid_drafts_are_422_and_change_nothing(client, request, item, rules, field, text):
    before = list(InstantRuleSet.objects.values_list("pk", "status", "rules"))
    response = _as("manager", client, request).post(
        BASE,
        {"standard_code": item.standard_code, "rules": rules},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "services/rules_invalid"
    assert error["message"].startswith("规则")
    assert any(text in message for message in error["fields"][field])
    assert list(InstantRuleSet.objects.values_list("pk", "status", "rules")) == before


def test_unknown_standard_item_and_rule_set(client, request, item):
    client = _as("manager", client, request)
    response = client.post(
        BASE, {"standard_code": "NO-SUCH", "rules": [AGE_RULE]}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "services/item_not_found"
    assert client.get(BASE, {"item": "NO-SUCH"}).status_code == 404
    missing = client.get(f"{BASE}/999999")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "services/ruleset_not_found"
    assert client.post(f"{BASE}/999999/publish").status_code == 404
    missing_field = client.post(BASE, {"rules": [AGE_RULE]}, content_type="application/json")
    assert missing_field.status_code == 422
    assert missing_field.json()["error"]["code"] == "validation_failed"


def test_vocabulary(client, request, item):
    assert _as("approver", client, request).get(f"{BASE}/vocabulary").status_code == 403
    client.logout()
    body = _as("manager", client, request).get(f"{BASE}/vocabulary").json()
    assert {"value": "applicant.age", "label": "申请人年龄（周岁）"} in body["facts"]
    assert {"value": "gte", "label": "不小于"} in body["operators"]


def test_list_query_count(client, request, item, django_assert_max_num_queries):
    for number in range(2, 8):
        InstantRuleSet.objects.create(
            standard_code=item.standard_code, number=number, status="superseded", rules=[AGE_RULE]
        )
    client = _as("manager", client, request)
    with django_assert_max_num_queries(12):
        body = client.get(BASE, {"standard_code": item.standard_code, "page_size": 5}).json()
    assert body["total"] == 7 and len(body["rows"]) == 5 and body["pages"] == 2
