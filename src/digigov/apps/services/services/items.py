"""事项管理 commands: create, edit a draft, submit for review, publish (four-eyes), reject,
deactivate, and the bulk catalog load of the demo seed.

Versions: a published version is never changed; an edit makes (or updates) the draft above
it. 同事同标: items sharing a standard_code follow the `is_standard` item; a local item's
draft may change constants.LOCAL_FIELDS only, its standard fields are copied from the
standard's published version when it is published, and publishing a new standard version
publishes a new version of every local item.

Topics published: services.item.created, .draft_edited, .submitted, .published, .rejected,
.deactivated, .imported; payload {"code", "standard_code", "version", ...}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.services import event_publish
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region

from ..constants import (
    APPROVAL_MODES,
    CROSS_REGION_SCOPES,
    ENTERPRISE_STAGES,
    ITEM_TYPES,
    LIFE_EVENTS,
    LOCAL_FIELDS,
    SUBJECT_KINDS,
    VISITS,
)
from ..models import ServiceItem, ServiceItemVersion
from ..selectors.items import (
    EDIT_ITEM,
    FTS_TABLE,
    PROVINCE_CODE,
    REVIEW_ITEM,
    STANDARD_FIELDS,
    VERSION_FIELDS,
    field_label,
    item_open_version,
    search_text_of,
    text_tokens,
)

V = ServiceItemVersion.Status
COUNTY_LINES = ("zsj", "gat", "scjg", "rsj", "mzt")  # lines seeded at county level
DEMO_COUNTY_CITY = "440100"  # county copies of county-level items: 广州's districts only


# --- permissions -----------------------------------------------------------------------------


def _deny(principal: Principal, action: str, code: str, reason: str, message: str) -> None:
    """Audit the refusal outside any transaction (so it survives), then raise."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=action,
        object_type="services.item",
        object_id=code,
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )
    raise PermissionDenied(message, code=f"services/{reason}")


def _manages(principal: Principal, organization: Organization) -> bool:
    """Staff manage the items of their organization and below; a 政务服务数据管理局 (zsj)
    manages every item in its region."""
    if principal.organization_id is None:
        return False
    if principal.organization_id == organization.pk:
        return True
    own = Organization.objects.filter(pk=principal.organization_id).first()
    if own is None:
        return False
    if own.function == "zsj":
        if own.region_id == PROVINCE_CODE:
            return True
        prefix = own.region_id[:4] if own.region_id.endswith("00") else own.region_id
        return organization.region_id.startswith(prefix)
    node = organization
    while node.parent_id is not None:
        if node.parent_id == own.pk:
            return True
        node = Organization.objects.get(pk=node.parent_id)
    return False


def _authorize(
    principal: Principal, *, permission: str, action: str, code: str, organization=None
) -> None:
    if principal.kind == "operator":  # the CLI and seed steps
        return
    if principal.kind != "staff" or not principal.has_perm(permission):
        _deny(principal, action, code, "item_permission", "无权管理政务服务事项")
    if organization is not None and not _manages(principal, organization):
        _deny(principal, action, code, "item_not_your_organization", "该事项不属于您管理的机构")


def _record(
    principal: Principal, *, action: str, item: ServiceItem, detail: dict[str, Any]
) -> None:
    """Audit entry and domain event of a command, inside its transaction."""
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=f"services.item.{action}",
        object_type="services.item",
        object_id=item.code,
        outcome="success",
        source_address=principal.source_address,
        detail=detail,
    )
    event_publish(
        topic=f"services.item.{action}",
        payload={"code": item.code, "standard_code": item.standard_code, **detail},
    )


# --- validation ------------------------------------------------------------------------------


def _field_error(name: str, message: str, code: str = "services/item_invalid") -> ValidationFailed:
    return ValidationFailed(f"{field_label(name)}：{message}", code=code, fields={name: [message]})


