"""证照目录: the data file (the codes 一网通办 names, their departments), the idempotent seed,
the public catalog API and prefill from the registries."""

from __future__ import annotations

import json

import pytest

from digigov.kernel.errors import ValidationFailed
from digigov.kernel.organizations.services import DEPARTMENTS

from ..models import LicenseType
from ..selectors.catalog import license_data_prefill
from ..services.catalog import DATA_FILE, catalog_file_read, license_types_load, license_types_seed
from ..services.issuance import license_issue
from ..testing import SYSTEM, issuer, world_make

# code -> (issuing function, holder kind): the codes the 一网通办 catalog already uses in its
# materials and results (apps/services LICENSE_TYPE_NAMES; not imported: a layer above)
REQUIRED = {
    "JMSFZ": ("gat", "person"),
    "HKB": ("gat", "person"),
    "JZZ": ("gat", "person"),
    "JDCJSZ": ("gat", "person"),
    "CSYXZM": ("wjw", "person"),
    "YFJZZ": ("wjw", "person"),
    "SWZM": ("wjw", "person"),
    "JHZ": ("mzt", "person"),
    "CJRZ": ("cl", "person"),
    "SBK": ("rsj", "person"),
    "TXZ": ("rsj", "person"),
    "YYZZ": ("scjg", "entity"),
    "SPJYXKZ": ("scjg", "entity"),
    "BDCQZS": ("zrzy", "person"),
    "DLYSJYXKZ": ("jtt", "entity"),
    "DLYSZ": ("jtt", "entity"),
    "XFAQJC": ("xf", "entity"),
    "XLZS": ("jyt", "person"),
}


def test_the_data_file_holds_the_common_types_with_their_departments():
    rows = {row["code"]: row for row in catalog_file_read()}
    assert len(rows) >= 32
    for code, (function, kind) in REQUIRED.items():
        assert (rows[code]["issuing_function"], rows[code]["holder_kind"]) == (function, kind)
    functions = {function for function, _, _ in DEPARTMENTS}
    assert {row["issuing_function"] for row in rows.values()} <= functions
    for row in rows.values():
        assert row["fields"] and row["template"]["title"] and row["template"]["rows"]
        sources = {
            hint
            for field in row["fields"]
            for hint in (
                field["source"] if isinstance(field["source"], list) else [field["source"]]
            )
        }
        assert "holder.name" in sources and "holder.key" in sources, row["code"]


def test_a_broken_data_file_is_refused_with_every_problem(tmp_path, db):
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["types"][0]["issuing_function"] = "nowhere"
    data["types"][1]["fields"][0]["type"] = "colour"
    data["types"].append(dict(data["types"][2]))
    broken = tmp_path / "types.json"
    broken.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        license_types_load(path=broken)
    assert len(caught.value.detail) == 3
    assert LicenseType.objects.count() == 0


def test_seed_is_idempotent_and_updates_by_code(db):
    assert license_types_seed().startswith("新建")
    count = LicenseType.objects.count()
    assert count >= 32
    assert license_types_seed() == "已存在，未改动"
    LicenseType.objects.filter(code="YYZZ").update(name="旧名称", validity_years=3)
    assert license_types_load() == (0, 1)
    yyzz = LicenseType.objects.get(code="YYZZ")
    assert (yyzz.name, yyzz.validity_years, LicenseType.objects.count()) == (
        "营业执照",
        None,
        count,
    )


def test_public_catalog_api(db, client):
    license_types_seed()
    response = client.get("/api/v1/licenses/types")
    assert response.status_code == 200
    types = response.json()
    assert len(types) == LicenseType.objects.count()
    entity = client.get("/api/v1/licenses/types", {"holder_kind": "entity"}).json()
    assert entity and all(t["holder_kind"] == "entity" for t in entity)
    gat = client.get("/api/v1/licenses/types", {"issuing_function": "gat"}).json()
    assert {"JMSFZ", "HKB", "JZZ", "JDCJSZ"} <= {t["code"] for t in gat}
    detail = client.get("/api/v1/licenses/types/YYZZ").json()
    assert (detail["name"], detail["issuing_department"], detail["validity_years"]) == (
        "营业执照",
        "市场监督管理局",
        None,
    )
    assert {f["key"] for f in detail["fields"]} >= {"entity_name", "uscc", "legal_rep_name"}
    missing = client.get("/api/v1/licenses/types/NOPE")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "license_type_unknown")


def test_prefill_and_issue_a_seeded_type(db):
    world = world_make()
    license_types_seed()
    data = license_data_prefill(
        type_code="JDCJSZ",
        holder_kind="person",
        holder_key=world.people[0],
        form={"vehicle_class": "C1", "unrelated": "x"},
    )
    assert data["id_number"] == world.people[0]
    assert data["gender"] in ("男", "女")
    assert data["vehicle_class"] == "C1" and "unrelated" not in data
    data["first_issued_on"] = "2015-06-01"
    license = license_issue(
        principal=SYSTEM,
        type_code="JDCJSZ",
        issuer_id=issuer("440100-gat").pk,
        holder_kind="person",
        holder_key=world.people[0],
        data=data,
    )
    assert license.valid_until.year == license.valid_from.year + 6
    business = license_data_prefill(
        type_code="YYZZ",
        holder_kind="entity",
        holder_key=world.usccs[0],
        case_number="GZ2026-1",
        decided_on=license.valid_from,
    )
    assert business["uscc"] == world.usccs[0]
    assert business["legal_rep_name"] and business["entity_type"]
    assert business["established_on"] == license.valid_from.isoformat()
