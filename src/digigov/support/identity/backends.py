"""The session backend that loads a signed-in account with what its principal needs."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from digigov.kernel.prepared import Prepared

from .models import Account

# Every request with a session reads its account: compiled once (kernel.prepared).
_ACCOUNT = Prepared(
    lambda pk: Account._default_manager.select_related("person", "organization").filter(pk=pk),
    pk=0,
)

SESSION_BACKEND = "digigov.support.identity.backends.AccountBackend"


class AccountBackend(ModelBackend):
    """Reads the account of a session together with its registry person and organization
    (one query instead of three: Account.as_principal reads the region of either).

    It never checks passwords: the login views authenticate through the listed backends
    (axes, then ModelBackend) and then sign in with this one, so a failed login costs one
    password hash, not two."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        return None

    def get_user(self, user_id):
        try:
            user = _ACCOUNT.first(pk=int(user_id))
        except (TypeError, ValueError):
            return None
        return user if user is not None and self.user_can_authenticate(user) else None