def _check_keys(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for name in values:
        if name not in allowed:
            raise ValidationFailed(
                f"未知的事项要素：{name}",
                code="services/item_unknown_field",
                fields={name: ["未知的事项要素"]},
            )


def _subset(name: str, values: Any, vocabulary: dict) -> None:
    if not isinstance(values, list) or any(v not in vocabulary for v in values):
        raise _field_error(name, f"取值应为 {'、'.join(vocabulary)} 中的若干项")


def _validate(values: dict[str, Any]) -> None:
    """The whole version's values, after an edit is applied."""
    if not str(values.get("name") or "").strip():
        raise _field_error("name", "必填")
    for name, vocabulary in (
        ("item_type", ITEM_TYPES),
        ("subject_kind", SUBJECT_KINDS),
        ("approval_mode", APPROVAL_MODES),
    ):
        if values.get(name) not in vocabulary:
            raise _field_error(name, f"取值应为 {'、'.join(vocabulary)} 之一")
    if values.get("visits") not in VISITS:
        raise _field_error("visits", "取值应为 0、1 或 2")
    for name in ("statutory_days", "promised_days"):
        days = values.get(name)
        if not isinstance(days, int) or isinstance(days, bool) or days < 0 or days > 3650:
            raise _field_error(name, "应为 0 至 3650 之间的工作日数")
    if values["promised_days"] > values["statutory_days"]:
        raise _field_error("promised_days", "承诺时限不能长于法定时限")
    _subset("cross_region_scopes", values.get("cross_region_scopes"), CROSS_REGION_SCOPES)
    _subset("life_events", values.get("life_events"), LIFE_EVENTS)
    _subset("enterprise_stages", values.get("enterprise_stages"), ENTERPRISE_STAGES)
    for name in ("conditions", "process"):
        if not isinstance(values.get(name), list) or not all(
            isinstance(x, str) for x in values[name]
        ):
            raise _field_error(name, "应为文字列表")
    materials = values.get("materials")
    if not isinstance(materials, list):
        raise _field_error("materials", "应为列表")
    codes = set()
    for material in materials:
        if not isinstance(material, dict) or not material.get("code") or not material.get("name"):
            raise _field_error("materials", "每项材料须有编号（code）和名称（name）")
        if material["code"] in codes:
            raise _field_error("materials", f"材料编号重复：{material['code']}")
        codes.add(material["code"])
    if not isinstance(values.get("fees"), list):
        raise _field_error("fees", "应为列表（不收费为空列表）")
    if not isinstance(values.get("form_schema"), dict):
        raise _field_error("form_schema", "应为 JSON Schema 对象")


def _defaults() -> dict[str, Any]:
    """Model defaults of every version field."""
    values = {}
    for name in VERSION_FIELDS:
        model_field = ServiceItemVersion._meta.get_field(name)
        values[name] = model_field.get_default() if model_field.has_default() else None
    return values


def _values_of(version: ServiceItemVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in VERSION_FIELDS}


def _standard_version(standard_code: str) -> ServiceItemVersion:
    standard = (
        ServiceItem.objects.select_related("published")
        .filter(standard_code=standard_code, is_standard=True)
        .first()
    )
    if standard is None or standard.published is None:
        raise Conflict("标准事项尚未发布，无法同步", code="services/item_standard_unpublished")
    return standard.published


def _local_only(changes: dict[str, Any]) -> None:
    for name in changes:
        if name not in LOCAL_FIELDS:
            message = f"「{field_label(name)}」由标准事项统一制定，地方事项只能修改本地要素"
            raise ValidationFailed(
                message, code="services/item_field_not_local", fields={name: [message]}
            )


def _item_for_update(code: str) -> ServiceItem:
    item = (
        ServiceItem.objects.select_for_update(of=("self",))
        .select_related("organization", "published")
        .filter(code=code)
        .first()
    )
    if item is None:
        raise NotFound("事项不存在", code="services/item_not_found")
    return item


def _item_or_404(code: str) -> ServiceItem:
    item = ServiceItem.objects.select_related("organization").filter(code=code).first()
    if item is None:
        raise NotFound("事项不存在", code="services/item_not_found")
    return item


# --- full-text index (SQLite FTS5; PostgreSQL indexes search_text by expression) -------------


def _index_put(rows: list[tuple[int, str]], *, remove: list[int] | tuple = ()) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if remove:
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [[i] for i in remove])  # noqa: S608
        if rows:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, search_text) VALUES (%s, %s)",  # noqa: S608
                [[pk, text] for pk, text in rows],
            )


