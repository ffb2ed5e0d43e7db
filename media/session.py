"""One audio file per programme session, for store-and-forward endpoints.

The clips are already in the house format (media.chain), so the session is the ffmpeg concat
demuxer over a list of clips and silence, stream-copied (`-c copy`): ffmpeg holds a packet at a
time, Python only writes the list and hashes the result in chunks.

Where a clip lands is counted in MP3 frames (576 samples = 24 ms at 24 kHz), from the clips'
headers (media.mp3frames). Measured with ffmpeg 5.1 (Debian bookworm): the copied output keeps
every audio frame of every input (the inputs' Info frames are dropped, a new one is written);
its LAME tag carries the first clip's encoder delay and the last clip's padding, so the decoder
trims only those two. Every other clip keeps its delay and padding on the timeline (46-70 ms at
the house format), and its audio starts exactly `576 * frames before it` samples into the
decoded file. Silence before each part is chosen against the part's absolute planned start (not
the previous gap), so rounding never accumulates: with the usual gaps every onset is within half a
frame (12 ms) of the plan, whatever the session's length.

Silence is frames of digital silence written here (media.mp3frames.silent_frame), one file
per distinct length, reused: same header as the clips, no encoder delay or bit reservoir, so any
count can be placed anywhere, and no libmp3lame run (a process start is ~55 ms, a sixth of a
1-hour render). The mp3 demuxer cannot open a one-frame file, hence at least two frames per
piece. Raw frames start their timestamps at zero while a tagged clip's start one delay early, so
every list entry gets a `duration` that keeps timestamps increasing (ffmpeg's muxer complains
otherwise).

The output is checked from its own headers before the rename: format as asked; when copied, its
frame and byte counts equal the plan's (a damaged clip shows here); decoded length and every
onset within 50 ms of the plan. That is stricter than ffprobe, which would add a process.

Re-encoding (the same list decoded, then libmp3lame) is used when the clips' format differs
from the one asked for, and when the gaps are too short for copying: a copied clip brings its
delay and padding along, so clips planned back to back (gap under ~70 ms) would drift; copying
is kept while every part stays within 25 ms of its plan. Decoding honours each clip's LAME tag,
so there the timeline is the clips' exact decoded lengths.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from media import tools
from media.chain import MP3_BITRATES_KBPS, MP3_SAMPLE_RATES
from media.errors import MediaError
from media.mp3frames import Mp3Layout, read_layout, silent_frame
from media.probe import progress_seconds
from media.session_plan import (
    PLACEMENT_TOLERANCE_MS,
    Plan,
    SessionPart,
    check_parts,
    place,
    read_clips,
    silence_pieces,
)

__all__ = ["RenderedSession", "SessionPart", "render_session"]

DEFAULT_TIMEOUT_S = 1800.0  # a 24-hour session copies in ~10 s; re-encoding one takes minutes
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RenderedSession:
    path: Path
    sha256: str
    size: int
    duration_ms: int
    onsets_ms: tuple[int, ...]  # where each part starts in the decoded output


def render_session(
    parts: Sequence[SessionPart],
    dst: Path,
    workdir: Path,
    *,
    sample_rate: int = 24000,
    bitrate_kbps: int = 48,
    channels: int = 1,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    progress: Callable[[float], None] | None = None,
) -> RenderedSession:
    """Render `parts` into one MP3 at `dst` (atomically); see the module docstring."""
    _check_format(sample_rate, bitrate_kbps, channels)
    check_parts(parts)
    clips = read_clips(parts)
    wanted = (sample_rate, channels, bitrate_kbps)
    plan = place(parts, clips, copy=clips[parts[0].path].fmt == wanted)
    if progress:
        progress(0.0)
    workdir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(dir=workdir, prefix=".session-") as scratch,
        tools.atomic_output(dst) as tmp,
    ):
        listing, total_s = _write_list(Path(scratch), parts, clips, plan)
        args = ["-f", "concat", "-safe", "0", "-i", str(listing), "-map", "0:a:0"]
        if plan.copy:
            args += ["-c:a", "copy"]
        else:
            args += ["-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k"]
            args += ["-ar", str(sample_rate), "-ac", str(channels)]
        args += ["-map_metadata", "-1", "-f", "mp3", "-y", str(tmp)]
        report = _fraction(progress, total_s) if progress and total_s > 0 else None
        _ffmpeg_streaming(args, Path(scratch) / "stderr.txt", timeout_s, report)
        duration_ms, onsets = _verify(tmp, plan, wanted, parts)
        tools.fsync_path(tmp)
        sha256, size = _hash(tmp)
    tools.fsync_path(dst.parent)
    if progress:
        progress(1.0)
    return RenderedSession(dst, sha256, size, duration_ms, onsets)


def _check_format(sample_rate: int, bitrate_kbps: int, channels: int) -> None:
    if (
        sample_rate not in MP3_SAMPLE_RATES
        or bitrate_kbps not in MP3_BITRATES_KBPS
        or channels not in (1, 2)
    ):
        raise MediaError(
            f"Định dạng phiên không hợp lệ: {sample_rate} Hz, {bitrate_kbps} kbit/s, "
            f"{channels} kênh",
            code="bad_input",
        )


def _write_list(
    scratch: Path, parts: Sequence[SessionPart], clips: dict[Path, Mp3Layout], plan: Plan
) -> tuple[Path, float]:
    """The concat list, streamed to disk; returns it and the timeline's length in seconds.

    Durations are written from a running total in samples, so µs rounding never accumulates.
    """
    header = clips[parts[0].path].header
    frame = silent_frame(header)
    spf = clips[parts[0].path].frame.samples
    silence: dict[int, Path] = {}
    listing = scratch / "list.txt"
    clock = 0  # samples on the demuxer's timeline

    def entry(path: Path, samples: int) -> str:
        nonlocal clock
        start_us, clock = clock * 1_000_000 // plan.rate, clock + samples
        end_us = clock * 1_000_000 // plan.rate
        quoted = str(path.resolve()).replace("'", "'\\''")
        return f"file '{quoted}'\nduration {(end_us - start_us) / 1_000_000:.6f}\n"

    with listing.open("w", encoding="utf-8") as out:
        for part, gap in zip(parts, plan.silences, strict=True):
            clip = clips[part.path]
            pieces = list(silence_pieces(gap))
            for i, count in enumerate(pieces):
                if count not in silence:
                    silence[count] = scratch / f"silence-{count}.mp3"
                    silence[count].write_bytes(frame * count)
                # A tagged clip's packets start `start_skip` early: the last piece makes room.
                extra = clip.start_skip if i == len(pieces) - 1 else 0
                out.write(entry(silence[count], count * spf + extra))
            out.write(entry(part.path, clip.frames * spf))
    return listing, clock / plan.rate


def _ffmpeg_streaming(
    args: list[str], stderr_path: Path, timeout_s: float, report: Callable[[float], None] | None
) -> None:
    """ffmpeg with -progress read as it comes; stderr to a file (never blocks, never in RAM)."""
    cmd = [*tools.FFMPEG_BASE, "-v", "error", "-progress", "pipe:1", *args]
    timed_out = threading.Event()
    with stderr_path.open("w+", encoding="utf-8", errors="replace") as stderr:
        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, text=True
            )
        except FileNotFoundError as exc:
            raise MediaError("Chưa cài đặt ffmpeg trên máy chủ", code="tool_missing") from exc
        with proc:  # closes the pipe and reaps the process, whatever happens below

            def kill() -> None:
                timed_out.set()
                proc.kill()

            timer = threading.Timer(timeout_s, kill)
            timer.start()
            try:
                assert proc.stdout is not None
                for line in proc.stdout:
                    if report and line.startswith("out_time_us="):
                        report(progress_seconds(line))
            except BaseException:
                proc.kill()  # e.g. the progress callback failed: do not wait for ffmpeg
                raise
            finally:
                timer.cancel()
        if timed_out.is_set():
            raise MediaError(f"ffmpeg chạy quá {timeout_s:g} giây và đã bị dừng", code="timeout")
        if proc.returncode != 0:
            stderr.seek(0)
            raise MediaError(
                f"Ghép phiên thất bại: {tools.last_line(stderr.read()[-4000:])}", code="ffmpeg"
            )


def _verify(
    tmp: Path, plan: Plan, wanted: tuple[int, int, int], parts: Sequence[SessionPart]
) -> tuple[int, tuple[int, ...]]:
    """Check the output's headers against the plan; its decoded length and the onsets in ms."""
    broken = "Tệp phiên ghép ra bị hỏng, có thể do một tệp nguồn hỏng"
    try:
        out = read_layout(tmp)
    except MediaError as exc:  # its message would name the temp file: useless to an operator
        raise MediaError(f"{broken} (sai cấu trúc MP3)", code="bad_output") from exc
    if out.fmt != wanted:
        raise MediaError("Tệp phiên ghép ra không đúng định dạng yêu cầu", code="bad_output")
    onsets = plan.onsets
    if plan.copy:
        if (out.frames, out.audio_bytes) != (plan.frames, plan.audio_bytes):
            raise MediaError(
                f"{broken} ({out.frames} khung, {out.audio_bytes} byte; cần {plan.frames} khung, "
                f"{plan.audio_bytes} byte)",
                code="bad_output",
            )
        onsets = tuple(onset + plan.skip - out.start_skip for onset in onsets)
    duration_ms = round(out.decoded_samples * 1000 / out.frame.sample_rate)
    onsets_ms = tuple(round(onset * 1000 / plan.rate) for onset in onsets)
    planned_end_ms = parts[-1].offset_ms + parts[-1].duration_ms
    if abs(duration_ms - planned_end_ms) > PLACEMENT_TOLERANCE_MS:
        raise MediaError(
            f"Tệp phiên ghép ra dài {duration_ms} ms, kế hoạch {planned_end_ms} ms",
            code="bad_output",
        )
    for n, (part, onset_ms) in enumerate(zip(parts, onsets_ms, strict=True), start=1):
        if abs(onset_ms - part.offset_ms) > PLACEMENT_TOLERANCE_MS:
            raise MediaError(
                f"Mục {n} bắt đầu ở {onset_ms} ms, kế hoạch {part.offset_ms} ms",
                code="bad_output",
            )
    return duration_ms, onsets_ms


def _fraction(progress: Callable[[float], None], total_s: float) -> Callable[[float], None]:
    done = 0.0

    def report(seconds: float) -> None:
        nonlocal done
        done = max(done, min(1.0, seconds / total_s))
        progress(done)

    return report


def _hash(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
