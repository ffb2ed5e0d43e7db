"""Programme versions: a digest of what plays, and a readable diff between two versions."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from playlists.codec import canonical_json, item_to_dict
from playlists.model import ItemKind, Programme, ProgrammeItem
from playlists.times import iso_utc


def programme_digest(programme: Programme) -> str:
    """sha256 of the canonical JSON of what plays and when the station is on air (station, day,
    sessions, items with their reasons): equal digests mean an identical programme, so a
    rebuild with an equal digest is no new version. The unplaced/excluded reports are not part
    of it."""
    payload = {
        "station": programme.station,
        "day": programme.day.isoformat(),
        "sessions": [[s.name, iso_utc(s.start), iso_utc(s.end)] for s in programme.sessions],
        "items": [item_to_dict(i) for i in programme.items],
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


class ChangeKind(StrEnum):
    added = "added"
    removed = "removed"
    moved = "moved"  # to another session
    retimed = "retimed"  # same session, other start
    replaced = "replaced"  # same place in the plan, another version or clip


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    old: ProgrammeItem | None
    new: ProgrammeItem | None

    @property
    def item(self) -> ProgrammeItem:
        item = self.new or self.old
        assert item is not None
        return item

    @property
    def title(self) -> str:
        return self.item.title

    @property
    def bulletin_id(self) -> int | None:
        return self.item.bulletin_id


# At one instant, what left is told before what took its place.
_RANK = {k: n for n, k in enumerate(["removed", "added", "replaced", "moved", "retimed"])}


def _pair(old: ProgrammeItem, new: ProgrammeItem) -> Change | None:
    if (old.clip_sha256, old.version, old.clip_id) != (new.clip_sha256, new.version, new.clip_id):
        return Change(ChangeKind.replaced, old, new)
    if old.session != new.session:
        return Change(ChangeKind.moved, old, new)
    if old.start != new.start or old.duration_ms != new.duration_ms:
        return Change(ChangeKind.retimed, old, new)
    return None


def _key(item: ProgrammeItem) -> tuple[str, int]:
    # Station clips are identified by their role in a session, bulletins by their id.
    if item.kind is ItemKind.bulletin:
        assert item.bulletin_id is not None
        return ("bulletin", item.bulletin_id)
    return (f"{item.kind.value}:{item.session}", 0)


def diff(old: Programme, new: Programme) -> list[Change]:
    """What changed from `old` to `new`, in time order. A bulletin's airings are matched in
    the same session first, then in start order across sessions (a move)."""
    olds: dict[tuple[str, int], list[ProgrammeItem]] = {}
    news: dict[tuple[str, int], list[ProgrammeItem]] = {}
    for source, bucket in ((old.items, olds), (new.items, news)):
        for item in sorted(source, key=lambda i: (i.start, i.session)):
            bucket.setdefault(_key(item), []).append(item)
    changes: list[Change] = []
    for key in sorted(set(olds) | set(news)):
        before, after = list(olds.get(key, [])), list(news.get(key, []))
        for item in list(before):
            twin = next((n for n in after if n.session == item.session), None)
            if twin is not None:
                before.remove(item)
                after.remove(twin)
                change = _pair(item, twin)
                if change is not None:
                    changes.append(change)
        for a, b in zip(before, after, strict=False):
            changes.append(_pair(a, b) or Change(ChangeKind.retimed, a, b))
        changes.extend(Change(ChangeKind.removed, a, None) for a in before[len(after) :])
        changes.extend(Change(ChangeKind.added, None, b) for b in after[len(before) :])
    return sorted(
        changes,
        key=lambda c: (c.item.start, _RANK[c.kind], c.bulletin_id or 0, c.item.session),
    )


_WORDS = {
    "en": {
        "none": "No changes.",
        ChangeKind.added: '+ added "{t}"{id} to {s} at {at}',
        ChangeKind.removed: '- removed "{t}"{id} from {s} at {at}',
        ChangeKind.moved: '~ moved "{t}"{id} from {s0} {at0} to {s} {at}',
        ChangeKind.retimed: '~ retimed "{t}"{id} in {s}: {at0} -> {at}',
        ChangeKind.replaced: '~ replaced "{t}"{id} in {s} at {at}: {v0} -> {v}',
        "version": "v{n}",
    },
    "vi": {
        "none": "Không có thay đổi.",
        ChangeKind.added: '+ thêm "{t}"{id} vào buổi {s} lúc {at}',
        ChangeKind.removed: '- bỏ "{t}"{id} khỏi buổi {s} lúc {at}',
        ChangeKind.moved: '~ chuyển "{t}"{id} từ buổi {s0} {at0} sang buổi {s} {at}',
        ChangeKind.retimed: '~ đổi giờ "{t}"{id} trong buổi {s}: {at0} → {at}',
        ChangeKind.replaced: '~ thay "{t}"{id} trong buổi {s} lúc {at}: {v0} → {v}',
        "version": "bản {n}",
    },
}


def _clock(value: datetime, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    text = local.strftime("%H:%M:%S")
    return text + (f".{local.microsecond // 1000:03d}" if local.microsecond else "")


def render_diff_text(changes: Sequence[Change], lang: str = "en", tz: str = "UTC") -> str:
    """One line per change for operators, times on the wall clock of `tz`."""
    if lang not in _WORDS:
        raise ValueError(f"no diff wording for language {lang!r} (en, vi)")
    words, zone = _WORDS[lang], ZoneInfo(tz)
    if not changes:
        return words["none"]
    lines = []
    for change in changes:
        item, before = change.item, change.old or change.item

        def version(i: ProgrammeItem) -> str:
            if i.version is None:
                return f"clip {i.clip_id}"
            return words["version"].format(n=i.version)

        ident = f" (#{item.bulletin_id} {version(item)})" if item.bulletin_id else ""
        if change.kind is ChangeKind.replaced:
            ident = f" (#{item.bulletin_id})" if item.bulletin_id else ""
        lines.append(
            words[change.kind].format(
                t=item.title,
                id=ident,
                s=item.session,
                at=_clock(item.start, zone),
                s0=before.session,
                at0=_clock(before.start, zone),
                v0=version(before),
                v=version(item),
            )
        )
    return "\n".join(lines)
