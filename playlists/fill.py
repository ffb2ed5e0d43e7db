"""Filling one session: choose what fits, order it, time it to the millisecond.

A unit is what must air back to back: a bulletin, or a bulletin with its translations in the
station's language order. Choosing is first-fit in (priority, age) order, so the lowest-priority,
newest units are the ones left over; ordering puts priority units first, then normal units by
category rotation, oldest first within a category.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from playlists.model import Candidate, ItemKind, Priority, ProgrammeItem, StationClip

# Operators read reasons in Vietnamese; categories are the values of studio's Category enum.
CATEGORY_VI: dict[str, str] = {
    "policy": "chính sách",
    "law": "pháp luật",
    "health": "y tế",
    "agriculture_market": "nông nghiệp - thị trường",
    "science_technology": "khoa học - công nghệ",
    "environment_disaster": "môi trường - thiên tai",
    "security_order": "an ninh - trật tự",
    "other": "khác",
}
STATION_REASON: dict[ItemKind, str] = {
    ItemKind.opening: "mở đầu buổi phát",
    ItemKind.closing: "kết thúc buổi phát",
}


@dataclass(frozen=True, slots=True)
class Unit:
    root: Candidate  # the original: its category rotates, its id names the unit
    members: tuple[Candidate, ...]

    @property
    def priority(self) -> bool:
        return any(m.priority is Priority.priority for m in self.members)

    @property
    def added_at(self) -> datetime:
        return min(m.added_at for m in self.members)

    def selection_key(self) -> tuple[int, datetime, int]:
        return (0 if self.priority else 1, self.added_at, self.root.bulletin_id)

    def age_key(self) -> tuple[datetime, int]:
        return (self.added_at, self.root.bulletin_id)

    def without(self, ids: set[int]) -> Unit | None:
        members = tuple(m for m in self.members if m.bulletin_id not in ids)
        return Unit(self.root, members) if members else None


@dataclass(frozen=True, slots=True)
class Slot:
    """The free part of a session: from `start` (after anything already aired) to `end`."""

    session: str
    start: datetime
    end: datetime
    opening: StationClip | None
    closing: StationClip | None
    must_close: bool  # items already aired in this session need their closing
    gap_ms: int


@dataclass(frozen=True, slots=True)
class Filled:
    items: tuple[ProgrammeItem, ...]
    placed: tuple[Candidate, ...]
    overflow: tuple[Candidate, ...]  # eligible, but the session was full
    late: tuple[Candidate, ...]  # would end after valid_until wherever it went in this session


def fill(
    slot: Slot, units: Sequence[Unit], category_order: Sequence[str], moved: dict[int, str]
) -> Filled:
    """`moved` maps bulletin ids to the session they were pushed out of, for the reason."""
    blocked: set[int] = set()
    while True:
        live = [u for u in (unit.without(blocked) for unit in units) if u is not None]
        chosen, overflow = _choose(slot, live)
        items = _layout(slot, _order(chosen, category_order), moved)
        late = [
            c.bulletin_id
            for i, c in items
            if c is not None and c.valid_until is not None and i.end > c.valid_until
        ]
        if not late:
            break
        # Only the first: dropping it moves every later item earlier, which may save them.
        blocked.add(late[0])
    everyone = {m.bulletin_id: m for u in units for m in u.members}
    return Filled(
        items=tuple(i for i, _ in items),
        placed=tuple(c for _, c in items if c is not None),
        overflow=tuple(m for u in overflow for m in u.members),
        late=tuple(everyone[b] for b in sorted(blocked)),
    )


def _choose(slot: Slot, units: list[Unit]) -> tuple[list[Unit], list[Unit]]:
    available = (slot.end - slot.start) // timedelta(milliseconds=1)
    fixed = [c.duration_ms for c in (slot.opening, slot.closing) if c is not None]
    count, total = len(fixed), sum(fixed)
    chosen: list[Unit] = []
    overflow: list[Unit] = []
    for unit in sorted(units, key=Unit.selection_key):
        n = count + len(unit.members)
        t = total + sum(m.duration_ms for m in unit.members)
        if t + slot.gap_ms * (n - 1) <= available:
            chosen.append(unit)
            count, total = n, t
        else:
            overflow.append(unit)
    return chosen, overflow


def _order(units: list[Unit], category_order: Sequence[str]) -> list[Unit]:
    ordered = sorted((u for u in units if u.priority), key=Unit.age_key)
    normal = [u for u in units if not u.priority]
    rank = {category: i for i, category in enumerate(category_order)}
    categories = sorted(
        {u.root.category for u in normal}, key=lambda c: (rank.get(c, len(rank)), c)
    )
    queues = [
        sorted((u for u in normal if u.root.category == c), key=Unit.age_key) for c in categories
    ]
    for turn in range(max((len(q) for q in queues), default=0)):
        ordered.extend(q[turn] for q in queues if turn < len(q))
    return ordered


def _station_item(slot: Slot, clip: StationClip, kind: ItemKind, start: datetime) -> ProgrammeItem:
    return ProgrammeItem(
        slot.session, start, clip.duration_ms, kind, clip.clip_id, clip.sha256, clip.size,
        clip.title, None, None, None, STATION_REASON[kind],
    )  # fmt: skip


def _bulletin_item(slot: Slot, c: Candidate, start: datetime, reason: str) -> ProgrammeItem:
    return ProgrammeItem(
        slot.session, start, c.duration_ms, ItemKind.bulletin, c.clip_id, c.clip_sha256, c.size,
        c.title, c.language, c.bulletin_id, c.version, reason,
    )  # fmt: skip


def _reason(unit: Unit, member: Candidate, moved: dict[int, str]) -> str:
    lead = unit.members[0]
    if member is not lead:
        if member.translation_of == lead.bulletin_id:
            return f"bản dịch, phát kèm bản gốc #{lead.bulletin_id}"
        return f"phát kèm bản tin #{lead.bulletin_id}"
    if member.bulletin_id in moved:
        return f"chuyển từ buổi {moved[member.bulletin_id]}: buổi đã đầy"
    if unit.priority:
        return "ưu tiên"
    category = unit.root.category
    return f"luân phiên: {CATEGORY_VI.get(category, category)}"


def _layout(
    slot: Slot, units: list[Unit], moved: dict[int, str]
) -> list[tuple[ProgrammeItem, Candidate | None]]:
    if not units and not slot.must_close:
        return []  # an empty session plays nothing, not even its ident
    gap = timedelta(milliseconds=slot.gap_ms)
    out: list[tuple[ProgrammeItem, Candidate | None]] = []
    at = slot.start
    if units and slot.opening is not None:
        out.append((_station_item(slot, slot.opening, ItemKind.opening, at), None))
        at = out[-1][0].end + gap
    for unit in units:
        for member in unit.members:
            out.append((_bulletin_item(slot, member, at, _reason(unit, member, moved)), member))
            at = out[-1][0].end + gap
    if slot.closing is not None and at + timedelta(milliseconds=slot.closing.duration_ms) <= (
        slot.end
    ):
        out.append((_station_item(slot, slot.closing, ItemKind.closing, at), None))
    return out
