"""Uploaded materials (申请材料上传): size and format limits per material, the content type
sniffed from the bytes (a ".pdf" that is really a program is refused), stored under
settings.DIGIGOV_UPLOAD_ROOT (outside the web root) by SHA-256, never executed and only
ever served as an attachment by a permission-checked view.

Uploads are staged before the submission: `material_stage` stores the file and returns a
signed upload token bound to the uploader, the item's standard and the material; the
submission (services/applications.py) turns tokens into ApplicationMaterial rows with
`material_from_token`. No table is needed for the staging area: the token carries the
file's description and cannot be forged or used by another account."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core import signing

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.principals import Principal
from digigov.kernel.uploads import store_stream

from ..models import ServiceItem
from ..selectors.applications import material_path

TOKEN_SALT = "digigov.services.upload"  # noqa: S105 (a signing namespace, not a secret)
TOKEN_MAX_AGE = 24 * 3600  # seconds a staged upload may wait for its submission
DEFAULT_MAX_MB = 10
DEFAULT_FORMATS = ("pdf", "jpg", "png")
# A format named in a guide -> the kinds `filetype` may sniff for it (OFD is a zip container).
SNIFFED_AS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "jpg": ("jpg",),
    "jpeg": ("jpg",),
    "png": ("png",),
    "gif": ("gif",),
    "tif": ("tif",),
    "tiff": ("tif",),
    "ofd": ("zip",),
    "zip": ("zip",),
    "docx": ("docx", "zip"),
    "xlsx": ("xlsx", "zip"),
}
UPLOADER_KINDS = ("citizen", "enterprise", "staff")


@dataclass(frozen=True)
class StagedUpload:
    token: str
    sha256: str
    size: int
    content_type: str
    original_name: str
    material_code: str


def upload_root() -> Path:
    return Path(settings.DIGIGOV_UPLOAD_ROOT)


def material_spec(*, item: ServiceItem, material_code: str) -> dict[str, Any]:
    """The material's entry in the item's published guide (or a field error)."""
    version = item.published
    for material in (version.materials if version else None) or []:
        if material.get("code") == material_code:
            return material
    raise ValidationFailed(
        "该事项没有此项申请材料",
        code="services/material_unknown",
        fields={"material_code": [f"未知的材料编码：{material_code[:40]}"]},
    )


def _formats(spec: dict[str, Any]) -> list[str]:
    return [f.lower().lstrip(".") for f in (spec.get("formats") or DEFAULT_FORMATS)]


def _refuse(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def _sniff(head: bytes, formats: list[str], original_name: str, field: str) -> tuple[str, str]:
    """(extension, content type) sniffed from the bytes, or a refusal."""
    import filetype

    allowed = "、".join(f.upper() for f in formats)
    suffix = Path(original_name).suffix.lower().lstrip(".")
    if suffix not in formats:
        raise _refuse(field, f"仅接受 {allowed} 格式的文件", "services/material_format")
    kind = filetype.guess(head)
    if kind is None or kind.extension not in SNIFFED_AS.get(suffix, (suffix,)):
        raise _refuse(
            field,
            f"文件内容与扩展名不符，仅接受 {allowed} 格式的文件",
            "services/material_disguised",
        )
    return suffix, kind.mime


def material_stage(
    *,
    principal: Principal,
    item: ServiceItem,
    material_code: str,
    original_name: str,
    content: IO[bytes],
) -> StagedUpload:
    """Check and store one uploaded file for a material of `item`; return its token."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind not in UPLOADER_KINDS:
        raise PermissionDenied("仅个人、企业或窗口人员可以上传申请材料", code="services/no_upload")
    field = f"materials.{material_code}"
    spec = material_spec(item=item, material_code=material_code)
    original_name = Path(original_name or "").name[:200]
    limit = int(spec.get("max_mb") or DEFAULT_MAX_MB) * 1024 * 1024
    formats = _formats(spec)
    head = content.read(8192)
    if not head:
        raise _refuse(field, "文件为空", "services/material_empty")
    extension, content_type = _sniff(head, formats, original_name, field)
    sha256, size, _ = store_stream(
        head=head,
        stream=content,
        root=upload_root(),
        target_of=material_path,
        max_bytes=limit,
        on_too_large=lambda: _refuse(
            field,
            f"文件超过 {spec.get('max_mb') or DEFAULT_MAX_MB} MB 的大小限制",
            "services/material_too_large",
        ),
    )
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action="services.material.upload",
        object_type="services.material",
        object_id=sha256,
        source_address=principal.source_address,
        detail={"item": item.code, "material": material_code, "size": size, "type": extension},
    )
    token = signing.dumps(
        {
            "a": principal.actor,
            "s": item.standard_code,
            "m": material_code,
            "h": sha256,
            "n": size,
            "t": content_type,
            "o": original_name,
        },
        salt=TOKEN_SALT,
        compress=True,
    )
    return StagedUpload(
        token=token,
        sha256=sha256,
        size=size,
        content_type=content_type,
        original_name=original_name,
        material_code=material_code,
    )


def material_from_token(
    *, principal: Principal, token: str, item: ServiceItem, spec: dict[str, Any]
) -> dict[str, Any]:
    """The stored file's fields for an ApplicationMaterial row, once the token is checked:
    signed by us, recent, staged by this actor for this material of this item's standard."""
    code = spec.get("code", "")
    field = f"materials.{code}"
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise _refuse(field, "上传凭证无效或已过期，请重新上传", "services/upload_token") from None
    if (
        data.get("a") != principal.actor
        or data.get("s") != item.standard_code
        or data.get("m") != code
    ):
        raise _refuse(field, "上传凭证与本次申请不符，请重新上传", "services/upload_token")
    limit = int(spec.get("max_mb") or DEFAULT_MAX_MB) * 1024 * 1024
    if data["n"] > limit:
        raise _refuse(field, "文件超过大小限制", "services/material_too_large")
    if not material_path(data["h"]).exists():
        raise _refuse(field, "上传的文件已不存在，请重新上传", "services/upload_missing")
    return {
        "source": "upload",
        "stored_name": data["h"],
        "sha256": data["h"],
        "size": data["n"],
        "content_type": data["t"],
        "original_name": data["o"],
    }
