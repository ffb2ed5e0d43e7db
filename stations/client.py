"""A small client for Liquidsoap's server protocol (unix socket, or TCP "telnet").

Protocol: one UTF-8 command per line; the reply is zero or more lines ending ``\\r\\n`` and
then ``END``; the connection stays open until ``quit`` or the server's idle timeout.

``LiquidsoapClient(address, timeout=2.0)`` takes a socket path or a ``(host, port)`` tuple
(``LiquidsoapConfig.server_address``). One connection, guarded by a lock, so one client may be
shared by threads. A connection found dead before any reply byte arrives (idle timeout,
Liquidsoap restarted) is reopened and the command sent once more; that cannot duplicate a
push, because a restarted Liquidsoap has forgotten its queues. Every failure is a
``LiquidsoapError`` with a Vietnamese message and a stable ``code``:

``unreachable`` (cannot connect), ``timeout`` (no complete reply in time), ``broken``
(connection lost mid-reply), ``refused`` (Liquidsoap answered ``ERROR: ...`` or nonsense),
``missing_file`` (push of a file that does not exist: refused before sending, because
Liquidsoap accepts it and drops it silently later), ``no_such_request``.

Verbs and the commands they send (ids: ``StationStream.programme_queue`` etc.)::

    push(queue, path, annotations) <queue>.push annotate:k="v",...:/abs/path -> request id
    queue(queue)                   <queue>.queue          -> [rid, ...] waiting (not on air)
    skip(queue) / flush_and_skip   <queue>.skip / <queue>.flush_and_skip
    on_air()                       request.on_air         -> [rid, ...]
    metadata(rid)                  request.metadata <rid> -> {key: value}
    set_gate(slug, epoch) / gate   <slug>.gate [<epoch>]  -> the gate now armed
    remaining(output_id)           <output>.remaining     -> seconds left, None if unknown
    uptime()                       uptime                 -> seconds
"""

from __future__ import annotations

import math
import re
import socket
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from stations.model import slug

__all__ = ["LiquidsoapClient", "LiquidsoapError", "annotated_uri", "slug"]

Address = Path | str | tuple[str, int]
KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
META_LINE_RE = re.compile(r'^([^="]+)="(.*)"$')
ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
UPTIME_RE = re.compile(r"^(\d+)d (\d+)h (\d+)m (\d+)s$")


class LiquidsoapError(Exception):
    """Liquidsoap could not be reached or refused a command; ``message`` is for operators."""

    def __init__(self, message: str, *, code: str = "liquidsoap") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


class _Closed(Exception):
    """The server closed the connection before any byte of the reply."""


def _check_line(what: str, value: str) -> None:
    if "\n" in value or "\r" in value or "\x00" in value:
        raise ValueError(f"{what} must be a single line: {value!r}")


def annotated_uri(path: Path, annotations: Mapping[str, str]) -> str:
    """``annotate:k="v",...:/abs/path``: values escaped, keys and the path checked."""
    _check_line("path", str(path))
    if not annotations:
        return str(path)
    pairs = []
    for key, value in annotations.items():
        if not KEY_RE.match(key):
            raise ValueError(f"annotation key {key!r} must match {KEY_RE.pattern}")
        _check_line(f"annotation {key}", value)
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        pairs.append(f'{key}="{escaped}"')
    return f"annotate:{','.join(pairs)}:{path}"


def _verb(line: str) -> str:
    words = line.split()
    return words[0] if words else repr(line)


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), value)


def _ids(lines: list[str], command: str) -> list[int]:
    words = " ".join(lines).split()
    if not all(word.isdigit() for word in words):
        raise LiquidsoapError(
            f"Liquidsoap trả lời lạ cho lệnh {command}: {lines!r}", code="refused"
        )
    return [int(word) for word in words]


