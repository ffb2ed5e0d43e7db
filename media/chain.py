"""The broadcast clip chain: any speech file in, a lossless master and a house-format MP3 out.

Steps: trim leading/trailing silence, high-pass (horn loudspeakers waste bass), bring integrated
loudness to the target with true peak under the limit, prepend pre-roll silence (amplifiers
un-mute) and an optional chime, then encode a FLAC master and a CBR MP3.

Loudness is ours rather than ffmpeg's loudnorm: with linear=true, loudnorm silently falls back to
dynamic (compressing) mode whenever the gain would push the true peak over the limit, which for
speech (crest factor ~18 dB) is most of the time. Instead: measure (EBU R128, ebur128 filter),
plan a gain and, for peaky speech, a true-peak limiter (media.leveling), render, measure the
encoded MP3, and correct: a scale step lands the loudness exactly (the chain is scale-invariant),
more limiter drive lowers the peak-to-loudness ratio when scaling alone cannot meet both limits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from media import tools
from media.errors import MediaError
from media.leveling import Correction, Level, Target, correction, initial_level, level_filters
from media.loudness import Loudness, Scan, scan
from media.probe import probe

MP3_SAMPLE_RATES = frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000})
MP3_BITRATES_KBPS = frozenset({8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192})
LOUDNESS_TOLERANCE_LU = 0.5  # EBU R128's tolerance for produced programmes
MAX_ATTEMPTS = 6  # espeak-ng bulletins take 1-2 at the house target (see media.leveling)
KEEP_EDGE_S = 0.05  # silence kept at each trimmed edge so soft onsets are not clipped
MIN_SPEECH_S = 0.4  # one EBU R128 gating block; shorter audio has no integrated loudness
SILENT_LUFS = -69.9


@dataclass(frozen=True)
class ClipChainParams:
    target_lufs: float = -16.0
    true_peak_dbtp: float = -1.5
    highpass_hz: int = 150  # 0 disables the high-pass
    trim_silence: bool = True
    silence_threshold_db: float = -50.0
    preroll_ms: int = 500
    chime: Path | None = None
    sample_rate: int = 24000
    bitrate_kbps: int = 48
    channels: int = 1


@dataclass(frozen=True)
class ProcessedClip:
    master: Path  # FLAC, 16-bit, params.sample_rate, params.channels
    broadcast: Path  # MP3 CBR at params.bitrate_kbps
    duration_ms: int  # of the broadcast file
    loudness_lufs: float  # measured on the broadcast file
    true_peak_dbtp: float  # measured on the broadcast file


@dataclass(frozen=True)
class _Part:
    """One input of the rendered clip (the speech, or the chime) and how to treat it."""

    path: Path
    start_s: float
    end_s: float
    peak_dbtp: float  # true peak of the shaped input, where the limiter's ceiling is reckoned
    level: Level


def process_clip(src: Path, params: ClipChainParams, workdir: Path) -> ProcessedClip:
    """Run the chain on `src`; write `<stem>.master.flac` and `<stem>.broadcast.mp3` in workdir."""
    _check_params(params)
    parts = [_plan(src, params, trim=params.trim_silence, what="Âm thanh")]
    if params.chime is not None:
        parts.insert(0, _plan(params.chime, params, trim=False, what="Tiếng chuông"))
    master = workdir / f"{src.stem}.master.flac"
    broadcast = workdir / f"{src.stem}.broadcast.mp3"
    with tools.atomic_output(master) as master_tmp, tools.atomic_output(broadcast) as mp3_tmp:
        history: list[tuple[float, float]] = []  # (speech drive, PLR measured)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            _render(parts, params, master_tmp, mp3_tmp)
            decoded = scan(mp3_tmp)
            assert decoded.loudness is not None
            measured = decoded.loudness
            if _meets_target(measured, params):
                break
            if attempt == MAX_ATTEMPTS:
                raise MediaError(
                    f"Không đưa được âm lượng về {params.target_lufs:g} LUFS / "
                    f"{params.true_peak_dbtp:g} dBTP (đo được {measured.integrated_lufs:g} "
                    f"LUFS, {measured.true_peak_dbtp:g} dBTP)",
                    code="loudness",
                )
            plr = measured.true_peak_dbtp - measured.integrated_lufs
            history.append((parts[-1].level.drive_db, plr))
            parts = _corrected(parts, correction(measured, _target(params), history))
        _verify(master_tmp, mp3_tmp, params)
    return ProcessedClip(
        master=master,
        broadcast=broadcast,
        duration_ms=round(decoded.duration_s * 1000),  # decoded: the container rounds to frames
        loudness_lufs=measured.integrated_lufs,
        true_peak_dbtp=measured.true_peak_dbtp,
    )


def _check_params(params: ClipChainParams) -> None:
    problems = []
    if params.sample_rate not in MP3_SAMPLE_RATES:
        problems.append(f"tần số lấy mẫu {params.sample_rate} Hz")
    if params.bitrate_kbps not in MP3_BITRATES_KBPS:
        problems.append(f"tốc độ bit {params.bitrate_kbps} kbit/s")
    if params.channels not in (1, 2):
        problems.append(f"số kênh {params.channels}")
    if not -40.0 <= params.target_lufs <= -5.0 or not -9.0 <= params.true_peak_dbtp <= 0.0:
        problems.append("mức âm lượng đích")
    if params.preroll_ms < 0 or params.highpass_hz < 0:
        problems.append("khoảng lặng đầu hoặc bộ lọc thông cao")
    if problems:
        raise MediaError(f"Cấu hình chuỗi xử lý không hợp lệ: {', '.join(problems)}", code="params")


def _shaping_filters(params: ClipChainParams) -> list[str]:
    """Zero-based timestamps, then the high-pass (two 2-pole stages: 24 dB/octave)."""
    filters = ["asetpts=PTS-STARTPTS"]
    if params.highpass_hz:
        filters += [f"highpass=f={params.highpass_hz}:poles=2"] * 2
    return filters


def _plan(path: Path, params: ClipChainParams, *, trim: bool, what: str) -> _Part:
    """Measure `path` as the chain will hear it and decide the trim and gain."""
    probe(path)
    found = scan(
        path,
        pre_filters=_shaping_filters(params),
        silence_threshold_db=params.silence_threshold_db if trim else None,
        min_silence_s=0.05,
    )
    # Measured before trimming: R128 gating ignores the silence, so the figure is the same.
    start, end = _speech_bounds(found) if trim else (0.0, found.duration_s)
    if end <= start:
        raise MediaError(f"{what} toàn im lặng", code="silent")
    if end - start < MIN_SPEECH_S:
        raise MediaError(f"{what} quá ngắn để chuẩn hoá (dưới 0,4 giây)", code="too_short")
    if found.loudness is None or found.loudness.integrated_lufs <= SILENT_LUFS:
        raise MediaError(f"{what} toàn im lặng", code="silent")
    level = initial_level(found.loudness, _target(params))
    return _Part(path, start, end, found.loudness.true_peak_dbtp, level)


def _target(params: ClipChainParams) -> Target:
    return Target(params.target_lufs, params.true_peak_dbtp, LOUDNESS_TOLERANCE_LU)


def _speech_bounds(found: Scan) -> tuple[float, float]:
    start, end = 0.0, found.duration_s
    silences = found.silences
    if silences and silences[0].start_s <= 0.01:
        start = silences[0].end_s
    if silences and silences[-1].end_s >= found.duration_s - 0.01:
        end = silences[-1].start_s if silences[-1].start_s > start else start
    if end <= start:
        return 0.0, 0.0  # nothing above the threshold anywhere
    return max(0.0, start - KEEP_EDGE_S), min(found.duration_s, end + KEEP_EDGE_S)


def _atrim(start: float, end: float) -> str:
    return f"atrim=start={start:.4f}:end={end:.4f},asetpts=PTS-STARTPTS"


def _corrected(parts: list[_Part], step: Correction) -> list[_Part]:
    """The speech (last) sets the clip's loudness and PLR; a chime keeps its own level."""
    *chimes, speech = parts
    speech_level = speech.level.adjusted(step.speech_scale_db, step.speech_drive_db)
    return [
        *(replace(chime, level=chime.level.adjusted(step.other_scale_db)) for chime in chimes),
        replace(speech, level=speech_level),
    ]


