"""`loa window …`: broadcast windows of stations and areas, their exceptions, the day's sessions."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Column, Table
from sqlmodel import Session

from studio import areas, stations, windows
from studio.cli import fail, friendly, out, unit_of_work
from studio.cli_programme import AsOptional, acting, day_at, parse_day, window_app
from studio.models import MAX_ID, Area
from studio.schedule_models import (
    WEEKDAYS,
    BroadcastWindow,
    ExceptionCreate,
    WindowCreate,
    WindowException,
)
from studio.types import ExceptionKind

except_app = typer.Typer(no_args_is_help=True, help="Exceptions: sessions added or dropped.")
window_app.add_typer(except_app, name="except")

StationOpt = Annotated[str | None, typer.Option("--station", help="Station code")]
AreaOpt = Annotated[str | None, typer.Option("--area", help="Area code")]
Name = Annotated[str, typer.Argument(help="Session name, e.g. Sáng")]
Start = Annotated[str, typer.Argument(help="Local start time HH:MM")]
Minutes = Annotated[float, typer.Option(help="Maximum length in minutes")]
FirstDay = Annotated[str, typer.Option("--from", help="First local date YYYY-MM-DD")]
LastDay = Annotated[
    str | None, typer.Option("--until", help="Last local date YYYY-MM-DD (default: --from)")
]
Note = Annotated[str, typer.Option(help="Why (shown in the programme)")]
RowId = Annotated[int, typer.Argument(help="Id (see the list)", min=1, max=MAX_ID)]


def _owner_given(station: str | None, area: str | None) -> tuple[str, str]:
    if (station is None) == (area is None):
        fail("cần đúng một trong hai: --station hoặc --area")
    return ("station", station) if station is not None else ("area", area or "")


def _minutes(value: float) -> float:
    if not 0 < value < 24 * 60:
        fail("--minutes phải lớn hơn 0 và nhỏ hơn 1440 (24 giờ)")
    return value


def _weekdays(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() and int(p) in WEEKDAYS for p in parts):
        fail("--weekdays: các số từ 0 (thứ Hai) đến 6 (Chủ nhật), cách nhau bởi dấu phẩy")
    return [int(p) for p in parts]


def _hhmm(value: time | None) -> str:
    if value is None:
        return ""
    return value.isoformat(timespec="seconds" if value.second else "minutes")


def _num(minutes: float | None) -> str:
    return "" if minutes is None else f"{minutes:g}"


def _days(days: list[int]) -> str:
    return "cả tuần" if sorted(days) == list(WEEKDAYS) else ",".join(map(str, days))


def _span(first: date | None, last: date | None) -> str:
    return (f", từ {first}" if first else "") + (f", đến {last}" if last else "")


def _say(line: str) -> None:
    out.print(escape(line), highlight=False, soft_wrap=True)


def _cap(cap: timedelta | None) -> str:
    return "không" if cap is None else f"{cap.total_seconds() / 60:g} phút"


# ------------------------------------------------------------------ windows
def _windows_table(session: Session, rows: list[BroadcastWindow]) -> Table:
    table = Table(
        "#", Column("thuộc", overflow="fold"), "tên", "bắt đầu", "phút", "thứ (0 = thứ Hai)",
        Column("từ ngày", no_wrap=True), Column("đến ngày", no_wrap=True),
    )  # fmt: skip
    for row in rows:
        w = windows.window_public(session, row)
        table.add_row(
            str(w.id), w.owner, escape(w.name), _hhmm(w.start_time), _num(w.length_minutes),
            _days(w.weekdays), str(w.first_day or ""), str(w.last_day or ""),
        )  # fmt: skip
    return table


def _chain(index: windows.ScheduleIndex, area: Area) -> list[Area]:
    assert area.id is not None
    return index.chain(area.id)


@window_app.command("list")
@friendly
def window_list(station: StationOpt = None, area: AreaOpt = None) -> None:
    """List the windows in force for a station or area, and where they come from."""
    kind, code = _owner_given(station, area)
    with unit_of_work() as session:
        index = windows.ScheduleIndex(session)
        if kind == "station":
            found = stations.get_station(session, code)
            schedule = index.for_station(found)
            source = schedule.windows_from
            head = (
                f"Đài {found.code}: giờ yên lặng {windows.quiet_label(schedule.quiet)}, "
                f"giới hạn buổi: {_cap(schedule.cap)}"
            )
        else:
            place = areas.get_area(session, code)
            chain = _chain(index, place)
            source = next(
                (f"area:{a.code}" for a in chain if windows.list_windows(session, _area(a))),
                "none",
            )
            head = f"Địa bàn {place.code}"
        if source == "none":
            _say(f"{head}. Chưa có khung giờ phát nào (của chính nó hay địa bàn cấp trên).")
            return
        owner_kind, _, owner_code = source.partition(":")
        rows = windows.list_windows(session, windows.owner_of(session, owner_kind, owner_code))
        inherited = "" if source == f"{kind}:{code}" else " (thừa hưởng)"
        _say(f"{head}. Khung giờ phát lấy từ {source}{inherited}:")
        out.print(_windows_table(session, rows))


def _area(area: Area) -> windows.Owner:
    assert area.id is not None
    return windows.Owner("area", area.code, area.id)


@window_app.command("add")
@friendly
def window_add(
    name: Name,
    start: Start,
    minutes: Minutes,
    station: StationOpt = None,
    area: AreaOpt = None,
    weekdays: Annotated[str, typer.Option(help="0 (Monday) .. 6 (Sunday), e.g. 0,2,4")] = (
        "0,1,2,3,4,5,6"
    ),
    first_day: Annotated[str | None, typer.Option("--from", help="First date YYYY-MM-DD")] = None,
    last_day: Annotated[str | None, typer.Option("--until", help="Last date YYYY-MM-DD")] = None,
    as_user: AsOptional = None,
) -> None:
    """Add a recurring broadcast window to a station or an area."""
    kind, code = _owner_given(station, area)
    data = WindowCreate(
        name=name,
        start_time=windows.parse_local_time(start),
        length_minutes=_minutes(minutes),
        weekdays=_weekdays(weekdays),
        first_day=parse_day(first_day, "--from") if first_day is not None else None,
        last_day=parse_day(last_day, "--until") if last_day is not None else None,
    )
    with unit_of_work() as session:
        owner = windows.owner_of(session, kind, code)
        row = windows.create_window(session, acting(session, as_user), owner, data)
        w = windows.window_public(session, row)
    _say(
        f"Đã thêm khung giờ phát #{w.id} «{w.name}» cho {w.owner}: {_hhmm(w.start_time)}, "
        f"{_num(w.length_minutes)} phút, {_days(w.weekdays)}{_span(w.first_day, w.last_day)}."
    )


@window_app.command("remove")
@friendly
def window_remove(window_id: RowId, as_user: AsOptional = None) -> None:
    """Delete a broadcast window."""
    with unit_of_work() as session:
        w = windows.window_public(session, windows.get_window(session, window_id))
        windows.delete_window(session, acting(session, as_user), window_id)
    _say(f"Đã xoá khung giờ phát #{w.id} «{w.name}» của {w.owner}.")


@window_app.command("sessions")
@friendly
def window_sessions(
    station: Annotated[str, typer.Option("--station", help="Station code")],
    day: Annotated[
        str | None, typer.Option("--date", help="Local date YYYY-MM-DD (default: today there)")
    ] = None,
) -> None:
    """The sessions a station will have on a day (local times), and the windows refused."""
    with unit_of_work() as session:
        found = stations.get_station(session, station)
        when = day_at(found, day)
        schedule = windows.schedule_of(session, found)
    try:
        plan = schedule.plan(when)
    except ValueError as exc:
        fail(f"không lập được các buổi phát ngày {when}: {exc}")
    zone = ZoneInfo(found.timezone)
    _say(
        f"Đài {found.code}, ngày {when} ({found.timezone}): khung giờ lấy từ "
        f"{schedule.windows_from}, giờ yên lặng {windows.quiet_label(schedule.quiet)}, "
        f"giới hạn buổi: {_cap(schedule.cap)}"
    )
    table = Table("buổi", "bắt đầu", "kết thúc", "phút", Column("ghi chú", overflow="fold"))
    for s in plan.sessions:
        table.add_row(
            escape(s.name),
            f"{s.start.astimezone(zone):%H:%M:%S}",
            f"{s.end.astimezone(zone):%H:%M:%S}",
            f"{s.length_ms / 60_000:g}",
            escape("; ".join(s.notes)),
        )
    out.print(table)
    _say(f"Bị từ chối ({len(plan.refused)}){':' if plan.refused else ': không có'}")
    for refused in plan.refused:
        _say(f"  {refused.name}: {refused.reason}")


# ------------------------------------------------------------------ exceptions
def _exception_line(session: Session, row: WindowException) -> str:
    e = windows.exception_public(session, row)
    what = (
        f"thêm buổi «{e.name}» {_hhmm(e.start_time)}, {_num(e.length_minutes)} phút"
        if e.kind is ExceptionKind.add
        else f"bỏ buổi «{e.name}»"
    )
    note = f" ({e.note})" if e.note else ""
    return f"#{e.id} của {e.owner}: {what}, từ {e.first_day} đến {e.last_day}{note}"


def _create_exception(
    station: str | None, area: str | None, as_user: str | None, data: ExceptionCreate
) -> None:
    kind, code = _owner_given(station, area)
    with unit_of_work() as session:
        owner = windows.owner_of(session, kind, code)
        row = windows.create_exception(session, acting(session, as_user), owner, data)
        line = _exception_line(session, row)
    _say(f"Đã thêm ngoại lệ {line}.")


@except_app.command("add")
@friendly
def except_add(
    name: Name, start: Start, minutes: Minutes, first_day: FirstDay, station: StationOpt = None,
    area: AreaOpt = None, last_day: LastDay = None, note: Note = "", as_user: AsOptional = None,
) -> None:  # fmt: skip
    """Add a session for some days (e.g. a campaign's noon session)."""
    _owner_given(station, area)
    data = ExceptionCreate(
        kind=ExceptionKind.add,
        name=name,
        start_time=windows.parse_local_time(start),
        length_minutes=_minutes(minutes),
        first_day=parse_day(first_day, "--from"),
        last_day=parse_day(last_day, "--until") if last_day is not None else None,
        note=note,
    )
    _create_exception(station, area, as_user, data)


@except_app.command("drop")
@friendly
def except_drop(
    name: Name, first_day: FirstDay, station: StationOpt = None, area: AreaOpt = None,
    last_day: LastDay = None, note: Note = "", as_user: AsOptional = None,
) -> None:  # fmt: skip
    """Drop a session for some days (e.g. a holiday)."""
    _owner_given(station, area)
    data = ExceptionCreate(
        kind=ExceptionKind.drop,
        name=name,
        first_day=parse_day(first_day, "--from"),
        last_day=parse_day(last_day, "--until") if last_day is not None else None,
        note=note,
    )
    _create_exception(station, area, as_user, data)


@except_app.command("list")
@friendly
def except_list(station: StationOpt = None, area: AreaOpt = None) -> None:
    """The exceptions that apply: the station's or area's own and those of every area above."""
    kind, code = _owner_given(station, area)
    with unit_of_work() as session:
        index = windows.ScheduleIndex(session)
        if kind == "station":
            found = stations.get_station(session, code)
            assert found.id is not None
            owners = [windows.Owner("station", found.code, found.id)]
            owners += [_area(a) for a in index.chain(found.area_id)]
        else:
            owners = [_area(a) for a in _chain(index, areas.get_area(session, code))]
        rows = [r for owner in owners for r in windows.list_exceptions(session, owner)]
        lines = [_exception_line(session, r) for r in rows]
    _say(f"{len(lines)} ngoại lệ áp dụng cho {kind}:{code}{':' if lines else '.'}")
    for line in lines:
        _say(f"  {line}")


@except_app.command("remove")
@friendly
def except_remove(exception_id: RowId, as_user: AsOptional = None) -> None:
    """Delete an exception."""
    with unit_of_work() as session:
        line = _exception_line(session, windows.get_exception(session, exception_id))
        windows.delete_exception(session, acting(session, as_user), exception_id)
    _say(f"Đã xoá ngoại lệ {line}.")
