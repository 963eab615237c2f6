"""/api/v1/catalog: 数据目录. Browse and search the catalog (civil servants' sessions, machine
clients with catalog:read or catalog:write), register and maintain a department's resources
and systems (its 数据目录管理员, or its systems with catalog:write), the data bureau's review,
and uploading the rows of a dataset."""

from ninja import Router

from . import resources, systems

router = Router(tags=["数据目录"])
router.add_router("", systems.router)
router.add_router("", resources.router)
