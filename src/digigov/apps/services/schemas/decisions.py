"""Schemas of the decision explanation and replay (秒批, 告知承诺)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class RuleExplanationOut(Schema):
    id: str
    label: str
    passed: bool
    value: str  # the value the rule read; masked for anyone but the applicant
    message: str


class CommitmentOut(Schema):
    text: str
    signer_name: str
    signed_at: dt.datetime
    status: str
    status_label: str
    due_date: dt.date
    is_signature_valid: bool
    finding: str


class DecisionOut(Schema):
    number: str
    approval_mode: str
    status: str
    status_label: str
    is_decided: bool
    is_approved: bool | None
    decided_at: dt.datetime | None
    note: str
    rule_set_number: int | None
    rules: list[RuleExplanationOut]
    commitment: CommitmentOut | None
    is_masked: bool


class ReplayOut(Schema):
    number: str
    rule_set_number: int
    stored_is_approved: bool
    replayed_is_approved: bool
    is_reproduced: bool
    differing_rules: list[str]
    current_rule_set_number: int | None
    current_is_approved: bool | None
    current_missing_facts: list[str]
