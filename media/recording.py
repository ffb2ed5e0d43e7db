"""Checking a human recording before it is accepted for a bulletin.

Cheap checks first (size, probe, header duration), then one full decode: the only way to catch
a truncated file, a header that lies about the duration, or a recording of nothing but silence.
"""

from __future__ import annotations

import math
import struct
from dataclasses import replace
from pathlib import Path

from media.errors import MediaError
from media.loudness import scan
from media.probe import AudioInfo, check_readable, probe

MIN_SAMPLE_RATE = 8000
SILENCE_THRESHOLD_DB = -50.0
FORMATS_HINT = "MP3, WAV, OGG/Opus, M4A hoặc FLAC"
# ffprobe's format_name -> the codecs accepted inside it. WebM/Opus is what browsers record.
ACCEPTED: dict[str, frozenset[str]] = {
    "mp3": frozenset({"mp3"}),
    "wav": frozenset({"pcm_*"}),
    "ogg": frozenset({"opus", "vorbis", "flac"}),
    "mov,mp4,m4a,3gp,3g2,mj2": frozenset({"aac", "alac"}),
    "flac": frozenset({"flac"}),
    "matroska,webm": frozenset({"opus", "vorbis"}),
}


def inspect_recording(
    path: Path,
    max_duration_s: float,
    max_bytes: int,
    *,
    silence_threshold_db: float = SILENCE_THRESHOLD_DB,
) -> AudioInfo:
    """Accept `path` as a recording or raise MediaError saying why not.

    Wrong sample rates are accepted (the clip chain resamples), below 8000 Hz they are refused.
    The returned duration is the decoded one.
    """
    size = check_readable(path)
    if size > max_bytes:
        raise MediaError(
            f"Tệp nặng {_size(size)}, vượt giới hạn {_size(max_bytes)}", code="too_large"
        )
    info = probe(path)
    if info.has_video:
        raise MediaError("Tệp có hình ảnh (video); chỉ nhận tệp âm thanh", code="video")
    _check_format(info)
    if info.sample_rate < MIN_SAMPLE_RATE:
        raise MediaError(
            f"Tần số lấy mẫu {info.sample_rate} Hz quá thấp (tối thiểu {MIN_SAMPLE_RATE} Hz)",
            code="sample_rate",
        )
    _check_duration(info.duration_s, max_duration_s)
    if info.format_name == "wav" and _wav_is_short(path, size):
        raise MediaError("Tệp âm thanh bị cắt cụt", code="truncated")
    # Bounded by the limit: a 15-minute file decodes in seconds; a lying header cannot stall us.
    found = scan(
        path, loudness=False, peak_level=True, strict=True, timeout=60 + max_duration_s / 5
    )
    _check_duration(found.duration_s, max_duration_s)
    missing = info.duration_s - found.duration_s
    if found.duration_s <= 0 or missing > max(0.5, 0.05 * info.duration_s):
        raise MediaError("Tệp âm thanh bị cắt cụt", code="truncated")
    assert found.max_volume_db is not None
    if found.max_volume_db < silence_threshold_db:
        raise MediaError("Bản ghi toàn im lặng", code="silent")
    return replace(info, duration_s=found.duration_s)


def _check_format(info: AudioInfo) -> None:
    codecs = ACCEPTED.get(info.format_name)
    if codecs is None or not any(_codec_matches(info.codec, c) for c in codecs):
        raise MediaError(
            f"Định dạng không được hỗ trợ ({info.format_name}, {info.codec}); "
            f"hãy dùng {FORMATS_HINT}",
            code="unsupported",
        )


def _codec_matches(codec: str, pattern: str) -> bool:
    return codec.startswith(pattern[:-1]) if pattern.endswith("*") else codec == pattern


def _check_duration(duration_s: float, max_duration_s: float) -> None:
    if duration_s > max_duration_s:
        raise MediaError(
            f"Bản ghi dài {math.ceil(duration_s)} giây, vượt giới hạn {max_duration_s:g} giây",
            code="too_long",
        )


def _wav_is_short(path: Path, size: int) -> bool:
    """True when the RIFF header promises more sample bytes than the file holds.

    ffmpeg trusts the file over the header, so a WAV cut on a sample boundary decodes cleanly.
    """
    with path.open("rb") as f:
        head = f.read(65536)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return False  # RF64 and friends: leave it to the decoder
    offset = 12
    while offset + 8 <= len(head):
        chunk: bytes = head[offset : offset + 4]
        length: int = struct.unpack_from("<I", head, offset + 4)[0]
        if chunk == b"data":
            # 0 and 0xFFFFFFFF mean "unknown" (a streamed write): nothing to compare with.
            return 0 < length < 0xFFFFFFFF and offset + 8 + length > size
        offset += 8 + length + (length & 1)
    return False


def _size(n_bytes: int) -> str:
    """A size as Vietnamese operators write it: "12,5 MB", "800 KB"."""
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(n_bytes / 1024))} KB"
