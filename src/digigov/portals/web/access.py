"""Page guards of the portals: identity's account-kind guard, with the portal's name on its
"wrong account" page and a link back to the signed-in account's own portal."""

from __future__ import annotations

from collections.abc import Callable

from digigov.support.identity.decorators import account_kind_required

PORTAL_HOME = {"citizen": "citizen:home", "enterprise": "business:home", "staff": "staff:home"}


def portal_for(kind: str, *, portal: str, portal_name: str) -> Callable:
    """Only accounts of `kind` reach the view (staff: with a verified second factor)."""
    return account_kind_required(
        kind, page_context={"portal": portal, "portal_name": portal_name}, homes=PORTAL_HOME
    )
