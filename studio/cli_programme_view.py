"""`loa programme show|versions`: a station's programme of a day, its exports and history."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Column, Table

import playlists
from studio import programmes, stations
from studio.cli import fail, friendly, load_settings, out, unit_of_work
from studio.cli_programme import day_at, programme_app

KIND_VI = {"opening": "mở đầu", "bulletin": "bản tin", "closing": "kết thúc"}

StationOption = Annotated[str, typer.Option("--station", help="Station code")]
DayOption = Annotated[
    str | None, typer.Option("--date", help="Local date YYYY-MM-DD (default: today there)")
]


class Format(StrEnum):
    table = "table"
    json = "json"
    m3u8 = "m3u8"
    xspf = "xspf"


def clock(value: datetime, zone: ZoneInfo, ms: bool = True) -> str:
    local = value.astimezone(zone)
    return f"{local:%H:%M:%S}" + (f".{local.microsecond // 1000:03d}" if ms else "")


def length(duration_ms: int) -> str:
    minutes, ms = divmod(duration_ms, 60_000)
    return f"{minutes}:{ms // 1000:02d}.{ms % 1000:03d}"


# ------------------------------------------------------------------ show, versions
def _skipped(heading: str, rows: tuple[playlists.Skipped, ...]) -> None:
    out.print(f"{heading} ({len(rows)}){':' if rows else ': không có'}", highlight=False)
    for s in rows:
        line = f"  #{s.bulletin_id} v{s.version} «{s.title}» ({s.language}): {s.reason}"
        out.print(escape(line), highlight=False, soft_wrap=True)


@programme_app.command("show")
@friendly
def programme_show(
    station: StationOption,
    day: DayOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, json, m3u8 or xspf")] = (
        Format.table
    ),
) -> None:
    """Show the current programme of a station's day, or export it."""
    settings = load_settings()
    with unit_of_work() as session:
        found = stations.get_station(session, station)
        assert found.id is not None
        row = programmes.require_current(session, found, day_at(found, day))
        if fmt is Format.json:
            token = programmes.newest_token(session, found.id)
            data = programmes.manifest(session, settings, found, row, token)
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
    if fmt is not Format.table:
        export = programmes.m3u8 if fmt is Format.m3u8 else programmes.xspf
        typer.echo(export(settings, row), nl=False)
        return
    programme = programmes.programme_of(row)
    zone = ZoneInfo(found.timezone)
    out.print(
        f"Đài {found.code}, ngày {row.day.isoformat()}: phiên bản {row.version}, "
        f"lập lúc {row.built_at.astimezone(zone):%Y-%m-%d %H:%M:%S} bởi {row.built_by}",
        highlight=False,
        soft_wrap=True,
    )
    for s in programme.sessions:
        count = sum(1 for i in programme.items if i.session == s.name)
        span = f"{clock(s.start, zone, False)}-{clock(s.end, zone, False)}"
        out.print(f"Buổi {escape(s.name)}: {span}, {count} mục", highlight=False)
    table = Table(
        Column("giờ", no_wrap=True), "buổi", "thời lượng", "loại", "ngôn ngữ", "tiêu đề",
        Column("bản tin", no_wrap=True), Column("lý do", overflow="fold"),
    )  # fmt: skip
    for item in programme.items:
        table.add_row(
            clock(item.start, zone),
            escape(item.session),
            length(item.duration_ms),
            KIND_VI.get(item.kind.value, item.kind.value),
            item.language or "",
            escape(item.title),  # typed by editors: brackets are not rich markup
            f"#{item.bulletin_id} v{item.version}" if item.bulletin_id is not None else "",
            escape(item.reason),
        )
    out.print(table)
    _skipped("Chưa xếp được", programme.unplaced)
    _skipped("Không xếp", programme.excluded)


@programme_app.command("versions")
@friendly
def programme_versions(station: StationOption, day: DayOption = None) -> None:
    """List the versions of a station's programme for a day, newest first, with their diffs."""
    with unit_of_work() as session:
        found = stations.get_station(session, station)
        assert found.id is not None
        when = day_at(found, day)
        rows = programmes.versions(session, found.id, when)
    if not rows:
        fail(f"Đài {found.code} chưa có chương trình ngày {when.isoformat()}")
    zone = ZoneInfo(found.timezone)
    table = Table(
        "phiên bản", "hiện hành", Column("lập lúc", no_wrap=True), "bởi", "thay đổi", "lý do"
    )
    for row in rows:
        table.add_row(
            str(row.version),
            "✓" if row.is_current else "",
            f"{row.built_at.astimezone(zone):%Y-%m-%d %H:%M:%S}",
            escape(row.built_by),
            str(row.changes),
            escape(row.reason),
        )
    out.print(table)
    for row in rows:
        out.print(f"Phiên bản {row.version}:", highlight=False)
        for line in row.diff_text.splitlines():
            out.print(f"  {escape(line)}", highlight=False, soft_wrap=True)
