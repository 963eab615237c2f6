"""/api/v1/services: 一网通办. One router, one sub-router per area; schemas beside them in
schemas/ (separate ...In and ...Out). Who may see or do what is decided by the services
and selectors (selectors/access.py for cases)."""

from ninja import Router

from . import (
    applications,
    bundles,
    commitments,
    decisions,
    items,
    ratings,
    rules,
    supervision,
    tasks,
)

router = Router(tags=["一网通办"])
router.add_router("/items", items.router, tags=["事项与办事指南"])
router.add_router("/applications", applications.router, tags=["办件"])
router.add_router("/applications", decisions.router, tags=["秒批与告知承诺"])
router.add_router("/tasks", tasks.router, tags=["审批任务"])
router.add_router("/bundles", bundles.router, tags=["一件事"])
router.add_router("/ratings", ratings.router, tags=["好差评"])
router.add_router("/supervision", supervision.router, tags=["政务服务监督"])
router.add_router("/commitments", commitments.router, tags=["秒批与告知承诺"])
router.add_router("/rules", rules.router, tags=["秒批与告知承诺"])
