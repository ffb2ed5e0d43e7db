"""A content-addressed file store: root/ab/cd/<sha256>.<ext>, written atomically.

A file is copied to a temp name inside the store (same filesystem), hashed as it is copied,
flushed to disk, hashed again as stored, and only then renamed to its address. A reader never
sees a partial file at an address, and a failure leaves no temp file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from media.errors import MediaError
from media.tools import fsync_path

CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_EXT = re.compile(r"^[a-z0-9]{1,8}$")
TMP_DIR = ".tmp"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    path: Path
    size: int


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str, ext: str) -> Path:
        sha256, ext = _checked(sha256, ext)
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.{ext}"

    def exists(self, sha256: str, ext: str) -> bool:
        return self.path_for(sha256, ext).is_file()

    def verify(self, sha256: str, ext: str) -> bool:
        """True when the file at the address is there and its content still hashes to it."""
        path = self.path_for(sha256, ext)
        try:
            return _hash_file(path)[0] == sha256
        except FileNotFoundError:
            return False

    def put(self, src: Path, ext: str) -> StoredFile:
        """Store a copy of `src`; storing identical content again returns the same address."""
        _checked("0" * 64, ext)
        tmp_dir = self.root / TMP_DIR
        tmp_dir.mkdir(parents=True, exist_ok=True)
        tmp = tmp_dir / f"{uuid.uuid4().hex}.part"
        try:
            sha256, size = _copy_hashing(src, tmp)
            if _hash_file(tmp) != (sha256, size):
                raise MediaError("Tệp lưu trữ không khớp mã băm sau khi ghi", code="store")
            final = self.path_for(sha256, ext)
            if self.verify(sha256, ext):  # already stored, intact: keep the existing file
                return StoredFile(sha256, final, size)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            fsync_path(final.parent)
            return StoredFile(sha256, final, size)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _checked(sha256: str, ext: str) -> tuple[str, str]:
    if not _SHA256.match(sha256):
        raise MediaError(f"Mã băm không hợp lệ: {sha256[:80]!r}", code="bad_input")
    ext = ext.lower().lstrip(".")
    if not _EXT.match(ext):
        raise MediaError(f"Đuôi tệp không hợp lệ: {ext[:20]!r}", code="bad_input")
    return sha256, ext


def _copy_hashing(src: Path, dst: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        reader = src.open("rb")
    except FileNotFoundError as exc:
        raise MediaError(f"Không tìm thấy tệp: {src.name}", code="not_found") from exc
    except (PermissionError, IsADirectoryError) as exc:
        raise MediaError(f"Không đọc được tệp: {src.name}", code="unreadable") from exc
    with reader, dst.open("xb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return digest.hexdigest(), size


def _hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
