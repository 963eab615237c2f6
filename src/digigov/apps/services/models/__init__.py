"""Tables of 一网通办, one module per area; import from here."""

from .applications import Application, ApplicationMaterial, CaseEvent, IdempotencyKey
from .approval import CommitmentCheck, InstantDecision, InstantRuleSet
from .bundles import Bundle, BundleApplication, BundleItem
from .clock import ClockPause, ClockSetting
from .items import ServiceItem, ServiceItemVersion
from .ratings import Rating, Rectification
from .workflow import CaseTask, WorkflowCase

__all__ = [
    "Application",
    "ApplicationMaterial",
    "Bundle",
    "BundleApplication",
    "BundleItem",
    "CaseEvent",
    "CaseTask",
    "ClockPause",
    "ClockSetting",
    "CommitmentCheck",
    "IdempotencyKey",
    "InstantDecision",
    "InstantRuleSet",
    "Rating",
    "Rectification",
    "ServiceItem",
    "ServiceItemVersion",
    "WorkflowCase",
]
