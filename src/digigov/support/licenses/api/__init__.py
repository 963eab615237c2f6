"""/api/v1/licenses: 电子证照. One router, one sub-router per area.

Order matters: Django tries the paths in order, and the issuing area's /{address} and
/{address}/<action> would swallow any one- or two-segment path added after it. Keep the
issuing router last."""

from ninja import Router

from . import authorizations, catalog, issuing, verify, wallet

router = Router(tags=["电子证照"])
router.add_router("", catalog.router, tags=["证照目录、签名公钥与状态列表"])
router.add_router("", verify.router, tags=["电子证照核验"])
router.add_router("/wallet", wallet.router, tags=["卡包"])
router.add_router("/authorizations", authorizations.router, tags=["授权用证"])
router.add_router("", issuing.router, tags=["签发与状态管理"])  # keep last (see above)
# On this router itself: a child router mounted at "" would answer at /licenses/ instead.
router.post(
    "",
    response={201: issuing.IssuedLicenseOut},
    tags=["签发与状态管理"],
    summary=issuing.ISSUE_SUMMARY,
)(issuing.license_issue_api)
