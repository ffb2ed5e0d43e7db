"""`loa area quiet|cap`: an area's quiet hours and session length cap (audited)."""

from __future__ import annotations

from datetime import time
from typing import Annotated

import typer
from rich.markup import escape

import playlists
from studio import areas, windows
from studio.cli import fail, friendly, out, unit_of_work
from studio.cli_programme import AsOptional, acting, area_app
from studio.models import AreaUpdate


def _say(line: str) -> None:
    out.print(escape(line), highlight=False, soft_wrap=True)


@area_app.command("quiet")
@friendly
def area_quiet(
    code: Annotated[str, typer.Argument(help="Area code")],
    start: Annotated[str | None, typer.Argument(help="Local start HH:MM, e.g. 21:30")] = None,
    end: Annotated[str | None, typer.Argument(help="Local end HH:MM, e.g. 05:00")] = None,
    none: Annotated[bool, typer.Option("--none", help="No quiet hours here")] = False,
    inherit: Annotated[bool, typer.Option("--inherit", help="Use the parent's (default)")] = False,
    as_user: AsOptional = None,
) -> None:
    """Set an area's quiet hours (only emergencies may air inside them)."""
    given = start is not None or end is not None
    if given + none + inherit != 1:
        fail("cần đúng một trong ba: GIỜ_BẮT_ĐẦU GIỜ_KẾT_THÚC, --none hoặc --inherit")
    if given and (start is None or end is None):
        fail("cần cả giờ bắt đầu và giờ kết thúc, ví dụ: 21:30 05:00")
    if inherit:
        data = AreaUpdate(quiet_start=None, quiet_end=None)
    elif none:
        data = AreaUpdate(quiet_start=time(0), quiet_end=time(0))
    else:
        assert start is not None
        assert end is not None
        data = AreaUpdate(
            quiet_start=windows.parse_local_time(start), quiet_end=windows.parse_local_time(end)
        )
    with unit_of_work() as session:
        place = areas.update_area(session, acting(session, as_user), code, data)
    if place.quiet_start is None or place.quiet_end is None:
        rule = "giờ yên lặng theo địa bàn cấp trên (mặc định 21:30-05:00)"
    else:
        quiet = playlists.QuietHours(place.quiet_start, place.quiet_end)
        rule = (
            "không có giờ yên lặng" if quiet.start == quiet.end else f"giờ yên lặng {quiet.label()}"
        )
    _say(f"Địa bàn {place.code}: {rule}.")


@area_app.command("cap")
@friendly
def area_cap(
    code: Annotated[str, typer.Argument(help="Area code")],
    minutes: Annotated[int | None, typer.Argument(help="Longest session, in minutes")] = None,
    none: Annotated[bool, typer.Option("--none", help="No cap of its own")] = False,
    as_user: AsOptional = None,
) -> None:
    """Cap the length of every session in an area (e.g. 15 minutes in urban wards)."""
    if (minutes is None) == (not none):
        fail("cần đúng một trong hai: số phút hoặc --none")
    if minutes is not None and not 1 <= minutes <= 24 * 60:
        fail("giới hạn buổi phải từ 1 đến 1440 phút")
    with unit_of_work() as session:
        data = AreaUpdate(session_cap_minutes=minutes)
        place = areas.update_area(session, acting(session, as_user), code, data)
    if place.session_cap_s is None:
        _say(f"Địa bàn {place.code}: không tự đặt giới hạn buổi (theo địa bàn cấp trên, nếu có).")
    else:
        _say(f"Địa bàn {place.code}: mỗi buổi tối đa {place.session_cap_s // 60} phút.")
