"""The identity of a programme item on air: what the playout annotates a push with and the
as-run log records, so a plan and what aired can be matched."""

from __future__ import annotations

from playlists.model import ProgrammeItem
from playlists.times import iso_utc


def item_key(item: ProgrammeItem) -> str:
    """`<planned start, ISO UTC with ms>/<bulletin id, or the kind of a jingle>`: unique within
    a station's day (two items never start at the same millisecond), stable across rebuilds
    for an item that did not move."""
    what = str(item.bulletin_id) if item.bulletin_id is not None else item.kind.value
    return f"{iso_utc(item.start)}/{what}"
