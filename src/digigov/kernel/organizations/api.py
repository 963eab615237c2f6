from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from . import selectors

router = Router(tags=["组织机构"], auth=None)


class OrganizationOut(Schema):
    id: int
    code: str
    name: str
    level: str
    region_code: str
    parent_id: int | None
    function: str

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region_id


@router.get(
    "/", response=list[OrganizationOut], summary="组织机构列表（分页、可按区划、层级、名称筛选）"
)
@paginate(LimitOffsetPagination)
def organization_list(
    request, region: str | None = None, level: str | None = None, q: str | None = None
):
    return selectors.organization_list(region_code=region, level=level, search=q)
