"""Store and forward for the endpoint device: proof-of-play reports kept on disk, in order,
until the server has them, and JSON files written so that a power cut never leaves half of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

Report = dict[str, Any]


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


class Outbox:
    """Reports waiting for the server, oldest first (one JSON list; a device plays a few dozen
    items a day, so rewriting it whole is cheap and keeps it consistent)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def pending(self) -> list[Report]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []

    def add(self, report: Report) -> None:
        with self._lock:
            write_json_atomic(self.path, [*self.pending(), report])

    def flush(self, send: Callable[[Report], None]) -> int:
        """`send` each report in order, dropping it once sent; whatever `send` raises stops the
        flush and leaves that report and the later ones waiting. Returns how many went."""
        sent = 0
        with self._lock:
            pending = self.pending()
            try:
                while pending:
                    send(pending[0])
                    pending.pop(0)
                    sent += 1
            finally:
                write_json_atomic(self.path, pending)
        return sent
