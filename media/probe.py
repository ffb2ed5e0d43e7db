"""What an audio file is, according to ffprobe."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from media import tools
from media.errors import MediaError

PROBE_TIMEOUT_S = 30.0
# Demuxers that accept almost any bytes (a text file renamed .mp3 can land in them).
_NOT_AUDIO_FORMATS = frozenset({"tty", "txt", "image2", "png_pipe", "jpeg_pipe", "svg_pipe"})


@dataclass(frozen=True)
class AudioInfo:
    """The first audio stream of a file, plus the container's view of it."""

    duration_s: float
    codec: str
    sample_rate: int
    channels: int
    format_name: str
    bit_rate: int | None
    size_bytes: int
    has_video: bool = False  # a real picture stream (cover art does not count)


def check_readable(path: Path) -> int:
    """The file's size; MediaError if it is missing, not a regular file, unreadable or empty."""
    try:
        stat = path.stat()
        if not path.is_file():
            raise MediaError(f"Không phải tệp: {path.name}", code="not_found")
        with path.open("rb"):
            pass
    except FileNotFoundError as exc:
        raise MediaError(f"Không tìm thấy tệp: {path.name}", code="not_found") from exc
    except PermissionError as exc:
        raise MediaError(f"Không đọc được tệp: {path.name}", code="unreadable") from exc
    if stat.st_size == 0:
        raise MediaError("Tệp rỗng (0 byte)", code="empty")
    return stat.st_size


def probe(path: Path) -> AudioInfo:
    """Probe `path`; MediaError when it is not a readable audio file."""
    size = check_readable(path)
    result = tools.run(
        [
            tools.FFPROBE,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path.resolve()),  # absolute: a name starting with "-" is not an option
        ],
        timeout=PROBE_TIMEOUT_S,
    )
    if result.returncode != 0:
        if "moov atom not found" in result.stderr:  # MP4/M4A whose index (at the end) is cut off
            raise MediaError("Tệp âm thanh bị cắt cụt", code="truncated")
        raise MediaError("Tệp không phải âm thanh", code="not_audio")
    try:
        data: dict[str, Any] = json.loads(result.stdout or "{}")
    except json.JSONDecodeError as exc:
        raise MediaError("Tệp không phải âm thanh", code="not_audio") from exc
    return _info_from(data, path, size)


def _info_from(data: dict[str, Any], path: Path, size: int) -> AudioInfo:
    fmt: dict[str, Any] = data.get("format") or {}
    streams: list[dict[str, Any]] = data.get("streams") or []
    format_name = str(fmt.get("format_name", ""))
    if not streams or format_name in _NOT_AUDIO_FORMATS:
        raise MediaError("Tệp không phải âm thanh", code="not_audio")
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    has_video = any(
        s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
        for s in streams
    )
    if not audio:
        if has_video:
            raise MediaError("Tệp chỉ có hình ảnh, không có âm thanh", code="video_only")
        raise MediaError("Tệp không có luồng âm thanh", code="no_audio")
    stream = audio[0]
    sample_rate = _int(stream.get("sample_rate")) or 0
    channels = _int(stream.get("channels")) or 0
    if sample_rate <= 0 or channels <= 0:
        raise MediaError("Tệp không phải âm thanh", code="not_audio")
    duration = _float(fmt.get("duration")) or _float(stream.get("duration"))
    if duration is None:  # some raw streams carry no duration: decode to find it
        duration = decoded_duration(path)
    return AudioInfo(
        duration_s=duration,
        codec=str(stream.get("codec_name", "")),
        sample_rate=sample_rate,
        channels=channels,
        format_name=format_name,
        bit_rate=_int(stream.get("bit_rate")) or _int(fmt.get("bit_rate")),
        size_bytes=size,
        has_video=has_video,
    )


def decoded_duration(path: Path, *, timeout: float = tools.DEFAULT_TIMEOUT_S) -> float:
    """Seconds of audio that actually decode (the container may claim more)."""
    result = tools.run(
        [*tools.FFMPEG_BASE, "-progress", "pipe:1", "-i", str(path.resolve()), "-map", "0:a:0"]
        + ["-f", "null", "-"],
        timeout=timeout,
    )
    return progress_seconds(result.stdout)


def progress_seconds(progress: str) -> float:
    """The final `out_time_us` of ffmpeg's -progress output, in seconds (0.0 when absent)."""
    last = 0
    for line in progress.splitlines():
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().lstrip("-").isdigit():
            last = max(0, int(value))
    return last / 1_000_000


def _float(value: object) -> float | None:
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if math.isfinite(number) and number > 0 else None


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
