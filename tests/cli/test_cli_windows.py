"""``loa window …`` and ``loa area quiet|cap`` on the demo data.

The demo province 91 has the windows Sáng 05:30 and Chiều 17:00 (30 min each); its communes
have none of their own, and ward 91-LX caps its sessions at 15 minutes.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlmodel import select

from studio.models import Area, AuditEvent
from studio.programmes import local_today
from studio.schedule_models import BroadcastWindow, WindowException
from tests.cli.support import Loa

TT = "91-tt-loa1"
LX = "91-lx-loa1"
DAY = local_today("Asia/Ho_Chi_Minh") + timedelta(days=7)
D = DAY.isoformat()
MINUTES = "--minutes phải lớn hơn 0 và nhỏ hơn 1440 (24 giờ)"
WEEKDAYS = "--weekdays: các số từ 0 (thứ Hai) đến 6 (Chủ nhật), cách nhau bởi dấu phẩy"
OWNER = "cần đúng một trong hai: --station hoặc --area"
ONE_OF_THREE = "cần đúng một trong ba: GIỜ_BẮT_ĐẦU GIỜ_KẾT_THÚC, --none hoặc --inherit"
RANGE = "giới hạn buổi phải từ 1 đến 1440 phút"
BOTH = "cần đúng một trong hai: số phút hoặc --none"
PROVINCE_WINDOWS = [
    ["1", "area:91", "Sáng", "05:30", "30", "cả tuần", "", ""],
    ["2", "area:91", "Chiều", "17:00", "30", "cả tuần", "", ""],
]


def rows(output: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def audited(loa: Loa, action: str) -> list[tuple[str, str, str]]:
    with loa.session() as session:
        found = session.exec(
            select(AuditEvent.actor, AuditEvent.via, AuditEvent.entity_id).where(
                AuditEvent.action == action
            )
        ).all()
    return [tuple(f) for f in found]


def sessions(loa: Loa, station: str = TT, day: str = D) -> tuple[list[list[str]], list[str]]:
    """The planned sessions' rows and the lines after them (the refused ones)."""
    output = loa.ok("window", "sessions", "--station", station, "--date", day)
    return rows(output), output.split("┘\n", 1)[1].splitlines()


def test_list_shows_where_windows_are_inherited_from(seeded: str, loa: Loa) -> None:
    output = loa.ok("window", "list", "--station", TT)

    assert output.splitlines()[0] == (
        f"Đài {TT}: giờ yên lặng 21:30-05:00, giới hạn buổi: không. "
        "Khung giờ phát lấy từ area:91 (thừa hưởng):"
    )
    assert rows(output) == PROVINCE_WINDOWS
    lx = loa.ok("window", "list", "--station", LX).splitlines()[0]
    assert lx.startswith(f"Đài {LX}: giờ yên lặng 21:30-05:00, giới hạn buổi: 15 phút.")
    area = loa.ok("window", "list", "--area", "91-TT")
    assert area.splitlines()[0] == "Địa bàn 91-TT. Khung giờ phát lấy từ area:91 (thừa hưởng):"
    assert rows(area) == PROVINCE_WINDOWS
    own = loa.ok("window", "list", "--area", "91")
    assert own.splitlines()[0] == "Địa bàn 91. Khung giờ phát lấy từ area:91:"


def test_add_and_remove_a_station_window(seeded: str, loa: Loa) -> None:
    output = loa.ok(
        "window", "add", "--station", TT, "Trưa", "11:15", "--minutes", "20",
        "--weekdays", "4,0,2", "--from", D, "--as", "admin",
    )  # fmt: skip

    assert (
        output
        == f"Đã thêm khung giờ phát #3 «Trưa» cho station:{TT}: 11:15, 20 phút, 0,2,4, từ {D}.\n"
    )
    listed = loa.ok("window", "list", "--station", TT)
    assert listed.splitlines()[0].endswith(f"Khung giờ phát lấy từ station:{TT}:")
    assert rows(listed) == [["3", f"station:{TT}", "Trưa", "11:15", "20", "0,2,4", D, ""]]
    with loa.session() as session:
        window = session.get(BroadcastWindow, 3)
        assert window is not None
        assert (window.start_time, window.length_s, window.weekdays) == (
            time(11, 15),
            1200,
            [0, 2, 4],
        )
    assert audited(loa, "window.create")[-1] == ("admin", "cli", "3")

    # The station's own windows replace the area's: on a Tuesday it has no session at all.
    tuesday = DAY + timedelta(days=(1 - DAY.weekday()) % 7)
    assert sessions(loa, TT, tuesday.isoformat()) == ([], ["Bị từ chối (0): không có"])

    assert loa.ok("window", "remove", "3") == f"Đã xoá khung giờ phát #3 «Trưa» của station:{TT}.\n"
    assert rows(loa.ok("window", "list", "--station", TT)) == PROVINCE_WINDOWS
    assert audited(loa, "window.delete") == [("system", "cli", "3")]


