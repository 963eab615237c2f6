import pytest
from django.db import connection

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed

from ..models import DatasetResource, DatastoreTable, OpenDataset
from ..selectors.datastore import datastore_rows_iter
from ..selectors.stats import (
    open_dataset_choices,
    open_dataset_count,
    open_dataset_counts_by_organization,
)
from ..services.publishing import dataset_review, dataset_submit, dataset_withdraw
from .factories import (
    ANONYMOUS,
    catalog_resource,
    citizen,
    publish_shops,
    publisher,
    reviewer,
    staff,
    submit_shops,
)

pytestmark = pytest.mark.django_db


def test_publish_drops_personal_fields_and_copies_rows(orgs):
    dataset = publish_shops()
    assert dataset.state == "published"
    table = DatastoreTable.objects.get(dataset=dataset)
    names = [c["id"] for c in table.columns]
    assert "owner_name" not in names and "owner_phone" not in names
    assert set(dataset.dropped_fields) == {"owner_name", "owner_phone"}
    assert table.row_count == 30
    rows = list(datastore_rows_iter(table=table))
    assert len(rows) == 30
    assert rows[0]["staff_count"] == 2 and rows[0]["is_chain"] is True
    assert not any("王" in str(v) for row in rows for v in row.values())
    formats = list(DatasetResource.objects.filter(dataset=dataset).values_list("format", flat=True))
    assert formats == ["CSV", "JSON", "XLSX"]
    # a real table with typed columns and indexes
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table.table_name}")  # noqa: S608
        assert cursor.fetchone()[0] == 30
    assert AuditEntry.objects.filter(action="opendata.dataset.review", outcome="success").exists()


def test_personal_field_cannot_be_chosen(orgs):
    catalog_resource()
    with pytest.raises(ValidationFailed) as info:
        dataset_submit(
            principal=publisher(),
            resource_code="GZ-SCJG-TEST",
            name="shops",
            values={"title": "便利店", "theme": "market"},
            fields=["shop_id", "owner_name"],
        )
    assert "fields" in info.value.fields
    assert not OpenDataset.objects.exists()


def test_aggregate_publishes_counts_only(orgs):
    dataset = publish_shops(aggregate_by=["district_code"])
    table = DatastoreTable.objects.get(dataset=dataset)
    assert [c["id"] for c in table.columns] == ["district_code", "record_count", "sum_staff_count"]
    rows = {r["district_code"]: r for r in datastore_rows_iter(table=table)}
    assert sum(r["record_count"] for r in rows.values()) == 30
    assert len(rows) == 3


def test_closed_resource_cannot_be_opened(orgs):
    catalog_resource(open_condition="none")
    with pytest.raises(ValidationFailed):
        dataset_submit(
            principal=publisher(),
            resource_code="GZ-SCJG-TEST",
            name="shops",
            values={"title": "便利店", "theme": "market"},
        )


def test_bad_metadata_is_refused_with_fields(orgs):
    catalog_resource()
    with pytest.raises(ValidationFailed) as info:
        dataset_submit(
            principal=publisher(),
            resource_code="GZ-SCJG-TEST",
            name="Bad Name!",
            values={"title": "", "theme": "nope", "spatial": ["999999"], "temporal_start": "x"},
        )
    assert {"name", "title", "theme", "spatial", "temporal_start"} <= set(info.value.fields)
    assert not OpenDataset.objects.exists()


@pytest.mark.parametrize(
    "who,error",
    [
        ("anonymous", Unauthenticated),
        ("citizen", PermissionDenied),
        ("staff_without", PermissionDenied),
        ("other_department", PermissionDenied),
    ],
)
def test_submit_authorization(orgs, who, error):
    catalog_resource()
    principal = {
        "anonymous": ANONYMOUS,
        "citizen": citizen(),
        "staff_without": staff("440100-scjg"),
        "other_department": publisher("440100-mzt"),
    }[who]
    with pytest.raises(error):
        dataset_submit(
            principal=principal,
            resource_code="GZ-SCJG-TEST",
            name="shops",
            values={"title": "便利店", "theme": "market"},
        )
    assert not OpenDataset.objects.exists()


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("anonymous", False),
        ("citizen", False),
        ("publisher", False),
        ("city_bureau_without", False),
        ("other_city_bureau", False),
        ("province_bureau", True),
        ("city_bureau", True),
    ],
)
def test_review_authorization(orgs, who, allowed):
    dataset = submit_shops()
    principal = {
        "anonymous": ANONYMOUS,
        "citizen": citizen(),
        "publisher": publisher(),
        "city_bureau_without": staff("440100-zsj"),
        "other_city_bureau": reviewer("440300-zsj"),
        "province_bureau": reviewer(),
        "city_bureau": reviewer("440100-zsj"),
    }[who]
    if allowed:
        dataset_review(principal=principal, dataset_id=dataset.pk, approve=True)
        assert OpenDataset.objects.get(pk=dataset.pk).state == "published"
    else:
        with pytest.raises((PermissionDenied, Unauthenticated)):
            dataset_review(principal=principal, dataset_id=dataset.pk, approve=True)
        assert OpenDataset.objects.get(pk=dataset.pk).state == "submitted"
        assert not DatastoreTable.objects.exists()


def test_reject_needs_reason_and_withdraw(orgs):
    dataset = submit_shops()
    with pytest.raises(ValidationFailed):
        dataset_review(principal=reviewer(), dataset_id=dataset.pk, approve=False)
    rejected = dataset_review(
        principal=reviewer(), dataset_id=dataset.pk, approve=False, note="描述不完整"
    )
    assert rejected.state == "rejected"
    with pytest.raises(NotFound):
        dataset_review(principal=reviewer(), dataset_id="not-a-uuid", approve=True)


def test_withdraw_and_stats(orgs):
    dataset = publish_shops()
    organization_id = dataset.organization_id
    assert open_dataset_count() == 1
    assert open_dataset_count(region_code="440100") == 1
    assert open_dataset_count(region_code="440300") == 0
    assert open_dataset_count(region_code="440000") == 1
    assert open_dataset_count(organization_id=organization_id) == 1
    assert open_dataset_choices() == [("guangzhou-shops", "广州市便利店名录")]
    assert open_dataset_counts_by_organization() == {organization_id: 1}
    with pytest.raises(PermissionDenied):
        dataset_withdraw(principal=citizen(), dataset_id=dataset.pk)
    dataset_withdraw(principal=publisher(), dataset_id=dataset.pk, note="数据更正")
    assert open_dataset_count() == 0
    assert open_dataset_choices() == []
