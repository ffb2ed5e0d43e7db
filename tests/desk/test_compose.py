"""The desk's compose screen in Chromium against the real API and render worker: an editor
writes, previews the reading, renders with espeak-ng, uploads a recording, links a Khmer
translation, submits; bad input shows Vietnamese messages and writes nothing."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from studio.models import AuditEvent, Bulletin, Clip
from studio.types import BulletinStatus, ClipSource, ClipStatus
from tests.api.api_support import wav_bytes
from tests.conftest import require_binary
from tests.desk.support import Desk, assert_readable, flash_text
from tests.voices_support import KHMER_BODY, KHMER_TITLE

BODY = "UBND xã thông báo lịch tiêm chủng ngày 05/12/2026 lúc 7h30."
# Khmer with coeng (subscript) clusters, a zero-width non-joiner and Khmer digits: the
# characters a careless encode/normalise step would break.
KHMER_TRICKY = "សូមប្រជាពលរដ្ឋ\u200cចូលរួម ស្រុក ១២៣ ក្ស្រ"


def bulletins_in(desk: Desk) -> list[Bulletin]:
    with Session(desk.engine) as fresh:
        return list(fresh.exec(select(Bulletin).order_by(col(Bulletin.id))).all())


def clips_of(desk: Desk, bulletin_id: int) -> list[Clip]:
    with Session(desk.engine) as fresh:
        rows = fresh.exec(select(Clip).where(Clip.bulletin_id == bulletin_id)).all()
        return list(rows)


def fill_vietnamese(page: Page, title: str = "Thông báo tiêm chủng") -> None:
    page.fill("#title", title)
    page.fill("#body", BODY)
    page.check("input[name=station][value=sa]")


def test_editor_composes_previews_renders_and_submits(desk: Desk) -> None:
    require_binary("espeak-ng")
    require_binary("ffmpeg")
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "editor_a")
        expect(page.locator("#me")).to_contain_text("Biên tập viên")
        fill_vietnamese(page)

        page.click("#preview")
        reading = page.locator("#reading")
        expect(reading).to_be_visible()
        # The front-end expands the date and time into words the voice reads.
        expect(reading).to_contain_text("tháng mười hai")
        expect(reading).to_contain_text("Ủy ban nhân dân")
        assert bulletins_in(desk) == []  # a preview writes nothing

        page.click("#render")
        expect(page.locator("#clip-box audio")).to_be_visible(timeout=60_000)
        [bulletin] = bulletins_in(desk)
        [clip] = clips_of(desk, bulletin.id or 0)
        assert clip.status is ClipStatus.ready
        assert clip.engine == "espeak"
        assert clip.duration_ms is not None
        seconds = f"{clip.duration_ms / 1000:.1f}".replace(".", ",")
        expect(page.locator("#clip-box .clip-duration")).to_have_text(f"{seconds} giây")
        expect(page.locator("#clip-box .clip-engine")).to_contain_text(clip.voice)
        assert clip.loudness_lufs is not None
        expect(page.locator("#clip-box .clip-loudness")).to_contain_text(
            f"{clip.loudness_lufs:.1f}".replace(".", ",")
        )
        # The player gets the real MP3 through the clip's signed URL.
        src = page.locator("#clip-box audio").get_attribute("src") or ""
        response = page.request.get(desk.base + src)
        assert response.status == 200
        assert response.headers["content-type"] == "audio/mpeg"
        assert len(response.body()) == clip.size_bytes
        expect(page.locator("#reading")).to_contain_text("tiêm chủng")

        page.click("#submit")
        expect(page).to_have_url(re.compile(rf"#/b/{bulletin.id}$"))
        expect(page.locator("#flash")).to_contain_text("Đã gửi bản tin đi duyệt")
        [bulletin] = bulletins_in(desk)
        assert bulletin.status is BulletinStatus.submitted
        assert bulletin.author_id == desk.world["editor_a"].id


def test_editor_never_sees_the_approve_button(desk: Desk) -> None:
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "editor_a")
        expect(page.locator("[data-nav=compose]")).to_be_visible()
        expect(page.locator("[data-nav=queue]")).to_have_count(0)
        expect(page.locator("[data-nav=emergency]")).to_have_count(0)
        fill_vietnamese(page)
        page.click("#save")
        expect(page.locator("#flash")).to_contain_text("Đã lưu bản tin")
        [bulletin] = bulletins_in(desk)
        page.goto(f"{desk.url}#/b/{bulletin.id}")
        expect(page.locator("#bulletin h2.title")).to_have_text("Thông báo tiêm chủng")
        expect(page.locator("[data-action=approve]")).to_have_count(0)
        expect(page.locator("[data-action=reject]")).to_have_count(0)
        # Typing the queue's address does not help either.
        page.goto(f"{desk.url}#/queue")
        expect(page.locator("#view")).to_contain_text("chỉ dành cho người duyệt")
        expect(page.locator("[data-action=approve]")).to_have_count(0)


def test_khmer_bulletin_round_trips_and_displays_in_a_khmer_font(desk: Desk) -> None:
    require_binary("ffmpeg")
    title = f"{KHMER_TITLE} {KHMER_TRICKY}"
    body = f"{KHMER_BODY}\n{KHMER_TRICKY}"
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "editor_b")
        # The Vietnamese original first.
        page.fill("#title", "Thông báo họp dân")
        page.fill("#body", "Họp dân lúc 7h30 tại nhà văn hoá ấp.")
        page.check("input[name=station][value=sb]")
        page.click("#save")
        expect(page.locator("#flash")).to_contain_text("Đã lưu bản tin")
        [original] = bulletins_in(desk)

        page.goto(f"{desk.url}#/compose")
        page.reload()
        expect(page.locator("#translation-box")).to_be_hidden()
        page.select_option("#language", "km")
        expect(page.locator("#translation-box")).to_be_visible()
        page.select_option("#translation-of", str(original.id))
        page.fill("#title", title)
        page.fill("#body", body)
        page.check("input[name=station][value=sb]")
        # No offline Khmer voice: the render asks for a recording, in Vietnamese.
        page.click("#render")
        expect(page.locator("#clip-box .clip-error")).to_contain_text("Cần bản ghi âm")
        page.set_input_files(
            "#recording-file",
            files=[{"name": "ghi-am.wav", "mimeType": "audio/wav", "buffer": wav_bytes(2.0)}],
        )
        page.click("#upload")
        expect(page.locator("#clip-box audio")).to_be_visible(timeout=60_000)
        expect(page.locator("#clip-box .clip-engine")).to_have_text("Bản ghi âm")

        khmer = bulletins_in(desk)[-1]
        assert khmer.title == title
        assert khmer.body == body
        assert khmer.translation_of == original.id
        recordings = [c for c in clips_of(desk, khmer.id or 0) if c.source is ClipSource.recording]
        assert [c.status for c in recordings] == [ClipStatus.ready]

        page.goto(f"{desk.url}#/b/{khmer.id}")
        page.reload()
        text = page.locator("#bulletin .bulletin-text")
        expect(text).to_have_attribute("lang", "km")
        assert text.inner_text() == body
        assert page.locator("#bulletin h2.title").inner_text() == title
        family = text.evaluate("el => getComputedStyle(el).fontFamily")
        assert family.startswith('"Noto Sans Khmer"'), family
        page.evaluate("() => document.fonts.ready")
        assert page.evaluate("() => document.fonts.check('16px \"Noto Sans Khmer\"', 'ក្ស')")
        loaded = page.evaluate(
            "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
        )
        assert any("Noto Sans Khmer" in f for f in loaded), loaded
        # The translation link is shown and leads to the original.
        page.click(f"#bulletin a[href='#/b/{original.id}']")
        expect(page.locator("#bulletin h2.title")).to_have_text("Thông báo họp dân")


def test_bad_input_shows_vietnamese_messages_and_writes_nothing(desk: Desk) -> None:
    with desk.context() as context:
        page = context.new_page()
        page.goto(desk.url)
        page.fill("#username", "editor_a")
        page.fill("#password", "not the password")
        page.click("#sign-in")
        message = flash_text(page)
        assert "Sai tên đăng nhập hoặc mật khẩu" in message
        assert_readable(message)
        expect(page.locator("#sign-out")).to_have_count(0)

        desk.sign_in(page, "editor_a")
        # No target: refused before any request.
        page.fill("#title", "Thiếu đài")
        page.fill("#body", BODY)
        page.click("#save")
        assert_readable(flash_text(page))
        expect(page.locator("#flash")).to_contain_text("ít nhất một đài")
        # A validity that ends before it starts: the API's refusal, shown readably.
        page.check("input[name=station][value=sa]")
        page.fill("#valid-from", "2026-12-05T08:00")
        page.fill("#valid-until", "2026-12-04T08:00")
        page.click("#save")
        message = flash_text(page)
        assert_readable(message)
        assert "valid_until phải sau valid_from" in message
        # Spread airing with an impossible count: a field error, named in Vietnamese.
        page.fill("#valid-until", "")
        page.select_option("#airing-mode", "spread")
        page.fill("#airing-times", "500")
        page.click("#save")
        message = flash_text(page)
        assert_readable(message)
        assert "quá lớn" in message
        # Previewing nothing.
        page.fill("#body", "")
        page.click("#preview")
        assert_readable(flash_text(page))
        assert bulletins_in(desk) == []
        with Session(desk.engine) as fresh:
            actions = fresh.exec(select(AuditEvent.action)).all()
        assert "bulletin.create" not in actions


def test_sign_out_forgets_the_token(desk: Desk) -> None:
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "approver_a")
        expect(page.locator("[data-nav=queue]")).to_be_visible()
        assert page.evaluate("() => sessionStorage.getItem('loa.desk.token')")
        page.click("#sign-out")
        expect(page.locator("#login-form")).to_be_visible()
        expect(page.locator("#flash")).to_contain_text("Đã đăng xuất")
        assert page.evaluate("() => sessionStorage.getItem('loa.desk.token')") is None
        page.goto(f"{desk.url}#/queue")
        page.reload()
        expect(page.locator("#login-form")).to_be_visible()
        expect(page.locator("#queue")).to_have_count(0)


def test_an_expired_session_returns_to_sign_in(desk: Desk) -> None:
    with desk.context() as context:
        page = context.new_page()
        page.goto(desk.url)
        page.evaluate("() => sessionStorage.setItem('loa.desk.token', 'not-a-valid-token')")
        page.goto(f"{desk.url}#/compose")
        page.reload()
        expect(page.locator("#login-form")).to_be_visible()
        assert page.evaluate("() => sessionStorage.getItem('loa.desk.token')") is None


def test_editor_chooses_the_voice_and_the_speed(desk: Desk) -> None:
    require_binary("espeak-ng")
    require_binary("ffmpeg")
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "editor_a")
        # The voices of the chain, by language, with their Vietnamese descriptions.
        expect(page.locator("#voice option").first).to_have_text("Mặc định")
        options = page.locator("#voice option").all_inner_texts()
        assert "espeak-ng, giọng miền Trung" in options
        page.select_option("#language", "km")
        expect(page.locator("#voice option")).to_have_text(["Không có giọng đọc (cần bản ghi âm)"])
        page.select_option("#language", "vi")
        fill_vietnamese(page)
        page.select_option("#voice", "vi-vn-x-central")
        page.fill("#rate", "20")
        page.click("#render")
        expect(page.locator("#clip-box audio")).to_be_visible(timeout=60_000)
        [bulletin] = bulletins_in(desk)
        [clip] = clips_of(desk, bulletin.id or 0)
        assert (clip.status, clip.voice) == (ClipStatus.ready, "vi-vn-x-central")
        assert clip.request.get("rate") == 20, clip.request