# --- commands --------------------------------------------------------------------------------


def item_create(
    *,
    principal: Principal,
    code: str,
    organization_code: str,
    standard_code: str = "",
    fields: dict[str, Any],
    change_note: str = "",
) -> ServiceItem:
    """A new item with its draft v1. With the standard_code of an existing standard item it
    is a local item: only local fields are given, the rest is copied from the standard."""
    code = code.strip()
    _authorize(principal, permission=EDIT_ITEM, action="services.item.create", code=code)
    organization = Organization.objects.filter(code=organization_code).first()
    if organization is None:
        raise ValidationFailed(
            "实施机构不存在",
            code="services/item_organization_unknown",
            fields={"organization_code": ["实施机构不存在"]},
        )
    _authorize(
        principal,
        permission=EDIT_ITEM,
        action="services.item.create",
        code=code,
        organization=organization,
    )
    if not code:
        raise ValidationFailed(
            "实施编码必填", code="services/item_invalid", fields={"code": ["必填"]}
        )
    _check_keys(fields, VERSION_FIELDS)
    standard_code = (standard_code or code).strip()
    is_local = ServiceItem.objects.filter(standard_code=standard_code, is_standard=True).exists()
    values = _defaults()
    if is_local:
        _local_only(fields)
        values.update({n: getattr(_standard_version(standard_code), n) for n in STANDARD_FIELDS})
    values.update(fields)
    if values.get("promised_days") is None and isinstance(values.get("statutory_days"), int):
        values["promised_days"] = values["statutory_days"]
    _validate(values)
    with transaction.atomic():
        if ServiceItem.objects.filter(code=code).exists():
            raise Conflict("实施编码已存在", code="services/item_code_taken")
        item = ServiceItem.objects.create(
            code=code,
            standard_code=standard_code,
            is_standard=not is_local,
            organization=organization,
            region_id=organization.region_id,
        )
        ServiceItemVersion.objects.create(
            item=item,
            number=1,
            status=V.DRAFT,
            created_by=principal.actor,
            change_note=change_note[:300],
            search_text=search_text_of(values, organization_name=organization.name),
            **values,
        )
        _record(principal, action="created", item=item, detail={"version": 1, "is_local": is_local})
    return item


def item_draft_edit(
    *, principal: Principal, code: str, changes: dict[str, Any], change_note: str = ""
) -> ServiceItemVersion:
    """Apply changes to the item's draft; without one (or above a published version), make
    one from the published version, numbered next. A draft in review cannot be edited."""
    item = _item_or_404(code)
    _authorize(
        principal,
        permission=EDIT_ITEM,
        action="services.item.draft_edit",
        code=code,
        organization=item.organization,
    )
    _check_keys(changes, VERSION_FIELDS)
    if not item.is_standard:
        _local_only(changes)
    if not changes:
        raise ValidationFailed("没有要修改的要素", code="services/item_no_changes")
    with transaction.atomic():
        item = _item_for_update(code)
        draft = item_open_version(item)
        if draft is not None and draft.status == V.IN_REVIEW:
            raise Conflict(
                "该事项的修订正在审核中，审核后方可再修改", code="services/item_in_review"
            )
        if draft is None:
            base = item.published or item.versions.order_by("-number").first()
            latest = item.versions.order_by("-number").values_list("number", flat=True).first()
            draft = ServiceItemVersion(item=item, number=(latest or 0) + 1, **_values_of(base))
        values = {**_values_of(draft), **changes}
        _validate(values)
        for name, value in changes.items():
            setattr(draft, name, value)
        draft.status = V.DRAFT
        draft.created_by = principal.actor
        draft.review_comment = ""
        draft.reviewed_by = ""
        if change_note:
            draft.change_note = change_note[:300]
        draft.search_text = search_text_of(values, organization_name=item.organization.name)
        draft.save()
        _record(
            principal,
            action="draft_edited",
            item=item,
            detail={"version": draft.number, "fields": sorted(changes)},
        )
    return draft


