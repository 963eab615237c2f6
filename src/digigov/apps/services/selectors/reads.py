"""The registry and account reads a submission repeats (the applicant check, the prefill,
the rules' facts), answered once inside the kernel.memo scope that application_submit
opens; outside it they read every time, exactly as the selectors they wrap."""

from __future__ import annotations

from digigov.data.registries import selectors as registries
from digigov.data.registries.selectors import EntityBrief, PersonBrief
from digigov.kernel.memo import memoized
from digigov.support.identity.selectors import account_active


def _key(value: str) -> str:
    return (value or "").strip().upper()


def person_brief(*, id_number: str) -> PersonBrief | None:
    key = _key(id_number)
    return memoized(
        ("registries.person_brief", key), lambda: registries.person_brief(id_number=key)
    )


def entity_brief(*, uscc: str) -> EntityBrief | None:
    key = _key(uscc)
    return memoized(("registries.entity_brief", key), lambda: registries.entity_brief(uscc=key))


def real_name_level_key(account_id: int) -> tuple[str, int]:
    return ("identity.real_name_level", account_id)


def real_name_level(*, account_id: int) -> int | None:
    """The active account's real-name level; None when there is no active account."""

    def read() -> int | None:
        account = account_active(account_id=account_id)
        return int(account.real_name_level) if account is not None else None

    return memoized(real_name_level_key(account_id), read)
