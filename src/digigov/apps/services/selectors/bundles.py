"""一件事: finding bundles, one merged form and one material set per bundle, and the
bundle applications a principal may see.

Merging (同一字段只填一次, 同一材料只交一次):
- Form fields are merged by name. Titles, descriptions and examples may differ (the first
  component's wins); for constraints the stricter value wins (larger minimum, smaller
  maximum, the intersection of enums); anything else that differs (type, pattern, format,
  prefill source) is a configuration error raised as ValidationFailed with code
  "services/bundle_form_conflict", found by `digigov bundles_check` and the tests, never
  silently at a citizen's submission.
- A field is required in the merged form when a mandatory component requires it; fields
  of optional components are asked, and required only when that component is chosen
  (each component's own schema is checked again when its case is filed).
- Materials are one material when they share a license type or have the same name; the
  merged material accepts only formats every component accepts and the smallest size limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.principals import Principal
from digigov.support.identity.selectors import (
    delegation_allows,
    entity_allows,
    entity_bindings_for,
)

from ..constants import APPROVAL_MODES, ENTERPRISE_STAGES, LIFE_EVENTS, SUBJECT_KINDS
from ..models import Application, Bundle, BundleApplication, BundleItem, ServiceItem
from .access import RECEIVE
from .decisions import commitment_text_for
from .items import item_for_region

DEFAULT_REGION = "440100"  # 广州市: what the public pages show before a region is chosen
COSMETIC_KEYS = frozenset({"title", "description", "examples", "default", "$comment"})
LOWER_BOUNDS = frozenset({"minLength", "minimum", "exclusiveMinimum", "minItems"})
UPPER_BOUNDS = frozenset({"maxLength", "maximum", "exclusiveMaximum", "maxItems"})
BOUND_PAIRS = (("minLength", "maxLength"), ("minimum", "maximum"), ("minItems", "maxItems"))
CONFLICT_CODE = "services/bundle_form_conflict"
# component statuses that are a decision: a bundle with one of them cannot be withdrawn
DECIDED = frozenset({"approved", "rejected", "not_accepted"})


# --- pure merging ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentSpec:
    """What merging needs of one component: its standard code, name, form and materials."""

    standard_code: str
    name: str
    form_schema: Mapping[str, Any]
    materials: Sequence[Mapping[str, Any]]
    is_optional: bool = False


@dataclass(frozen=True)
class MergedField:
    name: str
    spec: dict[str, Any]
    used_by: tuple[str, ...]  # standard codes of the components asking for it
    required_by: tuple[str, ...]  # ... of the components that require it
    is_required: bool  # required by a mandatory component


@dataclass(frozen=True)
class MergedForm:
    schema: dict[str, Any]  # one JSON Schema: properties of all components
    fields: tuple[MergedField, ...]

    @property
    def field_count(self) -> int:
        return len(self.fields)


@dataclass(frozen=True)
class MaterialUse:
    standard_code: str
    material_code: str
    required: bool


@dataclass(frozen=True)
class MergedMaterial:
    code: str  # "B01", "B02" ... in order of first appearance
    name: str
    is_required: bool  # required by a mandatory component
    license_types: tuple[str, ...]
    formats: tuple[str, ...]
    max_mb: int
    note: str
    uses: tuple[MaterialUse, ...]

    def use_for(self, standard_code: str) -> MaterialUse | None:
        return next((u for u in self.uses if u.standard_code == standard_code), None)


def _conflict(problems: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(
        "一件事所含事项的申请表字段定义冲突，请事项管理人员统一字段定义",
        code=CONFLICT_CODE,
        fields=problems,
    )


def field_merge(name: str, first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """The stricter of two definitions of one field, or ValueError naming the difference."""
    merged = dict(first)
    for key in sorted((set(first) | set(second)) - COSMETIC_KEYS):
        a, b = first.get(key), second.get(key)
        if a == b or b is None:
            continue
        if a is None:
            merged[key] = b
        elif key in LOWER_BOUNDS:
            merged[key] = max(a, b)
        elif key in UPPER_BOUNDS:
            merged[key] = min(a, b)
        elif key == "enum":
            common = [value for value in a if value in b]
            if not common:
                raise ValueError(f"字段 {name} 的可选值没有交集")
            merged[key] = common
        else:
            raise ValueError(f"字段 {name} 的“{key}”定义不一致：{a!r} 与 {b!r}")
    for low, high in BOUND_PAIRS:
        if low in merged and high in merged and merged[low] > merged[high]:
            raise ValueError(f"字段 {name} 合并后 {low} 大于 {high}")
    return merged


def forms_merge(components: Iterable[ComponentSpec]) -> MergedForm:
    """One form for all components (see the module's doc); conflicts -> ValidationFailed."""
    specs: dict[str, dict[str, Any]] = {}
    used: dict[str, list[str]] = {}
    required: dict[str, list[str]] = {}
    mandatory: set[str] = set()
    problems: dict[str, list[str]] = {}
    for component in components:
        schema = component.form_schema or {}
        wanted = set(schema.get("required") or [])
        for name, spec in (schema.get("properties") or {}).items():
            used.setdefault(name, []).append(component.standard_code)
            if name in wanted:
                required.setdefault(name, []).append(component.standard_code)
                if not component.is_optional:
                    mandatory.add(name)
            if name not in specs:
                specs[name] = dict(spec)
                continue
            try:
                specs[name] = field_merge(name, specs[name], spec)
            except ValueError as error:
                problems.setdefault(name, []).append(
                    f"{component.name}（{component.standard_code}）：{error}"
                )
    if problems:
        raise _conflict(problems)
    fields = tuple(
        MergedField(
            name=name,
            spec=spec,
            used_by=tuple(used[name]),
            required_by=tuple(required.get(name, ())),
            is_required=name in mandatory,
        )
        for name, spec in specs.items()
    )
    schema = {
        "type": "object",
        "required": [f.name for f in fields if f.is_required],
        "properties": {f.name: f.spec for f in fields},
    }
    return MergedForm(schema=schema, fields=fields)


def materials_merge(components: Iterable[ComponentSpec]) -> tuple[MergedMaterial, ...]:
    """One material set: entries sharing a license type or a name are one material."""
    entries: list[tuple[ComponentSpec, Mapping[str, Any]]] = [
        (component, material) for component in components for material in component.materials
    ]
    parent = list(range(len(entries)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    first_by_key: dict[str, int] = {}
    for index, (_component, material) in enumerate(entries):
        keys = [f"name:{material.get('name', '')}"] + [
            f"license:{t}" for t in material.get("license_types") or []
        ]
        for key in keys:
            if key in first_by_key:
                parent[root(index)] = root(first_by_key[key])
            else:
                first_by_key[key] = index
    groups: dict[int, list[int]] = {}
    for index in range(len(entries)):
        groups.setdefault(root(index), []).append(index)
    merged: list[MergedMaterial] = []
    problems: dict[str, list[str]] = {}
    for number, members in enumerate(sorted(groups.values(), key=min), start=1):
        code = f"B{number:02d}"
        first = entries[members[0]][1]
        license_types: list[str] = []
        formats: list[str] | None = None
        limits: list[int] = []
        notes: list[str] = []
        uses: list[MaterialUse] = []
        is_required = False
        for index in members:
            component, material = entries[index]
            for license_type in material.get("license_types") or []:
                if license_type not in license_types:
                    license_types.append(license_type)
            accepted = [f.lower() for f in material.get("formats") or ["pdf", "jpg", "png"]]
            formats = accepted if formats is None else [f for f in formats if f in accepted]
            limits.append(int(material.get("max_mb") or 10))
            if material.get("note") and material["note"] not in notes:
                notes.append(material["note"])
            required = bool(material.get("required"))
            is_required = is_required or (required and not component.is_optional)
            if not any(u.standard_code == component.standard_code for u in uses):
                uses.append(
                    MaterialUse(
                        standard_code=component.standard_code,
                        material_code=str(material.get("code", "")),
                        required=required,
                    )
                )
        if not formats:
            problems[f"materials.{code}"] = [
                f"“{first.get('name')}”在各事项中允许的文件格式没有交集"
            ]
        merged.append(
            MergedMaterial(
                code=code,
                name=str(first.get("name", "")),
                is_required=is_required,
                license_types=tuple(license_types),
                formats=tuple(formats or ()),
                max_mb=min(limits),
                note="；".join(notes),
                uses=tuple(uses),
            )
        )
    if problems:
        raise _conflict(problems)
    return tuple(merged)


# --- bundles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleSummary:
    code: str
    name: str
    subject_kind: str
    subject_label: str
    description: str
    life_events: tuple[str, ...]  # labels
    enterprise_stages: tuple[str, ...]  # labels
    is_national_key: bool
    component_count: int


@dataclass(frozen=True)
class BundleComponent:
    standard_code: str
    position: int
    is_optional: bool
    name: str
    item_code: str  # the implementing item in the region ("" when none serves it)
    organization_name: str
    line: str
    approval_mode: str
    approval_label: str
    promised_days: int
    statutory_days: int
    result_name: str
    visits: int
    # 告知承诺: the text the applicant accepts for this component (empty for other modes)
    commitment_text: str = ""

    @property
    def is_available(self) -> bool:
        return bool(self.item_code)

    @property
    def is_commitment(self) -> bool:
        return self.approval_mode == "commitment"


@dataclass(frozen=True)
class BundleDetail:
    summary: BundleSummary
    region_code: str
    components: tuple[BundleComponent, ...]
    form: MergedForm
    materials: tuple[MergedMaterial, ...]
    prefill: dict[str, Any] = field(default_factory=dict)

    @property
    def departments(self) -> list[str]:
        names: list[str] = []
        for component in self.components:
            if component.organization_name and component.organization_name not in names:
                names.append(component.organization_name)
        return names


def _summary(bundle: Bundle) -> BundleSummary:
    return BundleSummary(
        code=bundle.code,
        name=bundle.name,
        subject_kind=bundle.subject_kind,
        subject_label=SUBJECT_KINDS.get(bundle.subject_kind, bundle.subject_kind),
        description=bundle.description,
        life_events=tuple(LIFE_EVENTS.get(e, e) for e in bundle.life_events or []),
        enterprise_stages=tuple(
            ENTERPRISE_STAGES.get(s, s) for s in bundle.enterprise_stages or []
        ),
        is_national_key=bundle.is_national_key,
        component_count=len(bundle.items.all()),
    )


def bundle_search(
    *,
    query: str = "",
    subject_kind: str = "",
    life_event: str = "",
    enterprise_stage: str = "",
) -> list[BundleSummary]:
    """Active bundles, filtered by words of the name/description, subject kind, a life event
    or an enterprise stage (JSON list membership checked in Python: a dozen rows)."""
    bundles = Bundle.objects.filter(is_active=True).prefetch_related("items")
    if subject_kind:
        bundles = bundles.filter(subject_kind__in=[subject_kind, "both"])
    if query:
        words = query.split()
        condition = Q()
        for word in words:
            condition &= Q(name__icontains=word) | Q(description__icontains=word)
        bundles = bundles.filter(condition)
    found = []
    for bundle in bundles:
        if life_event and life_event not in (bundle.life_events or []):
            continue
        if enterprise_stage and enterprise_stage not in (bundle.enterprise_stages or []):
            continue
        found.append(_summary(bundle))
    return found


def _bundle(code: str) -> Bundle:
    bundle = (
        Bundle.objects.filter(code=code, is_active=True)
        .prefetch_related(Prefetch("items", queryset=BundleItem.objects.order_by("position")))
        .first()
    )
    if bundle is None:
        raise NotFound("一件事不存在", code="services/bundle_not_found")
    return bundle


def _standard_item(standard_code: str) -> ServiceItem | None:
    return (
        ServiceItem.objects.select_related("published", "organization")
        .filter(standard_code=standard_code, is_active=True, published__isnull=False)
        .order_by("-is_standard", "code")
        .first()
    )


def _component(link: BundleItem, region_code: str) -> tuple[BundleComponent, ComponentSpec | None]:
    item = item_for_region(standard_code=link.standard_code, region_code=region_code)
    guide = item or _standard_item(link.standard_code)
    version = guide.published if guide is not None else None
    component = BundleComponent(
        standard_code=link.standard_code,
        position=link.position,
        is_optional=link.is_optional,
        name=version.name if version else link.standard_code,
        item_code=item.code if item is not None else "",
        organization_name=item.organization.name if item is not None else "",
        line=(guide.organization.function if guide is not None else "") or "",
        approval_mode=version.approval_mode if version else "",
        approval_label=APPROVAL_MODES.get(version.approval_mode, "") if version else "",
        promised_days=version.promised_days if version else 0,
        statutory_days=version.statutory_days if version else 0,
        result_name=version.result_name if version else "",
        visits=version.visits if version else 0,
        commitment_text=(
            commitment_text_for(item_version=version)
            if version is not None and version.approval_mode == "commitment"
            else ""
        ),
    )
    if version is None:
        return component, None
    spec = ComponentSpec(
        standard_code=link.standard_code,
        name=version.name,
        form_schema=version.form_schema or {},
        materials=version.materials or [],
        is_optional=link.is_optional,
    )
    return component, spec


def bundle_detail(*, code: str, region_code: str = "") -> BundleDetail:
    """A bundle as the region serves it: components with their departments, the merged form
    and the merged material set. Public (guide data)."""
    bundle = _bundle(code)
    region_code = region_code or DEFAULT_REGION
    components: list[BundleComponent] = []
    specs: list[ComponentSpec] = []
    for link in bundle.items.all():
        component, spec = _component(link, region_code)
        components.append(component)
        if spec is not None:
            specs.append(spec)
    return BundleDetail(
        summary=_summary(bundle),
        region_code=region_code,
        components=tuple(components),
        form=forms_merge(specs),
        materials=materials_merge(specs),
    )


def applicant_region(
    *,
    principal: Principal,
    applicant_id_number: str | None = None,
    applicant_uscc: str | None = None,
) -> str:
    """The region whose departments serve the applicant: the person's household region,
    the entity's registered region; DEFAULT_REGION when the registries do not know."""
    uscc = (applicant_uscc or "").strip().upper()
    if uscc:
        entity = entity_brief(uscc=uscc)
        return entity.region_code if entity else DEFAULT_REGION
    id_number = (applicant_id_number or principal.person_id_number or "").strip().upper()
    person = person_brief(id_number=id_number) if id_number else None
    return person.household_region_code if person else DEFAULT_REGION


def bundle_form(
    *,
    principal: Principal,
    bundle_code: str,
    region_code: str = "",
    applicant_id_number: str | None = None,
    applicant_uscc: str | None = None,
) -> BundleDetail:
    """The bundle for the applicant, with its merged form prefilled (免填写) from the
    registries and the profile; whom the principal may fill for is checked (and refusals
    audited) by the applications area's prefill selector."""
    from .prefill import prefill_sources, prefill_subject, prefill_values

    if not principal.is_authenticated:
        raise Unauthenticated()
    subject = prefill_subject(
        principal=principal, applicant_id_number=applicant_id_number, applicant_uscc=applicant_uscc
    )
    region_code = region_code or applicant_region(
        principal=principal, applicant_id_number=subject.id_number, applicant_uscc=subject.uscc
    )
    detail = bundle_detail(code=bundle_code, region_code=region_code)
    sources = prefill_sources(detail.form.schema)
    values = (
        prefill_values(principal=principal, subject=subject, sources=sources) if sources else {}
    )
    return BundleDetail(
        summary=detail.summary,
        region_code=detail.region_code,
        components=detail.components,
        form=detail.form,
        materials=detail.materials,
        prefill=values,
    )


# --- bundle applications --------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentCase:
    number: str
    item_name: str
    standard_code: str
    organization_name: str
    approval_mode: str
    status: str
    status_label: str
    decision_note: str
    is_closed: bool


@dataclass(frozen=True)
class BundleApplicationView:
    number: str
    bundle_code: str
    bundle_name: str
    status: str
    status_label: str
    applicant_name: str
    applicant_kind: str
    created_at: Any
    closed_at: Any
    result_summary: str
    components: tuple[ComponentCase, ...]

    @property
    def approved_count(self) -> int:
        return sum(1 for c in self.components if c.status == Application.Status.APPROVED)

    @property
    def open_count(self) -> int:
        return sum(1 for c in self.components if not c.is_closed)

    @property
    def is_withdrawable(self) -> bool:
        """撤回一件事: still in progress, no component decided, at least one still open."""
        return (
            self.status == BundleApplication.Status.SUBMITTED
            and not any(c.status in DECIDED for c in self.components)
            and self.open_count > 0
        )


def _component_case(application: Application) -> ComponentCase:
    return ComponentCase(
        number=application.number,
        item_name=application.item_version.name,
        standard_code=application.item.standard_code,
        organization_name=application.handling_organization.name,
        approval_mode=application.approval_mode,
        status=application.status,
        status_label=Application.Status(application.status).label,
        decision_note=application.decision_note,
        is_closed=application.is_closed,
    )


def result_summary(statuses: Sequence[tuple[str, str]]) -> str:
    """One combined result line from (item name, status) of the components."""
    approved = [name for name, status in statuses if status == Application.Status.APPROVED]
    refused = [
        name
        for name, status in statuses
        if status in (Application.Status.REJECTED, Application.Status.NOT_ACCEPTED)
    ]
    withdrawn = [name for name, status in statuses if status == Application.Status.WITHDRAWN]
    open_ = [name for name, status in statuses if status not in Application.CLOSED]
    parts = [f"共 {len(statuses)} 项"]
    if approved:
        parts.append(f"已办结 {len(approved)} 项")
    if refused:
        parts.append(f"未获批准 {len(refused)} 项（{'、'.join(refused)}）")
    if withdrawn:
        parts.append(f"已撤回 {len(withdrawn)} 项")
    if open_:
        parts.append(f"办理中 {len(open_)} 项")
    return "，".join(parts)


def _view(bundle_application: BundleApplication) -> BundleApplicationView:
    cases = tuple(_component_case(a) for a in bundle_application.applications.all())
    return BundleApplicationView(
        number=bundle_application.number,
        bundle_code=bundle_application.bundle.code,
        bundle_name=bundle_application.bundle.name,
        status=bundle_application.status,
        status_label=BundleApplication.Status(bundle_application.status).label,
        applicant_name=bundle_application.applicant_name,
        applicant_kind=bundle_application.applicant_kind,
        created_at=bundle_application.created_at,
        closed_at=bundle_application.closed_at,
        result_summary=result_summary([(c.item_name, c.status) for c in cases]),
        components=cases,
    )


def _with_components(query: QuerySet[BundleApplication]) -> QuerySet[BundleApplication]:
    return query.select_related("bundle").prefetch_related(
        Prefetch(
            "applications",
            queryset=Application.objects.select_related(
                "item", "item_version", "handling_organization"
            ).order_by("id"),
        )
    )


def _visible_to(principal: Principal) -> QuerySet[BundleApplication]:
    if principal.kind == "citizen":
        return BundleApplication.objects.filter(
            Q(applicant_kind="person", applicant_id_number=principal.person_id_number)
            | Q(filed_by_actor=principal.actor)
        )
    if principal.kind == "enterprise":
        usccs = [
            b.uscc
            for b in entity_bindings_for(principal=principal)
            if b.is_active and entity_allows(principal=principal, uscc=b.uscc, scope="query")
        ]
        return BundleApplication.objects.filter(applicant_kind="entity", applicant_uscc__in=usccs)
    return BundleApplication.objects.none()


def bundle_applications_mine(
    *, principal: Principal, limit: int = 50
) -> list[BundleApplicationView]:
    """The principal's bundle applications with each component's status, newest first."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    query = _with_components(_visible_to(principal)).order_by("-created_at", "-id")[:limit]
    return [_view(b) for b in query]


def _deny(principal: Principal, number: str, reason: str) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action="services.bundle_application.access",
        object_type="services.bundle_application",
        object_id=number,
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )


def bundle_application_may_see(
    *, principal: Principal, bundle_application: BundleApplication
) -> bool:
    if principal.kind == "citizen":
        if bundle_application.filed_by_actor == principal.actor:
            return True
        if bundle_application.applicant_kind != "person":
            return False
        if bundle_application.applicant_id_number == principal.person_id_number:
            return True
        return delegation_allows(
            principal=principal,
            grantor_id_number=bundle_application.applicant_id_number,
            scope="query",
        )
    if principal.kind == "enterprise":
        return bundle_application.applicant_kind == "entity" and entity_allows(
            principal=principal, uscc=bundle_application.applicant_uscc, scope="query"
        )
    if principal.kind == "staff":
        # 综合窗口: the organization that received the bundle at its window
        return (
            principal.has_perm(RECEIVE)
            and principal.organization_id is not None
            and Application.objects.filter(
                bundle_application=bundle_application,
                received_organization_id=principal.organization_id,
            ).exists()
        )
    return False


def bundle_application_may_withdraw(
    *, principal: Principal, bundle_application: BundleApplication
) -> bool:
    """Who may withdraw a whole bundle: the applicant, the citizen who filed it for a
    relative, an agent of the applying entity with the "apply" scope (as for one case)."""
    if principal.kind == "citizen":
        if bundle_application.filed_by_actor == principal.actor:
            return True
        return (
            bundle_application.applicant_kind == "person"
            and bundle_application.applicant_id_number == principal.person_id_number
        )
    if principal.kind == "enterprise":
        return bundle_application.applicant_kind == "entity" and entity_allows(
            principal=principal, uscc=bundle_application.applicant_uscc, scope="apply"
        )
    return False


def bundle_application_withdrawable(*, principal: Principal, number: str) -> bool:
    """Whether the page offers 撤回一件事 to this principal (the service checks again)."""
    if not principal.is_authenticated:
        return False
    found = _with_components(BundleApplication.objects.filter(number=number)).first()
    return (
        found is not None
        and _view(found).is_withdrawable
        and bundle_application_may_withdraw(principal=principal, bundle_application=found)
    )


def bundle_applications_received(
    *, principal: Principal, limit: int = 20
) -> list[BundleApplicationView]:
    """The bundle applications the staff member's organization received at its window."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if (
        principal.kind != "staff"
        or not principal.has_perm(RECEIVE)
        or principal.organization_id is None
    ):
        raise PermissionDenied("无权查看窗口收件", code="services/not_authorised_receiver")
    numbers = (
        Application.objects.filter(
            received_organization_id=principal.organization_id,
            bundle_application__isnull=False,
        )
        .values_list("bundle_application_id", flat=True)
        .distinct()
    )
    query = _with_components(BundleApplication.objects.filter(pk__in=numbers))
    return [_view(b) for b in query.order_by("-created_at", "-id")[:limit]]


def bundle_application_get(*, principal: Principal, number: str) -> BundleApplicationView:
    """One bundle application of the principal (the applicant, its filer, an agent of the
    applying entity); anyone else: PermissionDenied, audited. Staff see the component cases
    through their own case pages."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    found = _with_components(BundleApplication.objects.filter(number=number)).first()
    if found is None:
        raise NotFound("一件事申请不存在", code="services/bundle_application_not_found")
    if not bundle_application_may_see(principal=principal, bundle_application=found):
        _deny(principal, number, "not_a_party")
        raise PermissionDenied("无权查看该一件事申请", code="services/not_your_bundle_application")
    return _view(found)


# --- configuration check -------------------------------------------------------------------


@dataclass(frozen=True)
class BundleProblem:
    bundle_code: str
    message: str


def bundles_check(*, region_code: str = "") -> list[BundleProblem]:
    """Configuration problems of the active bundles: components without a published item,
    fields or materials that cannot be merged. `digigov bundles_check` prints them."""
    problems: list[BundleProblem] = []
    for bundle in Bundle.objects.filter(is_active=True).prefetch_related("items"):
        links = list(bundle.items.all())
        if not links:
            problems.append(BundleProblem(bundle.code, "没有包含任何事项"))
            continue
        known = set(
            ServiceItem.objects.filter(
                standard_code__in=[link.standard_code for link in links],
                is_active=True,
                published__isnull=False,
            ).values_list("standard_code", flat=True)
        )
        for link in links:
            if link.standard_code not in known:
                problems.append(BundleProblem(bundle.code, f"事项 {link.standard_code} 未发布"))
        try:
            bundle_detail(code=bundle.code, region_code=region_code)
        except ValidationFailed as error:
            for name, messages in error.fields.items():
                for message in messages:
                    problems.append(BundleProblem(bundle.code, f"{name}：{message}"))
    return problems
