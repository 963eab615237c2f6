"""The apply, my-cases and case pages of 粤省事, 粤商通, the window and the kiosk."""

# ruff: noqa: F811 (pytest fixtures are imported from test_applications_support)

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from digigov.kernel.audit.models import AuditEntry

from ..models import Application, ApplicationMaterial
from ..services.applications import application_submit
from ..services.cases import case_transition
from .test_applications_support import (  # noqa: F401 (fixtures)
    EXE,
    ID_CARD,
    PDF,
    RICH_FORM,
    citizen_make,
    delegation_make,
    dispatched,
    entity_item,
    key,
    legal_rep_make,
    licenses,
    login,
    person_item,
    principal_of,
    staff_make,
    uploads,
    world,
)

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_citizen_apply_page_shows_prefill_and_materials(client, world, licenses):
    item = person_item(form_schema=RICH_FORM, materials=[ID_CARD])
    citizen = citizen_make("apply01", world.people[0])
    licenses([world.people[0]])
    login(client, citizen)
    response = client.get(f"/citizen/apply/{item.code}/")
    assert response.status_code == 200
    html = _text(response)
    assert "已从基础库自动填写" in html
    assert world.name(world.people[0]) in html
    assert 'name="idempotency_key"' in html
    assert f"license:JMSFZ:{world.people[0]}" in html
    assert 'for="id_f_child_birth_date"' in html and 'type="date"' in html


def test_citizen_apply_post_flow(client, world, dispatched, uploads):
    item = person_item(materials=[ID_CARD])
    citizen = citizen_make("apply01", world.people[0])
    login(client, citizen)
    page = f"/citizen/apply/{item.code}/"
    bad = client.post(
        page,
        {
            "action": "submit",
            "idempotency_key": "k1",
            "f_phone": "123",
            "material_M01_file": SimpleUploadedFile("cv.pdf", EXE),
        },
    )
    assert bad.status_code == 422
    assert "文件内容与扩展名不符" in _text(bad)
    assert not Application.objects.exists()
    data = {
        "action": "submit",
        "idempotency_key": "k2",
        "f_phone": "13912345678",
        "material_M01_file": SimpleUploadedFile("id.pdf", PDF),
    }
    response = client.post(page, data)
    assert response.status_code == 302
    case = Application.objects.get()
    assert response["Location"] == f"/citizen/cases/{case.number}/"
    assert ApplicationMaterial.objects.get(application=case).original_name == "id.pdf"
    # a double click with the same key files nothing new
    data["material_M01_file"] = SimpleUploadedFile("id.pdf", PDF)
    assert client.post(page, data).status_code == 302
    assert Application.objects.count() == 1
    listing = client.get("/citizen/cases/")
    assert case.number in _text(listing)
    detail = client.get(f"/citizen/cases/{case.number}/")
    assert "提交申请" in _text(detail) and 'data-testid="withdraw-form"' in _text(detail)
    withdrawn = client.post(f"/citizen/cases/{case.number}/withdraw/", {"reason": "不办了"})
    assert withdrawn.status_code == 302
    case.refresh_from_db()
    assert case.status == "withdrawn"


def test_citizen_applies_for_relative_page(client, world, dispatched):
    item = person_item()
    grantor = citizen_make("grantor", world.people[1])
    agent = citizen_make("agent", world.people[0])
    delegation_make(grantor, agent)
    login(client, agent)
    page = f"/citizen/apply/{item.code}/"
    chosen = client.post(page, {"action": "relative", "relative_id_number": world.people[1]})
    assert chosen.status_code == 200 and 'data-testid="on-behalf"' in _text(chosen)
    assert world.name(world.people[1]) in _text(chosen)
    refused = client.post(page, {"action": "relative", "relative_id_number": world.people[3]})
    assert refused.status_code == 403 and "无权" in _text(refused)
    done = client.post(
        page,
        {
            "action": "submit",
            "idempotency_key": "k3",
            "applicant_id_number": world.people[1],
            "f_phone": "13912345678",
        },
    )
    assert done.status_code == 302
    case = Application.objects.get()
    assert case.is_on_behalf and case.applicant_id_number == world.people[1]


def test_commitment_item_page_shows_text(client, world):
    item = person_item(approval_mode="commitment", conditions=["申请人已年满18周岁"])
    login(client, citizen_make("apply01", world.people[0]))
    html = _text(client.get(f"/citizen/apply/{item.code}/"))
    assert 'data-testid="commitment"' in html and "申请人已年满18周岁" in html


def test_someone_elses_case_page_is_refused(client, world, dispatched):
    item = person_item()
    owner = citizen_make("apply01", world.people[0])
    case = application_submit(
        principal=principal_of(owner),
        item_code=item.code,
        form_data={"phone": "13912345678"},
        idempotency_key=key(),
    )
    login(client, citizen_make("apply02", world.people[1]))
    assert client.get(f"/citizen/cases/{case.number}/").status_code == 403
    assert (
        client.post(f"/citizen/cases/{case.number}/withdraw/", {"reason": "x"}).status_code == 403
    )
    assert (
        AuditEntry.objects.filter(
            action="services.application.access", object_id=case.number, outcome="denied"
        ).count()
        == 2
    )
    case.refresh_from_db()
    assert case.status == "submitted"
    assert client.get("/citizen/cases/NOPE/").status_code == 404