def item_submit_review(*, principal: Principal, code: str) -> ServiceItemVersion:
    item = _item_or_404(code)
    _authorize(
        principal,
        permission=EDIT_ITEM,
        action="services.item.submit",
        code=code,
        organization=item.organization,
    )
    with transaction.atomic():
        item = _item_for_update(code)
        draft = item_open_version(item)
        if draft is None or draft.status not in (V.DRAFT, V.REJECTED):
            raise Conflict("没有可提交审核的草稿", code="services/item_no_draft")
        draft.status = V.IN_REVIEW
        draft.save(update_fields=["status"])
        _record(principal, action="submitted", item=item, detail={"version": draft.number})
    return draft


def _publish_version(
    principal: Principal, item: ServiceItem, version: ServiceItemVersion, *, action: str
) -> None:
    """Make `version` the item's published one (inside the caller's transaction)."""
    previous = item.published
    now = timezone.now()
    version.status = V.PUBLISHED
    version.published_at = now
    version.reviewed_by = principal.actor
    version.search_text = search_text_of(
        _values_of(version), organization_name=item.organization.name
    )
    version.save()
    if previous is not None:
        ServiceItemVersion.objects.filter(pk=previous.pk).update(status=V.SUPERSEDED)
    item.published = version
    item.save(update_fields=["published"])
    _index_put([(version.pk, version.search_text)], remove=[previous.pk] if previous else [])
    _record(
        principal,
        action=action,
        item=item,
        detail={
            "version": version.number,
            "previous_version": previous.number if previous else None,
            "is_standard": item.is_standard,
        },
    )


def item_publish(*, principal: Principal, code: str) -> ServiceItemVersion:
    """Publish the version in review. The reviewer holds services.review_item and is not
    the one who drafted it (four-eyes). A standard's new version is propagated to every
    local item of its standard_code (standard fields copied, local fields kept)."""
    item = _item_or_404(code)
    _authorize(
        principal,
        permission=REVIEW_ITEM,
        action="services.item.publish",
        code=code,
        organization=item.organization,
    )
    draft = item_open_version(item)
    if draft is not None and draft.created_by == principal.actor:
        _deny(
            principal,
            "services.item.publish",
            code,
            "item_four_eyes",
            "审核人不能发布本人起草的事项版本（双人复核）",
        )
    with transaction.atomic():
        item = _item_for_update(code)
        draft = item_open_version(item)
        if draft is None or draft.status != V.IN_REVIEW:
            raise Conflict("没有待审核的版本", code="services/item_not_in_review")
        if not item.is_standard:
            standard = _standard_version(item.standard_code)
            for name in STANDARD_FIELDS:
                setattr(draft, name, getattr(standard, name))
        _publish_version(principal, item, draft, action="published")
        if item.is_standard:
            _propagate(principal, standard_item=item, standard=draft)
    return draft


