"""Reading the base registries.

Every read of a record, list or export takes the acting Principal and a purpose and writes
its audit entry in the same transaction as the read: if the entry cannot be written, the
read fails and nothing is returned. Denials are audited too. Records come back masked
unless the caller is entitled (access.py); lists are always masked.

person_matches / person_brief / entity_brief serve the identity layer's own checks (real-
name verification, entity binding): they return no contact data and are audited by the
calling service as part of its own decision.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TextIO, TypeVar

from django.db import transaction

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.ids import (
    InvalidIdentifier,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    uscc_validate,
)
from digigov.kernel.memo import memoized
from digigov.kernel.prepared import Prepared
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region

from .access import ENTITY, PERSON, Access, list_access, record_access
from .constants import DEFAULT_PURPOSE, GENDER_LABELS
from .models import Entity, Person
from .pii import unseal
from .rows import DB_COLUMNS, ENTITY_COLUMNS, PERSON_COLUMNS, resident_id

T = TypeVar("T")
MAX_PAGE_SIZE = 100
MAX_LIST_DEPTH = 10_000  # deeper than this, narrow the filters: lists are not for bulk copying


@dataclass(frozen=True)
class PersonView:
    id_number: str
    name: str
    gender: str
    gender_label: str
    birth_date: dt.date | None  # None when masked: the full date narrows the ID number
    ethnicity: str
    household_region_code: str
    household_region_name: str
    residence_address: str
    phone: str
    is_masked: bool


@dataclass(frozen=True)
class EntityView:
    uscc: str
    name: str
    entity_type: str
    legal_rep_name: str
    legal_rep_id_number: str
    registered_capital: Decimal | None
    address: str
    region_code: str
    region_name: str
    status: str
    is_operating: bool
    established_date: dt.date
    is_masked: bool


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    page_size: int
    has_next: bool


@dataclass(frozen=True)
class PersonBrief:
    id_number: str
    name: str
    gender: str
    birth_date: dt.date
    household_region_code: str


@dataclass(frozen=True)
class EntityBrief:
    uscc: str
    name: str
    status: str
    legal_rep_id_number: str
    region_code: str
    legal_rep_name: str = ""
    entity_type: str = ""
    is_operating: bool = True


# --- views --------------------------------------------------------------------------------


def _person_view(person: dict, *, full: bool) -> PersonView:
    id_number = person["id_number"]
    address = unseal(token=person["residence_address_sealed"], record_key=id_number)
    phone = unseal(token=person["phone_sealed"], record_key=id_number)
    return PersonView(
        id_number=id_number if full else mask_id_number(id_number),
        name=person["name"] if full else mask_name(person["name"]),
        gender=person["gender"],
        gender_label=GENDER_LABELS.get(person["gender"], ""),
        birth_date=person["birth_date"] if full else None,
        ethnicity=person["ethnicity"],
        household_region_code=person["household_region_id"],
        household_region_name=person["household_region__name"],
        residence_address=address if full else mask_address(address),
        phone=phone if full else (mask_phone(phone) if phone else ""),
        is_masked=not full,
    )


def _entity_view(entity: dict, *, full: bool) -> EntityView:
    address = unseal(token=entity["address_sealed"], record_key=entity["uscc"])
    legal_rep_name, legal_rep_id_number = entity["legal_rep_name"], entity["legal_rep_id_number"]
    return EntityView(
        uscc=entity["uscc"],  # a public identifier: printed on every business licence
        name=entity["name"],
        entity_type=entity["entity_type"],
        legal_rep_name=legal_rep_name if full else mask_name(legal_rep_name),
        legal_rep_id_number=legal_rep_id_number if full else mask_id_number(legal_rep_id_number),
        registered_capital=entity["registered_capital"],
        address=address if full else mask_address(address),
        region_code=entity["region_id"],
        region_name=entity["region__name"],
        status=entity["status"],
        is_operating=entity["status"] in Entity.OPERATING_STATUSES,
        established_date=entity["established_date"],
        is_masked=not full,
    )


# --- audit and access ---------------------------------------------------------------------


def _audit(
    principal: Principal,
    action: str,
    object_type: str,
    object_id: str,
    outcome: str,
    detail: dict,
) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        source_address=principal.source_address,
        detail=detail,
    )


def _check(
    principal: Principal, access: Access, action: str, object_type: str, object_id: str, purpose
) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not access.allowed:
        _audit(
            principal,
            action,
            object_type,
            object_id,
            "denied",
            {"purpose": purpose, "reason": access.reason},
        )
        raise PermissionDenied(access.reason, code="registry_read_denied")


def _purpose(purpose: str) -> str:
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationFailed("请说明查询目的", fields={"purpose": ["不能为空"]})
    return purpose[:100]


# --- one record ---------------------------------------------------------------------------


# Keyed reads are the registry's hot path (every exchange, prefill and API lookup): compiled
# once (kernel.prepared), with the region's name joined in; a model instance per read would
# cost more CPU than the database spends answering.
# What a record view reads: plain values, no model instances.
_PERSON_VALUES = (*DB_COLUMNS[PERSON], "household_region__name")
_ENTITY_VALUES = (*DB_COLUMNS[ENTITY], "region__name")
_PERSON = Prepared(
    lambda id_number: Person.objects.filter(id_number=id_number).values(*_PERSON_VALUES)[:1],
    id_number="",
)
_ENTITY = Prepared(
    lambda uscc: Entity.objects.filter(uscc=uscc).values(*_ENTITY_VALUES)[:1], uscc=""
)


def _person_fetch(id_number: str) -> dict | None:
    return _PERSON.first(id_number=id_number)


def _entity_fetch(uscc: str) -> dict | None:
    return _ENTITY.first(uscc=uscc)


def _record_get(
    *,
    principal: Principal,
    kind: str,
    model,
    key: str,
    purpose: str,
    validate,
    fetch,
    missing: NotFound,
    to_view,
):
    """One record; audited (read, denied or failed) in the read's transaction."""
    key = (key or "").strip().upper()
    purpose = _purpose(purpose)
    action, object_type = f"registry.{model.__name__.lower()}.read", model.__name__
    access = record_access(principal, kind=kind, record_key=key)
    _check(principal, access, action, object_type, key, purpose)
    try:
        validate(key)
    except InvalidIdentifier as exc:
        _audit(
            principal, action, object_type, key, "failure", {"purpose": purpose, "error": exc.code}
        )
        raise
    with transaction.atomic():
        record = fetch(key)
        _audit(
            principal,
            action,
            object_type,
            key,
            "success" if record else "failure",
            {"purpose": purpose, "masked": not access.full, "found": record is not None},
        )
    if record is None:
        raise missing
    return to_view(record, full=access.full)


