from ninja import Router, Schema

from digigov.kernel.errors import NotFound

from . import selectors

router = Router(tags=["行政区划"], auth=None)


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    is_synthetic: bool


def _out(region) -> RegionOut:
    return RegionOut(
        code=region.code,
        name=region.name,
        level=region.level,
        parent_code=region.parent_id,
        is_synthetic=region.is_synthetic,
    )


@router.get("/", response=list[RegionOut], summary="下级区划列表（不带 parent 为省级）")
def region_list(request, parent: str | None = None):
    return [_out(r) for r in selectors.region_children(parent_code=parent)]


@router.get("/{code}", response=RegionOut, summary="区划详情")
def region_detail(request, code: str):
    region = selectors.region_get(code)
    if region is None:
        raise NotFound("区划代码不存在", code="region_not_found")
    return _out(region)
