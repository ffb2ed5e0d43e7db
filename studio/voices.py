"""Settings -> the speech and audio machinery of the lower packages (engines, chain, store)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from media.chain import ClipChainParams
from media.store import MediaStore
from studio.settings import Settings
from tts.base import Engine
from tts.edge import EdgeEngine
from tts.engines import EngineChain
from tts.espeak import EspeakEngine
from tts.frontend import FRONTEND_VERSION, Region

ENGINE_NAMES = ("edge", "espeak")


class VoiceConfigError(ValueError):
    """The TTS settings name an engine or voice that does not exist (message in Vietnamese)."""


@dataclass(frozen=True)
class VoiceKit:
    chain: EngineChain
    params: ClipChainParams
    store: MediaStore
    work_dir: Path
    preferred_voices: dict[str, str]
    rate_percent: int

    @property
    def uploads(self) -> Path:
        """Accepted recordings waiting for the clip chain."""
        return self.work_dir / "uploads"


def build_engines(settings: Settings) -> dict[str, Engine]:
    tts = settings.tts
    return {
        "edge": EdgeEngine(tts.edge_endpoint, tts.edge_timeout_s),
        "espeak": EspeakEngine(words_per_minute=tts.espeak_wpm, default_voice=tts.espeak_voice),
    }


def build_kit(settings: Settings) -> VoiceKit:
    try:
        engines = build_engines(settings)
    except ValueError as exc:  # e.g. LOA_TTS__ESPEAK_VOICE names no espeak-ng voice
        raise VoiceConfigError(f"cấu hình giọng đọc sai: {exc}") from exc
    unknown = {n for names in settings.tts.chains.values() for n in names} - set(engines)
    if unknown:
        raise VoiceConfigError(
            f"LOA_TTS__CHAINS có bộ đọc không tồn tại: {', '.join(sorted(unknown))} "
            f"(chỉ có: {', '.join(ENGINE_NAMES)})"
        )
    chain = EngineChain(
        {lang: [engines[n] for n in names] for lang, names in settings.tts.chains.items()}
    )
    media = settings.media
    params = ClipChainParams(
        target_lufs=media.target_lufs,
        true_peak_dbtp=media.true_peak_dbtp,
        highpass_hz=media.highpass_hz,
        preroll_ms=media.preroll_ms,
        chime=media.chime,
        sample_rate=media.sample_rate,
        bitrate_kbps=media.bitrate_kbps,
    )
    return VoiceKit(
        chain=chain,
        params=params,
        store=MediaStore(settings.media_dir),
        work_dir=settings.work_dir,
        preferred_voices=dict(settings.tts.voices),
        rate_percent=settings.tts.rate_percent,
    )


def first_voice(kit: VoiceKit, language: str) -> str:
    """The voice a render would try first: the preferred one where the chain has it."""
    preferred = kit.preferred_voices.get(language)
    known = {v.id for _, v in kit.chain.voices(language)}
    choices = kit.chain.choices(language, preferred if preferred in known else None)
    return choices[0].voice if choices else ""


def region_of(voice: str) -> Region:
    """Vietnamese reading variants follow the voice's accent (linh/lẻ, nghìn/ngàn)."""
    lowered = voice.lower()
    if "south" in lowered:
        return "south"
    if "central" in lowered:
        return "central"
    return "north"  # espeak-ng `vi` and the edge Vietnamese voices are Northern


def cache_key(
    normalized_text: str, engine: str, voice: str, rate: int, pitch_hz: int, params: ClipChainParams
) -> str:
    """Same reading, engine, voice, parameters and front-end: the same clip."""
    material = {
        "text": normalized_text,
        "engine": engine,
        "voice": voice,
        "rate": rate,
        "pitch": pitch_hz,
        "frontend": FRONTEND_VERSION,
        "chain": {k: str(v) for k, v in sorted(params.__dict__.items())},
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()
