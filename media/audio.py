"""Joining synthesised sentences into one clip, with pauses, without holding audio in memory."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

from media import tools
from media.errors import MediaError
from media.probe import AudioInfo, check_readable, probe

# ffmpeg keeps every input open at once; beyond this many, join in groups (file descriptors).
MAX_INPUTS_PER_RUN = 64
MIN_SAMPLE_RATE = 8000
MAX_SAMPLE_RATE = 192_000


def concat_with_pauses(
    segments: list[Path], pauses_ms: list[int], out_path: Path, sample_rate: int = 24000
) -> Path:
    """Join `segments` (any format ffmpeg reads) into one mono 16-bit PCM WAV at `sample_rate`.

    `pauses_ms[i]` ms of silence follow `segments[i]`. ffmpeg streams the audio; the result is
    written to a temp name beside `out_path`, probed, then renamed into place.
    """
    _check_arguments(segments, pauses_ms, sample_rate)
    for segment in segments:
        check_readable(segment)
    with contextlib.ExitStack() as stack:
        if len(segments) > MAX_INPUTS_PER_RUN:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=out_path.parent)))
            segments, pauses_ms = _join_in_groups(segments, pauses_ms, scratch, sample_rate)
        with tools.atomic_output(out_path) as tmp:
            _run_concat(segments, pauses_ms, tmp, sample_rate)
            _verify_wav(probe(tmp), sample_rate, min_duration_s=sum(pauses_ms) / 1000)
    return out_path


def _check_arguments(segments: Sequence[Path], pauses_ms: Sequence[int], sample_rate: int) -> None:
    if not segments:
        raise MediaError("Không có đoạn âm thanh nào để ghép", code="bad_input")
    if len(pauses_ms) != len(segments):
        raise MediaError(
            f"Số khoảng nghỉ ({len(pauses_ms)}) khác số đoạn âm thanh ({len(segments)})",
            code="bad_input",
        )
    if any(pause < 0 for pause in pauses_ms):
        raise MediaError("Khoảng nghỉ không được âm", code="bad_input")
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise MediaError(f"Tần số lấy mẫu {sample_rate} Hz không hợp lệ", code="bad_input")


def _join_in_groups(
    segments: list[Path], pauses_ms: list[int], scratch: Path, sample_rate: int
) -> tuple[list[Path], list[int]]:
    """Join each run of MAX_INPUTS_PER_RUN segments (pauses included) into one WAV."""
    parts: list[Path] = []
    for start in range(0, len(segments), MAX_INPUTS_PER_RUN):
        part = scratch / f"part{len(parts):05d}.wav"
        group = slice(start, start + MAX_INPUTS_PER_RUN)
        concat_with_pauses(segments[group], pauses_ms[group], part, sample_rate)
        parts.append(part)
    return parts, [0] * len(parts)


def _run_concat(segments: Sequence[Path], pauses_ms: Sequence[int], tmp: Path, rate: int) -> None:
    inputs: list[str] = []
    chains: list[str] = []
    for index, (segment, pause) in enumerate(zip(segments, pauses_ms, strict=True)):
        # Absolute paths: a name starting with "-" would otherwise read as an ffmpeg option.
        inputs += ["-i", str(segment.resolve())]
        pad = f",apad=pad_dur={pause / 1000:.3f}" if pause else ""
        chains.append(
            f"[{index}:a:0]aresample={rate},aformat=sample_fmts=flt:channel_layouts=mono{pad}[a{index}]"
        )
    labels = "".join(f"[a{index}]" for index in range(len(segments)))
    graph = ";".join([*chains, f"{labels}concat=n={len(segments)}:v=0:a=1[out]"])
    output = ["-map", "[out]", "-c:a", "pcm_s16le", "-ar", str(rate), "-ac", "1", "-f", "wav"]
    try:
        tools.ffmpeg([*inputs, "-filter_complex", graph, *output, "-y", str(tmp)])
    except MediaError:
        _raise_for_bad_segment(segments)
        raise


def _raise_for_bad_segment(segments: Sequence[Path]) -> None:
    """Name the segment that broke the join, when one of them is not usable audio."""
    for segment in segments:
        try:
            probe(segment)
        except MediaError as exc:
            raise MediaError(f"{segment.name}: {exc.message}", code=exc.code) from exc


def _verify_wav(info: AudioInfo, sample_rate: int, *, min_duration_s: float) -> None:
    if (info.codec, info.channels, info.sample_rate) != ("pcm_s16le", 1, sample_rate):
        raise MediaError(
            f"Tệp ghép sai định dạng ({info.codec}, {info.channels} kênh, {info.sample_rate} Hz)",
            code="bad_output",
        )
    if info.duration_s + 0.01 < min_duration_s:
        raise MediaError("Tệp ghép ngắn hơn dự kiến", code="bad_output")
