"""The day package as an endpoint device holds it: the signed manifest checked, its items with
the cached file each one plays, and the sha256/size check every cached file must pass.

A manifest is trusted only when its HMAC verifies with the key the device derives from its
own token (docs/PROGRAMMES.md); nothing in an unverified manifest is ever used, not even a URL.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from playlists.export import MANIFEST_FORMAT, verify_manifest
from playlists.times import iso_utc, parse_utc

ErrorKind = Literal["auth", "network", "signature", "not_found", "integrity", "server", "data"]
Source = Literal["network", "not_modified", "offline"]


class EndpointError(Exception):
    """What stops the device, in words for the person installing it (Vietnamese)."""

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


def signing_key(token: str) -> str:
    """The manifest's HMAC key: the lowercase hex sha256 of the token (the server keeps only
    this hash, so it can sign without knowing the token)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def file_matches(path: Path, sha256: str, size: int) -> bool:
    """The file is there, of `size` bytes, and hashes to `sha256`."""
    try:
        if path.stat().st_size != size:
            return False
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest() == sha256
    except OSError:
        return False


@dataclass(frozen=True)
class MediaRef:
    """A file the package names: where to fetch it and what it must hash to."""

    sha256: str
    size: int
    url: str

    def path(self, media_dir: Path) -> Path:
        return media_dir / f"{self.sha256}.mp3"


@dataclass(frozen=True)
class PackageItem:
    key: str  # playlists.keys.item_key: `<planned start ISO UTC ms>/<bulletin id or kind>`
    session: str
    kind: str
    start: datetime
    duration_ms: int
    title: str
    bulletin_id: int | None
    media: MediaRef
    path: Path

    @property
    def end(self) -> datetime:
        return self.start + timedelta(milliseconds=self.duration_ms)


@dataclass(frozen=True)
class DayPackage:
    station: str
    day: date
    timezone: str
    version: int | None
    manifest: dict[str, Any]
    items: tuple[PackageItem, ...]
    session_files: tuple[Path, ...]
    source: Source  # fetched, unchanged since the cached copy (304), or the cached copy offline
    downloaded: int  # files fetched now (a missing or corrupt cached file is fetched again)
    reused: int  # cached files that passed the check
    missing: tuple[str, ...]  # item keys without a good file: they are skipped
    problems: tuple[str, ...]  # why files could not be had

    @property
    def end(self) -> datetime | None:
        ends = [parse_utc(s["end"]) for s in self.manifest["sessions"]]
        ends += [i.end for i in self.items]
        return max(ends, default=None)


def _bad(what: str) -> EndpointError:
    return EndpointError(f"Bản kê chương trình không đúng định dạng: {what}", "data")


def _str(entry: dict[str, Any], name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str):
        raise _bad(f"thiếu trường {name}")
    return value


def _int(entry: dict[str, Any], name: str, optional: bool = False) -> int | None:
    value = entry.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _bad(f"trường {name} phải là số nguyên")
    return value


def _media(entry: dict[str, Any]) -> MediaRef:
    sha = _str(entry, "sha256")
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise _bad(f"sha256 không hợp lệ {sha[:70]!r}")
    size = _int(entry, "size")
    assert size is not None
    return MediaRef(sha256=sha, size=size, url=_str(entry, "url"))


def checked_manifest(data: Any, key: str, station_code: str | None) -> dict[str, Any]:
    """`data` if it is a manifest signed with `key` for `station_code`; EndpointError if not."""
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise _bad(f"không phải {MANIFEST_FORMAT}")
    if data.get("signature") is None:
        raise EndpointError(
            "Bản kê chương trình không có chữ ký: không dùng được (đài chưa có mã truy cập?)",
            "signature",
        )
    if not verify_manifest(data, key):
        raise EndpointError(
            "Chữ ký của bản kê chương trình không khớp với mã truy cập của đài: bản kê đã bị "
            "sửa trên đường truyền hoặc không dành cho thiết bị này; đã từ chối",
            "signature",
        )
    station = data.get("station")
    if station_code is not None and station != station_code:
        raise EndpointError(
            f"Mã truy cập này thuộc đài {station}, không phải đài {station_code}", "auth"
        )
    return data


def parse_items(manifest: dict[str, Any], media_dir: Path) -> tuple[PackageItem, ...]:
    items = manifest.get("items")
    if not isinstance(items, list):
        raise _bad("thiếu danh sách items")
    out = []
    for entry in items:
        if not isinstance(entry, dict):
            raise _bad("mục không phải đối tượng")
        try:
            start = parse_utc(_str(entry, "start"))
        except ValueError as exc:
            raise _bad(f"giờ bắt đầu sai {entry.get('start')!r}") from exc
        bulletin_id = _int(entry, "bulletin_id", optional=True)
        kind = _str(entry, "kind")
        media = _media(entry)
        duration = _int(entry, "duration_ms")
        assert duration is not None
        out.append(
            PackageItem(
                key=f"{iso_utc(start)}/{bulletin_id if bulletin_id is not None else kind}",
                session=_str(entry, "session"),
                kind=kind,
                start=start,
                duration_ms=duration,
                title=_str(entry, "title"),
                bulletin_id=bulletin_id,
                media=media,
                path=media.path(media_dir),
            )
        )
    return tuple(sorted(out, key=lambda i: i.start))


def session_media(manifest: dict[str, Any]) -> tuple[MediaRef, ...]:
    sessions = manifest.get("sessions")
    if not isinstance(sessions, list):
        raise _bad("thiếu danh sách sessions")
    refs = []
    for entry in sessions:
        if not isinstance(entry, dict):
            raise _bad("buổi không phải đối tượng")
        audio = entry.get("audio")
        if isinstance(audio, dict):
            refs.append(_media(audio))
    return tuple(refs)


def manifest_day(manifest: dict[str, Any]) -> date:
    try:
        return date.fromisoformat(_str(manifest, "date"))
    except ValueError as exc:
        raise _bad(f"ngày sai {manifest.get('date')!r}") from exc


def cache_name(folder: Path, station: str, day: date) -> Path:
    return folder / f"{station}-{day.isoformat()}.json"


def load_cached(
    folder: Path, key: str, station_code: str | None, day: date | None
) -> tuple[str | None, dict[str, Any]] | None:
    """The ETag and the last good manifest of `day` (None: of today where the station is)
    kept in `folder`, checked again: a file changed on disk is as if there were none."""
    pattern = f"{station_code or '*'}-{day.isoformat() if day else '*'}.json"
    for path in sorted(folder.glob(pattern), reverse=True):
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            manifest = checked_manifest(stored["manifest"], key, station_code)
            found = manifest_day(manifest)
            if day is None and found != datetime.now(ZoneInfo(manifest["timezone"])).date():
                continue
            if day is not None and found != day:
                continue
        except (OSError, ValueError, KeyError, TypeError, EndpointError):
            continue
        etag = stored.get("etag")
        return (etag if isinstance(etag, str) else None), manifest
    return None
