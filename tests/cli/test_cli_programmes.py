"""``loa programme build|show|versions`` on the demo data, with bulletins approved by real users.

Days are counted from today at the stations (Asia/Ho_Chi_Minh): a build is refused for a past
day and for one more than 31 days ahead, so a fixed calendar date would not stay buildable.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from media.store import MediaStore
from studio.models import AuditEvent, Station
from studio.programmes import local_today
from studio.schedule_models import BroadcastWindow, ProgrammeVersion
from tests.cli.support import CREATED_BULLETIN, Loa, plain
from tests.conftest import require_binary
from tests.factories import clip_mp3

PASSWORD = "mật khẩu thử nghiệm 2026"
TT = "91-tt-loa1"  # commune 91-TT, windows inherited from province 91: Sáng 05:30, Chiều 17:00
MHH = "91-mhh-loa1"
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"  # local date and time
SUMMARY = ["đài", "ngày", "phiên bản", "kết quả", "mục", "thay đổi", "chưa xếp", "loại trừ"]


def today() -> date:
    return local_today("Asia/Ho_Chi_Minh")


DAY = today() + timedelta(days=7)
D = DAY.isoformat()


@pytest.fixture
def people(loa: Loa, seeded: str) -> Loa:
    for name, role in [("bientap", "editor"), ("duyet", "approver")]:
        loa.ok(
            "user", "add", name, "--role", role, "--area", "91-TT", "--area", "91-MHH",
            "--password-stdin", input=PASSWORD,
        )  # fmt: skip
    return loa


def approved(loa: Loa, title: str, station: str = TT) -> int:
    """A bulletin written by `bientap`, approved by `duyet` with a ready clip (1 s)."""
    output = loa.ok(
        "bulletin", "add", "--as", "bientap", "--title", title, "--language", "vi",
        "--station", station, "--body", f"{title}.",
    )  # fmt: skip
    match = CREATED_BULLETIN.search(output)
    assert match is not None, output
    loa.ok("bulletin", "submit", match.group(1), "--as", "bientap")
    loa.ok("bulletin", "approve", match.group(1), "--as", "duyet", "--version", "1")
    return int(match.group(1))


def rows(output: str) -> list[list[str]]:
    """The body rows of the rich tables in `output`, as cells."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def headers(output: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith("┃"))
    return [cell.strip() for cell in line.strip().strip("┃").split("┃")]


def manifest(loa: Loa, station: str = TT, day: str = D) -> dict[str, Any]:
    data = json.loads(
        loa.ok("programme", "show", "--station", station, "--date", day, "--format", "json")
    )
    assert isinstance(data, dict)
    return data


def build(loa: Loa, *args: str) -> str:
    return loa.ok("programme", "build", "--no-render", *args)


def test_build_defaults_to_tomorrow_at_every_enabled_station(people: Loa) -> None:
    loa = people
    tomorrow = (today() + timedelta(days=1)).isoformat()
    with loa.session() as session:
        station = session.exec(select(Station).where(Station.code == "91-dai-tinh")).one()
        station.enabled = False
        session.add(station)
        session.commit()

    output = build(loa)

    assert headers(output) == SUMMARY
    expected = [
        [code, tomorrow, "1", "mới", "0", "2", "0", "0"] for code in ("91-lx-loa1", MHH, TT)
    ]
    assert rows(output) == expected  # two sessions added each; the disabled station left out
    assert output.splitlines()[-1] == "Đã lập 3 chương trình: 3 phiên bản mới, 0 không đổi, 0 lỗi."

    again = build(loa)

    assert [r[3] for r in rows(again)] == ["không đổi"] * 3
    assert again.splitlines()[-1] == "Đã lập 3 chương trình: 0 phiên bản mới, 3 không đổi, 0 lỗi."
    assert loa.refused("programme", "build", "--station", "91-dai-tinh") == (
        "Lỗi: đài 91-dai-tinh đang tắt; bật lại trước khi lập chương trình"
    )


