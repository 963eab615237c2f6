from __future__ import annotations

import datetime as dt

from ninja import Schema

from .constants import DELEGATION_SCOPES


class ProfileOut(Schema):
    account_id: int
    username: str
    display_name: str
    kind: str
    kind_label: str
    real_name_level: int
    real_name_label: str
    id_number_masked: str
    phone_masked: str
    organization_name: str
    roles: list[str]
    is_otp_verified: bool


class DelegationOut(Schema):
    id: int
    direction: str
    other_name_masked: str
    other_id_masked: str
    scopes: list[str]
    scope_labels: list[str]
    expires_at: dt.datetime
    is_active: bool


class DelegationIn(Schema):
    agent_id_number: str
    agent_name: str
    scopes: list[str]
    expires_at: dt.datetime

    model_config = {
        "json_schema_extra": {
            "description": f"授权范围可选：{', '.join(f'{k}（{v}）' for k, v in DELEGATION_SCOPES.items())}"
        }
    }


class EntityBindingOut(Schema):
    id: int
    entity_name: str
    uscc: str
    role: str
    role_label: str
    expires_at: dt.datetime | None
    is_active: bool


class EntityBindIn(Schema):
    uscc: str


class EntityAgentIn(Schema):
    uscc: str
    agent_id_number: str
    agent_name: str
    scopes: list[str]
    expires_at: dt.datetime


class RealnameIn(Schema):
    name: str
    id_number: str


class RealnameOut(Schema):
    real_name_level: int
