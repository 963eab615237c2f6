"""The quality demo (seed step, order 52, after the catalog's at 50): a topic dataset of
广州市市场监督管理局 built from the entity registry with deliberately flawed rows, its rules
(the suggested ones and one more), and a run whose report finds exactly these flaws:

  #5   the legal representative's ID number has a wrong check digit   (validity)
  #13  the USCC of row #12 again                                        (uniqueness)
  #20  region code 449999, which GB/T 2260 does not have                (validity)
  #27  a well-formed USCC that is not in the entity registry            (reference)
  #33  no enterprise name                                               (completeness)
  the dataset was last updated 100 days ago, its frequency is monthly   (timeliness)

The resource is registered, loaded and published through the catalog's services, as a
department and the data bureau would. Deterministic for a registry; idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from digigov.data.catalog.selectors.resources import resource_by_code
from digigov.data.catalog.services.datasets import dataset_rows_replace
from digigov.data.catalog.services.resources import (
    resource_register,
    resource_review,
    resource_submit,
)
from digigov.data.registries.selectors import registry_records
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import QualityRule
from .rules import RuleDraft, quality_rule_create, quality_rules_adopt
from .runs import quality_run

DEPARTMENT = Principal(kind="operator", id="quality-seed", label="数据治理演示数据（部门）")
BUREAU = Principal(kind="operator", id="quality-seed-bureau", label="数据治理演示数据（审核）")
CODE = "GZ-SCJG-NBZTK"
ORGANIZATION = "440100-scjg"
ROWS = 40
STALE_DAYS = 100
# row number -> (field, kind of rule that must find it)
FLAWS: dict[str, tuple[str, str]] = {
    "#5": ("legal_rep_id_number", "validity"),
    "#13": ("uscc", "uniqueness"),
    "#20": ("region_code", "validity"),
    "#27": ("uscc", "reference"),
    "#33": ("name", "completeness"),
    "": ("", "timeliness"),
}

VALUES: dict[str, Any] = {
    "code": CODE,
    "name": "广州市市场主体年报主题库",
    "description": "企业年度报告的主要信息（演示数据，含用于数据治理演示的问题记录）。",
    "layer": "topic",
    "storage": "dataset",
    "subject_class": "市场监管",
    "industry_class": "市场监管",
    "update_frequency": "monthly",
    "data_format": "CSV",
    "share_condition": "conditional",
    "share_terms": "用于市场监管、信用监管和统计分析",
    "open_condition": "none",
    "grade": "important",
    "has_personal_info": True,
    "key_field": "uscc",
}
FIELDS: list[dict[str, Any]] = [
    {
        "name": "uscc",
        "label": "统一社会信用代码",
        "data_type": "code",
        "standard_element": "统一社会信用代码",
        "is_required": True,
    },
    {"name": "name", "label": "企业名称", "data_type": "string"},
    {
        "name": "legal_rep_name",
        "label": "法定代表人姓名",
        "data_type": "string",
        "sensitivity": "personal",
        "masking": "name",
    },
    {
        "name": "legal_rep_id_number",
        "label": "法定代表人公民身份号码",
        "data_type": "code",
        "standard_element": "公民身份号码",
        "sensitivity": "personal",
        "masking": "id_number",
    },
    {"name": "region_code", "label": "登记地", "data_type": "code", "code_list": "GB/T 2260"},
    {"name": "report_year", "label": "年报年度", "data_type": "integer"},
    {"name": "employees", "label": "从业人数", "data_type": "integer"},
]


def _wrong_check_digit(number: str) -> str:
    right = ric.calc_check_digit(number)  # stdnum: the number with its check digit
    digits = "0123456789X"
    return number[:17] + digits[(digits.index(right) + 1) % len(digits)]


def _unregistered_uscc(known: set[str]) -> str:
    for serial in range(1000):
        body = f"91440101MA{serial:07d}"  # 9 1 (enterprise), Guangzhou, a 9-char body
        code = body + uscc.calc_check_digit(body)
        if code not in known:
            return code
    raise AssertionError("no free demo USCC")


def flawed_rows(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ROWS rows from registry entities with the FLAWS above, nothing else wrong."""
    rows = []
    for number, entity in enumerate(entities[:ROWS], 1):
        rows.append(
            {
                "uscc": entity["uscc"],
                "name": entity["name"],
                "legal_rep_name": entity["legal_rep_name"],
                "legal_rep_id_number": entity["legal_rep_id_number"],
                "region_code": entity["region_code"],
                "report_year": 2024,
                "employees": 5 + (number * 37) % 400,
            }
        )
    rows[5 - 1]["legal_rep_id_number"] = _wrong_check_digit(rows[5 - 1]["legal_rep_id_number"])
    rows[13 - 1]["uscc"] = rows[12 - 1]["uscc"]
    rows[20 - 1]["region_code"] = "449999"
    rows[27 - 1]["uscc"] = _unregistered_uscc({e["uscc"] for e in entities})
    rows[33 - 1]["name"] = ""
    return rows


def _backdate(resource_id: int) -> None:
    """The demo's history: the dataset was last refreshed STALE_DAYS ago. The catalog has no
    service that loads rows with a past date (uploads are "now"), so the seed sets it."""
    from digigov.data.catalog.models import DataResource

    with transaction.atomic():
        DataResource.objects.filter(pk=resource_id).update(
            data_updated_at=timezone.now() - dt.timedelta(days=STALE_DAYS)
        )


def quality_demo_seed(**_options: Any) -> str:
    if resource_by_code(code=CODE) is not None:
        return "已存在，跳过"
    organization = Organization.objects.filter(code=ORGANIZATION).first()
    if organization is None:
        return "缺少广州市市场监督管理局，跳过"
    entities = registry_records(
        kind="entity",
        fields=["uscc", "name", "legal_rep_name", "legal_rep_id_number", "region_code"],
        limit=ROWS,
    )
    if len(entities) < ROWS:
        return f"法人基础库不足 {ROWS} 个法人，跳过"
    resource = resource_register(
        principal=DEPARTMENT, organization_id=organization.pk, values=VALUES, fields=FIELDS
    )
    dataset_rows_replace(
        principal=DEPARTMENT,
        resource_id=resource.pk,
        rows=flawed_rows(entities),
        file_name="年报演示数据.csv",
    )
    resource_submit(principal=DEPARTMENT, code=CODE)
    resource_review(principal=BUREAU, resource_id=resource.pk, approve=True, note="演示数据")
    _backdate(resource.pk)
    quality_rules_adopt(principal=DEPARTMENT, resource_id=resource.pk)
    quality_rule_create(
        principal=DEPARTMENT,
        resource_id=resource.pk,
        draft=RuleDraft(QualityRule.Kind.COMPLETENESS, ["name"], weight=2),
    )
    run = quality_run(principal=DEPARTMENT, resource_id=resource.pk, trigger="seed")
    return f"数据集 {CODE}（{ROWS} 行），质量评分 {run.score}，发现问题 {run.issues_opened} 个"
