"""事项管理 reads: the public guide (办事指南), Chinese full-text search with filters, the item
that serves a region (同事同标), and the staff views of drafts and versions.

Search: each published version keeps `search_text`, its jieba tokens joined by spaces.
Query tokens are expanded with the synonyms of data/synonyms.txt (selectors/synonyms.py).
One backend switch (`_match_ids`): PostgreSQL matches them with a GIN-indexed
to_tsvector('simple', search_text); SQLite with the FTS5 table services_item_fts (rowid =
version id), which the catalog services keep in sync on publish. Both built by migration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_ancestors
from digigov.kernel.text import add_domain_words, query_tokens, text_tokens

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
from .synonyms import Clause, name_variants, query_clauses

V = ServiceItemVersion.Status
MAX_PAGE_SIZE = 100
PROVINCE_CODE = "440000"
EDIT_ITEM = "services.edit_item_draft"
REVIEW_ITEM = "services.review_item"
FTS_TABLE = "services_item_fts"

# License types the guide names (the licenses area seeds the same codes).
LICENSE_TYPE_NAMES: dict[str, str] = {
    "JMSFZ": "居民身份证",
    "HKB": "户口簿",
    "CSYXZM": "出生医学证明",
    "JHZ": "结婚证",
    "YYZZ": "营业执照",
    "SPJYXKZ": "食品经营许可证",
    "BDCQZS": "不动产权证书",
    "SBK": "社会保障卡",
    "JDCJSZ": "机动车驾驶证",
    "CJRZ": "残疾人证",
    "TXZ": "退休证",
    "DLYSJYXKZ": "道路运输经营许可证",
    "YFJZZ": "预防接种证",
    "SWZM": "居民死亡医学证明",
    "XLZS": "学历证书",
    "JZZ": "居住证",
    "DLYSZ": "道路运输证",
    "XFAQJC": "消防安全检查合格证",
}

# Version fields, in guide order, with their labels (for diffs and field errors).
VERSION_FIELDS: tuple[str, ...] = (
    "name",
    "item_type",
    "subject_kind",
    "legal_basis",
    "conditions",
    "materials",
    "process",
    "statutory_days",
    "promised_days",
    "approval_mode",
    "workflow_process",
    "form_schema",
    "visits",
    "is_window_accepted",
    "cross_region_scopes",
    "is_online",
    "is_single_sign_on",
    "life_events",
    "enterprise_stages",
    "result_name",
    "result_license_type",
    "result_for_applicant",
    "implementing_body",
    "place",
    "office_hours",
    "consult_phone",
    "complaint_phone",
    "fees",
)
STANDARD_FIELDS: tuple[str, ...] = tuple(f for f in VERSION_FIELDS if f not in LOCAL_FIELDS)


def field_label(name: str) -> str:
    return str(ServiceItemVersion._meta.get_field(name).verbose_name)


# --- tokens ----------------------------------------------------------------------------------

_DOMAIN_WORDS = (
    "营业执照",
    "出生医学证明",
    "公积金",
    "住房公积金",
    "社保卡",
    "社会保障卡",
    "不动产",
    "不动产登记",
    "户口",
    "一件事",
    "告知承诺",
    "施工许可",
    "食品经营许可",
    "医保",
    "跨省通办",
    "湾区通办",
    "身后",
)

add_domain_words(_DOMAIN_WORDS)


def search_text_of(values: dict[str, Any], *, organization_name: str) -> str:
    """The `search_text` of a version: name, conditions, material names, department, life
    events and enterprise stages, result."""
    materials = " ".join(m.get("name", "") for m in values.get("materials") or [])
    labels = [LIFE_EVENTS.get(k, "") for k in values.get("life_events") or []]
    labels += [ENTERPRISE_STAGES.get(k, "") for k in values.get("enterprise_stages") or []]
    return " ".join(
        text_tokens(
            values.get("name", ""),
            " ".join(values.get("conditions") or []),
            materials,
            organization_name,
            " ".join(labels),
            values.get("result_name", ""),
        )
    )


def _match_ids(clauses: list[Clause]) -> RawSQL:
    """Version ids whose tokens satisfy every clause (any one of its alternatives, with all
    of that alternative's tokens): the one backend switch."""
    if connection.vendor == "postgresql":

        def quoted(token: str) -> str:
            return "'" + token.replace("'", "''").replace("\\", "") + "'"

        tsquery = " & ".join(
            "("
            + " | ".join("(" + " & ".join(map(quoted, alt)) + ")" for alt in c.alternatives)
            + ")"
            for c in clauses
        )
        return RawSQL(
            "SELECT id FROM services_serviceitemversion"
            " WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', %s)",
            [tsquery],
        )

    def phrase(token: str) -> str:
        return '"' + token.replace('"', '""') + '"'

    match = " AND ".join(
        "("
        + " OR ".join("(" + " AND ".join(map(phrase, alt)) + ")" for alt in c.alternatives)
        + ")"
        for c in clauses
    )
    # the table name is a constant; the user's tokens go in as a parameter
    return RawSQL(  # noqa: S611
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
        [match],
    )


# --- public search ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSummary:
    code: str
    standard_code: str
    name: str
    organization_name: str
    region_code: str
    region_name: str
    item_type: str
    item_type_label: str
    subject_kind: str
    approval_mode: str
    approval_mode_label: str
    visits: int
    visits_label: str
    cross_region_scopes: list[str]
    cross_region_labels: list[str]
    is_online: bool
    promised_days: int
    statutory_days: int


@dataclass(frozen=True)
class ItemPage:
    items: list[ItemSummary]
    total: int
    page: int
    page_size: int
    has_next: bool
    query_tokens: list[str] = field(default_factory=list)


def _published_items() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(is_active=True, published__isnull=False)


def _summary(item: ServiceItem) -> ItemSummary:
    v = item.published
    return ItemSummary(
        code=item.code,
        standard_code=item.standard_code,
        name=v.name,
        organization_name=item.organization.name,
        region_code=item.region_id,
        region_name=item.region.name,
        item_type=v.item_type,
        item_type_label=ITEM_TYPES.get(v.item_type, v.item_type),
        subject_kind=v.subject_kind,
        approval_mode=v.approval_mode,
        approval_mode_label=APPROVAL_MODES.get(v.approval_mode, v.approval_mode),
        visits=v.visits,
        visits_label=VISITS.get(v.visits, ""),
        cross_region_scopes=list(v.cross_region_scopes or []),
        cross_region_labels=[CROSS_REGION_SCOPES.get(s, s) for s in v.cross_region_scopes or []],
        is_online=v.is_online,
        promised_days=v.promised_days,
        statutory_days=v.statutory_days,
    )


def item_search(
    *,
    principal: Principal | None = None,
    query: str = "",
    line: str = "",
    organization: str = "",
    region: str = "",
    item_type: str = "",
    subject_kind: str = "",
    life_event: str = "",
    enterprise_stage: str = "",
    approval_mode: str = "",
    zero_visit: bool | None = None,
    cross_region: str = "",
    page: int = 1,
    page_size: int = 20,
) -> ItemPage:
    """Published, active items matching the query (every jieba token of it, or the name
    containing it) and the filters, name matches first. The catalog is public: the principal
    is taken for the common signature only."""
    page = max(1, int(page))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
    items = _published_items()
    if line:
        items = items.filter(organization__function=line)
    if organization:
        items = items.filter(organization__code=organization)
    if region:
        chain = [r.code for r in region_ancestors(region)] or [region]
        items = items.filter(region_id__in=chain)
    if item_type:
        items = items.filter(published__item_type=item_type)
    if subject_kind:
        # an item for both kinds serves either
        items = items.filter(published__subject_kind__in=[subject_kind, "both"])
    if life_event:
        items = items.filter(published__life_events__icontains=f'"{life_event}"')
    if enterprise_stage:
        items = items.filter(published__enterprise_stages__icontains=f'"{enterprise_stage}"')
    if approval_mode:
        items = items.filter(published__approval_mode=approval_mode)
    if zero_visit is not None:
        items = (
            items.filter(published__visits=0) if zero_visit else items.exclude(published__visits=0)
        )
    if cross_region:
        items = items.filter(published__cross_region_scopes__icontains=f'"{cross_region}"')
    tokens = query_tokens(query) if query else []
    ordering: list[Any] = ["code"]
    if query.strip():
        raw = query.strip()
        # synonyms (data/synonyms.txt): 低保 also matches 最低生活保障, and back
        clauses = query_clauses(tokens)
        variants = name_variants(raw, clauses)
        matched = Q(published_id__in=_match_ids(clauses)) if clauses else Q(pk__in=[])
        name_hits = Q(published__name__contains=raw)
        synonym_name_hits = Q(pk__in=[])
        for variant in variants[1:]:
            synonym_name_hits |= Q(published__name__contains=variant)
        items = items.filter(matched | name_hits | synonym_name_hits)
        every = Q()
        for clause in clauses:
            any_alternative = Q()
            for alternative in clause.alternatives:
                all_tokens = Q()
                for token in alternative:
                    all_tokens &= Q(published__name__contains=token)
                any_alternative |= all_tokens
            every &= any_alternative
        result_hits = Q()
        for variant in variants:
            result_hits |= Q(published__result_name__contains=variant)
        # the whole query in the name, then a synonym of it, then every token (or a synonym)
        # in it, then the result's name
        rank = Case(
            When(name_hits, then=Value(0)),
            When(synonym_name_hits, then=Value(1)),
            When(every if clauses else Q(pk__in=[]), then=Value(2)),
            When(result_hits, then=Value(3)),
            default=Value(4),
            output_field=IntegerField(),
        )
        items = items.annotate(rank=rank)
        ordering = ["rank", "code"]
    total = items.count()
    start = (page - 1) * page_size
    rows = list(
        items.select_related("published", "organization", "region").order_by(*ordering)[
            start : start + page_size
        ]
    )
    return ItemPage(
        items=[_summary(item) for item in rows],
        total=total,
        page=page,
        page_size=page_size,
        has_next=start + len(rows) < total,
        query_tokens=tokens,
    )


def item_departments() -> list[tuple[str, str]]:
    """(line, provincial department name) of the lines that have published items."""
    lines = set(_published_items().values_list("organization__function", flat=True).distinct())
    return list(
        Organization.objects.filter(region_id=PROVINCE_CODE, function__in=lines)
        .order_by("code")
        .values_list("function", "name")
    )


# --- the guide -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialView:
    code: str
    name: str
    is_required: bool
    license_types: list[str]
    license_names: list[str]
    formats: list[str]
    max_mb: int | None
    note: str


@dataclass(frozen=True)
class ItemGuide:
    code: str
    standard_code: str
    is_standard: bool
    version_number: int
    published_at: Any
    organization_code: str
    organization_name: str
    organization_line: str
    region_code: str
    region_name: str
    name: str
    item_type: str
    item_type_label: str
    subject_kind: str
    subject_kind_label: str
    legal_basis: str
    conditions: list[str]
    materials: list[MaterialView]
    process: list[str]
    statutory_days: int
    promised_days: int
    approval_mode: str
    approval_mode_label: str
    workflow_process: str
    visits: int
    visits_label: str
    is_window_accepted: bool
    cross_region_scopes: list[str]
    cross_region_labels: list[str]
    is_online: bool
    is_single_sign_on: bool
    life_events: list[str]
    life_event_labels: list[str]
    enterprise_stages: list[str]
    enterprise_stage_labels: list[str]
    result_name: str
    result_license_type: str
    result_license_name: str
    result_for_applicant: bool
    implementing_body: str
    place: str
    office_hours: str
    consult_phone: str
    complaint_phone: str
    fees: list[dict]
    form_schema: dict

    @property
    def is_free(self) -> bool:
        return not self.fees

    @property
    def apply_paths(self) -> list[tuple[str, str]]:
        """(label, path) of the online application pages by subject kind."""
        paths = []
        if self.subject_kind in ("person", "both"):
            paths.append(("个人在线办理", f"/citizen/apply/{self.code}/"))
        if self.subject_kind in ("entity", "both"):
            paths.append(("企业在线办理", f"/business/apply/{self.code}/"))
        return paths


def _material(raw: dict) -> MaterialView:
    types = list(raw.get("license_types") or [])
    return MaterialView(
        code=raw.get("code", ""),
        name=raw.get("name", ""),
        is_required=bool(raw.get("required", True)),
        license_types=types,
        license_names=[LICENSE_TYPE_NAMES.get(t, t) for t in types],
        formats=list(raw.get("formats") or []),
        max_mb=raw.get("max_mb"),
        note=raw.get("note", ""),
    )


def guide_of(item: ServiceItem, version: ServiceItemVersion) -> ItemGuide:
    v = version
    return ItemGuide(
        code=item.code,
        standard_code=item.standard_code,
        is_standard=item.is_standard,
        version_number=v.number,
        published_at=v.published_at,
        organization_code=item.organization.code,
        organization_name=item.organization.name,
        organization_line=item.organization.function,
        region_code=item.region_id,
        region_name=item.region.name,
        name=v.name,
        item_type=v.item_type,
        item_type_label=ITEM_TYPES.get(v.item_type, v.item_type),
        subject_kind=v.subject_kind,
        subject_kind_label=SUBJECT_KINDS.get(v.subject_kind, v.subject_kind),
        legal_basis=v.legal_basis,
        conditions=list(v.conditions or []),
        materials=[_material(m) for m in v.materials or []],
        process=list(v.process or []),
        statutory_days=v.statutory_days,
        promised_days=v.promised_days,
        approval_mode=v.approval_mode,
        approval_mode_label=APPROVAL_MODES.get(v.approval_mode, v.approval_mode),
        workflow_process=v.workflow_process,
        visits=v.visits,
        visits_label=VISITS.get(v.visits, ""),
        is_window_accepted=v.is_window_accepted,
        cross_region_scopes=list(v.cross_region_scopes or []),
        cross_region_labels=[CROSS_REGION_SCOPES.get(s, s) for s in v.cross_region_scopes or []],
        is_online=v.is_online,
        is_single_sign_on=v.is_single_sign_on,
        life_events=list(v.life_events or []),
        life_event_labels=[LIFE_EVENTS.get(k, k) for k in v.life_events or []],
        enterprise_stages=list(v.enterprise_stages or []),
        enterprise_stage_labels=[ENTERPRISE_STAGES.get(k, k) for k in v.enterprise_stages or []],
        result_name=v.result_name,
        result_license_type=v.result_license_type,
        result_license_name=LICENSE_TYPE_NAMES.get(v.result_license_type, v.result_license_type),
        result_for_applicant=v.result_for_applicant,
        implementing_body=v.implementing_body or item.organization.name,
        place=v.place,
        office_hours=v.office_hours,
        consult_phone=v.consult_phone,
        complaint_phone=v.complaint_phone,
        fees=list(v.fees or []),
        form_schema=dict(v.form_schema or {}),
    )


def item_published_get(*, code: str) -> ServiceItem:
    """The active item with its published version loaded (`item.published`), or NotFound."""
    item = (
        _published_items()
        .select_related("published", "organization", "region")
        .filter(code=code)
        .first()
    )
    if item is None:
        raise NotFound("事项不存在或未发布", code="services/item_not_found")
    return item


def item_guide(*, code: str, principal: Principal | None = None) -> ItemGuide:
    """The published 办事指南 of an item (public)."""
    item = item_published_get(code=code)
    return guide_of(item, item.published)


def item_for_region(*, standard_code: str, region_code: str) -> ServiceItem | None:
    """The implementing item that serves a region: the region's own, else the nearest
    ancestor region's (county -> city), else the provincial one. Published and active."""
    chain = [r.code for r in region_ancestors(region_code)] if region_code else []
    if PROVINCE_CODE not in chain:
        chain.insert(0, PROVINCE_CODE)
    candidates = {
        item.region_id: item
        for item in _published_items()
        .select_related("published", "organization", "region")
        .filter(standard_code=standard_code, region_id__in=chain)
    }
    for code in reversed(chain):
        if code in candidates:
            return candidates[code]
    return None


# --- staff views -----------------------------------------------------------------------------


def _require_catalog_staff(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind == "operator":
        return
    if not (principal.has_perm(EDIT_ITEM) or principal.has_perm(REVIEW_ITEM)):
        raise PermissionDenied("无权查看事项草稿", code="services/item_staff_only")


def item_get_for_staff(*, principal: Principal, code: str) -> ServiceItem:
    _require_catalog_staff(principal)
    item = (
        ServiceItem.objects.select_related("published", "organization", "region")
        .filter(code=code)
        .first()
    )
    if item is None:
        raise NotFound("事项不存在", code="services/item_not_found")
    return item


def item_versions(*, principal: Principal, code: str) -> list[ServiceItemVersion]:
    """Every version of an item, newest first (staff of the catalog)."""
    item = item_get_for_staff(principal=principal, code=code)
    return list(item.versions.order_by("-number"))


def item_open_version(item: ServiceItem) -> ServiceItemVersion | None:
    """The draft, in-review or rejected version above the published one, if any."""
    published_number = item.published.number if item.published_id else 0
    return (
        item.versions.filter(
            number__gt=published_number, status__in=[V.DRAFT, V.IN_REVIEW, V.REJECTED]
        )
        .order_by("-number")
        .first()
    )


def items_in_review(*, principal: Principal, limit: int = 200) -> list[ServiceItemVersion]:
    """Versions waiting for review, oldest first."""
    _require_catalog_staff(principal)
    return list(
        ServiceItemVersion.objects.filter(status=V.IN_REVIEW)
        .select_related("item", "item__organization", "item__published")
        .order_by("created_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any
    is_local: bool


def version_diff(
    *, before: ServiceItemVersion | None, after: ServiceItemVersion
) -> list[FieldChange]:
    """The fields that differ between two versions (before None: every non-empty field)."""
    changes = []
    for name in VERSION_FIELDS:
        old = getattr(before, name) if before is not None else None
        new = getattr(after, name)
        if old != new:
            changes.append(
                FieldChange(
                    field=name,
                    label=field_label(name),
                    before=old,
                    after=new,
                    is_local=name in LOCAL_FIELDS,
                )
            )
    return changes


def item_review_get(
    *, principal: Principal, code: str
) -> tuple[ServiceItem, ServiceItemVersion | None, list[FieldChange]]:
    """An item, its open version and the diff of that version against the published one."""
    item = item_get_for_staff(principal=principal, code=code)
    draft = item_open_version(item)
    diff = version_diff(before=item.published, after=draft) if draft else []
    return item, draft, diff
