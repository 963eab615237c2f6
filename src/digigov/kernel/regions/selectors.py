from __future__ import annotations

from django.db.models import QuerySet

from digigov.kernel.memo import memo_prime, memoized
from digigov.kernel.prepared import Prepared

from .models import Region


def region_code_prefix(code: str) -> str:
    """The prefix every code at or below a region starts with: GB/T 2260 codes nest by
    prefix, so 440000 -> 44 (the province), 440100 -> 4401 (a city), and a county's, town's
    or village's own code (440103, 440103001, 440103001001)."""
    code = code.strip()
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def region_get(code: str) -> Region | None:
    return memoized(("regions.region", code), lambda: Region.objects.filter(code=code).first())


def region_exists(code: str) -> bool:
    return Region.objects.filter(code=code).exists()


def region_children(*, parent_code: str | None) -> QuerySet[Region]:
    return Region.objects.filter(parent_id=parent_code).order_by("code")


def _code_ancestors(code: str) -> list[str]:
    """The codes GB/T 2260 nesting predicts above `code`, nearest first (a 12-digit village
    -> its 9-digit town -> county -> city -> province)."""
    found = [code[:size] for size in (9, 6) if len(code) > size]
    county = code[:6]
    if len(county) == 6 and not county.endswith("00"):
        found.append(county[:4] + "00")
    if len(county) == 6 and not county.endswith("0000"):
        found.append(county[:2] + "0000")
    return [c for c in dict.fromkeys(found) if c != code]


def region_ancestors(code: str) -> list[Region]:
    """The region and its ancestors, province first: one query for the chain the code
    predicts, then the parent links (followed one by one where the tree departs from the
    code pattern, e.g. a synthetic town under another code)."""
    return memoized(("regions.ancestors", code), lambda: _ancestors(code))


# A chain is at most five codes (village, town, county, city, province): one compiled
# statement per length (kernel.prepared).
_BY_CODES = {
    size: Prepared(
        lambda **codes: Region.objects.filter(code__in=list(codes.values())),
        **{f"code{n}": "" for n in range(size)},
    )
    for size in range(1, 6)
}


def _ancestors(code: str) -> list[Region]:
    codes = [code, *_code_ancestors(code)]
    rows = _BY_CODES[len(codes)].all(**{f"code{n}": c for n, c in enumerate(codes)})
    known = {r.code: r for r in rows}
    for region in known.values():
        memo_prime(("regions.region", region.code), region)
    chain: list[Region] = []
    region = known.get(code)
    while region is not None:
        chain.append(region)
        parent = region.parent_id
        region = (known.get(parent) or region.parent) if parent else None
    return list(reversed(chain))
