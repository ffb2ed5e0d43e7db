"""The pronunciation lexicon in the database: per-area entries, precedence, audit."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from studio import lexicon
from studio.areas import get_area
from studio.audit import Actor
from studio.errors import Conflict, NotFound
from studio.models import AuditEvent, LexiconEntryCreate
from studio.types import Language
from tests.factories import World


def add(
    session: Session,
    world: World,
    term: str,
    reading: str,
    area: str | None = None,
    language: str = "vi",
) -> int:
    entry = lexicon.add_entry(
        session,
        Actor(user=world["admin"]),
        LexiconEntryCreate.model_validate(
            {"language": language, "term": term, "reading": reading, "area_code": area}
        ),
    )
    session.commit()
    assert entry.id is not None
    return entry.id


def area_id(session: Session, code: str) -> int:
    found = get_area(session, code).id
    assert found is not None
    return found


def test_the_most_specific_area_wins_for_its_own_area_only(session: Session, world: World) -> None:
    add(session, world, "Tà Pạ", "Tà Pạ chung")
    add(session, world, "Tà Pạ", "Tà Pạ tỉnh", area="P")
    add(session, world, "Tà Pạ", "Tà Pạ xã A", area="A")
    add(session, world, "Ô Lâm", "Ô Lum")
    add(session, world, "Tà Pạ", "តាប៉ា", language="km")

    def readings(codes: list[str], language: Language = Language.vi) -> dict[str, str]:
        ids = {area_id(session, c) for c in codes}
        return lexicon.entries_for(session, language, ids).as_dict()

    assert readings([]) == {"Tà Pạ": "Tà Pạ chung", "Ô Lâm": "Ô Lum"}
    assert readings(["P"]) == {"Tà Pạ": "Tà Pạ tỉnh", "Ô Lâm": "Ô Lum"}
    assert readings(["A"]) == {"Tà Pạ": "Tà Pạ xã A", "Ô Lâm": "Ô Lum"}
    assert readings(["B"]) == {"Tà Pạ": "Tà Pạ tỉnh", "Ô Lâm": "Ô Lum"}  # B inherits from P
    assert readings(["A"], Language.km) == {"Tà Pạ": "តាប៉ា"}
    assert (
        lexicon.entries_for(session, Language.vi, {area_id(session, "A")}).apply(
            "Ấp Tà Pạ, xã Ô Lâm."
        )
        == "Ấp Tà Pạ xã A, xã Ô Lum."
    )


def test_duplicates_are_refused_per_area_and_language(session: Session, world: World) -> None:
    add(session, world, "Tri Tôn", "Tri Tôn")
    with pytest.raises(Conflict, match="Tri Tôn"):
        add(session, world, "Tri Tôn", "Tri Tôn hai")
    session.rollback()
    add(session, world, "Tri Tôn", "Tri Tôn A", area="A")
    add(session, world, "Tri Tôn", "ទ្រីតុន", language="km")
    with pytest.raises(Conflict):
        add(session, world, "Tri Tôn", "Tri Tôn A hai", area="A")
    session.rollback()
    with pytest.raises(NotFound):
        add(session, world, "Tri Tôn", "x", area="KHONG-CO")


def test_add_list_delete_are_audited(session: Session, world: World) -> None:
    kept = add(session, world, "HTX", "hợp tác xã")
    gone = add(session, world, "Ba Chúc", "Ba Chúc xã", area="A")

    assert [e.term for e in lexicon.list_entries(session, Language.vi, None)] == ["Ba Chúc", "HTX"]
    assert [e.id for e in lexicon.list_entries(session, None, "A")] == [gone]
    assert lexicon.list_entries(session, Language.km, None) == []

    lexicon.delete_entry(session, Actor(user=world["admin"]), gone)
    session.commit()
    assert [e.id for e in lexicon.list_entries(session, None, None)] == [kept]
    with pytest.raises(NotFound):
        lexicon.delete_entry(session, Actor(user=world["admin"]), gone)

    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "lexicon").order_by(col(AuditEvent.id))
    ).all()
    assert [(e.action, e.entity_id, e.actor_id) for e in events] == [
        ("lexicon.add", str(kept), world["admin"].id),
        ("lexicon.add", str(gone), world["admin"].id),
        ("lexicon.delete", str(gone), world["admin"].id),
    ]
    assert events[1].after == {
        "language": "vi",
        "term": "Ba Chúc",
        "reading": "Ba Chúc xã",
        "area_code": "A",
    }
    assert events[2].before is not None
    assert events[2].before["term"] == "Ba Chúc"