def person_get(
    *, principal: Principal, id_number: str, purpose: str = DEFAULT_PURPOSE
) -> PersonView:
    """One person's record; audited (read, denied or failed) in the read's transaction."""
    return _record_get(
        principal=principal,
        kind=PERSON,
        model=Person,
        key=id_number,
        purpose=purpose,
        validate=lambda key: resident_id(key, dt.date.today()),
        fetch=_person_fetch,
        to_view=_person_view,
        missing=NotFound("基础库中没有该身份证号的记录", code="person_not_found"),
    )


def entity_get(*, principal: Principal, uscc: str, purpose: str = DEFAULT_PURPOSE) -> EntityView:
    """One entity's record; audited like person_get."""
    return _record_get(
        principal=principal,
        kind=ENTITY,
        model=Entity,
        key=uscc,
        purpose=purpose,
        validate=uscc_validate,
        fetch=_entity_fetch,
        to_view=_entity_view,
        missing=NotFound("基础库中没有该统一社会信用代码的记录", code="entity_not_found"),
    )


# --- lists --------------------------------------------------------------------------------


def _region_prefix(code: str) -> str:
    """440000 -> 44, 440100 -> 4401: a province or city matches everything under it."""
    code = code.strip()
    if not Region.objects.filter(code=code).exists():
        raise ValidationFailed(f"未知的区划代码：{code[:12]}", fields={"region": ["不存在"]})
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def _page_bounds(page: int, page_size: int) -> tuple[int, int]:
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"页码从 1 开始，每页 1 至 {MAX_PAGE_SIZE} 条",
            fields={"page": ["无效"], "page_size": ["无效"]},
        )
    if page * page_size > MAX_LIST_DEPTH:
        raise ValidationFailed(
            f"最多浏览前 {MAX_LIST_DEPTH} 条，请缩小查询范围", fields={"page": ["超出范围"]}
        )
    return (page - 1) * page_size, page * page_size