def _propagate(
    principal: Principal, *, standard_item: ServiceItem, standard: ServiceItemVersion
) -> None:
    """A new version of every published local item: the standard's fields, its own local ones."""
    locals_ = (
        ServiceItem.objects.select_for_update(of=("self",))
        .select_related("organization", "published")
        .filter(standard_code=standard_item.standard_code, is_standard=False, is_active=True)
        .exclude(published=None)
        .order_by("code")
    )
    for local in locals_:
        latest = local.versions.order_by("-number").values_list("number", flat=True).first()
        values = {n: getattr(standard, n) for n in STANDARD_FIELDS}
        values.update({n: getattr(local.published, n) for n in LOCAL_FIELDS})
        if values["promised_days"] > values["statutory_days"]:
            values["promised_days"] = values["statutory_days"]
        version = ServiceItemVersion.objects.create(
            item=local,
            number=(latest or 0) + 1,
            status=V.IN_REVIEW,
            created_by=standard.created_by,
            change_note=f"随标准事项 {standard_item.code} v{standard.number} 同步"[:300],
            **values,
        )
        _publish_version(principal, local, version, action="propagated")


def item_reject(*, principal: Principal, code: str, comment: str) -> ServiceItemVersion:
    item = _item_or_404(code)
    _authorize(
        principal,
        permission=REVIEW_ITEM,
        action="services.item.reject",
        code=code,
        organization=item.organization,
    )
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(
            "请填写审核意见", code="services/item_comment_required", fields={"comment": ["必填"]}
        )
    with transaction.atomic():
        item = _item_for_update(code)
        draft = item_open_version(item)
        if draft is None or draft.status != V.IN_REVIEW:
            raise Conflict("没有待审核的版本", code="services/item_not_in_review")
        draft.status = V.REJECTED
        draft.reviewed_by = principal.actor
        draft.review_comment = comment[:300]
        draft.save(update_fields=["status", "reviewed_by", "review_comment"])
        _record(
            principal,
            action="rejected",
            item=item,
            detail={"version": draft.number, "comment": comment[:300]},
        )
    return draft


def item_deactivate(*, principal: Principal, code: str, reason: str = "") -> ServiceItem:
    """Withdraw an item from the catalog (applications already filed keep their version)."""
    item = _item_or_404(code)
    _authorize(
        principal,
        permission=REVIEW_ITEM,
        action="services.item.deactivate",
        code=code,
        organization=item.organization,
    )
    with transaction.atomic():
        item = _item_for_update(code)
        if not item.is_active:
            return item
        item.is_active = False
        item.save(update_fields=["is_active"])
        _record(principal, action="deactivated", item=item, detail={"reason": reason[:300]})
    return item


# --- bulk load (demo seed, operator tools) ---------------------------------------------------


@dataclass(frozen=True)
class CatalogLoadReport:
    standards: int
    created: int
    existing: int
    skipped_organizations: int


def _targets(entry: dict[str, Any], cities: list[str], counties: dict[str, list[str]]) -> list[str]:
    """Region codes an entry is implemented in (the first one holds the standard)."""
    level, regions = entry.get("level", "city"), entry.get("regions", "all")
    if level == "province":
        return [PROVINCE_CODE]
    if regions != "all":
        return list(regions)
    if level == "county" and entry["line"] in COUNTY_LINES:
        return cities + counties.get(DEMO_COUNTY_CITY, [])
    return list(cities)


def _entry_values(entry: dict[str, Any]) -> dict[str, Any]:
    values = _defaults()
    values.update({k: entry[k] for k in VERSION_FIELDS if k in entry})
    values["cross_region_scopes"] = list(entry.get("cross_region_scopes") or [])
    if values.get("promised_days") is None:
        values["promised_days"] = values["statutory_days"]
    _validate(values)
    return values


