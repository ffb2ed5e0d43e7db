"""The signed JSON manifest, M3U8 and XSPF, read back strictly (and by ffprobe)."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from playlists import Programme, build_day, programme_digest
from playlists.export import build_manifest, sign_manifest, to_m3u8, to_xspf, verify_manifest
from playlists.times import iso_utc
from tests.conftest import require_binary
from tests.playlists.support import CHIME, DAY, IDENT, cand, station, two_sessions

KEY = b"station-token-of-tri-ton-1"
BASE = "https://loa.example/api/v1/clips"
KHMER = "ការចាក់វ៉ាក់សាំងការពារជំងឺ"
NASTY = 'Giá lúa <5.000đ> & "Hè Thu"'


def _programme() -> Programme:
    candidates = [
        cand(12, minutes=1.5, title="Tiêm chủng mở rộng"),
        cand(13, minutes=1.25, language="km", translation_of=12, title=KHMER),
        cand(20, minutes=0.75, category="agriculture_market", title=NASTY),
    ]
    plan = station(languages=("vi", "km"), opening=IDENT, closing=CHIME)
    return build_day(plan, DAY, two_sessions(), candidates)


def test_manifest_lists_items_with_urls_and_checksums() -> None:
    programme = _programme()
    manifest = build_manifest(programme, BASE + "/", "{clip_id}/audio")
    assert manifest["format"] == "loa-programme/1"
    assert (manifest["station"], manifest["date"], manifest["timezone"]) == (
        "tri-ton-1",
        "2026-05-20",
        "Asia/Ho_Chi_Minh",
    )
    assert manifest["digest"] == programme_digest(programme)
    assert len(manifest["items"]) == 5
    khmer = manifest["items"][2]
    assert khmer == {
        "session": "Sáng",
        "kind": "bulletin",
        "start": "2026-05-19T22:31:37.000Z",
        "duration_ms": 75_000,
        "url": "https://loa.example/api/v1/clips/113/audio",
        "clip_id": 113,
        "sha256": hashlib.sha256(b"clip-13").hexdigest(),
        "size": 6_000 * 75,
        "title": KHMER,
        "language": "km",
        "bulletin_id": 13,
        "version": 1,
    }
    assert manifest["items"][0]["url"] == "https://loa.example/api/v1/clips/9001/audio"


Edit = Callable[[dict[str, Any]], object]


def _tampered(signed: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    changes: list[Edit] = [
        lambda m: m["items"][1].update(sha256="0" * 64),
        lambda m: m["items"][1].update(start="2026-05-19T22:30:05.501Z"),
        lambda m: m["items"].append(copy.deepcopy(m["items"][1])),
        lambda m: m["items"].pop(),
        lambda m: m["items"][2].update(title=KHMER + " "),
        lambda m: m.update(station="khac"),
        lambda m: m.update(extra=True),
        lambda m: m["signature"].update(alg="HMAC-SHA1"),
        lambda m: m["signature"].update(value=m["signature"]["value"][:-1] + "0"),
        lambda m: m.pop("signature"),
    ]
    for change in changes:
        copied = copy.deepcopy(signed)
        change(copied)
        out.append(copied)
    return out


def test_signed_manifest_verifies_and_any_tampering_is_detected() -> None:
    signed = sign_manifest(build_manifest(_programme(), BASE), KEY)
    assert signed["signature"]["alg"] == "HMAC-SHA256"
    assert verify_manifest(signed, KEY) is True
    # What an endpoint receives is JSON text: it must still verify after a round trip.
    assert verify_manifest(json.loads(json.dumps(signed, indent=2)), KEY) is True
    assert verify_manifest(signed, KEY.decode()) is True
    assert verify_manifest(signed, b"another station's token") is False
    for n, tampered in enumerate(_tampered(signed)):
        assert verify_manifest(tampered, KEY) is False, n
    assert verify_manifest([signed], KEY) is False
    # Re-signing replaces the old signature rather than signing it.
    assert sign_manifest(signed, KEY) == signed
    with pytest.raises(ValueError, match="empty"):
        sign_manifest(signed, b"")


def parse_m3u8(text: str) -> list[dict[str, str]]:
    """A strict reader: header first, known tags only, each #EXTINF followed by one URI line."""
    lines = text.split("\n")
    assert lines[0] == "#EXTM3U"
    assert lines[-1] == "", "the file ends with a newline"
    assert lines[-2] == "#EXT-X-ENDLIST"
    entries: list[dict[str, str]] = []
    pending: dict[str, str] = {}
    allowed = ("#EXT-X-VERSION:", "#EXT-X-TARGETDURATION:", "#EXT-X-PLAYLIST-TYPE:")
    for line in lines[1:-2]:
        assert line, "no blank lines"
        assert line == line.strip(), f"stray whitespace in {line!r}"
        if line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            pending["start"] = line.split(":", 1)[1]
        elif line.startswith("#EXTINF:"):
            seconds, title = line[len("#EXTINF:") :].split(",", 1)
            pending.update(seconds=seconds, title=title)
        elif line == "#EXT-X-DISCONTINUITY" or line.startswith(allowed):
            assert not pending or line == "#EXT-X-DISCONTINUITY"
        else:
            assert not line.startswith("#"), f"unknown tag {line!r}"
            assert set(pending) == {"start", "seconds", "title"}, line
            entries.append({**pending, "url": line})
            pending = {}
    assert not pending
    return entries