def test_build_show_and_rebuild_after_a_second_approval(people: Loa) -> None:
    loa = people
    first = approved(loa, "Lịch tiêm chủng")

    output = build(loa, "--date", D, "--station", TT, "--as", "duyet")

    assert rows(output) == [[TT, D, "1", "mới", "1", "3", "0", "0"]]
    data = manifest(loa)
    assert (data["station"], data["date"], data["version"]) == (TT, D, 1)
    morning = data["sessions"][0]
    assert [s["name"] for s in data["sessions"]] == ["Sáng", "Chiều"]
    assert morning["start"] == f"{DAY - timedelta(days=1)}T22:30:00.000Z"  # 05:30 at UTC+7
    assert [
        (i["session"], i["start"], i["title"], i["bulletin_id"], i["version"], i["language"])
        for i in data["items"]
    ] == [("Sáng", morning["start"], "Lịch tiêm chủng", first, 1, "vi")]
    assert data["items"][0]["duration_ms"] == clip_mp3()[1]
    assert data["signature"] is None  # the station has no token yet

    second = approved(loa, "Lịch cắt điện")
    output = build(loa, "--date", D, "--station", TT)

    assert rows(output) == [[TT, D, "2", "mới", "2", "1", "0", "0"]]
    items = manifest(loa)["items"]
    assert [(i["title"], i["bulletin_id"]) for i in items] == [
        ("Lịch tiêm chủng", first),
        ("Lịch cắt điện", second),
    ]
    gap = 1500 + clip_mp3()[1]  # the default gap after the first clip
    assert (
        items[1]["start"] == f"{DAY - timedelta(days=1)}T22:30:{gap // 1000:02d}.{gap % 1000:03d}Z"
    )

    versions = loa.ok("programme", "versions", "--station", TT, "--date", D)
    table = rows(versions)
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in table] == [
        ("2", "✓", "cli:system", "1", "lập từ dòng lệnh"),
        ("1", "", "cli:duyet", "3", "lập từ dòng lệnh"),
    ]
    with loa.session() as session:
        built = session.exec(
            select(ProgrammeVersion.built_at).order_by(col(ProgrammeVersion.version).desc())
        ).all()
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    assert [r[2] for r in table] == [f"{b.astimezone(zone):%Y-%m-%d %H:%M:%S}" for b in built]
    text = versions.split("Phiên bản 2:\n", 1)[1]
    at = f"05:30:{gap // 1000:02d}" + (f".{gap % 1000:03d}" if gap % 1000 else "")
    assert text.split("Phiên bản 1:\n") == [
        f'  + thêm "Lịch cắt điện" (#{second} bản 1) vào buổi Sáng lúc {at}\n',
        "  + thêm buổi Sáng 05:30:00-06:00:00\n  + thêm buổi Chiều 17:00:00-17:30:00\n"
        f'  + thêm "Lịch tiêm chủng" (#{first} bản 1) vào buổi Sáng lúc 05:30:00\n',
    ]
    with loa.session() as session:
        audited = session.exec(
            select(AuditEvent.actor, AuditEvent.via).where(AuditEvent.action == "programme.build")
        ).all()
    assert [tuple(a) for a in audited] == [("duyet", "cli"), ("system", "cli")]