def test_sessions_of_a_day_with_caps_quiet_hours_and_exceptions(seeded: str, loa: Loa) -> None:
    assert sessions(loa, LX) == (
        [
            ["Sáng", "05:30:00", "05:45:00", "15", "giới hạn 15 phút"],
            ["Chiều", "17:00:00", "17:15:00", "15", "giới hạn 15 phút"],
        ],
        ["Bị từ chối (0): không có"],
    )
    loa.ok("window", "add", "--area", "91", "Tối", "22:00", "--minutes", "10")
    added = loa.ok(
        "window", "except", "add", "--area", "91", "Trưa", "11:30", "--minutes", "15",
        "--from", D, "--until", (DAY + timedelta(days=13)).isoformat(), "--note", "chiến dịch",
    )  # fmt: skip
    assert added == (
        f"Đã thêm ngoại lệ #1 của area:91: thêm buổi «Trưa» 11:30, 15 phút, từ {D} đến "
        f"{DAY + timedelta(days=13)} (chiến dịch).\n"
    )
    dropped = loa.ok(
        "window", "except", "drop", "--station", TT, "Chiều", "--from", D, "--note", "Lễ"
    )
    assert (
        dropped == f"Đã thêm ngoại lệ #2 của station:{TT}: bỏ buổi «Chiều», từ {D} đến {D} (Lễ).\n"
    )

    planned, refused = sessions(loa, TT)

    assert planned == [
        ["Sáng", "05:30:00", "06:00:00", "30", ""],
        ["Trưa", "11:30:00", "11:45:00", "15", "buổi bổ sung: chiến dịch"],
    ]
    assert refused == [
        "Bị từ chối (1):",
        "  Tối: bắt đầu lúc 22:00, trong giờ yên lặng 21:30-05:00",
    ]
    header = loa.ok("window", "sessions", "--station", TT, "--date", D).splitlines()[0]
    assert header == (
        f"Đài {TT}, ngày {D} (Asia/Ho_Chi_Minh): khung giờ lấy từ area:91, giờ yên lặng "
        "21:30-05:00, giới hạn buổi: không"
    )
    next_day = (DAY + timedelta(days=1)).isoformat()
    assert [r[0] for r in sessions(loa, TT, next_day)[0]] == ["Sáng", "Trưa", "Chiều"]

    listed = loa.ok("window", "except", "list", "--station", TT).splitlines()
    assert listed == [
        f"2 ngoại lệ áp dụng cho station:{TT}:",
        f"  #2 của station:{TT}: bỏ buổi «Chiều», từ {D} đến {D} (Lễ)",
        f"  #1 của area:91: thêm buổi «Trưa» 11:30, 15 phút, từ {D} đến {DAY + timedelta(days=13)} "
        "(chiến dịch)",
    ]
    assert loa.ok("window", "except", "list", "--area", "91-LX").splitlines()[0] == (
        "1 ngoại lệ áp dụng cho area:91-LX:"
    )


