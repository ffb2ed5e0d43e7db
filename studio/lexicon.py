"""The pronunciation lexicon admins extend per area, applied before the text front-end."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from studio.areas import ancestors, get_area
from studio.audit import Actor, record
from studio.errors import Conflict, NotFound
from studio.models import Area, LexiconEntry, LexiconEntryCreate, LexiconEntryPublic
from studio.types import Language
from tts.frontend.lexicon import Lexicon


def entries_for(session: Session, language: Language, area_ids: set[int]) -> Lexicon:
    """Global entries, then those of the areas above, then the areas themselves: the most
    specific reading of a term wins."""
    reach: list[int] = []
    for area_id in area_ids:
        for ancestor in reversed(ancestors(session, area_id)):
            if ancestor not in reach:
                reach.append(ancestor)
    rows = session.exec(
        select(LexiconEntry).where(
            LexiconEntry.language == language,
            or_(col(LexiconEntry.area_id).is_(None), col(LexiconEntry.area_id).in_(reach)),
        )
    ).all()
    depth = {area_id: i + 1 for i, area_id in enumerate(reach)}
    ordered = sorted(rows, key=lambda e: (depth.get(e.area_id, 0) if e.area_id else 0, e.id or 0))
    merged: dict[str, str] = {}
    for entry in ordered:
        merged[entry.term] = entry.reading
    return Lexicon(merged)


def to_public(session: Session, entry: LexiconEntry) -> LexiconEntryPublic:
    area = session.get(Area, entry.area_id) if entry.area_id else None
    assert entry.id is not None
    return LexiconEntryPublic(
        id=entry.id,
        language=entry.language,
        term=entry.term,
        reading=entry.reading,
        area_code=area.code if area else None,
    )


def add_entry(session: Session, actor: Actor, data: LexiconEntryCreate) -> LexiconEntry:
    area_id = None
    if data.area_code:
        area_id = get_area(session, data.area_code).id
    clash = session.exec(
        select(LexiconEntry).where(
            LexiconEntry.language == data.language,
            LexiconEntry.term == data.term,
            LexiconEntry.area_id == area_id,
        )
    ).first()
    if clash is not None:
        raise Conflict(f"Từ điển đã có cách đọc cho «{data.term}» ở địa bàn này")
    entry = LexiconEntry(
        area_id=area_id,
        language=data.language,
        term=data.term,
        reading=data.reading,
        created_by_id=actor.user_id,
    )
    session.add(entry)
    session.flush()
    record(
        session,
        actor,
        "lexicon.add",
        "lexicon",
        entry.id,
        after={
            "language": str(data.language),
            "term": data.term,
            "reading": data.reading,
            "area_code": data.area_code,
        },
    )
    return entry


def delete_entry(session: Session, actor: Actor, entry_id: int) -> None:
    entry = session.get(LexiconEntry, entry_id)
    if entry is None:
        raise NotFound(f"Không tìm thấy mục từ điển {entry_id}")
    record(
        session,
        actor,
        "lexicon.delete",
        "lexicon",
        entry.id,
        before={
            "language": str(entry.language),
            "term": entry.term,
            "reading": entry.reading,
            "area_id": entry.area_id,
        },
    )
    session.delete(entry)
    session.flush()


def list_entries(
    session: Session, language: Language | None, area_code: str | None
) -> list[LexiconEntry]:
    statement = select(LexiconEntry).order_by(col(LexiconEntry.term))
    if language is not None:
        statement = statement.where(LexiconEntry.language == language)
    if area_code is not None:
        statement = statement.where(LexiconEntry.area_id == get_area(session, area_code).id)
    return list(session.exec(statement).all())