def person_search(
    *,
    principal: Principal,
    region_code: str = "",
    name_prefix: str = "",
    page: int = 1,
    page_size: int = 20,
    purpose: str = DEFAULT_PURPOSE,
) -> Page[PersonView]:
    """People by household region (and everything under it) and name prefix; masked."""
    purpose = _purpose(purpose)
    filters = {"region": region_code, "name_prefix": name_prefix, "page": page}
    _check(
        principal,
        list_access(principal, kind=PERSON),
        "registry.person.search",
        "Person",
        "",
        purpose,
    )
    start, end = _page_bounds(page, page_size)
    people = Person.objects.order_by("id").values(*_PERSON_VALUES)
    if region_code:
        people = people.filter(household_region__code__startswith=_region_prefix(region_code))
    if name_prefix.strip():
        people = people.filter(name__startswith=name_prefix.strip())
    with transaction.atomic():
        found = list(people[start : end + 1])
        _audit(
            principal,
            "registry.person.search",
            "Person",
            "",
            "success",
            {"purpose": purpose, "filters": filters, "returned": min(len(found), page_size)},
        )
    return Page(
        items=[_person_view(p, full=False) for p in found[:page_size]],
        page=page,
        page_size=page_size,
        has_next=len(found) > page_size,
    )


def entity_search(
    *,
    principal: Principal,
    region_code: str = "",
    name_prefix: str = "",
    status: str = "",
    page: int = 1,
    page_size: int = 20,
    purpose: str = DEFAULT_PURPOSE,
) -> Page[EntityView]:
    purpose = _purpose(purpose)
    filters = {"region": region_code, "name_prefix": name_prefix, "status": status, "page": page}
    _check(
        principal,
        list_access(principal, kind=ENTITY),
        "registry.entity.search",
        "Entity",
        "",
        purpose,
    )
    start, end = _page_bounds(page, page_size)
    entities = Entity.objects.order_by("id").values(*_ENTITY_VALUES)
    if region_code:
        entities = entities.filter(region__code__startswith=_region_prefix(region_code))
    if name_prefix.strip():
        entities = entities.filter(name__startswith=name_prefix.strip())
    if status:
        if status not in Entity.Status.values:
            raise ValidationFailed(
                f"未知的登记状态：{status[:10]}", fields={"status": list(Entity.Status.values)}
            )
        entities = entities.filter(status=status)
    with transaction.atomic():
        found = list(entities[start : end + 1])
        _audit(
            principal,
            "registry.entity.search",
            "Entity",
            "",
            "success",
            {"purpose": purpose, "filters": filters, "returned": min(len(found), page_size)},
        )
    return Page(
        items=[_entity_view(e, full=False) for e in found[:page_size]],
        page=page,
        page_size=page_size,
        has_next=len(found) > page_size,
    )


# --- exports ------------------------------------------------------------------------------


def _person_row(person: dict, *, full: bool) -> list[str]:
    view = _person_view(person, full=full)
    return [
        view.id_number,
        view.name,
        view.gender_label,
        view.birth_date.isoformat() if view.birth_date else "",
        view.ethnicity,
        view.household_region_code,
        view.residence_address,
        view.phone,
    ]


def _entity_row(entity: dict, *, full: bool) -> list[str]:
    view = _entity_view(entity, full=full)
    capital = view.registered_capital
    return [
        view.uscc,
        view.name,
        view.entity_type,
        view.legal_rep_name,
        view.legal_rep_id_number,
        "" if capital is None else f"{capital.normalize():f}",
        view.address,
        view.region_code,
        view.status,
        view.established_date.isoformat(),
    ]


