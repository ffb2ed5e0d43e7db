"""Audio fixtures made at test time with ffmpeg lavfi and espeak-ng (no binary audio committed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import require_binary

SPEECH_VI = (
    "Ngày hai mươi tháng năm, Ban Dân tộc tỉnh tổ chức hội nghị tổng kết công tác giai đoạn "
    "hai nghìn không trăm mười chín đến hai nghìn không trăm hai mươi lăm. Bà con chú ý phòng "
    "chống bão lũ và theo dõi thông tin trên loa truyền thanh của xã."
)


def lavfi(out: Path, source: str, *output_args: str, filters: str | None = None) -> Path:
    """Render a lavfi source (e.g. "sine=f=440:r=24000:d=2") to `out`."""
    require_binary("ffmpeg")
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source]
    if filters:
        cmd += ["-af", filters]
    subprocess.run([*cmd, *output_args, str(out)], check=True)
    return out


def convert(src: Path, out: Path, *output_args: str, filters: str | None = None) -> Path:
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(src)]
    if filters:
        cmd += ["-af", filters]
    subprocess.run([*cmd, *output_args, str(out)], check=True)
    return out


def speech(out: Path, text: str = SPEECH_VI, voice: str = "vi", speed: int = 140) -> Path:
    """Real Vietnamese speech from espeak-ng (22050 Hz mono WAV)."""
    require_binary("espeak-ng")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(out), text], check=True)
    return out


def decoded_seconds(path: Path) -> float:
    """Seconds of audio ffmpeg decodes from `path` (independent of the container's claim)."""
    result = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-nostats",
            "-progress",
            "pipe:1",
            "-i",
            str(path),
            "-f",
            "null",
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    times = [
        line.split("=", 1)[1]
        for line in result.stdout.splitlines()
        if line.startswith("out_time_us=")
    ]
    return int(times[-1]) / 1_000_000


def band_level_db(path: Path, filters: str) -> float:
    """Mean level (dBFS) of `path` after `filters`, e.g. a band-pass around one tone."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-nostats", "-i", str(path), "-af", f"{filters},volumedetect"]
        + ["-f", "null", "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(x for x in result.stderr.splitlines() if "mean_volume:" in x)
    return float(line.split("mean_volume:")[1].split()[0])


def packet_sizes(path: Path) -> set[int]:
    """Sizes of the audio packets: a CBR MP3 has one size (no padding slots at 24 kHz/48k)."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "packet=size"]
        + ["-of", "csv=p=0", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return {int(x.strip(",")) for x in result.stdout.split() if x.strip(",")}