def test_remove_an_exception(seeded: str, loa: Loa) -> None:
    loa.ok("window", "except", "drop", "--area", "91-TT", "Sáng", "--from", D)

    assert [r[0] for r in sessions(loa)[0]] == ["Chiều"]
    assert loa.ok("window", "except", "remove", "1", "--as", "admin") == (
        f"Đã xoá ngoại lệ #1 của area:91-TT: bỏ buổi «Sáng», từ {D} đến {D}.\n"
    )
    assert [r[0] for r in sessions(loa)[0]] == ["Sáng", "Chiều"]
    assert audited(loa, "window_exception.delete") == [("admin", "cli", "1")]
    assert (
        loa.ok("window", "except", "list", "--area", "91-TT")
        == "0 ngoại lệ áp dụng cho area:91-TT.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--station", TT, "Trưa", "25:00"], "Giờ không hợp lệ: '25:00' (dạng HH:MM)"),
        (["--station", TT, "Trưa", "11h"], "Giờ không hợp lệ: '11h' (dạng HH:MM)"),
        (["--station", TT, "Trưa", "11:00", "--minutes", "0"], MINUTES),
        (["--station", TT, "Trưa", "11:00", "--minutes", "-5"], MINUTES),
        (["--station", TT, "Trưa", "11:00", "--minutes", "1440"], MINUTES),
        (["--station", TT, "Trưa", "11:00", "--weekdays", "0,7"], WEEKDAYS),
        (["--station", TT, "Trưa", "11:00", "--weekdays", "thứ hai"], WEEKDAYS),
        (["--station", TT, "Trưa", "11:00", "--weekdays", "1,1"], (
            "dữ liệu không hợp lệ: weekdays: weekdays là các số khác nhau từ 0 (thứ Hai) đến 6 "
            "(Chủ nhật)"
        )),
        (["--station", TT, "Trưa", "11:00", "--from", "2027-02-30"], (
            "--from: ngày không hợp lệ '2027-02-30' (dạng YYYY-MM-DD, ví dụ 2027-03-10)"
        )),
        (["--station", TT, "Trưa", "11:00", "--from", D, "--until", "2020-01-01"], (
            "dữ liệu không hợp lệ: last_day phải từ first_day trở đi"
        )),
        (["--station", TT, "--area", "91", "Trưa", "11:00"], OWNER),
        (["Trưa", "11:00"], OWNER),
        (["--station", "khong-co", "Trưa", "11:00"], "Không tìm thấy đài có mã 'khong-co'"),
        (["--area", "99", "Trưa", "11:00"], "Không tìm thấy địa bàn có mã '99'"),
        (["--area", "91", "Sáng", "06:00"], "area:91 đã có buổi phát tên «Sáng»"),
        (["--area", "91", "   ", "06:00"], (
            "dữ liệu không hợp lệ: name: tên buổi phát không được để trống"
        )),
    ],
)  # fmt: skip
def test_window_add_refusals(seeded: str, loa: Loa, args: list[str], message: str) -> None:
    if "--minutes" not in args:
        args = [*args, "--minutes", "10"]
    assert loa.refused("window", "add", *args) == f"Lỗi: {message}"
    with loa.session() as session:
        assert len(session.exec(select(BroadcastWindow)).all()) == 2


def test_window_and_exception_refusals(seeded: str, loa: Loa) -> None:
    assert loa.refused("window", "remove", "99") == "Lỗi: Không tìm thấy khung giờ phát 99"
    assert loa.refused("window", "except", "remove", "99") == "Lỗi: Không tìm thấy ngoại lệ 99"
    assert "--from" in loa.usage_error("window", "except", "drop", "--area", "91", "Sáng")
    assert (
        loa.refused(
            "window",
            "except",
            "add",
            "--area",
            "91",
            "Trưa",
            "24:00",
            "--minutes",
            "5",
            "--from",
            D,
        )
        == "Lỗi: Giờ không hợp lệ: '24:00' (dạng HH:MM)"
    )
    assert (
        loa.refused(
            "window",
            "except",
            "add",
            "--area",
            "91",
            "Trưa",
            "11:00",
            "--minutes",
            "0",
            "--from",
            D,
        )
        == "Lỗi: --minutes phải lớn hơn 0 và nhỏ hơn 1440 (24 giờ)"
    )
    assert (
        loa.refused(
            "window", "except", "drop", "--station", TT, "--area", "91", "Sáng", "--from", D
        )
        == "Lỗi: cần đúng một trong hai: --station hoặc --area"
    )
    assert loa.refused("window", "except", "drop", "--station", "x", "Sáng", "--from", D) == (
        "Lỗi: Không tìm thấy đài có mã 'x'"
    )
    assert (
        loa.refused(
            "window", "except", "drop", "--area", "91", "Sáng", "--from", D, "--until", "2027-02-29"
        )
        == "Lỗi: --until: ngày không hợp lệ '2027-02-29' (dạng YYYY-MM-DD, ví dụ 2027-03-10)"
    )
    assert loa.refused("window", "except", "list") == (
        "Lỗi: cần đúng một trong hai: --station hoặc --area"
    )
    assert loa.refused("window", "list", "--area", "99") == "Lỗi: Không tìm thấy địa bàn có mã '99'"
    assert (
        loa.refused("window", "sessions", "--station", "x") == "Lỗi: Không tìm thấy đài có mã 'x'"
    )
    assert loa.refused("window", "sessions", "--station", TT, "--date", "30-12-2026") == (
        "Lỗi: --date: ngày không hợp lệ '30-12-2026' (dạng YYYY-MM-DD, ví dụ 2027-03-10)"
    )
    with loa.session() as session:
        assert session.exec(select(WindowException)).all() == []


