"""Running ffmpeg/ffprobe with a timeout, and writing outputs atomically."""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

from media.errors import MediaError

# Generous: a 15-minute recording decodes in a few seconds; a stuck process must not hang a job.
DEFAULT_TIMEOUT_S = 300.0

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
# Every ffmpeg run: no stdin (a job has none), no banner, no progress lines on stderr.
FFMPEG_BASE = (FFMPEG, "-nostdin", "-hide_banner", "-nostats")


def run(
    cmd: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    """Run a media tool; a missing binary or a timeout becomes a MediaError. Exit code is kept."""
    try:
        return subprocess.run(
            list(cmd),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise MediaError(f"Chưa cài đặt {cmd[0]} trên máy chủ", code="tool_missing") from exc
    except subprocess.TimeoutExpired as exc:  # subprocess.run has already killed the child
        raise MediaError(
            f"{cmd[0]} chạy quá {timeout:.0f} giây và đã bị dừng", code="timeout"
        ) from exc


def ffmpeg(args: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT_S) -> str:
    """Run ffmpeg with `args` and return its stderr; MediaError with its last words on failure."""
    result = run([*FFMPEG_BASE, *args], timeout=timeout)
    if result.returncode != 0:
        raise MediaError(f"Xử lý âm thanh thất bại: {last_line(result.stderr)}", code="ffmpeg")
    return result.stderr


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "không rõ lỗi"


def temp_sibling(final: Path) -> Path:
    """A unique hidden name next to `final` (same filesystem, so os.replace is atomic)."""
    return final.with_name(f".{final.stem}.{uuid.uuid4().hex[:12]}.part{final.suffix}")


@contextlib.contextmanager
def atomic_output(final: Path) -> Iterator[Path]:
    """Yield a temp path beside `final`; on success rename it into place, on failure delete it.

    The body writes and verifies the temp file; nothing half-written is ever at `final`.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(final)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def fsync_path(path: Path) -> None:
    """Flush a file (or a directory entry) to disk."""
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
