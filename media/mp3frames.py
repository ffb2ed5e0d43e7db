"""An MP3's frame layout read from its headers, without decoding a sample.

A house-format clip (media.chain: libmp3lame through ffmpeg's mp3 muxer) is an ID3v2 tag, one
Xing "Info" frame (CBR) carrying the frame count and the LAME tag (encoder delay and padding),
then fixed-size audio frames. That is all a `-c copy` concatenation needs to know: where each
clip's audio lands on the decoded timeline is counted in frames, and ffmpeg trims a file exactly
by the LAME tag (start: delay + 529 decoder samples; end: padding - 529), as it does here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from media.errors import MediaError

# Layer III only; index 0 ("free format") and 15 are not usable.
_BITRATES_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_DECODER_DELAY = 529  # samples every MP3 decoder adds; the LAME tag's figures exclude it
_LAME_VERSIONS = (b"LAME", b"Lavf", b"Lavc")  # the encoders whose tag ffmpeg trusts for gapless
_HEAD_READ = 4096  # enough for the Info frame (at most 1441 bytes) and the next frame header


@dataclass(frozen=True, slots=True)
class FrameHeader:
    mpeg1: bool
    sample_rate: int
    bitrate_kbps: int
    channels: int
    padded: bool

    @property
    def samples(self) -> int:
        return 1152 if self.mpeg1 else 576

    @property
    def size(self) -> int:
        """Bytes in this frame (the padding slot included)."""
        return (144_000 if self.mpeg1 else 72_000) * self.bitrate_kbps // self.sample_rate + (
            1 if self.padded else 0
        )

    @property
    def side_info(self) -> int:
        if self.mpeg1:
            return 17 if self.channels == 1 else 32
        return 9 if self.channels == 1 else 17


@dataclass(frozen=True, slots=True)
class Mp3Layout:
    header: bytes  # the first audio frame's 4 header bytes
    frame: FrameHeader
    frames: int  # audio frames (the Info frame not counted)
    start_skip: int  # samples a decoder drops at the start
    end_skip: int  # samples it drops at the end
    audio_offset: int  # byte offset of the first audio frame
    audio_bytes: int  # bytes of audio frames (tags excluded)

    @property
    def fmt(self) -> tuple[int, int, int]:
        """(sample rate, channels, kbit/s)."""
        return (self.frame.sample_rate, self.frame.channels, self.frame.bitrate_kbps)

    @property
    def decoded_samples(self) -> int:
        return max(0, self.frames * self.frame.samples - self.start_skip - self.end_skip)


def parse_header(raw: bytes) -> FrameHeader | None:
    """An MPEG audio Layer III frame header, or None for anything else."""
    if len(raw) < 4 or raw[0] != 0xFF or raw[1] & 0xE0 != 0xE0:
        return None
    version, layer = (raw[1] >> 3) & 3, (raw[1] >> 1) & 3
    rate_index, bitrate_index = (raw[2] >> 2) & 3, raw[2] >> 4
    if version == 1 or layer != 1 or rate_index == 3 or bitrate_index in (0, 15):
        return None
    mpeg1 = version == 3
    return FrameHeader(
        mpeg1=mpeg1,
        sample_rate=_RATES[version][rate_index],
        bitrate_kbps=(_BITRATES_V1 if mpeg1 else _BITRATES_V2)[bitrate_index],
        channels=1 if raw[3] >> 6 == 3 else 2,
        padded=bool(raw[2] & 2),
    )


def read_layout(path: Path) -> Mp3Layout:
    """The layout of a CBR MP3 with an Info frame; MediaError (naming the file) otherwise."""
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            start = _id3_end(f.read(10))
            f.seek(start)
            head = f.read(_HEAD_READ)
            f.seek(max(0, size - 128))
            tail = f.read(3)
    except FileNotFoundError as exc:
        raise MediaError(f"Không tìm thấy tệp âm thanh: {name}", code="not_found") from exc
    except OSError as exc:  # a directory, no permission, an I/O error
        raise MediaError(f"Không đọc được tệp âm thanh: {name}", code="bad_input") from exc
    tag = parse_header(head[:4])
    if tag is None:
        raise MediaError(f"Tệp {name} không phải MP3", code="bad_input")
    info = 4 + tag.side_info
    if head[info : info + 4] != b"Info":
        raise MediaError(
            f"Tệp {name} không phải MP3 CBR đã chuẩn hoá (thiếu khung Info)", code="bad_input"
        )
    frames, skips = _info_tag(head, info)
    audio = tag.size
    first = parse_header(head[audio : audio + 4])
    if first is None or frames is None:
        raise MediaError(f"Tệp {name} có cấu trúc MP3 hỏng", code="bad_input")
    audio_bytes = size - start - audio - (128 if tail == b"TAG" else 0)
    plain = first.size - (1 if first.padded else 0)
    if audio_bytes < frames * plain:
        raise MediaError(f"Tệp {name} bị cắt cụt", code="bad_input")
    if audio_bytes > frames * (plain + 1):
        raise MediaError(f"Tệp {name} có cấu trúc MP3 hỏng", code="bad_input")
    return Mp3Layout(
        header=head[audio : audio + 4],
        frame=first,
        frames=frames,
        start_skip=skips[0],
        end_skip=skips[1],
        audio_offset=start + audio,
        audio_bytes=audio_bytes,
    )


def silent_frame(header: bytes) -> bytes:
    """One frame of digital silence in the format of `header`.

    All-zero side information (main_data_begin 0, no spectral data) is a complete, valid Layer
    III frame that decodes to exact zeros and leans on no other frame: any number of them can be
    cut and joined anywhere, unlike an encoder's output (bit reservoir, delay, padding).
    """
    parsed = parse_header(header)
    if parsed is None:
        raise MediaError("Tiêu đề khung MP3 không hợp lệ", code="bad_input")
    # Protection bit set (no CRC), padding bit cleared: the frame is exactly `plain` bytes.
    raw = bytes((header[0], header[1] | 1, header[2] & 0xFD, header[3]))
    plain = parsed.size - (1 if parsed.padded else 0)
    return raw + bytes(plain - 4)


def _id3_end(raw: bytes) -> int:
    if len(raw) < 10 or raw[:3] != b"ID3":
        return 0
    size = (raw[6] << 21) | (raw[7] << 14) | (raw[8] << 7) | raw[9]
    return 10 + size + (10 if raw[5] & 0x10 else 0)  # + footer


def _info_tag(head: bytes, at: int) -> tuple[int | None, tuple[int, int]]:
    """(frame count, (start skip, end skip)) from a Xing/Info tag, read the way ffmpeg does."""
    flags = int.from_bytes(head[at + 4 : at + 8], "big")
    pos, frames = at + 8, None
    if flags & 1:
        frames = int.from_bytes(head[pos : pos + 4], "big")
        pos += 4
    pos += (4 if flags & 2 else 0) + (100 if flags & 4 else 0) + (4 if flags & 8 else 0)
    if head[pos : pos + 4] not in _LAME_VERSIONS or len(head) < pos + 24:
        return frames, (0, 0)
    packed = int.from_bytes(head[pos + 21 : pos + 24], "big")
    delay, padding = packed >> 12, packed & 0xFFF
    return frames, (delay + _DECODER_DELAY, max(0, padding - _DECODER_DELAY))
