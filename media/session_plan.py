"""Where each part of a session goes: checks on the plan and the clips, and the silence between.

Pure arithmetic on the clips' headers (media.mp3frames); media.session writes and runs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from media.errors import MediaError
from media.mp3frames import Mp3Layout, read_layout, silent_frame

PLACEMENT_TOLERANCE_MS = 50  # issue 4: each part within 50 ms of its planned start
# Copying is kept only while every part is this close (a re-encode places to half a frame):
# the margin keeps copy-mode sessions clear of the limit.
COPY_TOLERANCE_MS = 25
MIN_SILENCE_FRAMES = 2  # ffmpeg's mp3 demuxer cannot open a one-frame file
MAX_SILENCE_FRAMES = 4096  # ~98 s at 24 kHz; longer gaps repeat this piece


@dataclass(frozen=True, slots=True)
class SessionPart:
    path: Path  # an already-normalised clip in the house format (media.chain)
    offset_ms: int  # planned start relative to the session file's start
    duration_ms: int  # the clip's decoded duration as recorded


@dataclass(frozen=True, slots=True)
class Plan:
    copy: bool
    rate: int  # the clips' sample rate: onsets are in these samples
    silences: tuple[int, ...]  # silence frames before each part
    onsets: tuple[int, ...]  # samples; copy: assuming the output trims `skip`
    skip: int  # copy: samples ffmpeg trims from the start of the whole output
    frames: int  # copy: audio frames in the output
    audio_bytes: int  # copy: bytes of those frames


def check_parts(parts: Sequence[SessionPart]) -> None:
    """Refuse an empty, unsorted or overlapping plan (before any file is touched)."""
    if not parts:
        raise MediaError("Phiên không có mục nào để ghép", code="bad_input")
    for n, part in enumerate(parts, start=1):
        if part.offset_ms < 0 or part.duration_ms <= 0:
            raise MediaError(
                f"Mục {n} ({part.path.name}): thời điểm hoặc thời lượng không hợp lệ "
                f"({part.offset_ms} ms, {part.duration_ms} ms)",
                code="bad_input",
            )
        if "\n" in str(part.path) or "\r" in str(part.path):
            raise MediaError(f"Mục {n}: tên tệp có ký tự xuống dòng", code="bad_input")
        if n == 1:
            continue
        prev = parts[n - 2]
        if part.offset_ms < prev.offset_ms:
            raise MediaError(
                f"Các mục chưa được sắp theo thời điểm bắt đầu: mục {n} ({part.offset_ms} ms) "
                f"đứng trước mục {n - 1} ({prev.offset_ms} ms)",
                code="bad_input",
            )
        overlap = prev.offset_ms + prev.duration_ms - part.offset_ms
        if overlap > 0:
            raise MediaError(
                f"Mục {n} ({part.path.name}) chồng lên mục {n - 1} {overlap} ms", code="bad_input"
            )


def read_clips(parts: Sequence[SessionPart]) -> dict[Path, Mp3Layout]:
    """Each distinct clip's layout; all in one format, each as long as the plan says."""
    clips: dict[Path, Mp3Layout] = {}
    for part in parts:
        if part.path not in clips:
            clips[part.path] = read_layout(part.path)
    rate, chans, kbps = clips[parts[0].path].fmt
    for part in parts:
        clip = clips[part.path]
        if clip.fmt != (rate, chans, kbps):
            got_rate, got_chans, got_kbps = clip.fmt
            raise MediaError(
                f"Tệp {part.path.name} khác định dạng với các mục khác của phiên "
                f"({got_rate} Hz, {got_chans} kênh, {got_kbps} kbit/s; "
                f"các mục khác: {rate} Hz, {chans} kênh, {kbps} kbit/s)",
                code="bad_input",
            )
        actual_ms = round(clip.decoded_samples * 1000 / rate)
        if abs(actual_ms - part.duration_ms) > PLACEMENT_TOLERANCE_MS:
            raise MediaError(
                f"Tệp {part.path.name} dài {actual_ms} ms, khác thời lượng ghi nhận "
                f"{part.duration_ms} ms",
                code="bad_input",
            )
    return clips


def place(parts: Sequence[SessionPart], clips: dict[Path, Mp3Layout], *, copy: bool) -> Plan:
    """Silence before each part, chosen against the part's absolute planned start (no drift).

    Copy: positions count whole frames, each clip's delay and padding included. Re-encode:
    positions count decoded samples. A copy plan that cannot keep a part within
    COPY_TOLERANCE_MS becomes a re-encode plan.
    """
    first = clips[parts[0].path]
    rate, spf = first.frame.sample_rate, first.frame.samples
    limit = (COPY_TOLERANCE_MS if copy else PLACEMENT_TOLERANCE_MS) * rate / 1000
    skip = first.start_skip  # measured: the output's LAME tag keeps the first clip's delay
    plain = len(silent_frame(first.header))
    pos = frames = audio_bytes = 0
    silences: list[int] = []
    onsets: list[int] = []
    for n, part in enumerate(parts, start=1):
        clip = clips[part.path]
        target = part.offset_ms * rate / 1000
        base = pos * spf - skip + clip.start_skip if copy else pos
        gap = _silence_frames((target - base) / spf)
        onset = base + gap * spf
        if abs(onset - target) > limit:
            if copy:
                return place(parts, clips, copy=False)
            raise MediaError(
                f"Không xếp được mục {n} ({part.path.name}) đúng giờ: lệch "
                f"{round((onset - target) * 1000 / rate)} ms",
                code="bad_input",
            )
        silences.append(gap)
        onsets.append(round(onset))
        pos += gap + clip.frames if copy else gap * spf + clip.decoded_samples
        frames += gap + clip.frames
        audio_bytes += gap * plain + clip.audio_bytes
    return Plan(copy, rate, tuple(silences), tuple(onsets), skip, frames, audio_bytes)


def silence_pieces(frames: int) -> Iterator[int]:
    """`frames` of silence as pieces of at most MAX_SILENCE_FRAMES, none under the minimum."""
    while frames > MAX_SILENCE_FRAMES:
        take = MAX_SILENCE_FRAMES
        if frames - take < MIN_SILENCE_FRAMES:
            take -= MIN_SILENCE_FRAMES
        yield take
        frames -= take
    if frames:
        yield frames


def _silence_frames(ideal: float) -> int:
    """The nearest usable count: none, or at least the minimum piece."""
    if ideal < MIN_SILENCE_FRAMES / 2:
        return 0
    return max(MIN_SILENCE_FRAMES, round(ideal))
