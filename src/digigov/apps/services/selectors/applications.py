"""Reads of cases for their parties: my cases (as applicant, as the relative who filed,
as an entity's agent), one case with its timeline and materials, the cases a window
received, and a material's stored file. ID numbers are masked in lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q, QuerySet

from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.ids import mask_id_number, mask_name
from digigov.kernel.prepared import Prepared
from digigov.kernel.principals import Principal
from digigov.support.identity.selectors import entity_allows, entity_bindings_for

from ..constants import CHANNELS, MATERIAL_SOURCES
from ..models import Application, ApplicationMaterial, CaseEvent
from .access import APPLICANT, FILER, RECEIVE, case_for, case_role

MAX_PAGE_SIZE = 100
PARTY_ROLES = (APPLICANT, FILER)


@dataclass(frozen=True)
class CaseRow:
    number: str
    item_code: str
    item_name: str
    status: str
    status_label: str
    applicant_kind: str
    applicant_name: str  # masked for people
    applicant_id_masked: str
    applicant_uscc: str
    is_on_behalf: bool
    channel: str
    channel_label: str
    handling_organization_name: str
    received_region_name: str
    submitted_at: dt.datetime | None
    deadline: dt.date | None
    warning: str


@dataclass(frozen=True)
class Page:
    items: list[CaseRow]
    page: int
    page_size: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str
    label: str
    actor_label: str
    organization_name: str


@dataclass(frozen=True)
class MaterialRow:
    code: str
    name: str
    source: str
    source_label: str
    license_address: str
    original_name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class CaseDetail:
    number: str
    role: str
    item_code: str
    item_name: str
    approval_mode: str
    status: str
    status_label: str
    is_closed: bool
    applicant_kind: str
    applicant_name: str
    applicant_id_masked: str
    applicant_uscc: str
    is_on_behalf: bool
    channel: str
    channel_label: str
    received_region_name: str
    received_organization_name: str
    received_partner: str
    handling_region_name: str
    handling_organization_name: str
    is_cross_region: bool
    form_schema: dict
    form_data: dict
    prefilled_fields: list[str]
    decision_note: str
    result_reference: str
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    closed_at: dt.datetime | None
    deadline: dt.date | None
    timeline: list[TimelineEntry]
    materials: list[MaterialRow]
    version_materials: list[dict]


@dataclass(frozen=True)
class StoredFile:
    path: Path
    original_name: str
    content_type: str


def material_path(sha256: str) -> Path:
    """Where a stored upload lives: <DIGIGOV_UPLOAD_ROOT>/<first two hex digits>/<sha256>."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 name")
    return Path(settings.DIGIGOV_UPLOAD_ROOT) / sha256[:2] / sha256


def _rows(query: QuerySet[Application]) -> list[CaseRow]:
    rows = []
    for a in query:
        person = a.applicant_kind == "person"
        rows.append(
            CaseRow(
                number=a.number,
                item_code=a.item.code,
                item_name=a.item_version.name,
                status=a.status,
                status_label=a.get_status_display(),
                applicant_kind=a.applicant_kind,
                applicant_name=mask_name(a.applicant_name) if person else a.applicant_name,
                applicant_id_masked=mask_id_number(a.applicant_id_number) if person else "",
                applicant_uscc=a.applicant_uscc,
                is_on_behalf=a.is_on_behalf,
                channel=a.channel,
                channel_label=CHANNELS.get(a.channel, a.channel),
                handling_organization_name=a.handling_organization.name,
                received_region_name=a.received_region.name,
                submitted_at=a.submitted_at,
                deadline=a.deadline,
                warning=a.warning,
            )
        )
    return rows


def _page(query: QuerySet[Application], page: int, page_size: int) -> Page:
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"页码从 1 开始，每页 1 至 {MAX_PAGE_SIZE} 条",
            fields={"page": ["无效"], "page_size": ["无效"]},
        )
    total = query.count()
    start = (page - 1) * page_size
    query = query.select_related(
        "item", "item_version", "handling_organization", "received_region"
    ).order_by("-created_at", "-id")
    return Page(
        items=_rows(query[start : start + page_size]), page=page, page_size=page_size, total=total
    )


def _mine_query(principal: Principal) -> QuerySet[Application]:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind == "citizen":
        condition = Q(filed_by_account_id=int(principal.id)) if principal.id.isdigit() else Q()
        if principal.person_id_number:
            condition |= Q(applicant_kind="person", applicant_id_number=principal.person_id_number)
        return Application.objects.filter(condition) if condition else Application.objects.none()
    if principal.kind == "enterprise":
        usccs = [
            b.uscc
            for b in entity_bindings_for(principal=principal)
            if b.is_active and entity_allows(principal=principal, uscc=b.uscc, scope="query")
        ]
        return Application.objects.filter(applicant_kind="entity", applicant_uscc__in=usccs)
    raise PermissionDenied("“我的办件”仅限个人和企业账号", code="services/not_a_party")


def cases_mine(
    *, principal: Principal, page: int = 1, page_size: int = 20, status: str = ""
) -> Page:
    """Cases the citizen applied for or filed (for a relative), or the entity's cases."""
    query = _mine_query(principal)
    if status:
        query = query.filter(status=status)
    return _page(query, page, page_size)