class LiquidsoapClient:
    """Connection plus verbs; see the module docstring for the commands."""

    def __init__(
        self, address: Address, *, timeout: float = 2.0, idle_reconnect_s: float = 20.0
    ) -> None:
        self.address: Path | tuple[str, int] = (
            address if isinstance(address, tuple) else Path(address)
        )
        self.timeout = timeout
        # Liquidsoap drops idle clients (settings.server.timeout, 30 s by default).
        self.idle_reconnect_s = idle_reconnect_s
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._last_used = 0.0
        self._lock = threading.Lock()

    def __enter__(self) -> LiquidsoapClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock = None
        self._buffer = b""

    def _connect(self) -> socket.socket:
        if self._sock is not None and time.monotonic() - self._last_used > self.idle_reconnect_s:
            self._drop()
        if self._sock is None:
            family = socket.AF_INET if isinstance(self.address, tuple) else socket.AF_UNIX
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(self.address if isinstance(self.address, tuple) else str(self.address))
            except OSError as exc:
                sock.close()
                raise LiquidsoapError(
                    f"Không kết nối được Liquidsoap tại {self.address}: {exc}", code="unreachable"
                ) from exc
            self._sock = sock
        return self._sock

    def command(self, line: str) -> list[str]:
        """Send one command; return its reply lines (without ``END``)."""
        _check_line("command", line)
        with self._lock:
            try:
                try:
                    return self._exchange(line)
                except (_Closed, BrokenPipeError, ConnectionResetError):
                    self._drop()
                    return self._exchange(line)
            except _Closed as exc:
                self._drop()
                raise LiquidsoapError(
                    f"Liquidsoap đóng kết nối khi nhận lệnh {_verb(line)}", code="broken"
                ) from exc
            except TimeoutError as exc:
                self._drop()  # a late reply would be read as the next command's
                raise LiquidsoapError(
                    f"Liquidsoap không trả lời lệnh {_verb(line)} trong {self.timeout:g} giây",
                    code="timeout",
                ) from exc
            except OSError as exc:
                self._drop()
                raise LiquidsoapError(f"Mất kết nối với Liquidsoap: {exc}", code="broken") from exc

    def _exchange(self, line: str) -> list[str]:
        sock = self._connect()
        deadline = time.monotonic() + self.timeout
        sock.settimeout(self.timeout)
        sock.sendall(line.encode("utf-8") + b"\n")
        lines: list[str] = []
        received = False
        while True:
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                sock.settimeout(left)
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    if received:
                        raise OSError("connection reset mid-reply") from None
                    raise
                if not chunk:
                    if received:
                        raise OSError("connection closed mid-reply")
                    raise _Closed
                received = True
                self._buffer += chunk
            raw, _, self._buffer = self._buffer.partition(b"\n")
            text = raw.decode("utf-8", errors="replace").rstrip("\r")
            if text == "END":
                self._last_used = time.monotonic()
                return lines
            lines.append(text)

    def _checked(self, line: str) -> list[str]:
        lines = self.command(line)
        if lines and lines[0].startswith("ERROR"):
            raise LiquidsoapError(f"Liquidsoap từ chối lệnh {line!r}: {lines[0]}", code="refused")
        return lines

    def push(
        self, queue_id: str, path: Path | str, annotations: Mapping[str, str] | None = None
    ) -> int:
        """Queue a file with annotations (they come back in metadata and track events)."""
        path = Path(path).absolute()
        uri = annotated_uri(path, annotations or {})
        if not path.is_file():
            raise LiquidsoapError(f"Không tìm thấy tệp âm thanh {path}", code="missing_file")
        lines = self._checked(f"{queue_id}.push {uri}")
        if len(lines) != 1 or not lines[0].strip().isdigit():
            raise LiquidsoapError(
                f"Liquidsoap không nhận tệp vào hàng {queue_id}: {lines!r}", code="refused"
            )
        return int(lines[0])

    def queue(self, queue_id: str) -> list[int]:
        """Request ids waiting in the queue (the one on air is not listed)."""
        return _ids(self._checked(f"{queue_id}.queue"), f"{queue_id}.queue")

    def skip(self, queue_id: str) -> None:
        self._checked(f"{queue_id}.skip")

    def flush_and_skip(self, queue_id: str) -> None:
        """Empty the queue and end its item on air."""
        self._checked(f"{queue_id}.flush_and_skip")

    def on_air(self) -> list[int]:
        return _ids(self._checked("request.on_air"), "request.on_air")

    def metadata(self, rid: int) -> dict[str, str]:
        lines = self._checked(f"request.metadata {int(rid)}")
        if lines == ["No such request."]:
            raise LiquidsoapError(f"Liquidsoap không còn yêu cầu số {rid}", code="no_such_request")
        result: dict[str, str] = {}
        key = None
        for line in lines:
            match = META_LINE_RE.match(line)
            if match:
                key = match.group(1)
                result[key] = _unescape(match.group(2))
            elif key is not None:  # a value with a raw newline (a file tag) continues here
                result[key] += "\n" + line
        return result

    def gate(self, station_slug: str) -> float:
        return self._gate_reply(self._checked(f"{station_slug}.gate"))

    def set_gate(self, station_slug: str, epoch: float) -> float:
        """Hold the station's programme queue until ``epoch`` (Unix seconds); 0 opens it."""
        if not math.isfinite(epoch):
            raise ValueError(f"gate time must be finite, not {epoch!r}")
        armed = self._gate_reply(self._checked(f"{station_slug}.gate {epoch:.3f}"))
        if abs(armed - epoch) > 0.002:
            raise LiquidsoapError(f"Liquidsoap đặt cổng giờ sai: {armed} ≠ {epoch}", code="refused")
        return armed

    def _gate_reply(self, lines: list[str]) -> float:
        try:
            return float(lines[0])
        except (IndexError, ValueError):
            raise LiquidsoapError(
                f"Liquidsoap trả lời lạ về cổng giờ: {lines!r}", code="refused"
            ) from None

    def remaining(self, output_id: str) -> float | None:
        """Seconds left in the output's current track; None when unknown (e.g. silence)."""
        lines = self._checked(f"{output_id}.remaining")
        try:
            return float(lines[0])
        except (IndexError, ValueError):
            if lines == ["(undef)"]:
                return None
            raise LiquidsoapError(f"Liquidsoap trả lời lạ: {lines!r}", code="refused") from None

    def uptime(self) -> float:
        lines = self._checked("uptime")
        match = UPTIME_RE.match(lines[0].strip()) if lines else None
        if not match:
            raise LiquidsoapError(f"Liquidsoap trả lời lạ cho uptime: {lines!r}", code="refused")
        days, hours, minutes, seconds = (int(x) for x in match.groups())
        return float(((days * 24 + hours) * 60 + minutes) * 60 + seconds)
