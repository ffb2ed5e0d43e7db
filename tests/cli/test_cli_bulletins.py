"""``loa bulletin``: the approval workflow from the command line, acting ``--as`` real users."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from studio.models import AuditEvent, Bulletin, Review
from studio.types import BulletinStatus, ReviewDecision
from tests.cli.support import CREATED_BULLETIN, Loa
from tests.factories import make_ready_clip

PASSWORD = "mật khẩu thử nghiệm 2026"
STATION = "91-tt-loa1"  # from the demo data, in commune 91-TT


@pytest.fixture
def people(loa: Loa, seeded: str) -> Loa:
    """An editor and an approver for commune 91-TT, and an approver for 91-LX only."""
    for name, role, area in [
        ("bientap", "editor", "91-TT"),
        ("duyet", "approver", "91-TT"),
        ("duyet.lx", "approver", "91-LX"),
    ]:
        loa.ok(
            "user", "add", name, "--role", role, "--area", area, "--password-stdin", input=PASSWORD
        )
    return loa


def add_bulletin(loa: Loa, author: str = "bientap", *extra: str) -> int:
    output = loa.ok(
        "bulletin", "add", "--as", author, "--title", "Thông báo lịch tiêm chủng",
        "--language", "vi", "--station", STATION, *(extra or ("--body", "Nội dung bản tin.")),
    )  # fmt: skip
    match = CREATED_BULLETIN.search(output)
    assert match is not None, output
    return int(match.group(1))


def stored(loa: Loa, bulletin_id: int) -> Bulletin:
    with loa.session() as session:
        bulletin = session.get(Bulletin, bulletin_id)
        assert bulletin is not None
        return bulletin


def listed(loa: Loa, as_user: str, *extra: str) -> dict[int, str]:
    """Bulletin id -> the Vietnamese status shown by ``loa bulletin list``."""
    rows = {}
    for line in loa.ok("bulletin", "list", "--as", as_user, *extra).splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if len(cells) == 6 and cells[0].isdigit():
            rows[int(cells[0])] = cells[4]
    return rows


def test_add_submit_approve(people: Loa) -> None:
    loa = people
    bulletin_id = add_bulletin(loa)
    assert listed(loa, "duyet") == {bulletin_id: "bản nháp"}

    assert loa.ok("bulletin", "submit", str(bulletin_id), "--as", "bientap") == (
        f"Đã gửi duyệt bản tin #{bulletin_id}.\n"
    )
    assert listed(loa, "duyet", "--status", "submitted") == {bulletin_id: "chờ duyệt"}
    clip_id = loa.ready_clip(str(bulletin_id))  # the clip submitted with the version
    output = loa.ok(
        "bulletin", "approve", str(bulletin_id), "--as", "duyet", "--version", "1",
        "--clip", str(clip_id), "--comment", "Đồng ý phát",
    )  # fmt: skip

    assert output == f"Đã duyệt bản tin #{bulletin_id} (phiên bản 1, bản âm thanh {clip_id}).\n"
    assert listed(loa, "bientap", "--status", "approved") == {bulletin_id: "đã duyệt"}
    bulletin = stored(loa, bulletin_id)
    assert (bulletin.status, bulletin.approved_version, bulletin.approved_clip_id) == (
        BulletinStatus.approved,
        1,
        clip_id,
    )
    with loa.session() as session:
        review = session.exec(select(Review).where(Review.bulletin_id == bulletin_id)).one()
        assert (review.decision, review.reason, review.clip_id) == (
            ReviewDecision.approve,
            "Đồng ý phát",
            clip_id,
        )
        vias = session.exec(
            select(AuditEvent.action, AuditEvent.actor, AuditEvent.via).where(
                AuditEvent.entity_type == "bulletin", AuditEvent.entity_id == str(bulletin_id)
            )
        ).all()
    assert [tuple(v) for v in vias] == [
        ("bulletin.create", "bientap", "cli"),
        ("bulletin.submit", "bientap", "cli"),
        ("bulletin.approve", "duyet", "cli"),
    ]


def test_submit_and_approve_need_a_clip(people: Loa) -> None:
    loa = people
    loa.audio_ready = False  # an operator who has not rendered nor recorded anything yet
    bulletin_id = add_bulletin(loa)
    bid = str(bulletin_id)

    assert loa.refused("bulletin", "submit", bid, "--as", "bientap") == (
        "Lỗi: Bản tin chưa có âm thanh sẵn sàng cho phiên bản 1: hãy tạo âm thanh hoặc tải bản "
        "ghi âm trước khi gửi duyệt"
    )
    assert stored(loa, bulletin_id).status is BulletinStatus.draft
    first = loa.ready_clip(bid)
    with loa.session() as session:  # a second rendition, e.g. another voice
        bulletin = session.get(Bulletin, bulletin_id)
        assert bulletin is not None
        second = make_ready_clip(session, bulletin).id
        session.commit()
    loa.ok("bulletin", "submit", bid, "--as", "bientap")

    assert "Required: the ready clip of this version" in loa.ok("bulletin", "approve", "--help")
    assert loa.refused("bulletin", "approve", bid, "--as", "duyet", "--version", "1") == (
        "Lỗi: thiếu --clip: hãy nghe rồi chọn bản âm thanh để duyệt. Các bản sẵn sàng của "
        f"bản tin #{bulletin_id} phiên bản 1: {first}, {second}"
    )
    assert loa.refused(
        "bulletin", "approve", bid, "--as", "duyet", "--version", "1", "--clip", "4242"
    ) == (
        f"Lỗi: Bản âm thanh 4242 không phải bản sẵn sàng của bản tin {bulletin_id} phiên bản 1; "
        f"các bản sẵn sàng: {first}, {second}"
    )
    assert stored(loa, bulletin_id).status is BulletinStatus.submitted
    loa.ok("bulletin", "approve", bid, "--as", "duyet", "--version", "1", "--clip", str(second))
    assert stored(loa, bulletin_id).approved_clip_id == second


def test_refusals_along_the_workflow(people: Loa) -> None:
    loa = people
    bulletin_id = add_bulletin(loa)
    bid = str(bulletin_id)

    assert loa.refused("bulletin", "submit", bid, "--as", "duyet") == (
        "Lỗi: Chỉ tác giả hoặc quản trị viên mới được gửi duyệt bản tin này"
    )
    assert loa.refused("bulletin", "approve", bid, "--as", "duyet", "--version", "1") == (
        "Lỗi: Không thể duyệt bản tin đang ở trạng thái «bản nháp»"
    )
    loa.ok("bulletin", "submit", bid, "--as", "bientap")
    assert loa.refused("bulletin", "approve", bid, "--as", "bientap", "--version", "1") == (
        "Lỗi: Chỉ người duyệt hoặc quản trị viên mới được duyệt bản tin"
    )
    assert loa.refused("bulletin", "approve", bid, "--as", "duyet.lx", "--version", "1") == (
        "Lỗi: Bạn không phụ trách tất cả địa bàn đích của bản tin nên không thể duyệt"
    )
    assert loa.refused("bulletin", "approve", bid, "--as", "duyet", "--version", "2") == (
        "Lỗi: Bản tin đã được sửa: phiên bản hiện tại là 1, bạn đang xem phiên bản 2. "
        "Hãy đọc lại trước khi quyết định"
    )
    assert loa.refused("bulletin", "approve", bid, "--as", "khach", "--version", "1") == (
        "Lỗi: Không tìm thấy người dùng 'khach'"
    )
    assert stored(loa, bulletin_id).status is BulletinStatus.submitted


def test_four_eyes_refuses_approving_your_own_bulletin(people: Loa) -> None:
    loa = people
    bulletin_id = add_bulletin(loa, "duyet")
    loa.ok("bulletin", "submit", str(bulletin_id), "--as", "duyet")

    line = loa.refused("bulletin", "approve", str(bulletin_id), "--as", "duyet", "--version", "1")

    assert line == "Lỗi: Nguyên tắc bốn mắt: không được duyệt bản tin do chính mình soạn"
    assert stored(loa, bulletin_id).status is BulletinStatus.submitted


def test_reject_needs_a_reason(people: Loa) -> None:
    loa = people
    bulletin_id = add_bulletin(loa)
    bid = str(bulletin_id)
    loa.ok("bulletin", "submit", bid, "--as", "bientap")

    assert "--reason" in loa.usage_error(
        "bulletin", "reject", bid, "--as", "duyet", "--version", "1"
    )
    for reason in ("", "  ", "ok"):
        line = loa.refused(
            "bulletin", "reject", bid, "--as", "duyet", "--version", "1", "--reason", reason
        )
        assert line == "Lỗi: Từ chối phải kèm lý do (ít nhất 3 ký tự)"
    assert stored(loa, bulletin_id).status is BulletinStatus.submitted

    output = loa.ok(
        "bulletin", "reject", bid, "--as", "duyet", "--version", "1", "--reason", "Sai ngày tiêm"
    )

    assert output == f"Đã từ chối bản tin #{bulletin_id}: Sai ngày tiêm\n"
    assert stored(loa, bulletin_id).status is BulletinStatus.rejected
    assert listed(loa, "bientap", "--status", "rejected") == {bulletin_id: "bị từ chối"}


@pytest.mark.parametrize("command", ["submit", "approve", "reject"])
def test_unknown_bulletin_id(people: Loa, command: str) -> None:
    extra = {"submit": [], "approve": ["--version", "1"], "reject": ["--version", "1"]}[command]
    if command == "reject":
        extra += ["--reason", "Không rõ nguồn"]
    line = people.refused("bulletin", command, "4242", "--as", "duyet", *extra)
    assert line == "Lỗi: Không tìm thấy bản tin 4242"


def test_body_file_utf8_is_read(people: Loa, tmp_path: Path) -> None:
    text = "Thông báo: ngày 05/12/2026 tiêm chủng.\nសេចក្តីជូនដំណឹង។\n"
    path = tmp_path / "ban-tin.txt"
    path.write_text(text, encoding="utf-8")

    bulletin_id = add_bulletin(people, "bientap", "--body-file", str(path))

    assert stored(people, bulletin_id).body == text


def test_body_file_that_is_not_utf8_is_a_clean_error(people: Loa, tmp_path: Path) -> None:
    path = tmp_path / "cp1258.txt"
    path.write_bytes("Thông báo".encode("cp1258", errors="replace") + b"\xff\xfe")

    line = people.refused(
        "bulletin", "add", "--as", "bientap", "--title", "T", "--language", "vi",
        "--station", STATION, "--body-file", str(path),
    )  # fmt: skip

    assert line.startswith(f"Lỗi: tệp {path} không phải văn bản UTF-8")
    assert listed(people, "bientap") == {}


def test_missing_body_file(people: Loa, tmp_path: Path) -> None:
    missing = tmp_path / "[bold]bản tin[/].txt"  # brackets must not be read as rich markup

    line = people.refused(
        "bulletin", "add", "--as", "bientap", "--title", "T", "--language", "vi",
        "--station", STATION, "--body-file", str(missing),
    )  # fmt: skip

    assert line == f"Lỗi: không đọc được tệp {missing}: No such file or directory"


@pytest.mark.parametrize("bodies", [["--body", "x", "--body-file", "/etc/hostname"], []])
def test_exactly_one_of_body_and_body_file(people: Loa, bodies: list[str]) -> None:
    line = people.refused(
        "bulletin", "add", "--as", "bientap", "--title", "T", "--language", "vi",
        "--station", STATION, *bodies,
    )  # fmt: skip
    assert line == "Lỗi: cần đúng một trong hai: --body hoặc --body-file"


@pytest.mark.parametrize(
    ("given", "expected_utc"),
    [
        # No offset: local time in Asia/Ho_Chi_Minh (UTC+7), the operator's clock.
        ("2099-12-31T17:00:00", datetime(2099, 12, 31, 10, 0, tzinfo=UTC)),
        ("2099-12-31 06:30:00", datetime(2099, 12, 30, 23, 30, tzinfo=UTC)),
        ("2099-12-31T17:00:00+00:00", datetime(2099, 12, 31, 17, 0, tzinfo=UTC)),
    ],
)
def test_valid_until_without_offset_is_vietnam_time(
    people: Loa, given: str, expected_utc: datetime
) -> None:
    bulletin_id = add_bulletin(people, "bientap", "--body", "Nội dung.", "--valid-until", given)
    assert stored(people, bulletin_id).valid_until == expected_utc


def test_expire_moves_past_bulletins(people: Loa) -> None:
    loa = people
    old = add_bulletin(loa, "bientap", "--body", "Cũ.", "--valid-until", "2020-01-01T00:00:00")
    current = add_bulletin(loa)

    assert loa.ok("bulletin", "expire") == "Đã chuyển 1 bản tin sang «hết hạn».\n"

    assert listed(loa, "bientap") == {current: "bản nháp", old: "đã hết hạn"}
    assert loa.ok("bulletin", "expire") == "Đã chuyển 0 bản tin sang «hết hạn».\n"
    assert loa.refused("bulletin", "submit", str(old), "--as", "bientap") == (
        "Lỗi: Không thể gửi duyệt bản tin đang ở trạng thái «đã hết hạn»"
    )


def test_invalid_bulletin_content(people: Loa) -> None:
    line = people.refused(
        "bulletin", "add", "--as", "bientap", "--title", "T", "--language", "vi",
        "--body", "x", "--valid-from", "2099-01-02T00:00:00",
        "--valid-until", "2099-01-01T00:00:00", "--station", STATION,
    )  # fmt: skip
    assert line == "Lỗi: dữ liệu không hợp lệ: valid_until phải sau valid_from"
    line = people.refused(
        "bulletin", "add", "--as", "bientap", "--title", "T", "--language", "vi",
        "--body", "x", "--station", "khong-co",
    )  # fmt: skip
    assert line == "Lỗi: Không tìm thấy đài: khong-co"
