"""证照目录: the license types, loaded from data/license_types.json (the same codes the
一网通办 catalog names in its materials and results). Idempotent: a type is updated in place
by its code, so re-running the seed after a change to the file updates the catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import ValidationFailed
from digigov.kernel.organizations.services import DEPARTMENTS

from ..models import HolderKind, LicenseType

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "license_types.json"
FIELD_TYPES = frozenset({"string", "date", "number", "enum", "boolean"})
# Where a field's value can come from when a license is made from a case (see the JSON).
SOURCES = frozenset(
    {
        "holder.name",
        "holder.key",
        "person.gender",
        "person.birth_date",
        "entity.legal_rep_name",
        "entity.entity_type",
        "case.number",
        "case.decided_on",
        "case.region_name",
    }
)
_FUNCTIONS = frozenset(function for function, _, _ in DEPARTMENTS)


def _type_check(row: dict[str, Any]) -> list[str]:
    """Problems of one catalog entry (empty when it is sound)."""
    problems = []
    code = row.get("code", "?")
    if row.get("issuing_function") not in _FUNCTIONS:
        problems.append(f"{code}: 颁发部门条线 {row.get('issuing_function')} 不存在")
    if row.get("holder_kind") not in HolderKind.values:
        problems.append(f"{code}: 持证主体类型无效")
    keys = set()
    for field in row.get("fields", []):
        key = field.get("key", "")
        if not key or key in keys:
            problems.append(f"{code}: 字段 {key!r} 缺失或重复")
        keys.add(key)
        if field.get("type") not in FIELD_TYPES:
            problems.append(f"{code}.{key}: 字段类型 {field.get('type')} 无效")
        if field.get("type") == "enum" and not field.get("choices"):
            problems.append(f"{code}.{key}: 枚举字段缺少可选值")
        source = field.get("source") or ""
        for hint in source if isinstance(source, list) else [source]:
            if not isinstance(hint, str) or (
                hint and hint not in SOURCES and not hint.startswith("form.")
            ):
                problems.append(f"{code}.{key}: 取值来源 {hint} 无效")
    for key in (row.get("template") or {}).get("rows", []):
        if key not in keys:
            problems.append(f"{code}: 版式行 {key} 不是字段")
    return problems


def catalog_file_read(path: Path = DATA_FILE) -> list[dict[str, Any]]:
    """The catalog entries of the data file, checked; ValidationFailed lists every problem."""
    rows = json.loads(path.read_text(encoding="utf-8"))["types"]
    problems = [problem for row in rows for problem in _type_check(row)]
    codes = [row["code"] for row in rows]
    problems += [f"{code}: 代码重复" for code in sorted({c for c in codes if codes.count(c) > 1})]
    if problems:
        raise ValidationFailed("证照目录数据有误", code="license_catalog_invalid", detail=problems)
    return rows


@transaction.atomic
def license_types_load(*, path: Path = DATA_FILE) -> tuple[int, int]:
    """Create or update every type of the data file by its code: (created, updated)."""
    created = updated = 0
    existing = {t.code: t for t in LicenseType.objects.all()}
    fields = ("name", "issuing_function", "holder_kind", "validity_years", "fields", "template")
    for row in catalog_file_read(path):
        values = {
            "name": row["name"],
            "issuing_function": row["issuing_function"],
            "holder_kind": row["holder_kind"],
            "validity_years": row.get("validity_years"),
            "fields": row.get("fields", []),
            "template": row.get("template", {}),
        }
        current = existing.get(row["code"])
        if current is None:
            LicenseType.objects.create(code=row["code"], **values)
            created += 1
        elif any(getattr(current, name) != values[name] for name in fields):
            for name in fields:
                setattr(current, name, values[name])
            current.save(update_fields=list(fields))
            updated += 1
    if created or updated:
        audit_record(
            actor="system",
            action="licenses.catalog.load",
            object_type="licenses.licensetype",
            detail={"created": created, "updated": updated, "file": path.name},
        )
    return created, updated


def license_types_seed(**_options: Any) -> str:
    """The seed step (order 35): the catalog, before the 一网通办 items that name it."""
    created, updated = license_types_load()
    if not created and not updated:
        return "已存在，未改动"
    return f"新建 {created} 种、更新 {updated} 种证照类型"