def _export(
    *,
    principal: Principal,
    out: TextIO,
    purpose: str,
    kind: str,
    model,
    values: tuple[str, ...],
    columns,
    to_row,
) -> int:
    """Write every row as CSV (the import's columns); masked unless entitled. The audit
    entry is written first, in the same transaction: no entry, no rows."""
    purpose = _purpose(purpose)
    access = list_access(principal, kind=kind)
    action, object_type = f"registry.{model.__name__.lower()}.export", model.__name__
    _check(principal, access, action, object_type, "", purpose)
    writer = csv.writer(out, lineterminator="\n")
    count = 0
    with transaction.atomic():
        total = model.objects.count()
        _audit(
            principal,
            action,
            object_type,
            "",
            "success",
            {"purpose": purpose, "masked": not access.full, "rows": total},
        )
        writer.writerow(columns)
        records = model.objects.order_by("id").values(*values)
        for record in records.iterator(chunk_size=2000):
            writer.writerow(to_row(record, full=access.full))
            count += 1
    return count


def person_export(*, principal: Principal, out: TextIO, purpose: str = DEFAULT_PURPOSE) -> int:
    return _export(
        principal=principal,
        out=out,
        purpose=purpose,
        kind=PERSON,
        model=Person,
        values=_PERSON_VALUES,
        columns=PERSON_COLUMNS,
        to_row=_person_row,
    )


def entity_export(*, principal: Principal, out: TextIO, purpose: str = DEFAULT_PURPOSE) -> int:
    return _export(
        principal=principal,
        out=out,
        purpose=purpose,
        kind=ENTITY,
        model=Entity,
        values=_ENTITY_VALUES,
        columns=ENTITY_COLUMNS,
        to_row=_entity_row,
    )


# --- for the identity layer ---------------------------------------------------------------


# every verify-only exchange call runs this: compiled once (kernel.prepared)
def _person_match_query(id_number: str, name: str):
    return Person.objects.filter(id_number=id_number, name=name).values_list("pk")[:1]


_PERSON_MATCH = Prepared(_person_match_query, id_number="", name="")


def person_matches(*, id_number: str, name: str) -> bool:
    """Verify-only: does the registry hold this ID number with this name? Reveals nothing
    else; the calling service audits its decision."""
    key = (id_number or "").strip().upper()
    name = (name or "").strip()
    if not key or not name:
        return False
    return _PERSON_MATCH.first(id_number=key, name=name) is not None


def person_brief(*, id_number: str) -> PersonBrief | None:
    """The registry's brief record (read once per kernel.memo scope: a submission asks for
    it in the applicant check, the prefill and the rules)."""
    key = (id_number or "").strip().upper()
    return memoized(("registries.person_brief", key), lambda: _person_brief(key))


def _person_brief(key: str) -> PersonBrief | None:
    row = _person_fetch(key)
    if row is None:
        return None
    return PersonBrief(
        id_number=row["id_number"],
        name=row["name"],
        gender=row["gender"],
        birth_date=row["birth_date"],
        household_region_code=row["household_region_id"],
    )


def entity_brief(*, uscc: str) -> EntityBrief | None:
    """As person_brief, for an entity."""
    key = (uscc or "").strip().upper()
    return memoized(("registries.entity_brief", key), lambda: _entity_brief(key))


def _entity_brief(key: str) -> EntityBrief | None:
    row = _entity_fetch(key)
    if row is None:
        return None
    return EntityBrief(
        uscc=row["uscc"],
        name=row["name"],
        status=row["status"],
        legal_rep_id_number=row["legal_rep_id_number"],
        region_code=row["region_id"],
        legal_rep_name=row["legal_rep_name"],
        entity_type=row["entity_type"],
        is_operating=row["status"] in Entity.OPERATING_STATUSES,
    )


# --- raw records for the data center's exchange and quality checks ---------------------------
# No principal and no masking: the calling data-center service checks the grant, masks by
# the catalog's rules and writes the exchange log or quality report. Never call these from a
# view or an API.

