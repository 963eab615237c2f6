"""Who may do what in 开放广东.

- Publishers: staff of the dataset's department holding opendata.publish_dataset (they also
  decide the conditional-access applications of their datasets).
- Reviewers: staff of a data bureau (function "zsj") holding opendata.review_dataset, for
  departments in their region and below; they also answer data requests and moderate
  comments and showcases (opendata.answer_request / opendata.moderate_comment).
- Anyone (also anonymous) reads published datasets; conditional datasets' rows need an
  approved, unexpired application of the caller (a signed-in person or a developer key's
  owner)."""

from __future__ import annotations

from django.utils import timezone

from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_code_prefix

from ..models import AccessApplication, OpenDataset

PUBLISH_PERMISSION = "opendata.publish_dataset"
REVIEW_PERMISSION = "opendata.review_dataset"
ANSWER_PERMISSION = "opendata.answer_request"
MODERATE_PERMISSION = "opendata.moderate_comment"
SYSTEM_KINDS = frozenset({"operator", "system"})
BUREAU_FUNCTION = "zsj"


def may_publish(principal: Principal, organization_id: int) -> bool:
    if principal.kind in SYSTEM_KINDS:
        return True
    return (
        principal.kind == "staff"
        and principal.has_perm(PUBLISH_PERMISSION)
        and principal.organization_id == organization_id
    )


def _bureau_prefix(principal: Principal, permission: str) -> str | None:
    if principal.kind != "staff" or not principal.has_perm(permission):
        return None
    if not principal.organization_id:
        return None
    own = Organization.objects.filter(pk=principal.organization_id).only("function", "region")
    own = own.first()
    if own is None or own.function != BUREAU_FUNCTION:
        return None
    return region_code_prefix(own.region_id)


def reviewer_prefix(principal: Principal) -> str | None:
    """The region prefix a data-bureau reviewer covers, or None."""
    if principal.kind in SYSTEM_KINDS:
        return "44"
    return _bureau_prefix(principal, REVIEW_PERMISSION)


def may_review(principal: Principal, dataset: OpenDataset) -> bool:
    prefix = reviewer_prefix(principal)
    return prefix is not None and dataset.region_code.startswith(prefix)


def may_answer_requests(principal: Principal) -> bool:
    return (
        principal.kind in SYSTEM_KINDS or _bureau_prefix(principal, ANSWER_PERMISSION) is not None
    )


def may_moderate(principal: Principal) -> bool:
    return principal.kind in SYSTEM_KINDS or (
        principal.kind == "staff" and principal.has_perm(MODERATE_PERMISSION)
    )


def has_approved_application(*, actor: str, dataset_id) -> bool:
    if not actor:
        return False
    return AccessApplication.objects.filter(
        dataset_id=dataset_id,
        applicant=actor,
        state=AccessApplication.State.APPROVED,
        valid_until__gte=timezone.localdate(),
    ).exists()


def may_read_rows(
    *, actor: str | None, dataset: OpenDataset, principal: Principal | None = None
) -> bool:
    """Rows (downloads, datastore) of a published dataset: everyone for unconditional ones;
    for conditional ones the holder of an approved application, the publisher and system."""
    if dataset.state != OpenDataset.State.PUBLISHED:
        return False
    if dataset.open_condition == OpenDataset.OpenCondition.UNCONDITIONAL:
        return True
    if principal is not None and (
        principal.kind in SYSTEM_KINDS or may_publish(principal, dataset.organization_id)
    ):
        return True
    return has_approved_application(actor=actor or "", dataset_id=dataset.pk)
