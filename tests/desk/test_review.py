"""The review queue in Chromium: an approver sees pending bulletins of their areas, newest
first with priority badges, must listen before approving, must give a reason to reject, and
cannot approve their own; the bulletin's versions and audit trail are shown."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, col, select

from studio import bulletins
from studio.audit import Actor
from studio.models import AuditEvent, Bulletin, BulletinUpdate, Review
from studio.types import BulletinStatus, Priority
from tests.desk.support import Desk, submitted


def status_of(desk: Desk, bulletin_id: int) -> BulletinStatus:
    with Session(desk.engine) as fresh:
        bulletin = fresh.get(Bulletin, bulletin_id)
        assert bulletin is not None
        return bulletin.status


def reviews_of(desk: Desk, bulletin_id: int) -> list[Review]:
    with Session(desk.engine) as fresh:
        return list(fresh.exec(select(Review).where(Review.bulletin_id == bulletin_id)).all())


def card(page: Page, bulletin_id: int) -> Locator:
    return page.locator(f"#queue article[data-bulletin-id='{bulletin_id}']")


def listen_to_the_end(card: Locator) -> None:
    """Play the clip as a reviewer would (the player's play), until it ends."""
    audio = card.locator("audio")
    audio.evaluate("a => a.play()")
    expect(card.locator(".listen-state")).to_have_text("Đã nghe hết bản âm thanh.", timeout=30_000)


def test_approver_must_listen_before_approving(desk: Desk) -> None:
    older = submitted(desk, "editor_a", "Lịch cắt điện")
    newer = submitted(desk, "editor_a", "Thu hoạch lúa", priority=Priority.priority)
    other_area = submitted(desk, "editor_b", "Tin xã B", target_station_codes=["sb"])
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "approver_a")
        expect(page).to_have_url(f"{desk.url}#/queue")
        cards = page.locator("#queue article")
        expect(cards).to_have_count(2)  # commune B's bulletin is not in this approver's queue
        ids = [int(x) for x in cards.evaluate_all("els => els.map(e => e.dataset.bulletinId)")]
        assert ids == [newer, older]  # newest first
        assert other_area not in ids
        expect(card(page, newer).locator(".badge.priority")).to_have_text("Ưu tiên")
        expect(card(page, older).locator(".badge.normal").first).to_have_text("Thường")

        target = card(page, older)
        expect(target.locator(".bulletin-text")).to_contain_text("tiêm chủng")
        expect(target.locator(".clip-engine")).to_contain_text("espeak")
        expect(target.locator(".clip-duration")).to_contain_text("giây")
        expect(target.locator(".clip-loudness")).to_contain_text("LUFS")
        approve = target.locator("[data-action=approve]")
        expect(approve).to_be_disabled()
        approve.click(force=True)  # a click on the disabled button does nothing
        assert status_of(desk, older) is BulletinStatus.submitted

        # Half-way is not enough: the button opens only at the end.
        target.locator("audio").evaluate("a => { a.currentTime = a.duration / 2; }")
        expect(approve).to_be_disabled()
        listen_to_the_end(target)
        expect(approve).to_be_enabled()
        approve.click()
        expect(page.locator("#flash")).to_contain_text("Đã duyệt bản tin «Lịch cắt điện»")
        expect(page.locator("#queue article")).to_have_count(1)
        assert status_of(desk, older) is BulletinStatus.approved
        [review] = reviews_of(desk, older)
        assert review.decision == "approve"
        assert review.reviewer_id == desk.world["approver_a"].id
        assert review.clip_id is not None


def test_scrubbing_to_the_end_counts_as_listened(desk: Desk) -> None:
    bulletin_id = submitted(desk, "editor_a", "Họp dân")
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "approver_a")
        target = card(page, bulletin_id)
        approve = target.locator("[data-action=approve]")
        expect(approve).to_be_disabled()
        target.locator("audio").evaluate(
            "a => new Promise(r => { if (a.readyState >= 1) r(); else a.onloadedmetadata = r; })"
            ".then(() => { a.currentTime = Math.max(0, a.duration - 0.3); return a.play(); })"
        )
        expect(approve).to_be_enabled(timeout=15_000)


