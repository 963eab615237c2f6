"""Content-addressed storage of an uploaded stream: written to a temporary file in the upload
root while hashing, refused past a size limit, then renamed into place under its SHA-256
(mode 0600: data, never a program). Each app keeps its own checks, codes and messages."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

CHUNK = 64 * 1024


def store_stream(
    *,
    head: bytes,
    stream: IO[bytes],
    root: Path,
    target_of: Callable[[str], Path],
    max_bytes: int,
    on_too_large: Callable[[], BaseException],
) -> tuple[str, int, Path]:
    """Store `head` and the rest of `stream`; return (sha256, size, path).

    `target_of(sha256)` names the final path (on the same filesystem as `root`); past
    `max_bytes` the exception `on_too_large()` is raised and nothing stays on disk."""
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise on_too_large()
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(CHUNK)
        sha256 = digest.hexdigest()
        target = target_of(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(temporary, 0o600)  # data, never a program
        os.replace(temporary, target)  # same content, same name: replacing is harmless
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return sha256, size, target