def test_show_table_and_exports(people: Loa) -> None:
    loa = people
    title = "Lịch tiêm [/b] chủng"  # brackets typed by an editor are not rich markup
    bulletin = approved(loa, title)
    build(loa, "--date", D, "--station", TT)
    seconds = clip_mp3()[1]

    output = loa.ok("programme", "show", "--station", TT, "--date", D)

    lines = output.splitlines()
    assert re.fullmatch(
        rf"Đài {TT}, ngày {D}: phiên bản 1, lập lúc {STAMP} bởi cli:system",
        lines[0],
    )
    assert lines[1:3] == [
        "Buổi Sáng: 05:30:00-06:00:00, 1 mục",
        "Buổi Chiều: 17:00:00-17:30:00, 0 mục",
    ]
    duration = f"0:{seconds // 1000:02d}.{seconds % 1000:03d}"
    assert rows(output) == [
        ["05:30:00.000", "Sáng", duration, "bản tin", "vi", title, f"#{bulletin} v1",
         "luân phiên: khác"],
    ]  # fmt: skip
    assert lines[-2:] == ["Chưa xếp được (0): không có", "Không xếp (0): không có"]

    m3u8 = loa.ok("programme", "show", "--station", TT, "--date", D, "--format", "m3u8")
    assert m3u8.splitlines()[0] == "#EXTM3U"
    assert f"#EXTINF:{seconds / 1000:.3f},{title}" in m3u8.splitlines()

    xspf = loa.ok("programme", "show", "--station", TT, "--date", D, "--format", "xspf")
    ns = {"x": "http://xspf.org/ns/0/"}
    tracks = ET.fromstring(xspf).findall("x:trackList/x:track", ns)
    assert [
        (t.findtext("x:title", None, ns), t.findtext("x:duration", None, ns)) for t in tracks
    ] == [(title, str(seconds))]


def test_unplaced_and_excluded_are_listed_with_reasons(people: Loa) -> None:
    loa = people
    # A 3-second session: one 1 s clip, a 1.5 s gap, and no room for a second clip.
    loa.ok("window", "add", "--station", MHH, "Ngắn", "06:00", "--minutes", "0.05")
    older = approved(loa, "Thông báo thứ nhất", MHH)
    newer = approved(loa, "Thông báo thứ hai", MHH)

    output = build(loa, "--date", D, "--days", "2", "--station", MHH)

    after = (DAY + timedelta(days=1)).isoformat()
    assert rows(output) == [
        [MHH, D, "1", "mới", "1", "2", "1", "0"],
        [MHH, after, "1", "mới", "1", "2", "0", "1"],
    ]
    first = loa.ok("programme", "show", "--station", MHH, "--date", D)
    assert [r[5] for r in rows(first)] == ["Thông báo thứ nhất"]
    unplaced = first.split("Chưa xếp được (1):\n", 1)[1].splitlines()[0]
    assert unplaced.startswith(f"  #{newer} v1 «Thông báo thứ hai» (vi): ")
    second = loa.ok("programme", "show", "--station", MHH, "--date", after)
    assert [r[5] for r in rows(second)] == ["Thông báo thứ hai"]
    assert second.splitlines()[-2:] == [
        "Không xếp (1):",
        f"  #{older} v1 «Thông báo thứ nhất» (vi): đã phát 1/1 lần",
    ]


def test_render_writes_session_files_named_in_the_manifest(people: Loa) -> None:
    require_binary("ffmpeg")
    loa = people
    approved(loa, "Lịch tiêm chủng")
    store = MediaStore(loa.tmp_path / "var" / "media")
    store.put(clip_mp3()[0], "mp3")  # where a real render would have left the approved clip

    output = loa.ok("programme", "build", "--date", D, "--station", TT, "--render")

    assert headers(output) == [*SUMMARY, "tệp buổi"]
    assert rows(output) == [[TT, D, "1", "mới", "1", "3", "0", "0", "1"]]
    sessions = manifest(loa)["sessions"]
    assert sessions[1]["audio"] is None  # Chiều has no items
    audio = sessions[0]["audio"]
    assert store.verify(audio["sha256"], "mp3")
    assert audio["size"] == store.path_for(audio["sha256"], "mp3").stat().st_size
    assert abs(audio["duration_ms"] - clip_mp3()[1]) <= 50


