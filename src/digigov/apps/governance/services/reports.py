"""Reporting the indicators whose inputs the platform cannot hold (人工填报): value, source
and date, by staff holding governance.report_indicator, audited. A report for a city needs
the province permission unless it is the reporter's own city."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_as, audit_batch
from digigov.kernel.errors import PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.principals import Principal

from ..constants import PROVINCE_CODE, REPORT_INDICATOR
from ..models import ReportedValue
from ..selectors.access import region_for
from ..selectors.indicators import indicator_get

MAX_VALUE = Decimal("9999999999")


def _deny(principal: Principal, number: int, reason: str) -> None:
    audit_as(
        principal,
        action="governance.indicator.report",
        object_type="governance.Indicator",
        object_id=str(number),
        outcome="denied",
        detail={"reason": reason},
    )


def indicator_report(
    *,
    principal: Principal,
    number: int,
    value: str | Decimal,
    source: str,
    as_of: dt.date | None,
    region_code: str = PROVINCE_CODE,
    note: str = "",
) -> ReportedValue:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind != "staff" or not principal.has_perm(REPORT_INDICATOR):
        _deny(principal, number, "permission")
        raise PermissionDenied("无权填报指标", code="governance/not_reporter")
    region = region_for(principal=principal, region_code=region_code)
    indicator = indicator_get(number=number)
    errors: dict[str, list[str]] = {}
    if indicator.kind != "reported":
        raise ValidationFailed(
            "该指标由平台根据业务数据自动计算，不能人工填报",
            code="governance/computed_indicator",
        )
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["value"] = ["请填写数值"]
    else:
        if amount < 0 or amount > MAX_VALUE:
            errors["value"] = ["数值超出范围"]
        elif indicator.unit == "%" and amount > 100:
            errors["value"] = ["百分比不能超过 100"]
        elif amount.as_tuple().exponent < -4:
            errors["value"] = ["最多保留 4 位小数"]
    source = (source or "").strip()
    if not source:
        errors["source"] = ["请填写数据来源"]
    elif len(source) > 200:
        errors["source"] = ["数据来源不能超过 200 字"]
    if as_of is None:
        errors["as_of"] = ["请填写数据截止日期"]
    elif as_of > timezone.localdate():
        errors["as_of"] = ["数据截止日期不能晚于今天"]
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = ["说明不能超过 300 字"]
    if errors:
        raise ValidationFailed(
            "填报内容不符合要求", code="governance/report_invalid", fields=errors
        )
    with transaction.atomic(), audit_batch():
        report = ReportedValue.objects.create(
            indicator=indicator,
            region=region,
            value=amount,
            source=source,
            as_of=as_of,
            note=note,
            reported_by=principal.actor,
            reported_by_label=principal.label,
        )
        audit_as(
            principal,
            action="governance.indicator.report",
            object_type="governance.Indicator",
            object_id=str(number),
            detail={
                "region": region.code,
                "value": str(amount),
                "source": source,
                "as_of": as_of.isoformat(),
                "report": report.pk,
            },
        )
    return report
