"""粤政易 · 数据目录: the list with search and filters, a resource with its fields, the
register form (fields as a table), the upload with its per-row report, the review queue and
the systems list; who gets in, and that refused actions change nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digigov.data.catalog.models import DataResource, DatasetRow, SourceSystem
from digigov.data.catalog.services.resources import (
    resource_register,
    resource_review,
    resource_submit,
)
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.services import regions_load
from digigov.portals.staff.data_center_demo import (
    DATA_CENTER_DEMO_STAFF,
    data_center_demo_seed,
)
from digigov.support.identity import testing as identity_testing

pytestmark = pytest.mark.django_db
OWNER = Principal(kind="operator", id="test-owner")
BUREAU = Principal(kind="operator", id="test-bureau")
FIELDS = [
    {"name": "shop_id", "label": "店铺编号", "data_type": "code", "is_required": True},
    {"name": "staff_count", "label": "从业人数", "data_type": "integer"},
]


@pytest.fixture(autouse=True)
def orgs(db):
    regions_load()
    organizations_seed(county_level=False, town_level=False)


def _resource(code="GZ-SHOPS", org="440100-scjg", *, publish=True, **overrides):
    values = {
        "code": code,
        "name": f"测试资源{code}",
        "layer": "topic",
        "storage": "dataset",
        "share_condition": "unconditional",
        "grade": "general",
        "key_field": "shop_id",
        **overrides,
    }
    resource = resource_register(
        principal=OWNER,
        organization_id=Organization.objects.get(code=org).pk,
        values=values,
        fields=FIELDS,
    )
    if publish:
        resource_submit(principal=OWNER, code=code)
        resource_review(principal=BUREAU, resource_id=resource.pk, approve=True)
    return resource


def _login(client, username, org, roles):
    account = identity_testing.staff_make(username, organization_code=org, roles=list(roles))
    identity_testing.login(client, account)
    return account


@pytest.fixture
def admin(client):
    return _login(client, "scjg_admin", "440100-scjg", ["数据目录管理员"])


def _state():
    return (
        list(DataResource.objects.order_by("code").values_list("code", "status", "row_count")),
        DatasetRow.objects.count(),
        SourceSystem.objects.count(),
    )


def test_list_search_filters_and_visibility(client, admin):
    _resource("GZ-PUB", name="广州市养老机构名录")
    _resource("GZ-DRAFT", publish=False)
    _resource("MZ-DRAFT", org="440100-mzt", publish=False)
    page = client.get("/staff/catalog/").content.decode()
    assert "GZ-PUB" in page and "GZ-DRAFT" in page and "MZ-DRAFT" not in page
    # a catalog admin without a sharing role gets no link to the needs list (it would 403)
    assert "/staff/sharing/needs/" not in page
    found = client.get("/staff/catalog/", {"q": "养老"}).content.decode()
    assert "GZ-PUB" in found and "GZ-DRAFT" not in found
    by_field = client.get("/staff/catalog/", {"q": "从业人数", "status": "draft"}).content.decode()
    assert "GZ-DRAFT" in by_field and "GZ-PUB" not in by_field
    assert client.get("/staff/catalog/", {"page": "x", "grade": "bogus"}).status_code == 200


def test_list_queries_do_not_grow_with_rows(client, admin):
    _resource("R-1")
    client.get("/staff/catalog/")
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/catalog/")
    for number in range(2, 8):
        _resource(f"R-{number}")
    with CaptureQueriesContext(connection) as many:
        client.get("/staff/catalog/")
    assert len(many) == len(few)


def test_detail_shows_fields_and_own_actions(client, admin):
    _resource("GZ-DRAFT", publish=False)
    _resource("MZ-PUB", org="440100-mzt")
    page = client.get("/staff/catalog/resources/GZ-DRAFT/").content.decode()
    assert "shop_id" in page and "店铺编号" in page and 'data-testid="actions"' in page
    assert "/staff/catalog/resources/GZ-DRAFT/submit/" in page
    other = client.get("/staff/catalog/resources/MZ-PUB/").content.decode()
    assert "从业人数" in other and 'data-testid="actions"' not in other
    hidden = _resource("MZ-DRAFT", org="440100-mzt", publish=False)
    assert client.get(f"/staff/catalog/resources/{hidden.code}/").status_code == 302


def test_register_form_with_field_rows_and_errors(client, admin):
    form = client.get("/staff/catalog/new/")
    assert form.status_code == 200 and 'name="f-5-name"' in form.content.decode()
    post = {
        "code": "GZ-NEW",
        "name": "新资源",
        "layer": "topic",
        "storage": "dataset",
        "share_condition": "conditional",
        "share_terms": "",
        "open_condition": "none",
        "grade": "general",
        "key_field": "shop_id",
        "update_frequency": "daily",
        "field_rows": "3",
        "f-0-name": "shop_id",
        "f-0-label": "店铺编号",
        "f-0-data_type": "code",
        "f-0-sensitivity": "internal",
        "f-0-masking": "none",
        "f-1-name": "owner",
        "f-1-label": "经营者",
        "f-1-data_type": "string",
        "f-1-sensitivity": "personal",
        "f-1-masking": "none",
    }
    more = client.post("/staff/catalog/new/", {**post, "more": "1"})
    assert more.status_code == 200 and 'name="f-4-name"' in more.content.decode()
    assert not DataResource.objects.exists()
    refused = client.post("/staff/catalog/new/", post)
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "共享条件" in text and "脱敏规则" in text and "含个人信息" in text
    assert not DataResource.objects.exists()
    post.update({"share_terms": "依法履职", "f-1-masking": "name", "has_personal_info": "on"})
    made = client.post("/staff/catalog/new/", post)
    assert made.status_code == 302 and made["Location"] == "/staff/catalog/resources/GZ-NEW/"
    resource = DataResource.objects.get(code="GZ-NEW")
    assert resource.status == "draft" and resource.fields.count() == 2
    edit = client.post("/staff/catalog/resources/GZ-NEW/edit/", {**post, "name": "改过的名称"})
    assert edit.status_code == 302
    assert DataResource.objects.get(code="GZ-NEW").name == "改过的名称"
    submit = client.post("/staff/catalog/resources/GZ-NEW/submit/")
    assert submit.status_code == 302
    assert DataResource.objects.get(code="GZ-NEW").status == "submitted"


def test_upload_shows_the_per_row_report(client, admin):
    _resource("GZ-SHOPS", publish=False)
    file = io.BytesIO("shop_id,staff_count,colour\nA1,3,红\n,x,\n".encode("gb18030"))
    file.name = "shops.csv"
    refused = client.post(
        "/staff/catalog/resources/GZ-SHOPS/upload/", {"file": file, "mode": "all_or_nothing"}
    )
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "未载入任何数据" in text and "colour" in text and "应为整数" in text
    assert not DatasetRow.objects.exists()
    file = io.BytesIO("店铺编号,从业人数\nA1,3\nA2,\n".encode())
    file.name = "shops.csv"
    loaded = client.post("/staff/catalog/resources/GZ-SHOPS/upload/", {"file": file})
    assert loaded.status_code == 200 and "已载入 2 行" in loaded.content.decode()
    assert DataResource.objects.get(code="GZ-SHOPS").row_count == 2
    broken = io.BytesIO(b"[{")
    broken.name = "x.json"
    bad = client.post("/staff/catalog/resources/GZ-SHOPS/upload/", {"file": broken})
    assert bad.status_code == 422 and "JSON" in bad.content.decode()
    assert DataResource.objects.get(code="GZ-SHOPS").row_count == 2


def test_review_queue_and_decision(client):
    resource = _resource("GZ-SUB", publish=False)
    resource_submit(principal=OWNER, code=resource.code)
    _login(client, "bureau", "440100-zsj", ["数据资源审核人员"])
    queue = client.get("/staff/catalog/review/")
    assert queue.status_code == 200 and "GZ-SUB" in queue.content.decode()
    assert "/staff/sharing/needs/" in queue.content.decode()  # the bureau reads the needs list
    assert client.get("/staff/sharing/needs/").status_code == 200
    no_note = client.post(
        "/staff/catalog/resources/GZ-SUB/review/", {"decision": "reject", "note": ""}
    )
    assert no_note.status_code == 302
    assert DataResource.objects.get(code="GZ-SUB").status == "submitted"
    ok = client.post("/staff/catalog/resources/GZ-SUB/review/", {"decision": "approve"})
    assert ok.status_code == 302 and ok["Location"] == "/staff/catalog/review/"
    assert DataResource.objects.get(code="GZ-SUB").status == "published"


@pytest.mark.parametrize(
    "who, org, roles",
    [
        ("other_admin", "440100-mzt", ["数据目录管理员"]),
        ("clerk", "440100-scjg", ["窗口受理人员"]),
        ("far_bureau", "440300-zsj", ["数据资源审核人员"]),
    ],
)
def test_refused_actions_change_nothing(client, who, org, roles):
    draft = _resource("GZ-DRAFT", publish=False)
    submitted = _resource("GZ-SUB", publish=False)
    resource_submit(principal=OWNER, code=submitted.code)
    _login(client, who, org, roles)
    before = _state()
    head = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    file = io.BytesIO(b"shop_id\nZ1\n")
    file.name = "a.csv"
    responses = [
        client.post("/staff/catalog/resources/GZ-DRAFT/submit/"),
        client.post("/staff/catalog/resources/GZ-SUB/review/", {"decision": "approve"}),
        client.post("/staff/catalog/resources/GZ-DRAFT/upload/", {"file": file}),
        client.post(f"/staff/catalog/resources/{draft.code}/edit/", {"name": "x"}),
    ]
    if "数据目录管理员" not in roles:  # an admin registers systems of its own department
        responses.append(client.post("/staff/catalog/systems/", {"code": "SYS-X", "name": "x"}))
    assert [r.status_code for r in responses if r.status_code not in (302, 403)] == []
    assert _state() == before
    assert DataResource.objects.get(code="GZ-SUB").status == "submitted"
    denied = AuditEntry.objects.filter(seq__gt=head or 0).exclude(outcome="denied")
    assert not denied.exclude(action__startswith="identity.").exists()


def test_pages_need_a_verified_staff_login(client):
    assert client.get("/staff/catalog/").status_code == 302
    account = identity_testing.staff_make(
        "unverified", organization_code="440100-scjg", roles=["数据目录管理员"]
    )
    identity_testing.login(client, account, verified=False)
    response = client.get("/staff/catalog/new/")
    assert response.status_code in (302, 403)
    citizen = identity_testing.citizen_make("citizen1")
    client.logout()
    identity_testing.login(client, citizen)
    assert client.get("/staff/catalog/").status_code in (302, 403)


def test_systems_page_lists_and_registers(client, admin):
    page = client.get("/staff/catalog/systems/")
    assert page.status_code == 200 and "登记本单位信息系统" in page.content.decode()
    made = client.post(
        "/staff/catalog/systems/", {"code": "GZ-SYS-1", "name": "登记系统", "description": "x"}
    )
    assert made.status_code == 302
    assert SourceSystem.objects.get(code="GZ-SYS-1").organization.code == "440100-scjg"
    bad = client.post("/staff/catalog/systems/", {"code": "GZ-SYS-1", "name": "重复"})
    assert bad.status_code == 422 and "已被使用" in bad.content.decode()
    assert "GZ-SYS-1" in client.get("/staff/catalog/systems/").content.decode()


def test_data_center_demo_staff(db):
    assert data_center_demo_seed() == f"新建 {len(DATA_CENTER_DEMO_STAFF)} 个数据中心演示账号"
    assert data_center_demo_seed() == "已存在，未改动"
    reviewer = identity_testing.principal_of(
        get_user_model().objects.get(username="gd_data_reviewer")
    )
    assert reviewer.has_perm("catalog.review_resource")
    assert not reviewer.has_perm("catalog.register_resource")
