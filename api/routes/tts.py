from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import AdminUser, CurrentUser, IdPath, SessionDep, actor_for
from api.routes.clips import KitDep
from studio import lexicon
from studio.areas import get_area
from studio.errors import InvalidInput
from studio.models import (
    LexiconEntryCreate,
    LexiconEntryPublic,
    PreviewRequest,
    PreviewResponse,
    PreviewSegment,
    VoicePublic,
)
from studio.types import Language
from studio.voices import first_voice, region_of
from tts.base import EngineError
from tts.frontend import FRONTEND_VERSION, normalize

router = APIRouter(tags=["tts"])


@router.post("/tts/preview", response_model=PreviewResponse)
def preview(
    data: PreviewRequest, user: CurrentUser, session: SessionDep, kit: KitDep
) -> PreviewResponse:
    """Exactly what the voice will read: the normalised text and its segments."""
    language = data.language.value
    voice = data.voice or first_voice(kit, language)
    if data.voice is not None:
        try:
            kit.chain.choices(language, data.voice)
        except EngineError as exc:
            raise InvalidInput(exc.message) from None
    areas = set()
    if data.area_code:
        area = get_area(session, data.area_code)
        assert area.id is not None
        areas.add(area.id)
    lex = lexicon.entries_for(session, data.language, areas)
    region = region_of(voice)
    result = normalize(data.text, language, region, lex)
    return PreviewResponse(
        language=data.language,
        region=region,
        text=result.text,
        segments=[
            PreviewSegment(text=s.text, pause_after_ms=s.pause_after_ms) for s in result.segments
        ],
        frontend_version=FRONTEND_VERSION,
    )


@router.get("/tts/voices", response_model=list[VoicePublic])
def voices(user: CurrentUser, kit: KitDep) -> list[VoicePublic]:
    """Every voice the configured engine chains can use, in chain order."""
    result = []
    for language in ("vi", "km"):
        for engine, voice in kit.chain.voices(language):
            result.append(
                VoicePublic(
                    engine=engine,
                    id=voice.id,
                    language=Language(language),
                    gender=voice.gender,
                    description=voice.description,
                )
            )
    return result


@router.get("/lexicon", response_model=list[LexiconEntryPublic])
def list_lexicon(
    user: CurrentUser,
    session: SessionDep,
    language: Language | None = None,
    area: Annotated[str | None, Query(max_length=64)] = None,
) -> list[LexiconEntryPublic]:
    return [lexicon.to_public(session, e) for e in lexicon.list_entries(session, language, area)]


@router.post("/lexicon", response_model=LexiconEntryPublic, status_code=status.HTTP_201_CREATED)
def add_lexicon(
    data: LexiconEntryCreate, admin: AdminUser, session: SessionDep
) -> LexiconEntryPublic:
    """How to read a term, everywhere or in one area (and the areas below it)."""
    entry = lexicon.add_entry(session, actor_for(admin), data)
    session.commit()
    return lexicon.to_public(session, entry)


@router.delete("/lexicon/{entry_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_lexicon(entry_id: IdPath, admin: AdminUser, session: SessionDep) -> Response:
    lexicon.delete_entry(session, actor_for(admin), entry_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
