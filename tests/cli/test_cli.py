"""``loa db``, ``loa seed``, ``loa user`` and ``loa station`` against a real SQLite file."""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine
from sqlmodel import select

from studio import migrate, users
from studio.cli import app
from studio.db import make_engine
from studio.models import AuditEvent, Bulletin, Station
from studio.types import Role
from tests.cli.support import Loa, plain, shown_password


# ------------------------------------------------------------------ db and seed
def test_db_upgrade_creates_the_schema(loa: Loa) -> None:
    output = loa.ok("db", "upgrade")

    assert output == "Cơ sở dữ liệu đã ở phiên bản mới nhất (0005).\n"
    engine: Engine = make_engine(loa.database_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision() == "0005"
    finally:
        engine.dispose()
    assert loa.ok("db", "upgrade") == output


def test_commands_before_db_upgrade_say_what_to_do(loa: Loa) -> None:
    line = loa.refused("station", "list")
    assert "loa db upgrade" in line


def test_seed_shows_the_admin_password_once(loa: Loa) -> None:
    first = loa.ok("seed")
    password = shown_password(first)
    assert "tỉnh An Giang" in first

    second = loa.ok("seed")

    assert second == "Dữ liệu mẫu đã có; tài khoản quản trị: admin.\n"
    assert password not in second
    with loa.session() as session:
        admin = users.authenticate(session, "admin", password)
        assert admin is not None
        assert admin.role is Role.admin
        assert len(session.exec(select(Station)).all()) == 4

    # The review desk's two demo people, each with a password shown once, and the demo draft
    # written by the editor for the approver to review.
    shown = dict(
        re.findall(r"Tài khoản [^:]+: (\S+)\s+mật khẩu \(chỉ hiện một lần\): (\S+)", first)
    )
    assert set(shown) == {"admin", "bientap.lx", "lanhdao.tinh"}
    assert len(set(shown.values())) == 3
    assert not any(secret in second for secret in shown.values())
    with loa.session() as session:
        editor = users.authenticate(session, "bientap.lx", shown["bientap.lx"])
        approver = users.authenticate(session, "lanhdao.tinh", shown["lanhdao.tinh"])
        assert editor is not None
        assert approver is not None
        assert (editor.role, users.area_codes(session, editor)) == (Role.editor, ["91-LX"])
        assert (approver.role, users.area_codes(session, approver)) == (Role.approver, ["91"])
        [draft] = session.exec(select(Bulletin)).all()
        assert draft.author_id == editor.id


# ------------------------------------------------------------------ users
def test_user_add_shows_a_generated_password_that_signs_in(loa: Loa, seeded: str) -> None:
    output = loa.ok("user", "add", "canbo.tt", "--role", "editor", "--area", "91-TT")

    assert "Đã tạo tài khoản canbo.tt (editor)." in output
    password = shown_password(output)
    assert len(password) >= 16
    with loa.session() as session:
        user = users.authenticate(session, "canbo.tt", password)
        assert user is not None
        assert user.role is Role.editor
        assert users.area_codes(session, user) == ["91-TT"]
        assert users.authenticate(session, "canbo.tt", password + "x") is None
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).all()
        assert [(e.entity_id, e.via) for e in event][-1] == (str(user.id), "cli")


def test_user_add_reads_the_password_from_stdin(loa: Loa, seeded: str) -> None:
    output = loa.ok(
        "user",
        "add",
        "duyet.tt",
        "--role",
        "approver",
        "--area",
        "91-TT",
        "--area",
        "91-LX",
        "--password-stdin",
        input="mật khẩu đủ dài 2026\n",
    )

    assert "Mật khẩu" not in output
    with loa.session() as session:
        user = users.authenticate(session, "duyet.tt", "mật khẩu đủ dài 2026")
        assert user is not None
        assert users.area_codes(session, user) == ["91-LX", "91-TT"]


def test_user_add_refuses_a_short_password_from_stdin(loa: Loa, seeded: str) -> None:
    line = loa.refused(
        "user", "add", "quanly", "--role", "admin", "--password-stdin", input="ngan\n"
    )
    assert line.startswith("Lỗi: dữ liệu không hợp lệ: password:")


def test_user_add_duplicate_is_one_clear_line(loa: Loa, seeded: str) -> None:
    loa.ok("user", "add", "canbo.tt", "--role", "editor", "--area", "91-TT")

    line = loa.refused("user", "add", "canbo.tt", "--role", "editor", "--area", "91-TT")

    assert line == "Lỗi: Tên đăng nhập 'canbo.tt' đã tồn tại"


def test_user_add_bad_role_is_a_usage_error(loa: Loa, seeded: str) -> None:
    output = loa.usage_error("user", "add", "sep", "--role", "boss", "--area", "91-TT")
    assert "--role" in output
    assert "boss" in output


