"""一件事 pages: public list and guide, the citizen's one prefilled form with materials
once, submit -> result page with each component's decision; refusals audited."""

# ruff: noqa: F811 (pytest fixtures are imported from test_bundles_support)

import io

import pytest

from digigov.kernel.audit.models import AuditEntry

from ..models import Application, BundleApplication
from ..services.bundles import bundle_submit
from .test_applications_support import delegation_make
from .test_bundles_support import (  # noqa: F401 (fixtures)
    CODES,
    PDF,
    child_form,
    citizen,
    citizen_make,
    key,
    legal_rep_make,
    licensed,
    licenses,
    login,
    principal_of,
    uploads,
    world,
)


def _material_files() -> dict:
    files = {}
    for code in ("B01", "B02"):
        upload = io.BytesIO(PDF)
        upload.name = f"{code}.pdf"
        files[f"material_{code}_file"] = upload
    return files


def test_public_list_filters_and_links_to_the_guide(client, world):
    page = client.get("/bundles/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "新生儿出生一件事（测试）" in text and "/bundles/test-birth/" in text
    assert (
        "新生儿出生一件事（测试）"
        not in client.get("/bundles/?life_event=retirement").content.decode()
    )
    assert "新生儿出生一件事（测试）" in client.get("/bundles/?q=新生儿").content.decode()


def test_public_home_links_to_bundles(client, db):
    assert 'href="/bundles/"' in client.get("/").content.decode()


def test_public_guide_shows_components_departments_and_merged_lists(client, world):
    page = client.get("/bundles/test-birth/")
    assert page.status_code == 200
    text = page.content.decode()
    for name in (
        "广东省卫生健康委员会",
        "广东省公安厅",
        "出生登记（测试）",
        "居民户口簿",
        "新生儿姓名",
    ):
        assert name in text
    assert text.count("居民身份证") == 1  # one material for two items
    assert "/citizen/bundles/test-birth/apply/" in text
    assert client.get("/bundles/none/").status_code == 404


def test_apply_page_needs_a_citizen_login(client, world):
    response = client.get("/citizen/bundles/test-birth/apply/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_citizen_sees_one_prefilled_form(client, world, citizen):
    login(client, citizen)
    page = client.get("/citizen/bundles/test-birth/apply/")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('name="f_child_name"') == 1
    assert world.name(world.people[0]) in text
    assert "已从基础库自动填写" in text
    assert text.count('name="material_B01_file"') == 1
    assert 'name="chosen_items"' in text  # the optional item can be unchecked


def test_citizen_submits_with_uploads_and_sees_each_decision(client, world, citizen, uploads):
    login(client, citizen)
    files = _material_files()
    data = {f"f_{k}": v for k, v in child_form().items()}
    data.update({"idempotency_key": key(), "chosen_items": [CODES[2]], **files})
    response = client.post("/citizen/bundles/test-birth/apply/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    bundle_application = BundleApplication.objects.get()
    assert response["Location"] == f"/citizen/bundles/applications/{bundle_application.number}/"
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "已办结" in text
    for case in bundle_application.applications.all():
        assert f"/citizen/cases/{case.number}/" in text
    assert "秒批" in text
    listing = client.get("/citizen/bundles/applications/").content.decode()
    assert bundle_application.number in listing


def test_errors_are_shown_on_the_form_and_nothing_is_filed(client, world, citizen):
    login(client, citizen)
    data = {f"f_{k}": v for k, v in child_form(child_name="").items()}
    data["idempotency_key"] = key()
    response = client.post("/citizen/bundles/test-birth/apply/", data)
    assert response.status_code == 422
    text = response.content.decode()
    assert "请填写新生儿姓名" in text
    assert "请提交“居民户口簿”" in text
    assert not Application.objects.exists()


def test_unchecking_the_optional_item_files_only_the_others(client, world, citizen, licenses):
    from ..license_source import license_source

    login(client, citizen)
    licenses_of = license_source().holder_licenses(
        holder_kind="person", holder_key=world.people[0], license_types=[]
    )
    assert licenses_of  # the form offers them
    page = client.get("/citizen/bundles/test-birth/apply/").content.decode()
    assert f"license:HKB:{world.people[0]}" in page
    data = {f"f_{k}": v for k, v in child_form(address="").items()}
    data.update(
        {
            "idempotency_key": key(),
            "material_B01_license": f"license:JMSFZ:{world.people[0]}",
            "material_B02_license": f"license:HKB:{world.people[0]}",
        }
    )
    response = client.post("/citizen/bundles/test-birth/apply/", data)
    assert response.status_code == 302
    assert Application.objects.count() == 2


@pytest.mark.parametrize("who", ["other_citizen", "enterprise"])
def test_someone_elses_bundle_application_is_refused_and_audited(
    client, world, citizen, licenses, who
):
    filed = bundle_submit(
        principal=principal_of(citizen),
        bundle_code="test-birth",
        form_data=child_form(),
        materials=licensed(world.people[0]),
        idempotency_key=key(),
    )
    if who == "other_citizen":
        login(client, citizen_make("bundle_other", world.people[1]))
        url = f"/citizen/bundles/applications/{filed.number}/"
    else:
        login(client, legal_rep_make("bundle_rep", world.usccs[0]))
        url = f"/business/bundles/applications/{filed.number}/"
    response = client.get(url)
    assert response.status_code == 403
    assert "新生儿出生一件事（测试）" not in response.content.decode()
    assert AuditEntry.objects.filter(
        action="services.bundle_application.access", object_id=filed.number, outcome="denied"
    ).exists()


def test_enterprise_pages_render(client, world):
    rep = legal_rep_make("bundle_rep", world.usccs[0])
    login(client, rep)
    assert client.get("/business/bundles/applications/").status_code == 200
    # a person's bundle: the enterprise form still renders the entity's view; filing is refused
    page = client.get("/business/bundles/test-birth/apply/")
    assert page.status_code == 200


def test_citizen_files_a_bundle_for_an_authorising_relative(client, world, citizen, uploads):
    """代亲友办理 on the bundle page: the relative picked from the list (the delegation id is
    sent, never their ID number), the form prefilled from the relative's record, and every
    component case filed for the relative on the citizen's behalf."""
    mother = citizen_make("bundle_mother", world.people[1])
    delegation = delegation_make(mother, citizen)
    client = login(client, citizen)
    page = "/citizen/bundles/test-birth/apply/"
    html = client.get(page).content.decode()
    assert 'data-testid="relative-picklist"' in html
    assert f'name="relative" value="{delegation.pk}"' in html
    assert world.people[1] not in html
    chosen = client.post(page, {"action": "relative", "relative": str(delegation.pk)})
    html = chosen.content.decode()
    assert chosen.status_code == 200 and 'data-testid="on-behalf"' in html
    assert world.name(world.people[1]) in html  # prefilled from the relative's record
    assert f'<input type="hidden" name="relative" value="{delegation.pk}">' in html
    assert 'name="applicant_id_number"' not in html
    files = _material_files()
    data = {f"f_{k}": v for k, v in child_form().items()}
    data.update(
        {"idempotency_key": key(), "chosen_items": [CODES[2]], "relative": str(delegation.pk)}
    )
    done = client.post(page, {**data, **files})
    assert done.status_code == 302, done.content.decode()[:2000]
    filed = BundleApplication.objects.get()
    cases = list(filed.applications.all())
    assert cases and {c.applicant_id_number for c in cases} == {world.people[1]}
    assert all(c.is_on_behalf for c in cases)
    assert {c.filed_by_account_id for c in cases} == {citizen.pk}


def test_a_relative_who_did_not_authorise_is_refused_and_nothing_is_filed(client, world, citizen):
    stranger = citizen_make("bundle_stranger", world.people[2])
    other = delegation_make(stranger, citizen_make("bundle_someone", world.people[3]))
    client = login(client, citizen)
    page = "/citizen/bundles/test-birth/apply/"
    refused = client.post(page, {"action": "relative", "relative": str(other.pk)})
    assert refused.status_code == 403
    assert "所选亲友未授权您代为申办" in refused.content.decode()
    assert AuditEntry.objects.filter(action="services.relative.resolve", outcome="denied").exists()
    data = {f"f_{k}": v for k, v in child_form().items()}
    data.update({"idempotency_key": key(), "relative": str(other.pk)})
    assert client.post(page, data).status_code == 403
    assert not BundleApplication.objects.exists()
