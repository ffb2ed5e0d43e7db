"""`loa jingle …`: station idents and chimes for session openings and closings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from studio import jingles, stations
from studio.audit import Actor
from studio.cli import app, fail, friendly, load_settings, out, unit_of_work
from studio.models import MAX_ID, StationUpdate

jingle_app = typer.Typer(no_args_is_help=True, help="Station idents and chimes.")
app.add_typer(jingle_app, name="jingle")

NONE = "none"


def _decimal(value: float) -> str:
    """One decimal, with the comma Vietnamese operators write: "3,1"."""
    return f"{value:.1f}".replace(".", ",")


def _seconds(duration_ms: int) -> str:
    return _decimal(duration_ms / 1000)


@jingle_app.command("add")
@friendly
def jingle_add(
    file: Annotated[
        Path, typer.Argument(help="Audio file (MP3, WAV, OGG/Opus, M4A, FLAC), ≤ 30 s")
    ],
    title: Annotated[str, typer.Option(help="Name shown in programmes")],
) -> None:
    """Process an ident or chime into the house format and store it."""
    if not file.is_file():
        fail(f"không tìm thấy tệp {file}")
    settings = load_settings()
    with unit_of_work() as session:
        jingle = jingles.add_jingle(session, settings, Actor.system("cli"), file, title)
        line = (
            f"Đã thêm nhạc hiệu #{jingle.id} «{jingle.title}» "
            f"({_seconds(jingle.duration_ms)} giây, {_decimal(jingle.loudness_lufs)} LUFS)."
        )
    out.print(line, highlight=False, soft_wrap=True)


@jingle_app.command("list")
@friendly
def jingle_list() -> None:
    """List the jingles and the stations that play them."""
    with unit_of_work() as session:
        rows, total = jingles.list_jingles(session, 0, 100_000)
        table = Table(
            "#",
            "tên",
            "giây",
            "LUFS",
            Column("sha256", overflow="fold"),
            Column("dùng ở đài", overflow="fold"),
            title=f"{total} nhạc hiệu",
        )
        for jingle in rows:
            assert jingle.id is not None
            uses = jingles.stations_using(session, jingle.id)
            table.add_row(
                str(jingle.id),
                jingle.title,
                _seconds(jingle.duration_ms),
                _decimal(jingle.loudness_lufs),
                jingle.sha256[:12],
                ", ".join(f"{code} ({part})" for code, part in uses),
            )
    out.print(table)


@jingle_app.command("remove")
@friendly
def jingle_remove(jingle_id: Annotated[int, typer.Argument(help="Jingle id", min=1)]) -> None:
    """Delete a jingle no station uses (its audio stays in the store for past programmes)."""
    with unit_of_work() as session:
        jingles.delete_jingle(session, Actor.system("cli"), jingle_id)
    out.print(f"Đã xoá nhạc hiệu #{jingle_id}.")


def _choice(option: str, value: str) -> int | None:
    if value.strip().lower() == NONE:
        return None
    if not value.strip().isdigit() or int(value) < 1:
        fail(f"{option} phải là mã số nhạc hiệu (xem `loa jingle list`) hoặc «none»")
    if int(value) > MAX_ID:
        fail(f"không tìm thấy nhạc hiệu {int(value)}")
    return int(value)


def _label(jingle_id: int | None) -> str:
    return "không có" if jingle_id is None else f"#{jingle_id}"


@jingle_app.command("assign")
@friendly
def jingle_assign(
    code: Annotated[str, typer.Argument(help="Station code")],
    opening: Annotated[str | None, typer.Option(help="Jingle id, or 'none' to remove")] = None,
    closing: Annotated[str | None, typer.Option(help="Jingle id, or 'none' to remove")] = None,
) -> None:
    """Set the station's opening and/or closing jingle (programmes are rebuilt to match)."""
    if opening is None and closing is None:
        fail("cần ít nhất một trong hai: --opening hoặc --closing")
    changes: dict[str, int | None] = {}
    if opening is not None:
        changes["opening_jingle_id"] = _choice("--opening", opening)
    if closing is not None:
        changes["closing_jingle_id"] = _choice("--closing", closing)
    data = StationUpdate.model_validate(changes)
    with unit_of_work() as session:
        station = stations.update_station(session, Actor.system("cli"), code, data)
        line = (
            f"Đài {station.code}: mở đầu {_label(station.opening_jingle_id)}, "
            f"kết thúc {_label(station.closing_jingle_id)}."
        )
    out.print(line, highlight=False, soft_wrap=True)
