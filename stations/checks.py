"""Validation helpers shared by the value objects in ``stations.model``."""

from __future__ import annotations

import re

MOUNT_RE = re.compile(r"^/[A-Za-z0-9_.-]{1,60}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# RFC 6750 b64token: safe inside an HTTP header and a Liquidsoap string.
TOKEN_RE = re.compile(r"^[A-Za-z0-9._~+/=-]{16,512}$")
HOST_RE = re.compile(r"^[A-Za-z0-9.:-]{1,253}$")
DEFAULT_PASSWORDS = frozenset({"hackme", "hackmemore", "changeme", "password", "admin"})
# Linux sun_path is 108 bytes including the terminating NUL.
MAX_SOCKET_PATH = 107

SAMPLE_RATES: dict[str, frozenset[int]] = {
    "mp3": frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000}),
    "opus": frozenset({8000, 12000, 16000, 24000, 48000}),
    "aac": frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000}),
}
CONTENT_TYPES = {"mp3": "audio/mpeg", "opus": "application/ogg", "aac": "audio/aac"}


def check_text(what: str, value: str, *, max_len: int = 200, empty: bool = False) -> None:
    """Free text that ends up in XML or a Liquidsoap string: no control characters.

    Quotes, backslashes and ``#{`` are fine (the renderers escape them); a newline is not, since
    it would also end a server command line.
    """
    if not empty and not value:
        raise ValueError(f"{what} is empty")
    if len(value) > max_len:
        raise ValueError(f"{what} is longer than {max_len} characters")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValueError(f"{what} contains a control character")


def check_password(what: str, value: str) -> None:
    check_text(what, value, max_len=256)
    if value.lower() in DEFAULT_PASSWORDS:
        raise ValueError(f"{what} is a well-known default; generate one")
    if len(value) < 8:
        raise ValueError(f"{what} is shorter than 8 characters")


def check_port(what: str, value: int) -> None:
    if not 1 <= value <= 65535:
        raise ValueError(f"{what} {value} is not a TCP port")


def check_host(what: str, value: str) -> None:
    if not HOST_RE.match(value):
        raise ValueError(f"{what} {value!r} is not a host name or address")
