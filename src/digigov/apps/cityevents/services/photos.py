"""Photo evidence (随手拍, 处置, 核查): the approach of apps/services' materials — the type
sniffed from the bytes with `filetype` (a ".jpg" that is really something else is refused),
a size limit, stored by SHA-256 under settings.DIGIGOV_UPLOAD_ROOT/cityevents (outside the
web root, mode 0600), served only by a view that asks selectors.photo_for_viewer."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from digigov.kernel.errors import ValidationFailed
from digigov.kernel.uploads import store_stream

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_COUNT = 6
PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    size: int
    content_type: str
    original_name: str


def photo_path(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 name")
    return Path(settings.DIGIGOV_UPLOAD_ROOT) / "cityevents" / sha256[:2] / sha256


def _refuse(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={"photos": [message]})


def _open(upload) -> tuple[str, object]:
    """(name, binary stream) of an UploadedFile, an open file or a (name, bytes) pair."""
    if isinstance(upload, tuple):
        name, data = upload
        return str(name), io.BytesIO(data)
    return str(getattr(upload, "name", "") or ""), upload


def photo_store(upload) -> StoredPhoto:
    """Check and store one photo; refuse an empty, disguised, unknown or too large file."""
    import filetype

    name, stream = _open(upload)
    name = Path(name).name[:200]
    head = stream.read(8192)
    if not head:
        raise _refuse("照片文件为空", "cityevents/photo_empty")
    kind = filetype.guess(head)
    if kind is None or kind.extension not in PHOTO_TYPES:
        raise _refuse("仅接受 JPG、PNG、WEBP 格式的照片", "cityevents/photo_format")
    sha256, size, _ = store_stream(
        head=head,
        stream=stream,
        root=Path(settings.DIGIGOV_UPLOAD_ROOT) / "cityevents",
        target_of=photo_path,
        max_bytes=PHOTO_MAX_BYTES,
        on_too_large=lambda: _refuse(
            f"照片超过 {PHOTO_MAX_BYTES // (1024 * 1024)} MB 的大小限制",
            "cityevents/photo_too_large",
        ),
    )
    return StoredPhoto(
        sha256=sha256, size=size, content_type=PHOTO_TYPES[kind.extension], original_name=name
    )


def photos_store(uploads) -> list[StoredPhoto]:
    uploads = list(uploads or ())
    if len(uploads) > PHOTO_MAX_COUNT:
        raise _refuse(f"一次最多上传 {PHOTO_MAX_COUNT} 张照片", "cityevents/photo_count")
    return [photo_store(upload) for upload in uploads]