def test_rejection_needs_a_reason(desk: Desk) -> None:
    bulletin_id = submitted(desk, "editor_a", "Tin cần sửa")
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "approver_a")
        target = card(page, bulletin_id)
        target.locator("[data-action=reject]").click()
        expect(page.locator("#flash")).to_have_text("Cần nhập lý do từ chối.")
        assert status_of(desk, bulletin_id) is BulletinStatus.submitted
        # Too short for the workflow: the API refuses and the desk says why, in Vietnamese.
        target.locator(".reject-reason").fill(" a ")
        target.locator("[data-action=reject]").click()
        expect(page.locator("#flash")).to_contain_text("lý do")
        assert "{" not in page.locator("#flash").inner_text()
        assert status_of(desk, bulletin_id) is BulletinStatus.submitted
        assert reviews_of(desk, bulletin_id) == []

        target.locator(".reject-reason").fill("Sai ngày tiêm, sửa lại thành 06/12.")
        target.locator("[data-action=reject]").click()
        expect(page.locator("#flash")).to_contain_text("Đã từ chối bản tin")
        assert status_of(desk, bulletin_id) is BulletinStatus.rejected
        [review] = reviews_of(desk, bulletin_id)
        assert review.reason == "Sai ngày tiêm, sửa lại thành 06/12."

    # The editor reads the reason in the bulletin's history.
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "editor_a")
        page.goto(f"{desk.url}#/b/{bulletin_id}")
        expect(page.locator("#bulletin .reviews")).to_contain_text("Sai ngày tiêm")
        expect(page.locator("#bulletin .badge.st-rejected")).to_have_text("Bị từ chối")


def test_own_bulletin_cannot_be_approved(desk: Desk) -> None:
    own = submitted(desk, "approver_a", "Tin của người duyệt")
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "approver_a")
        page.goto(f"{desk.url}#/b/{own}")
        expect(page.locator("#bulletin .own-note")).to_contain_text("người khác phải duyệt")
        expect(page.locator("[data-action=approve]")).to_have_count(0)
        expect(page.locator("[data-action=reject]")).to_have_count(0)
        # Another approver of the area can.
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "approver_p")
        expect(card(page, own).locator("[data-action=approve]")).to_be_disabled()


def test_history_shows_versions_and_the_audit_trail(desk: Desk) -> None:
    bulletin_id = submitted(desk, "editor_a", "Tin có hai phiên bản")
    with Session(desk.engine, expire_on_commit=False) as session:
        bulletins.update_bulletin(
            session,
            Actor(user=desk.world["editor_a"]),
            bulletin_id,
            BulletinUpdate(title="Tin đã sửa"),
        )
        session.commit()
        actions = session.exec(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "bulletin", AuditEvent.entity_id == str(bulletin_id))
            .order_by(col(AuditEvent.id))
        ).all()
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "editor_a")
        page.goto(f"{desk.url}#/b/{bulletin_id}")
        versions = page.locator("#bulletin .versions li")
        expect(versions).to_have_count(2)
        expect(versions.first).to_contain_text("Phiên bản 2")
        expect(versions.first).to_contain_text("Tin đã sửa")
        expect(versions.last).to_contain_text("Tin có hai phiên bản")
        shown = page.locator("#bulletin .audit li").evaluate_all(
            "els => els.map(e => e.dataset.action)"
        )
        assert shown == list(actions)
        expect(page.locator("#bulletin .audit")).to_contain_text("Gửi duyệt")
        expect(page.locator("#bulletin .audit")).to_contain_text("Sửa bản tin")


def test_from_the_editors_phone_to_the_leaders_approval(desk: Desk) -> None:
    """The whole path through the desk alone: written, rendered and submitted by the editor,
    heard and approved by the leader, each in their own browser."""
    with desk.context() as editor_context, desk.context() as approver_context:
        editor = editor_context.new_page()
        desk.sign_in(editor, "editor_a")
        editor.fill("#title", "Thông báo họp tổ dân phố")
        editor.fill("#body", "Mời bà con dự họp tổ dân phố lúc 19h00 ngày 02/12/2026.")
        editor.check("input[name=station][value=sa]")
        editor.click("#render")
        expect(editor.locator("#clip-box audio")).to_be_visible(timeout=60_000)
        editor.click("#submit")
        expect(editor.locator("#flash")).to_contain_text("Đã gửi bản tin đi duyệt")
        with Session(desk.engine) as fresh:
            [bulletin] = fresh.exec(select(Bulletin)).all()
        assert bulletin.id is not None

        leader = approver_context.new_page()
        desk.sign_in(leader, "approver_a")
        target = card(leader, bulletin.id)
        expect(target.locator(".reading")).to_contain_text("mười chín giờ")
        approve = target.locator("[data-action=approve]")
        expect(approve).to_be_disabled()
        listen_to_the_end(target)
        approve.click()
        expect(leader.locator("#flash")).to_contain_text("Đã duyệt")
        assert status_of(desk, bulletin.id) is BulletinStatus.approved

        # The editor sees the approval in the bulletin's history.
        editor.reload()
        expect(editor.locator("#bulletin .badge.st-approved")).to_have_text("Đã duyệt")
        expect(editor.locator("#bulletin .audit")).to_contain_text("Duyệt")