def test_editor_without_an_area_is_refused(loa: Loa, seeded: str) -> None:
    line = loa.refused("user", "add", "canbo.lx", "--role", "editor")
    assert line == "Lỗi: biên tập viên và người duyệt cần ít nhất một địa bàn (--area)"


def test_user_add_unknown_area_is_refused(loa: Loa, seeded: str) -> None:
    line = loa.refused("user", "add", "canbo.xx", "--role", "editor", "--area", "99-XX")
    assert line == "Lỗi: Không tìm thấy địa bàn: 99-XX"
    with loa.session() as session:
        assert users.authenticate(session, "canbo.xx", "anything-at-all") is None


# ------------------------------------------------------------------ stations
def test_station_add_and_list_keep_the_language_order(loa: Loa, seeded: str) -> None:
    output = loa.ok(
        "station",
        "add",
        "tt-chua",
        "--name",
        "Cụm loa chùa Tà Pạ",
        "--area",
        "91-TT",
        "--language",
        "km",
        "--language",
        "vi",
    )
    assert output == "Đã thêm đài tt-chua (mount /tt-chua.mp3).\n"

    listing = loa.ok("station", "list")

    rows = [line for line in listing.splitlines() if " tt-chua " in line]
    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].strip("│ ").split("│")]
    assert cells == [
        "tt-chua",
        "Cụm loa chùa Tà Pạ",
        "91-TT",
        "loudspeaker_cluster",
        "km,vi",
        "/tt-chua.mp3",
        "yes",
    ]
    with loa.session() as session:
        station = session.exec(select(Station).where(Station.code == "tt-chua")).one()
        assert station.languages == ["km", "vi"]
        assert station.timezone == "Asia/Ho_Chi_Minh"


def test_station_add_with_kind_mount_and_zone(loa: Loa, seeded: str) -> None:
    loa.ok(
        "station",
        "add",
        "91-fm",
        "--name",
        "Cầu nối FM",
        "--area",
        "91",
        "--kind",
        "fm_gateway",
        "--mount",
        "/fm.mp3",
        "--timezone",
        "Asia/Bangkok",
    )
    with loa.session() as session:
        station = session.exec(select(Station).where(Station.code == "91-fm")).one()
        assert (station.kind, station.mount, station.timezone, station.languages) == (
            "fm_gateway",
            "/fm.mp3",
            "Asia/Bangkok",
            ["vi"],
        )


def test_station_add_unknown_area(loa: Loa, seeded: str) -> None:
    line = loa.refused("station", "add", "x1", "--name", "X", "--area", "nope")
    assert line == "Lỗi: Không tìm thấy địa bàn có mã 'nope'"


def test_station_add_bad_timezone(loa: Loa, seeded: str) -> None:
    line = loa.refused(
        "station", "add", "x1", "--name", "X", "--area", "91-TT", "--timezone", "Mars/Olympus"
    )
    assert line == "Lỗi: dữ liệu không hợp lệ: timezone: múi giờ không tồn tại: 'Mars/Olympus'"


def test_station_add_duplicate_code_or_mount(loa: Loa, seeded: str) -> None:
    assert loa.refused("station", "add", "91-tt-loa1", "--name", "X", "--area", "91-TT") == (
        "Lỗi: Mã đài '91-tt-loa1' đã tồn tại"
    )
    line = loa.refused(
        "station", "add", "x1", "--name", "X", "--area", "91-TT", "--mount", "/91-tt-loa1.mp3"
    )
    assert line == "Lỗi: Mount '/91-tt-loa1.mp3' đã được đài '91-tt-loa1' dùng"


def test_station_add_repeated_language(loa: Loa, seeded: str) -> None:
    line = loa.refused(
        "station", "add", "x1", "--name", "X", "--area", "91-TT", "--language", "vi",
        "--language", "vi",
    )  # fmt: skip
    assert line == "Lỗi: dữ liệu không hợp lệ: languages: ngôn ngữ không được lặp lại"


def test_unknown_language_is_a_usage_error(loa: Loa, seeded: str) -> None:
    output = loa.usage_error(
        "station", "add", "x1", "--name", "X", "--area", "91", "--language", "fr"
    )
    assert "--language" in output


def test_errors_stay_on_one_line_in_a_narrow_terminal(loa: Loa, seeded: str) -> None:
    result = loa.runner.invoke(
        app,
        ["station", "add", "x1", "--name", "X", "--area", "91-TT", "--timezone", "Mars/Olympus"],
        env={**loa.env, "COLUMNS": "30"},
    )
    assert result.exit_code == 1
    assert plain(result.stderr) == (
        "Lỗi: dữ liệu không hợp lệ: timezone: múi giờ không tồn tại: 'Mars/Olympus'\n"
    )
