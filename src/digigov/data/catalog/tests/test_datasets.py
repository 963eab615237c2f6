"""Uploading topic and thematic datasets: CSV (UTF-8 with BOM, GB18030) and JSON files,
structure checks per row (unknown columns, types, required values), the two modes, and
that a refused upload keeps the dataset, is audited and changes nothing else."""

from __future__ import annotations

import json

import pytest

from digigov.kernel.errors import PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event

from ..models import DataResource, DatasetRow
from ..selectors.rows import resource_row_by_key, resource_rows
from ..services import datasets
from ..services.datasets import dataset_file_load, dataset_file_parse, dataset_rows_replace
from . import factories as f

pytestmark = pytest.mark.django_db

GOOD = [
    {"shop_id": "S1", "shop_name": "甲店", "opened_on": "2020-01-02", "staff_count": "12",
     "area": "88.50", "is_chain": "是", "owner_id": "440106199001011234"},
    {"shop_id": "S2", "shop_name": "乙店", "opened_on": "2021/3/4", "staff_count": "3",
     "area": "", "is_chain": "false", "owner_id": ""},
]  # fmt: skip


def _load(resource, rows, principal=None, mode="all_or_nothing"):
    return dataset_rows_replace(
        principal=principal or f.admin(), resource_id=resource.pk, rows=rows, mode=mode
    )


def test_rows_are_stored_typed_with_their_key(orgs):
    resource = f.draft()
    # a bad ID checksum is the quality checks' business, not the upload's
    report = _load(resource, GOOD)
    assert report.accepted == 2 and report.rejected == [] and report.loaded
    resource.refresh_from_db()
    assert resource.row_count == 2 and resource.data_updated_at is not None
    row = DatasetRow.objects.get(resource=resource, key="S1")
    assert row.row_number == 1
    assert row.data == {
        "shop_id": "S1",
        "shop_name": "甲店",
        "opened_on": "2020-01-02",
        "staff_count": 12,
        "area": "88.50",
        "is_chain": True,
        "owner_id": "440106199001011234",
    }
    second = DatasetRow.objects.get(resource=resource, key="S2").data
    assert second["opened_on"] == "2021-03-04"
    assert second["area"] is None and second["is_chain"] is False
    assert Event.objects.filter(topic="catalog.dataset.loaded").count() == 1
    # typed filters through the rows selector
    assert (
        resource_rows(resource=resource, fields=["shop_id"], filters={"staff_count": "12"}).total
        == 1
    )
    assert (
        resource_rows(resource=resource, fields=["shop_id"], filters={"is_chain": "否"}).total == 1
    )
    assert resource_row_by_key(resource=resource, key="S2", fields=["shop_name"]) == {
        "shop_name": "乙店"
    }
    with pytest.raises(ValidationFailed):
        resource_rows(resource=resource, fields=["shop_id"], filters={"staff_count": "many"})


def test_each_rejected_row_is_reported_and_all_or_nothing_keeps_the_data(orgs):
    resource = f.draft()
    _load(resource, GOOD)
    bad = [
        {"shop_id": "S3", "shop_name": "丙店", "staff_count": "1.5"},
        {"shop_id": "", "shop_name": "无编号"},
        {"shop_id": "S5", "colour": "红", "opened_on": "2020-13-01"},
        {"shop_id": "S6", "is_chain": "maybe", "area": "abc"},
        {"shop_id": "S7"},
    ]
    head = f.audit_head()
    report = _load(resource, bad)
    assert not report.loaded and report.accepted == 0 and report.rejected_rows == 4
    problems = {(p.row_number, p.field) for p in report.rejected}
    assert problems == {
        (1, "staff_count"),
        (2, "shop_id"),
        (3, "colour"),
        (3, "opened_on"),
        (4, "is_chain"),
        (4, "area"),
    }
    assert all(p.message for p in report.rejected)
    assert set(DatasetRow.objects.filter(resource=resource).values_list("key", flat=True)) == {
        "S1",
        "S2",
    }
    assert f.audit_since(head) == [("catalog.dataset.refuse", "failure", resource.code)]
    # skip_rejected loads the one good row
    report = _load(resource, bad, mode="skip_rejected")
    assert report.loaded and report.accepted == 1 and report.rejected_rows == 4
    assert list(DatasetRow.objects.filter(resource=resource).values_list("key", flat=True)) == [
        "S7"
    ]
    assert DataResource.objects.get(pk=resource.pk).row_count == 1


