"""Measuring audio with ffmpeg: EBU R128 loudness and true peak, silences, peak level.

One decode pass (`scan`) can collect several measurements at once, after optional filters, so
the clip chain measures exactly what it is about to process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from media import tools
from media.errors import MediaError
from media.probe import check_readable, progress_seconds


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float  # -70.0 (the meter's floor) for silence
    true_peak_dbtp: float  # -inf for digital silence
    lra: float


@dataclass(frozen=True)
class Silence:
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Scan:
    duration_s: float  # what decoded, not what the container claims
    loudness: Loudness | None
    silences: tuple[Silence, ...]
    max_volume_db: float | None  # sample peak, dBFS


_I = re.compile(r"^\s+I:\s+(\S+) LUFS\s*$", re.M)
_LRA = re.compile(r"^\s+LRA:\s+(\S+) LU\s*$", re.M)
_PEAK = re.compile(r"^\s+Peak:\s+(\S+) dBFS\s*$", re.M)
_SILENCE_START = re.compile(r"silence_start: (\S+)")
_SILENCE_END = re.compile(r"silence_end: (\S+)")
_MAX_VOLUME = re.compile(r"max_volume: (\S+) dB")


def scan(
    path: Path,
    *,
    pre_filters: Sequence[str] = (),
    loudness: bool = True,
    silence_threshold_db: float | None = None,
    min_silence_s: float = 0.1,
    peak_level: bool = False,
    strict: bool = False,
    timeout: float = tools.DEFAULT_TIMEOUT_S,
) -> Scan:
    """Decode the first audio stream of `path` once and measure what was asked.

    `strict` stops at the first decoding error (a truncated or damaged file) and raises.
    """
    check_readable(path)
    filters = list(pre_filters)
    if silence_threshold_db is not None:
        filters.append(f"silencedetect=n={silence_threshold_db}dB:d={min_silence_s}")
    if peak_level:
        filters.append("volumedetect")
    if loudness:  # last: ebur128 resamples to 48 kHz for its own use
        filters.append("ebur128=peak=true:framelog=verbose")
    cmd = [*tools.FFMPEG_BASE, "-progress", "pipe:1"]
    if strict:
        cmd.append("-xerror")
    cmd += ["-i", str(path.resolve()), "-map", "0:a:0"]
    if filters:
        cmd += ["-af", ",".join(filters)]
    result = tools.run([*cmd, "-f", "null", "-"], timeout=timeout)
    if result.returncode != 0:
        if strict:
            raise MediaError("Tệp âm thanh bị cắt cụt hoặc hỏng", code="truncated")
        raise MediaError(
            f"Không đọc được âm thanh: {tools.last_line(result.stderr)}", code="undecodable"
        )
    duration = progress_seconds(result.stdout)
    log = result.stderr
    return Scan(
        duration_s=duration,
        loudness=_parse_loudness(log) if loudness else None,
        silences=_parse_silences(log, duration) if silence_threshold_db is not None else (),
        max_volume_db=parse_max_volume(log) if peak_level else None,
    )


def measure(path: Path) -> Loudness:
    """Integrated loudness (LUFS), true peak (dBTP) and loudness range (LU) of `path`."""
    result = scan(path).loudness
    assert result is not None  # scan(loudness=True) always parses it or raises
    return result


def detect_silence(
    path: Path, threshold_db: float = -50.0, min_silence_s: float = 0.1
) -> list[Silence]:
    """Stretches of at least `min_silence_s` below `threshold_db`, in file order."""
    found = scan(
        path, loudness=False, silence_threshold_db=threshold_db, min_silence_s=min_silence_s
    )
    return list(found.silences)


def is_silent(path: Path, threshold_db: float = -50.0) -> bool:
    """True when no sample of `path` reaches `threshold_db` dBFS."""
    peak = scan(path, loudness=False, peak_level=True).max_volume_db
    assert peak is not None
    return peak < threshold_db


def _number(text: str) -> float:
    value = float(text)  # "-inf" and "inf" parse too
    return value if not math.isnan(value) else -math.inf


def _parse_loudness(log: str) -> Loudness:
    integrated, lra, peak = _I.findall(log), _LRA.findall(log), _PEAK.findall(log)
    if not (integrated and lra and peak):
        raise MediaError("Không đo được độ lớn âm thanh", code="measure_failed")
    return Loudness(
        integrated_lufs=_number(integrated[-1]),
        true_peak_dbtp=_number(peak[-1]),
        lra=_number(lra[-1]),
    )


def _parse_silences(log: str, duration: float) -> tuple[Silence, ...]:
    starts = [_number(m) for m in _SILENCE_START.findall(log)]
    ends = [_number(m) for m in _SILENCE_END.findall(log)]
    ends += [duration] * (len(starts) - len(ends))  # a silence running to the end of the file
    return tuple(Silence(max(0.0, s), min(e, duration)) for s, e in zip(starts, ends, strict=False))


def parse_max_volume(log: str) -> float:
    found = _MAX_VOLUME.findall(log)
    if not found:
        raise MediaError("Không đo được mức đỉnh âm thanh", code="measure_failed")
    return _number(found[-1])