def test_m3u8_reads_back_with_utf8_titles() -> None:
    programme = _programme()
    text = to_m3u8(programme, BASE)
    entries = parse_m3u8(text)
    assert [e["title"] for e in entries] == [i.title for i in programme.items]
    assert entries[2]["title"] == KHMER
    assert [e["seconds"] for e in entries] == ["4.000", "90.000", "75.000", "45.000", "2.000"]
    assert [e["start"] for e in entries] == [iso_utc(i.start) for i in programme.items]
    assert entries[1]["url"] == f"{BASE}/{hashlib.sha256(b'clip-12').hexdigest()}.mp3"
    assert "#EXT-X-TARGETDURATION:90\n" in text


def test_titles_cannot_break_lines() -> None:
    evil = cand(1, title="Dòng một\n#EXTINF:1,giả\r\nhttp://evil")
    text = to_m3u8(build_day(station(), DAY, two_sessions(), [evil]), BASE)
    [entry] = parse_m3u8(text)
    assert entry["title"] == "Dòng một #EXTINF:1,giả http://evil"


def test_xspf_is_valid_xml_with_escaped_titles_and_ms_durations() -> None:
    programme = _programme()
    text = to_xspf(programme, "file:///srv/loa/clips")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    ns = {"x": "http://xspf.org/ns/0/"}
    assert root.tag == "{http://xspf.org/ns/0/}playlist"
    assert root.get("version") == "1"
    tracks = root.findall("x:trackList/x:track", ns)
    assert [t.findtext("x:title", namespaces=ns) for t in tracks] == [
        i.title for i in programme.items
    ]
    assert [t.findtext("x:duration", namespaces=ns) for t in tracks] == [
        "4000", "90000", "75000", "45000", "2000",
    ]  # fmt: skip
    nasty = tracks[3]
    assert nasty.findtext("x:title", namespaces=ns) == NASTY
    assert "&lt;5.000đ&gt; &amp;" in text
    assert nasty.findtext("x:location", namespaces=ns) == (
        f"file:///srv/loa/clips/{hashlib.sha256(b'clip-20').hexdigest()}.mp3"
    )
    metas = {m.get("rel", "").rsplit("/", 1)[1]: m.text for m in nasty.findall("x:meta", ns)}
    assert metas == {
        "planned-start": iso_utc(programme.items[3].start),
        "size": str(6_000 * 45),
        "bulletin": "20/1",
        "language": "vi",
    }


def _mp3(folder: Path, seconds: float, freq: int) -> tuple[str, int]:
    out = folder / f"tone{freq}.mp3"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
         "-i", f"sine=f={freq}:r=24000:d={seconds}", "-ac", "1", "-b:a", "48k", str(out)],
        check=True,
    )  # fmt: skip
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    size = out.stat().st_size
    out.rename(folder / f"{digest}.mp3")
    return digest, size


def test_ffprobe_opens_the_m3u8_of_real_clips(tmp_path: Path) -> None:
    require_binary("ffmpeg")
    ffprobe = require_binary("ffprobe")
    lengths = {1: 1.5, 2: 2.0, 3: 1.0}
    candidates = []
    for n, seconds in lengths.items():
        digest, size = _mp3(tmp_path, seconds, 300 + 100 * n)
        candidates.append(
            cand(n, minutes=seconds / 60, clip_sha256=digest, size=size, title=f"{KHMER} {n}")
        )
    programme = build_day(station(), DAY, two_sessions(), candidates)
    playlist = tmp_path / "programme.m3u8"
    playlist.write_text(to_m3u8(programme, str(tmp_path)), encoding="utf-8")
    result = subprocess.run(
        [ffprobe, "-v", "error", "-show_entries", "format=format_name,duration",
         "-of", "json", str(playlist)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    found = json.loads(result.stdout)["format"]
    assert found["format_name"] == "hls"
    assert float(found["duration"]) == pytest.approx(sum(lengths.values()), abs=0.05)
    assert sum(i.duration_ms for i in programme.items) == 4500
    assert programme.items[-1].end - programme.items[0].start == timedelta(seconds=7.5)
