"""Exports of a programme for endpoints: a signed JSON manifest, M3U8 and XSPF.

Clip URLs are `base_url` + "/" + `path_template` filled with the clip's `clip_id` and
`sha256` (the default names the content-addressed file; the API passes its own route).

The manifest signature is HMAC-SHA256 over the canonical JSON of the manifest without its
`signature` member: keys sorted, separators "," and ":" without spaces, UTF-8, non-ASCII not
escaped. Every value is a string, an integer or null, so an endpoint in any language can
rebuild those bytes exactly.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import unicodedata
import xml.etree.ElementTree as ET
from typing import Any

from playlists.codec import canonical_json
from playlists.model import Programme, ProgrammeItem
from playlists.times import iso_utc
from playlists.versioning import programme_digest

MANIFEST_FORMAT = "loa-programme/1"
SIGNATURE_ALG = "HMAC-SHA256"
XSPF_NS = "http://xspf.org/ns/0/"
META = "https://loa.invalid/xspf/"  # rel URIs of our <meta> elements
DEFAULT_PATH = "{sha256}.mp3"


def clip_url(base_url: str, item: ProgrammeItem, path_template: str = DEFAULT_PATH) -> str:
    url = (
        base_url.rstrip("/")
        + "/"
        + path_template.format(clip_id=item.clip_id, sha256=item.clip_sha256)
    )
    if any(unicodedata.category(ch) == "Cc" for ch in url):
        raise ValueError("a clip URL cannot contain control characters")
    return url


def clean_title(title: str) -> str:
    """One line without control characters (they break M3U lines and are illegal in XML)."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in title)
    return " ".join(text.split())


def build_manifest(
    programme: Programme, base_url: str, path_template: str = DEFAULT_PATH
) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "station": programme.station,
        "date": programme.day.isoformat(),
        "timezone": programme.tz,
        "digest": programme_digest(programme),
        "sessions": [
            {"name": s.name, "start": iso_utc(s.start), "end": iso_utc(s.end)}
            for s in programme.sessions
        ],
        "items": [
            {
                "session": i.session,
                "kind": i.kind.value,
                "start": iso_utc(i.start),
                "duration_ms": i.duration_ms,
                "url": clip_url(base_url, i, path_template),
                "clip_id": i.clip_id,
                "sha256": i.clip_sha256,
                "size": i.size,
                "title": i.title,
                "language": i.language,
                "bulletin_id": i.bulletin_id,
                "version": i.version,
            }
            for i in programme.items
        ],
    }


def _key_bytes(key: bytes | str) -> bytes:
    raw = key.encode("utf-8") if isinstance(key, str) else key
    if not raw:
        raise ValueError("the signing key is empty")
    return raw


def _mac(body: dict[str, Any], key: bytes | str) -> str:
    payload = canonical_json(body).encode("utf-8")
    return hmac.new(_key_bytes(key), payload, hashlib.sha256).hexdigest()


def sign_manifest(manifest: dict[str, Any], key: bytes | str) -> dict[str, Any]:
    """A copy of `manifest` with `signature`: {"alg": "HMAC-SHA256", "value": hex}."""
    body = {k: copy.deepcopy(v) for k, v in manifest.items() if k != "signature"}
    return {**body, "signature": {"alg": SIGNATURE_ALG, "value": _mac(body, key)}}


def verify_manifest(data: Any, key: bytes | str) -> bool:
    """True only for a manifest signed with `key` and unchanged since, in any member."""
    if not isinstance(data, dict):
        return False
    signature = data.get("signature")
    if not isinstance(signature, dict) or set(signature) != {"alg", "value"}:
        return False
    if signature["alg"] != SIGNATURE_ALG or not isinstance(signature["value"], str):
        return False
    body = {k: v for k, v in data.items() if k != "signature"}
    try:
        expected = _mac(body, key)
    except (TypeError, ValueError):  # not JSON data: it was not made by sign_manifest
        return False
    return hmac.compare_digest(expected, signature["value"])


def _seconds(ms: int) -> str:
    return f"{ms // 1000}.{ms % 1000:03d}"


def to_m3u8(programme: Programme, base_url: str, path_template: str = DEFAULT_PATH) -> str:
    """Extended M3U in UTF-8: `#EXTINF:<seconds>,<title>` then the clip URL, in play order.
    Each item carries its planned start (`#EXT-X-PROGRAM-DATE-TIME`) since gaps separate them."""
    target = max((-(-i.duration_ms // 1000) for i in programme.items), default=1)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{target}",
        "#EXT-X-PLAYLIST-TYPE:VOD",
    ]
    for n, item in enumerate(programme.items):
        if n:
            lines.append("#EXT-X-DISCONTINUITY")  # every clip is its own file and timeline
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{iso_utc(item.start)}")
        lines.append(f"#EXTINF:{_seconds(item.duration_ms)},{clean_title(item.title)}")
        lines.append(clip_url(base_url, item, path_template))
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def to_xspf(programme: Programme, base_url: str, path_template: str = DEFAULT_PATH) -> str:
    """XSPF 1 (durations in ms), with planned start, sha256 and bulletin in <meta> elements."""

    def sub(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, tag, attrs)
        element.text = text
        return element

    # Plain tags under an xmlns attribute: no global prefix registry to touch.
    root = ET.Element("playlist", {"version": "1", "xmlns": XSPF_NS})
    sub(root, "title", clean_title(f"{programme.station} {programme.day.isoformat()}"))
    tracks = ET.SubElement(root, "trackList")
    for item in programme.items:
        track = ET.SubElement(tracks, "track")
        sub(track, "location", clip_url(base_url, item, path_template))
        sub(track, "identifier", f"urn:sha256:{item.clip_sha256}")
        sub(track, "title", clean_title(item.title))
        sub(track, "annotation", clean_title(f"{item.session}: {item.reason}"))
        sub(track, "duration", str(item.duration_ms))
        sub(track, "meta", iso_utc(item.start), rel=META + "planned-start")
        sub(track, "meta", str(item.size), rel=META + "size")
        if item.bulletin_id is not None:
            sub(track, "meta", f"{item.bulletin_id}/{item.version}", rel=META + "bulletin")
        if item.language is not None:
            sub(track, "meta", item.language, rel=META + "language")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
