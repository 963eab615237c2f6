"""/api/v1/licenses/types, /keys, /issuers, /status: the public, cacheable part — the
catalog, the published signing keys and the W3C Bitstring Status List credentials. No
authentication, no personal data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router, Schema

from ..selectors import catalog as catalog_selectors
from ..selectors import keys as key_selectors
from ..selectors.status import status_list_version
from ..services.credentials import status_list_credential
from .schemas import LicenseIssuerOut, LicenseKeyOut, LicenseTypeOut

router = Router()
STATUS_LIST_MAX_AGE = 60  # seconds verifiers may reuse a list before asking again


class TypeFilter(Schema):
    holder_kind: str = ""
    issuing_function: str = ""
    q: str = ""


@router.get("/types", response=list[LicenseTypeOut], auth=None, summary="证照目录")
def license_type_list(request: HttpRequest, filters: Query[TypeFilter]):
    return catalog_selectors.license_type_list(
        holder_kind=filters.holder_kind, issuing_function=filters.issuing_function, query=filters.q
    )


@router.get(
    "/types/{code}", response=LicenseTypeOut, auth=None, summary="证照类型（照面字段与版式）"
)
def license_type_detail(request: HttpRequest, code: str):
    return catalog_selectors.license_type_get(code=code)


@router.get(
    "/keys",
    response=list[LicenseKeyOut],
    auth=None,
    summary="各颁发单位的证照签名公钥（含已停用密钥，供离线核验）",
)
def license_key_list(request: HttpRequest, issuer: str = ""):
    return key_selectors.license_keys(issuer_code=issuer)


@router.get(
    "/issuers/{code}",
    response=LicenseIssuerOut,
    auth=None,
    summary="颁发单位（可验证凭证中 issuer 的标识）及其签名公钥",
)
def license_issuer_detail(request: HttpRequest, code: str):
    return key_selectors.issuer_get(code=code)


@router.get(
    "/status/{issuer_code}/{purpose}/{sequence}",
    auth=None,
    summary="W3C 位串状态列表凭证（BitstringStatusListCredential）",
    description="purpose 为 revocation（吊销/注销/换发）或 suspension（暂停）。encodedList 为 GZIP "
    "压缩位串的 multibase base64url（前缀 u，无填充），最左位为第 0 项。支持 If-None-Match（ETag 随"
    "列表版本变化）。",
    response={200: dict, 304: None},
)
def status_list_detail(request: HttpRequest, issuer_code: str, purpose: str, sequence: int):
    version = status_list_version(issuer_code=issuer_code, purpose=purpose, sequence=sequence)
    etag = f'W/"{issuer_code}-{purpose}-{sequence}-v{version}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={STATUS_LIST_MAX_AGE}"}
    if version is not None and etag in request.headers.get("If-None-Match", ""):
        return HttpResponse(status=304, headers=headers)
    credential = status_list_credential(issuer_code=issuer_code, purpose=purpose, sequence=sequence)
    # the version may have moved between the two reads: the ETag names the body's version
    headers["ETag"] = f'W/"{issuer_code}-{purpose}-{sequence}-v{credential["version"]}"'
    return JsonResponse(credential, headers=headers, json_dumps_params={"ensure_ascii": False})