def test_correction_page_flow(client, world, dispatched):
    item = person_item()
    citizen = citizen_make("apply01", world.people[0])
    case = application_submit(
        principal=principal_of(citizen),
        item_code=item.code,
        form_data={"phone": "13912345678"},
        idempotency_key=key(),
    )
    handler = staff_make("handler", organization_code="440100-scjg", roles=("审批人员",))
    case_transition(
        application=case, to="correction", principal=principal_of(handler), note="电话有误"
    )
    login(client, citizen)
    page = _text(client.get(f"/citizen/cases/{case.number}/"))
    assert 'data-testid="correct-form"' in page and "电话有误" in page
    bad = client.post(f"/citizen/cases/{case.number}/correct/", {"f_phone": "1"})
    assert bad.status_code == 422 and "联系电话格式不正确" in _text(bad)
    good = client.post(f"/citizen/cases/{case.number}/correct/", {"f_phone": "13800001111"})
    assert good.status_code == 302
    case.refresh_from_db()
    assert case.status == "submitted" and case.form_data["phone"] == "13800001111"


def test_citizen_pages_need_login(client, world):
    item = person_item()
    assert client.get(f"/citizen/apply/{item.code}/").status_code == 302
    assert client.get("/citizen/cases/").status_code == 302


# --- 粤商通 ---------------------------------------------------------------------------------


def test_business_apply_and_cases(client, world, dispatched):
    item = entity_item()
    rep = legal_rep_make("rep01", world.usccs[0])
    login(client, rep)
    page = client.get(f"/business/apply/{item.code}/")
    assert page.status_code == 200 and world.usccs[0] in _text(page)
    done = client.post(
        f"/business/apply/{item.code}/",
        {
            "action": "submit",
            "idempotency_key": "b1",
            "applicant_uscc": world.usccs[0],
            "f_phone": "13912345678",
        },
    )
    assert done.status_code == 302, _text(done)
    case = Application.objects.get()
    assert case.applicant_uscc == world.usccs[0]
    assert case.number in _text(client.get("/business/cases/"))
    assert client.get(f"/business/cases/{case.number}/").status_code == 200
    # an entity the account is not bound to
    refused = client.post(
        f"/business/apply/{item.code}/",
        {"action": "submit", "idempotency_key": "b2", "applicant_uscc": world.usccs[1]},
    )
    assert refused.status_code == 403
    assert Application.objects.count() == 1


# --- 窗口收件 -------------------------------------------------------------------------------


@pytest.mark.parametrize("roles,status", [(("窗口受理人员",), 200), (("审批人员",), 403)])
def test_window_page_permission(client, world, roles, status):
    login(client, staff_make("clerk", roles=roles))
    assert client.get("/staff/window/").status_code == status


def test_window_receive_flow(client, world, dispatched):
    item = person_item(organization_code="440300-scjg")
    clerk = staff_make("clerk")
    login(client, clerk)
    unknown = client.post(
        "/staff/window/",
        {"action": "identify", "item_code": item.code, "applicant_id_number": "110105194912310021"},
    )
    assert unknown.status_code == 422 and "基础库中" in _text(unknown)
    form = client.post(
        "/staff/window/",
        {"action": "identify", "item_code": item.code, "applicant_id_number": world.people[2]},
    )
    assert form.status_code == 200 and world.name(world.people[2]) in _text(form)
    done = client.post(
        "/staff/window/",
        {
            "action": "submit",
            "idempotency_key": "w1",
            "item_code": item.code,
            "applicant_id_number": world.people[2],
            "received_partner": "",
            "f_phone": "13912345678",
        },
    )
    assert done.status_code == 302, _text(done)
    case = Application.objects.get()
    assert case.channel == "window" and case.received_region_id == "440100"
    detail = client.get(done["Location"])
    assert detail.status_code == 200 and "跨域通办" in _text(detail)
    assert case.number in _text(client.get("/staff/window/"))


def test_window_needs_totp(client, world):
    login(client, staff_make("clerk"), verified=False)
    assert client.get("/staff/window/").status_code == 302


# --- 一体机 ---------------------------------------------------------------------------------


def test_kiosk_flow(client, world, dispatched):
    item = person_item()
    assert client.get("/kiosk/").status_code == 200
    assert client.get(f"/kiosk/items/{item.code}/").status_code == 302  # sign in first
    login(client, citizen_make("apply01", world.people[0]))
    form = client.get(f"/kiosk/items/{item.code}/")
    assert form.status_code == 200 and "已从基础库自动填写" in _text(form)
    done = client.post(
        f"/kiosk/items/{item.code}/",
        {"action": "submit", "idempotency_key": "q1", "f_phone": "13912345678"},
    )
    assert done.status_code == 302
    case = Application.objects.get()
    assert case.channel == "kiosk"
    receipt = client.get(done["Location"])
    html = _text(receipt)
    assert receipt.status_code == 200 and case.number in html and "<svg" in html
