import hashlib
import io
import stat

import pytest

from digigov.kernel.uploads import CHUNK, store_stream


class TooLarge(Exception):
    pass


def test_store_stream_hashes_renames_and_locks_down(tmp_path):
    data = b"x" * (CHUNK * 2 + 10)
    sha256, size, path = store_stream(
        head=data[:100],
        stream=io.BytesIO(data[100:]),
        root=tmp_path / "root",
        target_of=lambda h: tmp_path / "root" / h[:2] / h,
        max_bytes=len(data),
        on_too_large=TooLarge,
    )
    assert (sha256, size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "root").iterdir()] == [sha256[:2]]  # no temp file left


def test_store_stream_refuses_past_the_limit_and_leaves_nothing(tmp_path):
    with pytest.raises(TooLarge):
        store_stream(
            head=b"abc",
            stream=io.BytesIO(b"d" * 10),
            root=tmp_path,
            target_of=lambda h: tmp_path / h,
            max_bytes=12,
            on_too_large=TooLarge,
        )
    assert list(tmp_path.iterdir()) == []
