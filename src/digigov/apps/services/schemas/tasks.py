"""Schemas of /api/v1/services/tasks (the staff task inbox and case operations)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class TaskOut(Schema):
    id: int
    label: str
    step: str
    status: str
    status_label: str
    number: str
    item_name: str
    applicant_name: str
    organization_name: str
    role: str
    assignee_name: str
    is_mine: bool
    is_cosign: bool
    is_waiting: bool
    application_status: str
    application_status_label: str
    warning: str
    warning_label: str
    deadline: dt.date | None
    opened_at: dt.datetime
    completed_at: dt.datetime | None
    outcome: str


class TaskPageOut(Schema):
    items: list[TaskOut]
    total: int
    page: int
    pages: int
    page_size: int


class ChoiceOut(Schema):
    value: str
    label: str


class FormFieldOut(Schema):
    title: str
    value: Any


class MaterialOut(Schema):
    code: str
    name: str
    source: str
    file: str
    license_address: str
    content_type: str


class TimelineOut(Schema):
    at: dt.datetime
    kind: str
    label: str
    actor: str
    organization: str
    is_public: bool


class TaskDetailOut(Schema):
    task: TaskOut
    can_act: bool
    refusal: str
    is_four_eyes_blocked: bool
    outcomes: list[ChoiceOut]
    send_back_steps: list[ChoiceOut]
    colleagues: list[ChoiceOut]
    cosigns: list[TaskOut]
    history: list[TaskOut]
    form: list[FormFieldOut]
    materials: list[MaterialOut]
    timeline: list[TimelineOut]
    correction_items: list[str]
    process_id: str


class TaskCompleteIn(Schema):
    outcome: str = Field(..., max_length=40, description="环节的办理结果（见任务详情 outcomes）")
    comment: str = Field("", max_length=2000)


class TaskReturnIn(Schema):
    items: list[str] = Field(..., description="需要申请人补正的内容，每项一条")
    comment: str = Field("", max_length=2000)


class TaskSendBackIn(Schema):
    to_step: str = Field(..., max_length=80, description="退回到的环节（见 send_back_steps）")
    comment: str = Field(..., max_length=2000)


class TaskAccountIn(Schema):
    account_id: int = Field(..., description="本机构持有该环节角色的人员（见 colleagues）")
    comment: str = Field("", max_length=2000)


class TaskActionOut(Schema):
    task: TaskOut
    opened: list[TaskOut] = []