def cases_received(*, principal: Principal, page: int = 1, page_size: int = 20) -> Page:
    """The window's view: cases received by the clerk's organization."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if (
        principal.kind != "staff"
        or not principal.has_perm(RECEIVE)
        or not principal.organization_id
    ):
        raise PermissionDenied("无权查看窗口收件", code="services/no_receive_permission")
    query = Application.objects.filter(received_organization_id=principal.organization_id)
    return _page(query, page, page_size)


def case_detail(*, principal: Principal, number: str) -> CaseDetail:
    """One case for any of its parties (refusals audited by case_for). The applicant's
    side sees the public timeline; staff see every entry."""
    application, role = case_for(principal=principal, number=number)
    return case_detail_for(application=application, role=role)


def case_detail_filed(*, principal: Principal, application: Application) -> CaseDetail:
    """case_detail for the case a submission has just answered with, held in hand (not read
    again); a principal who is no party to it goes through case_for like any other read."""
    role = case_role(principal=principal, application=application)
    if role is None:
        return case_detail(principal=principal, number=application.number)
    return case_detail_for(application=application, role=role)


# A case's page and every filing's answer read these: compiled once (kernel.prepared).
def _timeline(**only) -> Prepared:
    return Prepared(
        lambda application_id: CaseEvent.objects.filter(
            application_id=application_id, **only
        ).order_by("at", "id"),
        application_id=0,
    )


_EVENTS, _PUBLIC_EVENTS = _timeline(), _timeline(is_public=True)
_MATERIALS = Prepared(
    lambda application_id: ApplicationMaterial.objects.filter(
        application_id=application_id
    ).order_by("material_code"),
    application_id=0,
)


def _timeline_and_materials(application: Application, role: str) -> tuple[list, list]:
    """Read, or taken from the prefetch cache where the case's events and materials are in
    hand (a filing's answer: applications._rows_in_hand)."""
    cached = getattr(application, "_prefetched_objects_cache", {})
    if "events" in cached and "materials" in cached:
        events = sorted(cached["events"], key=lambda e: (e.at, e.pk))
        if role in PARTY_ROLES:
            events = [e for e in events if e.is_public]
        return events, sorted(cached["materials"], key=lambda m: m.material_code)
    events = (_PUBLIC_EVENTS if role in PARTY_ROLES else _EVENTS).all(application_id=application.pk)
    return events, _MATERIALS.all(application_id=application.pk)


def case_detail_for(*, application: Application, role: str) -> CaseDetail:
    """case_detail for a caller that already holds the case and its role (case_for)."""
    a = application
    events, materials = _timeline_and_materials(a, role)
    version = a.item_version
    person = a.applicant_kind == "person"
    return CaseDetail(
        number=a.number,
        role=role,
        item_code=a.item.code,
        item_name=version.name,
        approval_mode=a.approval_mode,
        status=a.status,
        status_label=a.get_status_display(),
        is_closed=a.is_closed,
        applicant_kind=a.applicant_kind,
        applicant_name=a.applicant_name,
        applicant_id_masked=mask_id_number(a.applicant_id_number) if person else "",
        applicant_uscc=a.applicant_uscc,
        is_on_behalf=a.is_on_behalf,
        channel=a.channel,
        channel_label=CHANNELS.get(a.channel, a.channel),
        received_region_name=a.received_region.name,
        received_organization_name=a.received_organization.name if a.received_organization else "",
        received_partner=a.received_partner,
        handling_region_name=a.handling_region.name,
        handling_organization_name=a.handling_organization.name,
        is_cross_region=a.received_region_id != a.handling_region_id or bool(a.received_partner),
        form_schema=version.form_schema,
        form_data=a.form_data,
        prefilled_fields=list(a.prefilled_fields or []),
        decision_note=a.decision_note,
        result_reference=a.result_reference,
        submitted_at=a.submitted_at,
        accepted_at=a.accepted_at,
        closed_at=a.closed_at,
        deadline=a.deadline,
        timeline=[
            TimelineEntry(
                at=e.at,
                kind=e.kind,
                label=e.label,
                actor_label=e.actor_label if role not in PARTY_ROLES else "",
                organization_name=e.organization_name,
            )
            for e in events
        ],
        materials=[
            MaterialRow(
                code=m.material_code,
                name=m.material_name,
                source=m.source,
                source_label=MATERIAL_SOURCES.get(m.source, m.source),
                license_address=m.license_address,
                original_name=m.original_name,
                content_type=m.content_type,
                size=m.size,
            )
            for m in materials
        ],
        version_materials=list(version.materials or []),
    )


def material_file(*, principal: Principal, number: str, material_code: str) -> StoredFile:
    """An uploaded material's stored file, for a party of the case (audited by case_for
    when refused). The caller serves it as an attachment, never inline."""
    a, _role = case_for(principal=principal, number=number)
    material = ApplicationMaterial.objects.filter(
        application=a, material_code=material_code, source="upload"
    ).first()
    if material is None:
        raise NotFound("该材料不存在或不是上传的文件", code="services/material_not_found")
    return StoredFile(
        path=material_path(material.sha256),
        original_name=material.original_name or f"{material_code}",
        content_type=material.content_type or "application/octet-stream",
    )