def quiet_rule(loa: Loa, code: str) -> tuple[time | None, time | None, int | None]:
    with loa.session() as session:
        area = session.exec(select(Area).where(Area.code == code)).one()
        return area.quiet_start, area.quiet_end, area.session_cap_s


def test_area_quiet_hours(seeded: str, loa: Loa) -> None:
    assert loa.ok("area", "quiet", "91-TT", "21:00", "05:30", "--as", "admin") == (
        "Địa bàn 91-TT: giờ yên lặng 21:00-05:30.\n"
    )
    assert quiet_rule(loa, "91-TT") == (time(21), time(5, 30), None)
    # The morning session starts at 05:30, the end of the quiet hours: it stays.
    loa.ok("window", "add", "--area", "91", "Tối", "21:15", "--minutes", "30")
    planned, refused = sessions(loa)
    assert [r[0] for r in planned] == ["Sáng", "Chiều"]
    assert refused[1] == "  Tối: bắt đầu lúc 21:15, trong giờ yên lặng 21:00-05:30"
    assert audited(loa, "area.update") == [("system", "cli", "91-LX"), ("admin", "cli", "91-TT")]

    assert loa.ok("area", "quiet", "91-TT", "--none") == "Địa bàn 91-TT: không có giờ yên lặng.\n"
    assert quiet_rule(loa, "91-TT") == (time(0), time(0), None)
    assert [r[0] for r in sessions(loa)[0]] == ["Sáng", "Chiều", "Tối"]
    assert (
        loa.ok("window", "list", "--station", TT)
        .splitlines()[0]
        .startswith(f"Đài {TT}: giờ yên lặng none, giới hạn buổi: không.")
    )

    assert loa.ok("area", "quiet", "91-TT", "--inherit") == (
        "Địa bàn 91-TT: giờ yên lặng theo địa bàn cấp trên (mặc định 21:30-05:00).\n"
    )
    assert quiet_rule(loa, "91-TT") == (None, None, None)
    assert sessions(loa)[0][2] == [
        "Tối", "21:15:00", "21:30:00", "15",
        "rút ngắn để kết thúc khi bắt đầu giờ yên lặng 21:30-05:00",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["91-TT", "25:00", "05:00"], "Giờ không hợp lệ: '25:00' (dạng HH:MM)"),
        (["91-TT", "21:30", "5h"], "Giờ không hợp lệ: '5h' (dạng HH:MM)"),
        (["91-TT", "21:30"], "cần cả giờ bắt đầu và giờ kết thúc, ví dụ: 21:30 05:00"),
        (["91-TT"], ONE_OF_THREE),
        (["91-TT", "21:30", "05:00", "--none"], ONE_OF_THREE),
        (["91-TT", "--none", "--inherit"], ONE_OF_THREE),
        (["99", "--none"], "Không tìm thấy địa bàn có mã '99'"),
    ],
)  # fmt: skip
def test_area_quiet_refusals(seeded: str, loa: Loa, args: list[str], message: str) -> None:
    assert loa.refused("area", "quiet", *args) == f"Lỗi: {message}"
    assert quiet_rule(loa, "91-TT") == (None, None, None)


def test_area_session_cap(seeded: str, loa: Loa) -> None:
    assert loa.ok("area", "cap", "91", "20") == "Địa bàn 91: mỗi buổi tối đa 20 phút.\n"
    assert quiet_rule(loa, "91")[2] == 1200
    assert [r[2] for r in sessions(loa)[0]] == ["05:50:00", "17:20:00"]
    assert [r[2] for r in sessions(loa, LX)[0]] == ["05:45:00", "17:15:00"]  # its own cap

    assert loa.ok("area", "cap", "91-LX", "--none") == (
        "Địa bàn 91-LX: không tự đặt giới hạn buổi (theo địa bàn cấp trên, nếu có).\n"
    )
    assert quiet_rule(loa, "91-LX")[2] is None
    assert [r[2] for r in sessions(loa, LX)[0]] == ["05:50:00", "17:20:00"]  # the province's


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["91-LX", "0"], RANGE),
        (["91-LX", "--", "-5"], RANGE),
        (["91-LX", "1441"], RANGE),
        (["91-LX"], BOTH),
        (["91-LX", "10", "--none"], BOTH),
        (["99", "10"], "Không tìm thấy địa bàn có mã '99'"),
    ],
)
def test_area_cap_refusals(seeded: str, loa: Loa, args: list[str], message: str) -> None:
    assert loa.refused("area", "cap", *args) == f"Lỗi: {message}"
    assert quiet_rule(loa, "91-LX")[2] == 15 * 60