def test_render_failure_is_listed_and_exits_non_zero(people: Loa) -> None:
    loa = people
    approved(loa, "Lịch tiêm chủng")  # its clip is not in this media store

    result = loa("programme", "build", "--date", D, "--station", TT, "--render")

    assert result.exit_code == 1, result.output
    assert rows(plain(result.stdout)) == [[TT, D, "1", "mới", "1", "3", "0", "0", "lỗi"]]
    line = plain(result.stderr).strip()
    assert line.startswith(
        f"Lỗi: đài {TT} ngày {D}: không dựng được tệp buổi: "
        "Thiếu tệp âm thanh của «Lịch tiêm chủng»"
    ), line
    assert len(manifest(loa)["items"]) == 1  # the programme itself was stored


def test_a_failed_build_is_listed_and_exits_non_zero(people: Loa) -> None:
    loa = people
    with loa.session() as session:  # a damaged row: a window without length
        station = session.exec(select(Station).where(Station.code == TT)).one()
        session.add(
            BroadcastWindow(station_id=station.id, name="Hỏng", start_time=time(6), length_s=0)
        )
        session.commit()

    result = loa("programme", "build", "--date", D, "--station", TT, "--no-render")

    assert result.exit_code == 1, result.output
    assert rows(plain(result.stdout)) == [[TT, D, "", "lỗi", "", "", "", ""]]
    assert plain(result.stdout).splitlines()[-1] == (
        "Đã lập 1 chương trình: 0 phiên bản mới, 0 không đổi, 1 lỗi."
    )
    assert plain(result.stderr).splitlines() == [
        f"Lỗi: đài {TT} ngày {D}: Khung giờ phát không hợp lệ: max_length must be between 0 and "
        "24 hours"
    ]


def test_build_refusals(people: Loa) -> None:
    loa = people
    yesterday = (today() - timedelta(days=1)).isoformat()
    too_far = (today() + timedelta(days=40)).isoformat()
    assert loa.refused("programme", "build", "--date", yesterday) == (
        f"Lỗi: Ngày {yesterday} đã qua; không thể lập lại chương trình"
    )
    assert loa.refused("programme", "build", "--date", too_far, "--station", TT) == (
        "Lỗi: Chỉ lập chương trình trước tối đa 31 ngày"
    )
    for bad in ("2027-02-30", "10/03/2027", "mai"):
        assert loa.refused("programme", "build", "--date", bad) == (
            f"Lỗi: --date: ngày không hợp lệ {bad!r} (dạng YYYY-MM-DD, ví dụ 2027-03-10)"
        )
    assert loa.refused("programme", "build", "--station", "khong-co") == (
        "Lỗi: Không tìm thấy đài có mã 'khong-co'"
    )
    assert loa.refused("programme", "build", "--date", D, "--as", "khach") == (
        "Lỗi: Không tìm thấy người dùng 'khach'"
    )
    assert "--days" in loa.usage_error("programme", "build", "--days", "0")
    with loa.session() as session:
        assert (
            session.exec(select(AuditEvent).where(AuditEvent.action == "programme.build")).all()
            == []
        )


def test_show_and_versions_refusals(people: Loa) -> None:
    loa = people
    for command in ("show", "versions"):
        assert loa.refused("programme", command, "--station", TT, "--date", D) == (
            f"Lỗi: Đài {TT} chưa có chương trình ngày {D}"
        )
        assert loa.refused("programme", command, "--station", TT) == (
            f"Lỗi: Đài {TT} chưa có chương trình ngày {today().isoformat()}"
        )
        assert loa.refused("programme", command, "--station", "khong-co", "--date", D) == (
            "Lỗi: Không tìm thấy đài có mã 'khong-co'"
        )
        assert loa.refused("programme", command, "--station", TT, "--date", "2027-13-01") == (
            "Lỗi: --date: ngày không hợp lệ '2027-13-01' (dạng YYYY-MM-DD, ví dụ 2027-03-10)"
        )
    build(loa, "--date", D, "--station", TT)
    usage = loa.usage_error("programme", "show", "--station", TT, "--date", D, "--format", "pdf")
    assert "'pdf' is not one of 'table', 'json', 'm3u8', 'xspf'" in usage
