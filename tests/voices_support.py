"""Helpers for the voice tests: offline settings, a render through the real queue, probes.

No test may let edge-tts reach the internet: settings built here either point the edge engine
at the local fake server or leave "edge" out of every chain.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from media.store import TMP_DIR
from studio import clips
from studio.audit import Actor
from studio.models import AuditEvent, Clip, RenderRequest, User
from studio.render_jobs import process_queue
from studio.settings import Settings
from studio.voices import VoiceKit, build_kit
from tests.conftest import require_binary

OFFLINE_CHAINS: dict[str, list[str]] = {"vi": ["espeak"], "km": []}
SHORT_TITLE = "Tin xã"
SHORT_BODY = "Họp dân lúc 7h30."
NUMBERS_BODY = "Ngày 20-5, xã có 105 hộ, 90% có BHYT."
KHMER_TITLE = "ព័ត៌មាន"
KHMER_BODY = "ថ្ងៃទី ២០ ខែឧសភា មាន ១០៥ គ្រួសារ។"


def offline(settings: Settings, **tts: Any) -> Settings:
    """`settings` with chains that never reach the network (espeak for vi, nothing for km)."""
    update: dict[str, Any] = {"chains": OFFLINE_CHAINS, **tts}
    return settings.model_copy(update={"tts": settings.tts.model_copy(update=update)})


def with_edge(
    settings: Settings,
    url: str,
    chains: dict[str, list[str]] | None = None,
    timeout_s: float = 2.0,
) -> Settings:
    """`settings` whose edge engine talks to the fake server at `url`."""
    return offline(
        settings,
        chains=chains or {"vi": ["edge", "espeak"], "km": ["edge"]},
        edge_endpoint=url,
        edge_timeout_s=timeout_s,
    )


def with_media(settings: Settings, **media: Any) -> Settings:
    return settings.model_copy(update={"media": settings.media.model_copy(update=media)})


def queue_render(
    session: Session, kit: VoiceKit, user: User, bulletin_id: int, **request: Any
) -> int:
    clip = clips.request_render(
        session, Actor(user=user), bulletin_id, RenderRequest(**request), kit
    )
    session.commit()
    assert clip.id is not None
    return clip.id


def render_now(
    session: Session, engine: Engine, settings: Settings, user: User, bulletin_id: int
) -> Clip:
    """Queue a render and run the queue to the end; the clip as the database has it now."""
    kit = build_kit(settings)
    clip_id = queue_render(session, kit, user, bulletin_id)
    assert clip_id in process_queue(engine, kit)
    return reload(engine, clip_id)


def reload(engine: Engine, clip_id: int) -> Clip:
    with Session(engine) as fresh:
        clip = fresh.get(Clip, clip_id)
        assert clip is not None
        return clip


def clip_rows(engine: Engine) -> list[Clip]:
    with Session(engine) as fresh:
        return list(fresh.exec(select(Clip).order_by(col(Clip.id))).all())


def audit_actions(engine: Engine, bulletin_id: int) -> list[str]:
    with Session(engine) as fresh:
        events = fresh.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "bulletin", AuditEvent.entity_id == str(bulletin_id))
            .order_by(col(AuditEvent.id))
        ).all()
        return [e.action for e in events]


def stored_files(media_dir: Path) -> list[Path]:
    """Files at addresses in the store (its temp folder excluded)."""
    if not media_dir.exists():
        return []
    return sorted(
        p
        for p in media_dir.rglob("*")
        if p.is_file() and TMP_DIR not in p.relative_to(media_dir).parts
    )


def store_temp_files(media_dir: Path) -> list[Path]:
    tmp = media_dir / TMP_DIR
    return sorted(p for p in tmp.rglob("*") if p.is_file()) if tmp.exists() else []


def ffprobe(path: Path) -> dict[str, Any]:
    require_binary("ffprobe")
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
        + [str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    data: dict[str, Any] = json.loads(result.stdout)
    return data