def items_catalog_load(*, principal: Principal, entries: list[dict[str, Any]]) -> CatalogLoadReport:
    """Create and publish the implementing items of standard entries (the demo data format
    of data/items_*.json) in every region each lists; existing codes are kept (idempotent).
    Operators only. One transaction per standard, audited and announced once per standard."""
    if principal.kind != "operator":
        _deny(principal, "services.item.import", "", "item_permission", "仅运维人员可批量导入事项")
    cities = list(
        Region.objects.filter(level=Region.Level.CITY)
        .order_by("code")
        .values_list("code", flat=True)
    )
    counties: dict[str, list[str]] = {}
    for code, parent in Region.objects.filter(
        level=Region.Level.COUNTY, parent_id=DEMO_COUNTY_CITY
    ).values_list("code", "parent_id"):
        counties.setdefault(parent, []).append(code)
    organizations = {o.code: o for o in Organization.objects.filter(is_active=True)}
    existing_codes = set(ServiceItem.objects.values_list("code", flat=True))
    org_tokens: dict[str, str] = {}
    created = existing = skipped = 0
    for entry in entries:
        standard_code = entry["standard_code"]
        values = _entry_values(entry)
        base_text = search_text_of(values, organization_name="")
        has_standard = ServiceItem.objects.filter(
            standard_code=standard_code, is_standard=True
        ).exists()
        plan = []
        for region_code in _targets(entry, cities, counties):
            organization = organizations.get(f"{region_code}-{entry['line']}")
            if organization is None:
                skipped += 1
                continue
            code = f"{standard_code}-{region_code}"
            if code in existing_codes:
                existing += 1
                continue
            plan.append((code, organization))
        if not plan:
            continue
        now = timezone.now()
        with transaction.atomic():
            items = []
            for code, organization in plan:
                items.append(
                    ServiceItem(
                        code=code,
                        standard_code=standard_code,
                        is_standard=not has_standard,
                        organization=organization,
                        region_id=organization.region_id,
                    )
                )
                has_standard = True
            items = ServiceItem.objects.bulk_create(items)
            if items[0].pk is None:  # backends that do not return keys
                items = list(ServiceItem.objects.filter(code__in=[i.code for i in items]))
            by_code = {i.code: i for i in items}
            versions = []
            for code, organization in plan:
                if organization.name not in org_tokens:
                    org_tokens[organization.name] = " ".join(text_tokens(organization.name))
                local = {
                    **values,
                    "implementing_body": values["implementing_body"] or organization.name,
                }
                versions.append(
                    ServiceItemVersion(
                        item=by_code[code],
                        number=1,
                        status=V.PUBLISHED,
                        published_at=now,
                        created_by=principal.actor,
                        reviewed_by=principal.actor,
                        change_note="标准事项导入",
                        search_text=f"{base_text} {org_tokens[organization.name]}",
                        **local,
                    )
                )
            versions = ServiceItemVersion.objects.bulk_create(versions)
            for item, version in zip(items, versions, strict=True):
                item.published = version
            ServiceItem.objects.bulk_update(items, ["published"])
            _index_put([(v.pk, v.search_text) for v in versions])
            audit_record(
                actor=principal.actor,
                acting_for=principal.acting_for,
                action="services.item.imported",
                object_type="services.item",
                object_id=standard_code,
                outcome="success",
                source_address=principal.source_address,
                detail={"codes": [c for c, _ in plan]},
            )
            event_publish(
                topic="services.item.imported",
                payload={"standard_code": standard_code, "codes": [c for c, _ in plan]},
            )
        created += len(plan)
        existing_codes.update(c for c, _ in plan)
    return CatalogLoadReport(
        standards=len(entries), created=created, existing=existing, skipped_organizations=skipped
    )


# --- demo seed -------------------------------------------------------------------------------

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def catalog_entries(data_dir: Path = DATA_DIR) -> list[dict[str, Any]]:
    """Every standard entry of data/items_*.json (the bundles' file included), first file
    wins on a repeated standard_code."""
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(data_dir.glob("items_*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8")):
            entries.setdefault(entry["standard_code"], entry)
    return list(entries.values())


def items_seed(**_options: Any) -> str:
    """The demo seed step: every standard item, created and published in every region it
    lists (idempotent: existing codes are kept)."""
    report = items_catalog_load(
        principal=Principal(kind="operator", id="seed"), entries=catalog_entries()
    )
    if not report.created:
        return "已存在，跳过"
    return f"{report.standards} 项标准事项，新建实施事项 {report.created} 个"
