"""``loa tts …`` and ``loa bulletin render``: voices from the command line."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from media.chain import process_clip
from media.errors import MediaError
from studio import clips
from studio.cli import (
    AsUser,
    _actor,
    app,
    bulletin_app,
    fail,
    friendly,
    load_settings,
    out,
    unit_of_work,
)
from studio.db import make_engine
from studio.lexicon import entries_for
from studio.models import RenderRequest
from studio.render_jobs import claim, run_clip
from studio.settings import Settings
from studio.types import ClipStatus, Language
from studio.voices import VoiceConfigError, VoiceKit, build_kit, first_voice, region_of
from tts.base import EngineError
from tts.frontend import normalize
from tts.render import render_speech

tts_app = typer.Typer(no_args_is_help=True, help="Text-to-speech: preview, voices, synthesis.")
app.add_typer(tts_app, name="tts")

STATUS_VI = {
    ClipStatus.ready: "sẵn sàng",
    ClipStatus.failed: "thất bại",
    ClipStatus.needs_recording: "cần bản ghi âm",
    ClipStatus.rendering: "đang tạo",
}


def _kit(settings: Settings) -> VoiceKit:
    try:
        return build_kit(settings)
    except VoiceConfigError as exc:
        fail(str(exc))


@tts_app.command("normalize")
@friendly
def tts_normalize(
    text: Annotated[str, typer.Argument(help="Text to normalise")],
    lang: Annotated[Language, typer.Option("--lang", help="vi or km")],
    voice: Annotated[str, typer.Option(help="Voice (decides the regional reading)")] = "",
    segments: Annotated[bool, typer.Option(help="Show the segments and pauses")] = False,
) -> None:
    """Print exactly what the voice will read."""
    kit = _kit(load_settings())
    chosen = voice or first_voice(kit, lang.value)
    with unit_of_work() as session:
        lexicon = entries_for(session, lang, set())
    result = normalize(text, lang.value, region_of(chosen), lexicon)
    if segments:
        for segment in result.segments:
            out.print(f"{segment.text}  [dim]({segment.pause_after_ms} ms)[/]", highlight=False)
    else:
        out.print(result.text, highlight=False, soft_wrap=True)


@tts_app.command("voices")
@friendly
def tts_voices() -> None:
    """List the voices of the configured engine chains, in the order they are tried."""
    kit = _kit(load_settings())
    table = Table("language", "engine", "voice", "gender", "description")
    for language in ("vi", "km"):
        for engine, voice in kit.chain.voices(language):
            table.add_row(language, engine, voice.id, voice.gender, voice.description)
    out.print(table)


@tts_app.command("say")
@friendly
def tts_say(
    text: Annotated[str, typer.Argument(help="Text to speak")],
    lang: Annotated[Language, typer.Option("--lang", help="vi or km")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output MP3 file")],
    voice: Annotated[str | None, typer.Option(help="Voice id (see `loa tts voices`)")] = None,
    raw: Annotated[bool, typer.Option(help="Skip the broadcast chain (plain WAV)")] = False,
) -> None:
    """Speak a text through the front-end, the engine chain and the broadcast chain."""
    settings = load_settings()
    kit = _kit(settings)
    if output.suffix.lower() != (".wav" if raw else ".mp3"):
        fail(f"tệp đầu ra phải có đuôi {'.wav' if raw else '.mp3'}")
    try:
        choices = kit.chain.choices(lang.value, voice)
    except EngineError as exc:
        fail(exc.message)
    chosen = voice or (choices[0].voice if choices else "")
    with unit_of_work() as session:
        lexicon = entries_for(session, lang, set())
    normalized = normalize(text, lang.value, region_of(chosen), lexicon)
    kit.work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=kit.work_dir, prefix="say-") as scratch:
        try:
            speech = render_speech(normalized, kit.chain, Path(scratch), voice, sample_rate=None)
            result = (
                speech.path
                if raw
                else process_clip(speech.path, kit.params, Path(scratch)).broadcast
            )
        except EngineError as exc:
            fail(exc.message)
        except MediaError as exc:
            fail(exc.message)
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = output.with_name(f".{output.name}.part")
        shutil.copyfile(result, staging)
        staging.replace(output)
    out.print(f"Đã ghi {output} ({speech.engine}, {speech.voice}).")


@bulletin_app.command("render")
@friendly
def bulletin_render(
    bulletin_ids: Annotated[list[int], typer.Argument(help="Bulletin ids")],
    as_user: AsUser,
    voice: Annotated[str | None, typer.Option(help="Voice id")] = None,
) -> None:
    """Render the current version of each bulletin now, with a progress bar."""
    settings = load_settings()
    kit = _kit(settings)
    queued: list[tuple[int, int]] = []
    with unit_of_work() as session:
        actor = _actor(session, as_user)
        for bulletin_id in bulletin_ids:
            clip = clips.request_render(
                session, actor, bulletin_id, RenderRequest(voice=voice), kit
            )
            assert clip.id is not None
            queued.append((bulletin_id, clip.id))
    engine = make_engine(settings.effective_database_url)
    failures = 0
    try:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
        )
        # Only on a terminal: in logs and pipes the result lines are the whole output.
        with Progress(
            *columns, console=out, transient=True, disable=not out.is_terminal
        ) as progress:
            task = progress.add_task("Đang tạo âm thanh", total=len(queued))
            results = []
            for bulletin_id, clip_id in queued:
                status = ClipStatus.rendering
                if claim(engine, clip_id) == clip_id:
                    status = run_clip(engine, kit, clip_id)
                results.append((bulletin_id, clip_id, status))
                progress.advance(task)
        with unit_of_work() as session:
            for bulletin_id, clip_id, status in results:
                clip = clips.get_clip(session, clip_id)
                line = f"#{bulletin_id}: {STATUS_VI[status]} (clip {clip_id}"
                if status is ClipStatus.ready:
                    line += f", {clip.engine}/{clip.voice}, {(clip.duration_ms or 0) / 1000:.1f} s)"
                else:
                    line += f") {clip.error}"
                    failures += 1
                out.print(line, highlight=False, soft_wrap=True)
    finally:
        engine.dispose()
    if failures:
        raise typer.Exit(1)
