"""`loa programme build`, and the `programme`, `window` and `area` command groups.

The groups' other commands live in cli_programme_view, cli_windows and cli_areas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

from studio import programmes, stations
from studio.audit import Actor
from studio.cli import _actor, app, err, fail, friendly, load_settings, out, unit_of_work
from studio.db import make_engine, session_scope
from studio.errors import DomainError
from studio.models import Station
from studio.programme_jobs import build_days, coming_days, enabled_stations
from studio.programmes import MAX_DAYS_AHEAD, BuildResult
from studio.session_render import render_day
from studio.settings import Settings
from studio.types import utcnow

programme_app = typer.Typer(no_args_is_help=True, help="Daily programmes.")
window_app = typer.Typer(no_args_is_help=True, help="Broadcast windows and exceptions.")
area_app = typer.Typer(no_args_is_help=True, help="Areas: quiet hours and session caps.")
app.add_typer(programme_app, name="programme")
app.add_typer(window_app, name="window")
app.add_typer(area_app, name="area")

REASON = "lập từ dòng lệnh"
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

AsOptional = Annotated[
    str | None, typer.Option("--as", help="Username acting (audited; default: system)")
]


def acting(session: Session, as_user: str | None) -> Actor:
    return _actor(session, as_user) if as_user is not None else Actor.system("cli")


def parse_day(text: str, option: str = "--date") -> date:
    try:
        if ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    fail(f"{option}: ngày không hợp lệ {text[:20]!r} (dạng YYYY-MM-DD, ví dụ 2027-03-10)")


def day_at(station: Station, text: str | None) -> date:
    return parse_day(text) if text is not None else programmes.local_today(station.timezone)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    # Only on a terminal: in logs and pipes the summary is the whole output.
    with Progress(*columns, console=out, transient=True, disable=not out.is_terminal) as bar:
        yield bar


# ------------------------------------------------------------------ build
def _chosen(session: Session, codes: list[str] | None) -> list[Station]:
    if not codes:
        return enabled_stations(session)
    named = [stations.get_station(session, code) for code in dict.fromkeys(codes)]
    off = [s.code for s in named if not s.enabled]
    if off:
        fail(f"đài {', '.join(off)} đang tắt; bật lại trước khi lập chương trình")
    return sorted(named, key=lambda s: s.code)


def _why(exc: Exception) -> str:
    return exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"


Outcome = tuple[str, date, BuildResult | Exception]


def _render(
    engine: Engine, settings: Settings, built: list[Outcome], actor: Actor
) -> dict[tuple[str, date], int | Exception]:
    """Each new or unchanged programme's session files (an unchanged session reuses its own)."""
    todo = [r for _, _, r in built if isinstance(r, BuildResult) and r.programme.items]
    done: dict[tuple[str, date], int | Exception] = {}
    with progress_bar() as bar:
        task = bar.add_task("Đang dựng tệp buổi", total=len(todo))
        for result in todo:
            label = f"{result.station} {result.day.isoformat()}"

            def step(name: str, fraction: float, label: str = label) -> None:
                bar.update(task, description=f"{label} {name} {fraction:.0%}")

            try:
                with session_scope(engine) as session:
                    station = stations.get_station(session, result.station)
                    files = render_day(
                        session, settings, station, result.day, actor=actor, progress=step
                    )
                done[(result.station, result.day)] = len(files)
            except (DomainError, OSError) as exc:
                done[(result.station, result.day)] = exc
            bar.advance(task)
    return done


@programme_app.command("build")
@friendly
def programme_build(
    day: Annotated[
        str | None,
        typer.Option("--date", help="First local date YYYY-MM-DD (default: tomorrow there)"),
    ] = None,
    station: Annotated[
        list[str] | None,
        typer.Option(help="Station code (repeat for several; default: every enabled station)"),
    ] = None,
    days: Annotated[
        int, typer.Option(help="How many days from that date", min=1, max=MAX_DAYS_AHEAD + 1)
    ] = 1,
    as_user: AsOptional = None,
    render: Annotated[
        bool | None,
        typer.Option("--render/--no-render", help="Render session files (default: settings)"),
    ] = None,
) -> None:
    """Build (or rebuild) programmes, with a progress bar, and print what changed."""
    settings = load_settings()
    first = parse_day(day) if day is not None else None
    now = utcnow()
    with unit_of_work() as session:
        actor = acting(session, as_user)
        targets: list[tuple[int, date]] = []
        for s in _chosen(session, station):
            assert s.id is not None
            dates = (
                [first + timedelta(days=n) for n in range(days)]
                if first is not None
                else coming_days(s, days, now, today=False)
            )
            for d in dates:
                programmes.check_buildable(s, d, now)
            targets += [(s.id, d) for d in dates]
    if not targets:
        fail("không có đài nào đang hoạt động để lập chương trình")
    built: list[Outcome] = []
    engine = make_engine(settings.effective_database_url)
    try:
        with progress_bar() as bar:
            task = bar.add_task("Đang lập chương trình", total=len(targets))

            def step(code: str, d: date, result: BuildResult | Exception) -> None:
                built.append((code, d, result))
                bar.update(task, advance=1, description=f"{code} {d.isoformat()}")

            build_days(
                engine, settings, targets, reason=REASON, actor=actor, now=now, progress=step
            )
        wanted = settings.programme.render_sessions if render is None else render
        files = _render(engine, settings, built, actor) if wanted else {}
    finally:
        engine.dispose()
    _summary(built, files, wanted)


def _summary(
    built: list[Outcome], files: dict[tuple[str, date], int | Exception], rendered: bool
) -> None:
    # Codes and dates are typed back by operators: fold or keep them whole, never cut them.
    counts = ["phiên bản", "kết quả", "mục", "thay đổi", "chưa xếp", "loại trừ"]
    table = Table(
        Column("đài", overflow="fold"),
        Column("ngày", no_wrap=True),
        *counts,
        *(["tệp buổi"] if rendered else []),
    )
    problems: list[str] = []
    for code, d, result in built:
        where = f"đài {code} ngày {d.isoformat()}"
        if isinstance(result, Exception):
            table.add_row(code, d.isoformat(), "", "lỗi", *[""] * (len(table.columns) - 4))
            problems.append(f"{where}: {_why(result)}")
            continue
        row = [
            code,
            d.isoformat(),
            str(result.version),
            "mới" if result.created else "không đổi",
            str(len(result.programme.items)),
            str(result.changes),
            str(len(result.programme.unplaced)),
            str(len(result.programme.excluded)),
        ]
        if rendered:
            made = files.get((code, d), 0)
            if isinstance(made, Exception):
                problems.append(f"{where}: không dựng được tệp buổi: {_why(made)}")
            row.append("lỗi" if isinstance(made, Exception) else str(made))
        table.add_row(*row)
    out.print(table)
    new = sum(1 for _, _, r in built if isinstance(r, BuildResult) and r.created)
    failed = sum(1 for _, _, r in built if isinstance(r, Exception))
    out.print(
        f"Đã lập {len(built)} chương trình: {new} phiên bản mới, "
        f"{len(built) - new - failed} không đổi, {failed} lỗi.",
        highlight=False,
    )
    for line in problems:
        err.print(f"[bold red]Lỗi:[/] {escape(line)}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)


from studio import cli_areas, cli_programme_view, cli_windows  # noqa: E402,F401,I001
