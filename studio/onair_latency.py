"""How early a station's time gate must open for an item to reach a listener of its mount on time.

The gate opens `release_advance_ms` (the pipeline up to the stream: Liquidsoap's frames, request
resolution, the encoder) plus the station's listener delay before the planned instant. The
listener delay is what happens after the stream and depends on the station's encoding:

- Icecast 2.4.4 hands MP3 and AAC data to listeners in 1,400-byte blocks (hard-coded; burst
  settings do not change it), so a listener waits for the block that holds the item's first
  audio: 1,400 bytes x 8 / bitrate. At 48 kbit/s that is 11,200 bits / 48 bits per ms = 233 ms;
  at 128 kbit/s, 88 ms. The whole block, not half of it on average: measured at 48 kbit/s
  (docs/BENCHMARKS.md), the medians of arrival and stream position were 254 ms apart.
- Opus travels in Ogg pages, which Icecast passes on whole, and Liquidsoap starts a new Ogg
  stream at every track: an item's first audio reaches a listener when the first page of its
  stream is full. Measured here (raw bytes from the mount, Liquidsoap 2.1.3): pages of
  4,173-4,289 bytes, the first audio page arriving 1.04-1.12 s after the track start at
  32 kbit/s, 0.72 s at 48, 0.56-0.60 s at 64. So Opus waits one page, ~4,200 bytes, in place of
  the block (1,050 ms at 32 kbit/s).
- The listener's decoder holds back up to one codec frame before it outputs the audio in it:
  MP3 at 24 kHz (MPEG-2 layer III) 576 samples = 24 ms, 1,152 samples from 32 kHz up; AAC 1,024
  samples (43 ms at 24 kHz); Opus 20 ms (Liquidsoap's default frame).

So a 48 kbit/s MP3 station needs 233 + 24 = 257 ms, a 128 kbit/s one 88 + 24 = 112 ms, a
32 kbit/s Opus one 1,050 + 20 = 1,070 ms.

The stream of each station is remembered next to the local plan copies (`streams.json`), so
the playout keeps the right advance when the database is away.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from stations import write_atomic
from studio.settings import OnAirSettings

log = logging.getLogger(__name__)

ICECAST_BLOCK_BYTES = 1400  # Icecast 2.4.4's hard-coded unit of MP3/AAC data for a listener
OGG_PAGE_BYTES = 4200  # a full Ogg page from Liquidsoap's muxer (libogg's ~4 KB body + header)
OPUS_FRAME_MS = 20.0
HOUSE_SAMPLE_RATE = 24_000  # every mount is encoded at the house rate (stations.StreamFormat)


@dataclass(frozen=True)
class MountEncoding:
    """What the listener delay depends on: a mount's codec and bitrate."""

    codec: str = "mp3"
    bitrate_kbps: int = 48


HOUSE_ENCODING = MountEncoding()  # a station whose stream is not known yet: the house format


def block_ms(codec: str, bitrate_kbps: int) -> float:
    """Time to fill the unit Icecast sends a listener (kbit/s = bits per ms): an Ogg page for
    Opus, a 1,400-byte block otherwise."""
    if bitrate_kbps <= 0:
        raise ValueError(f"bitrate must be positive, not {bitrate_kbps}")
    unit = OGG_PAGE_BYTES if codec == "opus" else ICECAST_BLOCK_BYTES
    return unit * 8 / bitrate_kbps


def frame_ms(codec: str, sample_rate: int = HOUSE_SAMPLE_RATE) -> float:
    """The longest a decoder holds audio back: one frame of `codec`."""
    if codec == "opus":
        return OPUS_FRAME_MS
    if codec == "mp3":
        samples = 576 if sample_rate < 32_000 else 1152  # MPEG-2/2.5 vs MPEG-1 layer III
    elif codec == "aac":
        samples = 1024
    else:
        raise ValueError(f"unknown codec {codec!r}")
    return samples * 1000 / sample_rate


def listener_delay_ms(stream: MountEncoding, sample_rate: int = HOUSE_SAMPLE_RATE) -> int:
    """From the stream to a listener of the mount: one Icecast block (Ogg page for Opus) plus
    one codec frame."""
    return round(block_ms(stream.codec, stream.bitrate_kbps) + frame_ms(stream.codec, sample_rate))


def station_advance_ms(onair: OnAirSettings, stream: MountEncoding) -> int:
    """How long before an item's instant the station's gate opens (the explicit
    `listener_delay_ms` setting, when set, replaces the derived delay for every station)."""
    delay = onair.listener_delay_ms
    if delay is None:
        delay = listener_delay_ms(stream)
    return onair.release_advance_ms + delay


def load_streams(path: Path) -> dict[str, MountEncoding]:
    """The streams remembered at `path`; empty when there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            code: MountEncoding(str(s["codec"]), int(s["bitrate_kbps"])) for code, s in data.items()
        }
    except FileNotFoundError:
        return {}
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return {}


def save_streams(path: Path, streams: dict[str, MountEncoding]) -> None:
    payload = {
        code: {"codec": s.codec, "bitrate_kbps": s.bitrate_kbps}
        for code, s in sorted(streams.items())
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(payload, indent=1), mode=0o644)