PERSON_RECORD_FIELDS: dict[str, str] = {
    "id_number": "id_number",
    "name": "name",
    "gender": "gender",
    "birth_date": "birth_date",
    "ethnicity": "ethnicity",
    "household_region_code": "household_region_id",
    "residence_address": "residence_address_sealed",
    "phone": "phone_sealed",
}
ENTITY_RECORD_FIELDS: dict[str, str] = {
    "uscc": "uscc",
    "name": "name",
    "entity_type": "entity_type",
    "legal_rep_name": "legal_rep_name",
    "legal_rep_id_number": "legal_rep_id_number",
    "registered_capital": "registered_capital",
    "address": "address_sealed",
    "region_code": "region_id",
    "status": "status",
    "established_date": "established_date",
}
_SEALED = {"residence_address", "phone", "address"}


def _records(model, mapping: dict[str, str], key_column: str, fields, rows) -> list[dict]:
    out = []
    for values in rows:
        record = dict(zip(fields, values[:-1], strict=True))  # the key column comes last
        key = values[-1]
        for name in fields:
            value = record[name]
            if name in _SEALED:
                record[name] = unseal(token=value, record_key=key) if value else ""
            elif isinstance(value, dt.date):
                record[name] = value.isoformat()
            elif isinstance(value, Decimal):
                record[name] = str(value)
        out.append(record)
    return out


def _record_query(kind: str, fields, filters: dict[str, str] | None):
    model, mapping, key_column = (
        (Person, PERSON_RECORD_FIELDS, "id_number")
        if kind == "person"
        else (Entity, ENTITY_RECORD_FIELDS, "uscc")
    )
    unknown = [f for f in fields if f not in mapping]
    if unknown:
        raise ValidationFailed("基础库没有这些数据项：" + "、".join(unknown), code="field_unknown")
    query = model.objects.all()
    for name, value in (filters or {}).items():
        if name not in mapping or name in _SEALED:
            raise ValidationFailed(f"不能按数据项“{name}”筛选", code="filter_invalid")
        query = query.filter(**{mapping[name]: value})
    columns = [mapping[f] for f in fields] + [key_column]
    return model, mapping, key_column, query, columns


_keyed_reads: dict[tuple, Prepared] = {}


def _keyed_read(kind: str, key_column: str, columns: list[str], limit: int) -> Prepared:
    """One record by key, compiled once per field list (the exchange's hot path)."""
    shape = (kind, tuple(columns), limit)
    prepared = _keyed_reads.get(shape)
    if prepared is None:
        model = Person if kind == "person" else Entity
        if len(_keyed_reads) > 500:  # bounded: field lists come from callers
            _keyed_reads.clear()
        prepared = _keyed_reads[shape] = Prepared(
            lambda key: model.objects.filter(**{key_column: key}).values_list(*columns)[:limit],
            key="",
        )
    return prepared


def registry_records(
    *,
    kind: str,
    fields: list[str],
    keys: list[str] | None = None,
    filters: dict[str, str] | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[dict]:
    """Rows of the person or entity registry (kind "person" | "entity") as plain dicts of
    the asked fields, sealed fields opened, ordered by key. `keys` selects by ID number/USCC."""
    model, mapping, key_column, query, columns = _record_query(kind, fields, filters)
    if keys is not None and len(keys) == 1 and not filters and not offset:
        rows = _keyed_read(kind, key_column, columns, limit).all(key=keys[0].strip().upper())
        return _records(model, mapping, key_column, fields, rows)
    if keys is not None:
        query = query.filter(**{f"{key_column}__in": [k.strip().upper() for k in keys]})
    rows = query.order_by(key_column).values_list(*columns)[offset : offset + limit]
    return _records(model, mapping, key_column, fields, rows)


def registry_record_count(*, kind: str, filters: dict[str, str] | None = None) -> int:
    return _record_query(kind, [], filters)[3].count()


def registry_records_iter(*, kind: str, fields: list[str], chunk: int = 5000):
    """Every row, in key order, in chunks (exports and quality checks over a registry)."""
    model, mapping, key_column, query, columns = _record_query(kind, fields, None)
    last = ""
    while True:
        rows = list(
            query.filter(**{f"{key_column}__gt": last})
            .order_by(key_column)
            .values_list(*columns)[:chunk]
        )
        if not rows:
            return
        yield from _records(model, mapping, key_column, fields, rows)
        last = rows[-1][-1]