def _part_filters(index: int, part: _Part, params: ClipChainParams) -> str:
    layout = "mono" if params.channels == 1 else "stereo"
    filters = [*_shaping_filters(params)]
    filters.append(_atrim(part.start_s, part.end_s))
    filters.append(f"aresample={params.sample_rate}")
    filters += level_filters(part.level, part.peak_dbtp, params.sample_rate)
    filters.append(f"aformat=sample_fmts=fltp:channel_layouts={layout}")
    return f"[{index}:a:0]{','.join(filters)}[p{index}]"


def _render(parts: list[_Part], params: ClipChainParams, master: Path, mp3: Path) -> None:
    """One ffmpeg run: parts -> concat -> pre-roll -> the FLAC master and the MP3."""
    inputs: list[str] = []
    for part in parts:
        inputs += ["-i", str(part.path.resolve())]
    chains = [_part_filters(i, part, params) for i, part in enumerate(parts)]
    labels = "".join(f"[p{i}]" for i in range(len(parts)))
    tail = f"concat=n={len(parts)}:v=0:a=1"
    if params.preroll_ms:
        tail += f",adelay=delays={params.preroll_ms}:all=1"
    graph = ";".join([*chains, f"{labels}{tail},asplit=2[master][mp3]"])
    rate, channels = str(params.sample_rate), str(params.channels)
    tools.ffmpeg(
        [*inputs, "-filter_complex", graph]
        + ["-map", "[master]", "-c:a", "flac", "-sample_fmt", "s16", "-ar", rate, "-ac", channels]
        + ["-f", "flac", "-y", str(master)]
        + ["-map", "[mp3]", "-c:a", "libmp3lame", "-b:a", f"{params.bitrate_kbps}k"]
        + ["-ar", rate, "-ac", channels, "-map_metadata", "-1", "-f", "mp3", "-y", str(mp3)]
    )


def _meets_target(measured: Loudness, params: ClipChainParams) -> bool:
    return (
        measured.true_peak_dbtp <= params.true_peak_dbtp
        and abs(measured.integrated_lufs - params.target_lufs) <= LOUDNESS_TOLERANCE_LU
    )


def _verify(master: Path, mp3: Path, params: ClipChainParams) -> None:
    """Both outputs are in the house format (and on disk) before they are renamed into place."""
    flac, broadcast = probe(master), probe(mp3)
    expected = (params.sample_rate, params.channels)
    if flac.codec != "flac" or (flac.sample_rate, flac.channels) != expected:
        raise MediaError("Bản gốc không đúng định dạng FLAC yêu cầu", code="bad_output")
    if broadcast.codec != "mp3" or (broadcast.sample_rate, broadcast.channels) != expected:
        raise MediaError("Tệp phát sóng không đúng định dạng MP3 yêu cầu", code="bad_output")
    for path in (master, mp3):
        tools.fsync_path(path)
