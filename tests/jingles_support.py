"""Jingle audio for the tests, made with ffmpeg at test time, and the checks shared by the API
and CLI tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from studio.models import AuditEvent, Jingle
from tests.media.sounds import convert, lavfi

LEAD_S = 1.0  # silence before the chime (trimmed by the chain)
CHIME_S = 3.0  # the chime itself
TAIL_S = 1.0  # silence after it (trimmed)


def chime_wav(out: Path, *, seconds: float = CHIME_S, rate: int = 44100) -> Path:
    """A quiet two-tone chime (about -28 LUFS) between a second of silence on each side."""
    end = LEAD_S + seconds
    tone = (
        f"if(between(t,{LEAD_S},{end}),"
        f"0.1*(sin(2*PI*880*t)+0.5*sin(2*PI*1320*t))*exp(-0.8*(t-{LEAD_S})),0)"
    )
    return lavfi(out, f"aevalsrc='{tone}':s={rate}:d={end + TAIL_S}", "-c:a", "pcm_s16le")


def chime_ogg(wav: Path, out: Path) -> Path:
    return convert(wav, out, "-c:a", "libvorbis", "-q:a", "4")


def jingle_rows(engine: Engine) -> list[Jingle]:
    with Session(engine) as fresh:
        return list(fresh.exec(select(Jingle).order_by(col(Jingle.id))).all())


def jingle_audit(engine: Engine) -> list[tuple[str, str, str]]:
    """(action, entity id, actor) of every jingle event, oldest first."""
    with Session(engine) as fresh:
        events = fresh.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "jingle")
            .order_by(col(AuditEvent.id))
        ).all()
        return [(e.action, e.entity_id, e.actor) for e in events]


def files_under(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
