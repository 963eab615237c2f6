"""Test data for the registries, made the way an operator would: CSV files and services."""

from __future__ import annotations

import csv
import io

from digigov.data.registries import demo, rows, services
from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.principals import Principal

ADMIN = Principal(kind="staff", id="admin", label="测试管理员")
# Checked with stdnum: valid GB 11643 numbers for the tests below.
VALID_ID = "11010519491231002X"  # F, 1949-12-31
PERSON_COLUMNS = rows.PERSON_COLUMNS
ENTITY_COLUMNS = rows.ENTITY_COLUMNS


def staff(*permissions: str, id: str = "7") -> Principal:
    return Principal(
        kind="staff",
        id=id,
        label="测试公职人员",
        permissions=frozenset(f"registries.{p}" for p in permissions),
        source_address="10.0.0.7",
    )


def machine(*scopes: str) -> Principal:
    return Principal(kind="machine", id="9", label="测试系统", scopes=frozenset(scopes))


def citizen(id_number: str) -> Principal:
    return Principal(kind="citizen", id="3", label="测试市民", person_id_number=id_number)


def people_rows(count: int, *, seed: int = 7) -> list[dict[str, str]]:
    return list(demo.people(seed=seed, regions=services._demo_regions(), count=count))


def entity_rows(count: int, *, seed: int = 7) -> list[dict[str, str]]:
    reps = [(p["id_number"], p["name"]) for p in people_rows(20, seed=seed)]
    adults = [r for r in reps if f"{r[0][6:10]}-{r[0][10:12]}-{r[0][12:14]}" <= "2004-12-31"]
    return list(
        demo.entities(
            seed=seed, regions=services._demo_regions(), count=count, representatives=adults
        )
    )


def csv_bytes(records: list[dict[str, str]], columns=PERSON_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([record.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


def import_people(records, *, principal: Principal | None = None, **options):
    return services.person_import(
        principal=principal or staff("add_person"),
        source=io.BytesIO(csv_bytes(records)),
        **options,
    )


def import_entities(records, *, principal: Principal | None = None, **options):
    return services.entity_import(
        principal=principal or staff("add_entity"),
        source=io.BytesIO(csv_bytes(records, ENTITY_COLUMNS)),
        **options,
    )


def api_key(*scopes: str, name: str = "测试客户端") -> str:
    client = machine_client_create(actor=ADMIN, name=name, scopes=list(scopes))
    return api_key_issue(actor=ADMIN, client_id=client.pk).key


def audit_head() -> int:
    from digigov.kernel.audit.models import AuditEntry

    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def audit_since(seq: int) -> list[tuple[str, str, str]]:
    """(action, outcome, object_id) of the entries written after seq, oldest first."""
    from digigov.kernel.audit.models import AuditEntry

    return list(
        AuditEntry.objects.filter(seq__gt=seq)
        .order_by("seq")
        .values_list("action", "outcome", "object_id")
    )
