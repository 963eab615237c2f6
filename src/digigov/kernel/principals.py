"""Who is asking: the one value every selector and service receives to decide what it may
see or do. Built by the identity layer for people and by kernel.api for machine clients."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    kind: str  # "anonymous", "citizen", "enterprise", "staff", "machine", "operator" (CLI)
    id: str = ""
    label: str = ""
    organization_id: int | None = None
    region_code: str = ""
    person_id_number: str = ""
    scopes: frozenset[str] = field(default_factory=frozenset)
    permissions: frozenset[str] = field(default_factory=frozenset)
    acting_for: str = ""
    source_address: str = ""
    # A person's account: its real-name (assurance) level as read with the account for
    # this request; None where unknown (machines, principals built by hand).
    assurance_level: int | None = None

    @property
    def actor(self) -> str:
        """The audit log's name for this principal, e.g. "staff:12" or "client:7"."""
        return f"{self.kind}:{self.id}" if self.id else self.kind

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def has_perm(self, permission: str) -> bool:
        return permission in self.permissions


ANONYMOUS = Principal(kind="anonymous")


def client_address(request) -> str:
    """The caller's network address as the audit log records it."""
    return request.META.get("REMOTE_ADDR", "")


def request_principal(request, user=None) -> Principal:
    """The principal of a request's user (by default the signed-in one). Accounts build
    their own (identity's Account.as_principal); anything else gets a minimal one."""
    user = user if user is not None else request.user
    if not user.is_authenticated:
        return Principal(kind="anonymous", source_address=client_address(request))
    build = getattr(user, "as_principal", None)
    if build is None:
        return Principal(
            kind="staff" if user.is_staff else "citizen",
            id=str(user.pk),
            source_address=client_address(request),
        )
    return build(source_address=client_address(request))
