"""`loa endpoint`: the reference endpoint device, run from the command line.

    loa endpoint --station sa --token T                    fetch today's package and its files
    loa endpoint --station sa --token T --wav day.wav      ...and play it into day.wav
    loa endpoint --station sa --token T --live --seconds 30 --out live.mp3

The token may come from LOA_ENDPOINT_TOKEN instead (it then stays out of the process list).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from studio.cli import app, fail, out
from studio.cli_programme import parse_day
from studio.endpoint_device import Device
from studio.endpoint_package import DayPackage, EndpointError

HH_MM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
SOURCE_VI = {
    "network": "tải mới từ máy chủ",
    "not_modified": "không đổi so với bản đã lưu",
    "offline": "không tới được máy chủ, dùng bản đã lưu",
}


def _say(message: str) -> None:
    out.print(escape(message), highlight=False)


def _until(package: DayPackage, until: str | None, seconds: float | None) -> datetime | timedelta:
    if seconds is not None:
        return timedelta(seconds=seconds)
    if until is not None:
        match = HH_MM.fullmatch(until)
        if match is None:
            fail(f"--until: giờ không hợp lệ {until[:20]!r} (dạng HH:MM, ví dụ 17:45)")
        wall = dtime(int(match.group(1)), int(match.group(2)))
        return datetime.combine(package.day, wall, ZoneInfo(package.timezone))
    end = package.end
    if end is None:
        fail(f"Ngày {package.day} không có buổi phát nào; dùng --seconds hoặc --until")
    return end


def _check_options(
    token: str | None,
    wav: Path | None,
    until: str | None,
    seconds: float | None,
    live: bool,
) -> str:
    if token is None or not token.strip():
        fail("thiếu mã truy cập của đài: --token hoặc biến môi trường LOA_ENDPOINT_TOKEN")
    if until is not None and seconds is not None:
        fail("chỉ dùng một trong --until hoặc --seconds")
    if live and (wav is not None or until is not None):
        fail("--live ghi luồng trực tiếp vào --out, không dùng cùng --wav hay --until")
    if live and seconds is None:
        fail("--live cần --seconds (nghe bao lâu)")
    if not live and wav is None and (until is not None or seconds is not None):
        fail("--until/--seconds cần --wav (tệp để phát vào)")
    return token.strip()


@app.command("endpoint")
def endpoint(
    station: Annotated[str, typer.Option(help="Station code (the token must be this station's)")],
    token: Annotated[
        str | None,
        typer.Option(envvar="LOA_ENDPOINT_TOKEN", help="The station token", show_default=False),
    ] = None,
    base: Annotated[
        str, typer.Option(envvar="LOA_ENDPOINT_BASE", help="The API's base URL")
    ] = "http://127.0.0.1:8000",
    day: Annotated[
        str | None, typer.Option("--date", help="Local day YYYY-MM-DD (default: today)")
    ] = None,
    wav: Annotated[Path | None, typer.Option(help="Play the day into this WAV file")] = None,
    until: Annotated[
        str | None, typer.Option(help="Play until HH:MM local (default: end of the day's sessions)")
    ] = None,
    seconds: Annotated[
        float | None, typer.Option(min=0.1, max=86_400, help="Play or listen this long")
    ] = None,
    live: Annotated[bool, typer.Option(help="Record the live mount instead")] = False,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="--live: file for the stream (default CODE-live.mp3)"),
    ] = None,
    heartbeat_s: Annotated[float, typer.Option(min=1, max=3600, help="Heartbeat period")] = 30,
    cache: Annotated[
        Path | None, typer.Option(help="Cache of manifests and audio (default var/endpoint/CODE)")
    ] = None,
    volume: Annotated[int, typer.Option(min=0, max=100, help="Volume to report")] = 100,
) -> None:
    """The reference endpoint device: fetch the signed day package, play it at the planned
    times into a WAV (or record the live mount), with heartbeats and proof of play."""
    plain = _check_options(token, wav, until, seconds, live)
    the_day = parse_day(day) if day is not None else None
    try:
        device = Device(
            base,
            plain,
            station,
            cache if cache is not None else Path("var") / "endpoint" / station,
            volume=volume,
            say=_say,
        )
        with device:
            if live:
                assert seconds is not None
                target = out_path if out_path is not None else Path(f"{station}-live.mp3")
                got = device.listen(seconds, target, heartbeat_s)
                _say(f"Đã ghi {got.bytes} byte của luồng {got.url} vào {got.path}")
                return
            package = device.fetch_day(the_day)
            aired_files = sum(1 for i in package.items if i.key not in package.missing)
            _say(
                f"Đài {package.station}, ngày {package.day} (bản {package.version}): "
                f"{len(package.items)} mục, {SOURCE_VI[package.source]}; đã tải "
                f"{package.downloaded} tệp, dùng lại {package.reused} tệp đã kiểm tra; "
                f"{aired_files} mục sẵn sàng phát"
            )
            if wav is None:
                return
            end = _until(package, until, seconds)
            zone = ZoneInfo(package.timezone)
            if isinstance(end, timedelta):
                _say(f"Đang phát vào {wav} trong {end.total_seconds():g} giây…")
            elif end <= device.server_now():
                fail(f"đã quá giờ kết thúc {end.astimezone(zone):%H:%M}")
            else:
                _say(f"Đang phát vào {wav} tới {end.astimezone(zone):%H:%M:%S}…")
            result = device.play_to_wav(wav, end, heartbeat_s)
    except EndpointError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"không ghi được tệp: {exc}")
    aired = sum(1 for p in result.items if p.status == "aired")
    _say(
        f"Đã ghi {wav}: {result.samples / result.sample_rate:.1f} giây, {aired} mục đã phát, "
        f"{len(result.items) - aired} bỏ qua; mốc thời gian trong {wav}.json"
    )
