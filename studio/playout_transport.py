"""The playout's way into Liquidsoap: one client per process of the layout, by station.

Also tells when a Liquidsoap process has restarted (its uptime went backwards, or it was
unreachable and is back), so the playout can resume what that process was holding.
"""

from __future__ import annotations

import logging
from pathlib import Path

from stations import LiquidsoapClient, LiquidsoapError, slug
from studio.onair_layout import ProcessSlot

log = logging.getLogger(__name__)


class LiquidsoapTransport:
    def __init__(self, process_slots: list[ProcessSlot], *, timeout: float = 2.0) -> None:
        self.slots = process_slots
        self.clients = {
            s.index: LiquidsoapClient(s.socket_path, timeout=timeout) for s in process_slots
        }
        self.by_station = {code: s.index for s in process_slots for code in s.station_codes}
        self._uptime: dict[int, float | None] = {s.index: None for s in process_slots}
        self._seen: set[int] = set()

    def _client(self, station: str) -> LiquidsoapClient:
        return self.clients[self.by_station[station]]

    def push(self, station: str, path: Path, annotations: dict[str, str]) -> None:
        self._client(station).push(f"{slug(station)}_programme", path, annotations)

    def push_emergency(self, station: str, path: Path, annotations: dict[str, str]) -> int:
        return self._client(station).push(f"{slug(station)}_emergency", path, annotations)

    def flush_emergency(self, station: str) -> None:
        self._client(station).flush_and_skip(f"{slug(station)}_emergency")

    def arm(self, station: str, release_at: float) -> None:
        self._client(station).set_gate(slug(station), release_at)

    def held_keys(self, station: str) -> set[str]:
        client = self._client(station)
        try:
            rids = client.queue(f"{slug(station)}_programme") + client.on_air()
            keys = set()
            for rid in rids:
                meta = client.metadata(rid)
                if meta.get("loa_queue", "programme") == "programme" and "item_key" in meta:
                    keys.add(meta["item_key"])
            return keys
        except LiquidsoapError:
            return set()

    def restarted(self) -> list[ProcessSlot]:
        """The processes that restarted since the last call: uptime went backwards, or the
        process answers again after not answering (the very first answer is no restart)."""
        out = []
        for slot in self.slots:
            try:
                uptime: float | None = self.clients[slot.index].uptime()
            except LiquidsoapError:
                uptime = None
            before = self._uptime[slot.index]
            if uptime is not None and slot.index in self._seen:
                if before is None or uptime < before:
                    out.append(slot)
            if uptime is not None:
                self._seen.add(slot.index)
            self._uptime[slot.index] = uptime
        return out

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
