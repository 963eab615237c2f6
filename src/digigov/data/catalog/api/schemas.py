"""Schemas of /api/v1/catalog (separate ...In / ...Out). Names carry a Catalog prefix where a
plain name could clash with another app's schema in the OpenAPI document."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class CatalogFieldIn(Schema):
    name: str = Field(..., max_length=60, description="字段名：小写字母开头，字母、数字、下划线")
    label: str = Field(..., max_length=80, description="中文名称")
    data_type: str = Field(
        "string", description="string | integer | decimal | date | datetime | boolean | code"
    )
    standard_element: str = Field("", max_length=80, description="标准数据元")
    code_list: str = Field("", max_length=40, description="代码集，如 GB/T 2260")
    sensitivity: str = Field("internal", description="public | internal | sensitive | personal")
    masking: str = Field(
        "none",
        description="默认脱敏规则：none | id_number | name | phone | address | redact；"
        "personal 数据项不能为 none",
    )
    is_required: bool = False


class CatalogResourceIn(Schema):
    organization: str = Field(
        "", max_length=40, description="提供单位机构代码；留空为调用者所在单位"
    )
    code: str = Field(..., max_length=60, description="资源代码（登记后不能修改）")
    name: str = Field(..., max_length=160)
    description: str = Field("", max_length=4000)
    layer: str = Field(..., description="base（基础库）| topic（主题库）| thematic（专题库）")
    storage: str = Field(
        ...,
        description="registry.person | registry.entity | dataset（上传数据集）| api（部门接口）",
    )
    subject_class: str = Field("", max_length=60, description="主题分类")
    industry_class: str = Field("", max_length=60, description="行业分类")
    update_frequency: str = Field(
        "irregular",
        description="realtime | daily | weekly | monthly | quarterly | yearly | irregular",
    )
    data_format: str = Field("", max_length=40)
    source_system: str = Field("", max_length=60, description="来源系统编码（本单位系统清单）")
    share_condition: str = Field(..., description="unconditional | conditional | none")
    share_terms: str = Field("", max_length=300, description="共享条件或不予共享的依据")
    open_condition: str = Field("none", description="unconditional | conditional | none")
    grade: str = Field(..., description="general（一般）| important（重要）| core（核心）")
    has_personal_info: bool = False
    key_field: str = Field("", max_length=60, description="主键字段（数据项之一）")
    api_url: str = Field("", max_length=200, description="部门接口地址（仅 storage=api）")
    fields: list[CatalogFieldIn] = Field(..., max_length=200)


class CatalogReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=300, description="审核意见；退回时必填")


class CatalogNoteIn(Schema):
    note: str = Field("", max_length=300)


class CatalogRowsIn(Schema):
    rows: list[dict] = Field(..., description="数据行：字段名（或中文名称）到值的对象")
    mode: str = Field("all_or_nothing", description="all_or_nothing | skip_rejected")
    file_name: str = Field("", max_length=200)


class CatalogFieldOut(Schema):
    position: int
    name: str
    label: str
    data_type: str
    standard_element: str
    code_list: str
    sensitivity: str
    masking: str
    is_required: bool


class CatalogResourceOut(Schema):
    code: str
    name: str
    organization_code: str
    organization_name: str
    description: str
    layer: str
    layer_label: str
    storage: str
    subject_class: str
    industry_class: str
    update_frequency: str
    data_format: str
    source_system: str | None
    share_condition: str
    share_condition_label: str
    share_terms: str
    open_condition: str
    open_condition_label: str
    grade: str
    grade_label: str
    has_personal_info: bool
    key_field: str
    api_url: str
    status: str
    status_label: str
    review_note: str
    published_at: dt.datetime | None
    row_count: int
    data_updated_at: dt.datetime | None
    updated_at: dt.datetime


class CatalogResourceDetailOut(CatalogResourceOut):
    fields: list[CatalogFieldOut]
    actions: list[str] = Field(
        ..., description="调用者可执行的操作：edit、submit、review、retire、withdraw、upload"
    )


class CatalogResourcePageOut(Schema):
    total: int
    page: int
    page_size: int
    items: list[CatalogResourceOut]


class CatalogRowProblemOut(Schema):
    row_number: int = Field(..., description="数据行序号（1 为第一条数据；CSV 为第 2 行）")
    field: str
    message: str


class CatalogUploadReportOut(Schema):
    loaded: bool
    total: int
    accepted: int
    rejected_rows: int
    rejected: list[CatalogRowProblemOut]
    truncated: bool = Field(..., description="问题过多，只列出前 1000 条")


class CatalogSystemIn(Schema):
    organization: str = Field(
        "", max_length=40, description="建设单位机构代码；留空为调用者所在单位"
    )
    code: str = Field(..., max_length=60)
    name: str = Field(..., max_length=120)
    description: str = Field("", max_length=2000)


class CatalogSystemOut(Schema):
    code: str
    name: str
    organization_code: str
    organization_name: str
    description: str
    is_active: bool
    published_resources: int = 0