def test_only_the_department_uploads_and_not_to_other_storages(orgs):
    resource = f.draft()
    _load(resource, GOOD)
    before, head = f.snapshot(), f.audit_head()
    for principal in (
        f.admin("440100-mzt"),
        f.reviewer(),
        f.machine("440100-scjg", "catalog:read"),
    ):
        with pytest.raises(PermissionDenied):
            _load(resource, GOOD[:1], principal=principal)
    assert f.snapshot() == before
    assert [o for _, o, _ in f.audit_since(head)] == ["denied"] * 3
    assert _load(resource, GOOD[:1], principal=f.machine("440100-scjg", "catalog:write")).loaded
    api = f.draft(code="GZ-API", storage="api", api_url="https://example.gov.cn/api", key_field="")
    with pytest.raises(ValidationFailed):
        _load(api, GOOD)
    with pytest.raises(ValidationFailed):
        _load(resource, [])
    with pytest.raises(ValidationFailed):
        _load(resource, GOOD, mode="sometimes")


def test_csv_utf8_bom_and_gb18030_with_labels_as_headers(orgs):
    text = "店铺编号,店铺名称,从业人数\nS1,甲店,5\nS2,乙店,\n\n"
    for content in (("\ufeff" + text).encode("utf-8"), text.encode("gb18030")):
        rows = dataset_file_parse(content, "shops.csv")
        assert rows == [
            {"店铺编号": "S1", "店铺名称": "甲店", "从业人数": "5"},
            {"店铺编号": "S2", "店铺名称": "乙店", "从业人数": ""},
        ]
    resource = f.draft()
    report = dataset_file_load(
        principal=f.admin(),
        resource_id=resource.pk,
        content=text.encode("gb18030"),
        file_name="a.csv",
    )
    assert report.loaded and report.accepted == 2
    assert DatasetRow.objects.get(resource=resource, key="S1").data["staff_count"] == 5


def test_json_array_of_objects(orgs):
    content = json.dumps([{"shop_id": "J1", "area": 12.25, "staff_count": 7, "is_chain": True}])
    rows = dataset_file_parse(content.encode(), "rows.json")
    resource = f.draft()
    report = _load(resource, rows)
    assert report.loaded
    assert DatasetRow.objects.get(resource=resource).data["area"] == "12.25"
    nested = _load(resource, [{"shop_id": "J2", "shop_name": {"a": 1}}])
    assert not nested.loaded and nested.rejected[0].field == "shop_name"


@pytest.mark.parametrize(
    "content, name, code",
    [
        (b"", "a.csv", "upload_empty"),
        (b"a,a\n1,2\n", "a.csv", "upload_header"),
        (b"a,\n1,2\n", "a.csv", "upload_header"),
        (b"a,b\n1,2,3\n", "a.csv", "upload_malformed"),
        (b"[1, 2]", "a.json", "upload_shape"),
        (b'{"a": 1}', "a.json", "upload_shape"),
        (b"[{", "a.json", "upload_malformed"),
        (b"\xff\xfe\x00\xd8\x00", "a.csv", "upload_encoding"),
        (b"a,b\n1,2\n", "a.xlsx", "upload_format"),
    ],
)
def test_malformed_files_give_a_clear_error(content, name, code):
    with pytest.raises(ValidationFailed) as caught:
        dataset_file_parse(content, name)
    assert caught.value.code == code and caught.value.message


def test_size_limit(monkeypatch):
    monkeypatch.setattr(datasets, "MAX_FILE_BYTES", 10)
    with pytest.raises(ValidationFailed) as caught:
        dataset_file_parse(b"a,b\n1,2\n3,4\n", "a.csv")
    assert caught.value.code == "upload_too_large"


def test_a_malformed_file_is_audited_and_changes_nothing(orgs):
    resource = f.draft()
    _load(resource, GOOD)
    before, head = f.snapshot(), f.audit_head()
    with pytest.raises(ValidationFailed):
        dataset_file_load(
            principal=f.admin(), resource_id=resource.pk, content=b"x,x\n", file_name="a.csv"
        )
    assert f.snapshot() == before
    assert f.audit_since(head) == [("catalog.dataset.refuse", "failure", resource.code)]


def test_huge_numbers_are_refused_not_built(orgs):
    resource = f.draft()
    report = _load(resource, [{"shop_id": "N1", "staff_count": "1e999999", "area": "1e99"}])
    assert {p.field for p in report.rejected} == {"staff_count", "area"}


def test_retired_resources_take_no_uploads(orgs):
    from ..services.resources import resource_retire

    resource = f.published()
    resource_retire(principal=f.admin(), code=resource.code, note="停用")
    with pytest.raises(PermissionDenied):
        _load(resource, GOOD)
