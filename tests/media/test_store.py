from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from media.errors import MediaError
from media.store import MediaStore, StoredFile


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "store")


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _source(tmp_path: Path, content: bytes, name: str = "clip.mp3") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_put_stores_at_content_address(tmp_path: Path, store: MediaStore) -> None:
    content = b"ID3" + bytes(range(256)) * 5000  # > 1 MiB: several copy chunks
    sha = hashlib.sha256(content).hexdigest()

    stored = store.put(_source(tmp_path, content), ".MP3")

    expected = tmp_path / "store" / sha[:2] / sha[2:4] / f"{sha}.mp3"
    assert stored == StoredFile(sha256=sha, path=expected, size=len(content))
    assert expected.read_bytes() == content
    assert store.path_for(sha, "mp3") == expected
    assert store.exists(sha, "mp3")
    assert store.verify(sha, "mp3")
    assert _files(tmp_path / "store") == [f"{sha[:2]}/{sha[2:4]}/{sha}.mp3"]


def test_put_is_idempotent(tmp_path: Path, store: MediaStore) -> None:
    first = store.put(_source(tmp_path, b"same audio", "a.mp3"), "mp3")
    inode = first.path.stat().st_ino

    second = store.put(_source(tmp_path, b"same audio", "b.mp3"), "mp3")

    assert second == first
    assert second.path.stat().st_ino == inode  # the stored file was left alone
    assert len(_files(tmp_path / "store")) == 1


def test_same_content_other_extension_is_another_file(tmp_path: Path, store: MediaStore) -> None:
    src = _source(tmp_path, b"bytes")

    mp3, flac = store.put(src, "mp3"), store.put(src, "flac")

    assert mp3.sha256 == flac.sha256
    assert mp3.path != flac.path
    assert len(_files(tmp_path / "store")) == 2


def test_verify_detects_corruption_and_put_repairs(tmp_path: Path, store: MediaStore) -> None:
    src = _source(tmp_path, b"a bulletin clip" * 100)
    stored = store.put(src, "mp3")
    damaged = bytearray(stored.path.read_bytes())
    damaged[10] ^= 0xFF
    stored.path.write_bytes(bytes(damaged))

    assert store.exists(stored.sha256, "mp3")
    assert not store.verify(stored.sha256, "mp3")

    assert store.put(src, "mp3") == stored
    assert store.verify(stored.sha256, "mp3")


def test_verify_missing_is_false(store: MediaStore) -> None:
    assert not store.verify("ab" * 32, "mp3")
    assert not store.exists("ab" * 32, "mp3")


@pytest.mark.parametrize("make_src", ["missing", "directory"])
def test_failed_put_leaves_nothing(tmp_path: Path, store: MediaStore, make_src: str) -> None:
    src = tmp_path / "src"
    if make_src == "directory":
        src.mkdir()
    store.put(_source(tmp_path, b"one good file"), "mp3")

    with pytest.raises(MediaError) as caught:
        store.put(src, "mp3")

    assert caught.value.code == {"missing": "not_found", "directory": "unreadable"}[make_src]
    assert len(_files(tmp_path / "store")) == 1  # no temp file left in .tmp
    assert list((tmp_path / "store" / ".tmp").iterdir()) == []


@pytest.mark.parametrize(
    ("sha", "ext", "message"),
    [
        ("../../etc/passwd", "mp3", "Mã băm không hợp lệ"),
        ("AB" * 32, "mp3", "Mã băm không hợp lệ"),
        ("ab" * 32, "mp3/../x", "Đuôi tệp không hợp lệ"),
        ("ab" * 32, "", "Đuôi tệp không hợp lệ"),
    ],
    ids=["traversal", "uppercase", "bad-ext", "empty-ext"],
)
def test_addresses_are_checked(store: MediaStore, sha: str, ext: str, message: str) -> None:
    with pytest.raises(MediaError, match=f"^{message}"):
        store.path_for(sha, ext)


def test_put_rejects_bad_extension_before_writing(tmp_path: Path, store: MediaStore) -> None:
    with pytest.raises(MediaError, match="^Đuôi tệp không hợp lệ"):
        store.put(_source(tmp_path, b"x"), "../mp3")
    assert not (tmp_path / "store").exists()
