"""The desk's other screens in Chromium: Today (the programme with as-run status and the
fleet), the emergency form with its confirmation step, every screen at 360 px without a
horizontal scroll, and what the page itself is served with (headers, local assets only)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from api.desk import STATIC
from studio import bulletins
from studio.audit import Actor
from studio.onair_models import Emergency
from studio.types import EmergencyState
from tests.api.api_support import wav_bytes
from tests.conftest import require_binary
from tests.desk.support import (
    DESKTOP,
    PHONE,
    Desk,
    assert_readable,
    flash_text,
    heartbeat,
    horizontal_overflow,
    programme_now,
)
from tests.factories import make_bulletin, make_ready_clip
from tests.programmes.support import approved


def test_today_shows_the_programme_as_run_and_the_fleet(desk: Desk) -> None:
    require_binary("ffmpeg")
    items = programme_now(desk)
    titles = [item.title for item in items]
    heartbeat(desk, "sa")
    # The browser is in UTC; the programme is shown in the station's own time.
    with desk.context(timezone_id="UTC") as context:
        page = context.new_page()
        desk.sign_in(page, "approver_p")
        page.click("[data-nav=today]")
        expect(page.locator(".fleet-summary")).to_have_text("1/3 điểm phát trực tuyến")
        sa = page.locator("details[data-station=sa]")
        expect(sa.locator(".badge.online")).to_have_text("Trực tuyến")
        expect(page.locator("details[data-station=sb] .badge.offline")).to_have_text("Mất kết nối")
        lines = sa.locator(".programme li")
        expect(lines.filter(has_text="Tin ba")).to_have_count(1)
        statuses = {
            title: lines.filter(has_text=title).get_attribute("data-status") for title in titles
        }
        assert statuses == {"Tin một": "aired", "Tin hai": "playing", "Tin ba": "pending"}
        expect(lines.filter(has_text="Tin một").locator(".badge")).to_have_text("Đã phát")
        expect(lines.filter(has_text="Tin hai").locator(".badge")).to_have_text("Đang phát")
        expect(lines.filter(has_text="Tin hai")).to_contain_text("lệch 3000 ms")
        expect(sa.locator(".now-playing")).to_contain_text("Tin hai")
        local_start = items[0].start.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M:%S")
        expect(lines.filter(has_text="Tin một").locator(".when")).to_have_text(local_start)
        expect(sa).to_contain_text("lệch đồng hồ 12 ms")
    with desk.context() as context:  # an editor sees Today too, for the stations of the area
        page = context.new_page()
        desk.sign_in(page, "editor_a")
        page.click("[data-nav=today]")
        expect(page.locator("details.station-day")).to_have_count(1)
        expect(page.locator("details[data-station=sa] .programme li")).to_have_count(len(titles))


def emergencies(desk: Desk) -> list[Emergency]:
    with Session(desk.engine) as fresh:
        return list(fresh.exec(select(Emergency)).all())


def test_emergency_needs_confirmation_and_can_be_cancelled(desk: Desk) -> None:
    require_binary("espeak-ng")
    require_binary("ffmpeg")
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "approver_a")
        page.click("[data-nav=emergency]")
        page.click("#em-next")
        expect(page.locator("#flash")).to_have_text("Cần nhập nội dung khẩn cấp.")
        page.fill("#em-title", "Lũ khẩn cấp")
        page.fill("#em-text", "Nước lũ lên nhanh. Bà con vùng trũng di chuyển lên nơi cao.")
        page.click("#em-next")
        expect(page.locator("#flash")).to_contain_text("ít nhất một đài")
        page.check("input[name=em-station][value=sa]")
        page.fill("#em-repeat", "2")
        page.fill("#em-interval", "60")
        page.click("#em-next")
        confirm = page.locator("#em-confirm")
        expect(confirm).to_be_visible()
        expect(confirm).to_contain_text("đài sa")
        expect(confirm).to_contain_text("phát 2 lần")
        expect(page.locator("#emergency-form")).to_be_hidden()
        assert emergencies(desk) == []  # nothing is sent before the confirmation
        page.click("#em-back")
        expect(page.locator("#emergency-form")).to_be_visible()
        assert emergencies(desk) == []
        page.click("#em-next")
        page.click("#em-fire")
        expect(page.locator("#flash")).to_contain_text("Đã phát lệnh khẩn cấp")
        [made] = emergencies(desk)
        assert made.state is EmergencyState.active
        assert made.repeat == 2
        assert made.title == "Lũ khẩn cấp"
        row = page.locator(f"li[data-emergency-id='{made.id}']")
        expect(row).to_contain_text("Đang phát")
        row.locator("[data-action=cancel]").click()
        expect(page.locator("#flash")).to_contain_text(f"Đã dừng lệnh khẩn cấp #{made.id}")
        expect(page.locator(f"li[data-emergency-id='{made.id}']")).to_contain_text("Đã dừng")
        [made] = emergencies(desk)
        assert made.state is EmergencyState.cancelled

        # Outside the approver's areas: the API's refusal, in Vietnamese, nothing sent.
        page.click("[data-nav=emergency]")
        page.fill("#em-text", "Thử ngoài địa bàn.")
        page.check("input[name=em-area][value=B]")
        page.click("#em-next")
        page.click("#em-fire")
        assert_readable(flash_text(page))
        assert len(emergencies(desk)) == 1


# ------------------------------------------------------------------ 360 px
def _login(page: Page, desk: Desk) -> None:
    page.goto(desk.url)
    expect(page.locator("#login-form")).to_be_visible()


def _compose(page: Page, desk: Desk) -> None:
    page.click("[data-nav=compose]")
    expect(page.locator("#compose-form")).to_be_visible()
    page.fill("#body", "Một dòng rất dài không có dấu cách " + "x" * 300)


def _queue(page: Page, desk: Desk) -> None:
    page.click("[data-nav=queue]")
    expect(page.locator("#queue article")).to_have_count(1)


def _bulletin(page: Page, desk: Desk) -> None:
    page.locator("#queue article h2 a").click()
    expect(page.locator("#bulletin .audit li").first).to_be_visible()


def _today(page: Page, desk: Desk) -> None:
    page.click("[data-nav=today]")
    expect(page.locator("details.station-day").first).to_be_visible()


def _emergency(page: Page, desk: Desk) -> None:
    page.click("[data-nav=emergency]")
    expect(page.locator("#emergency-form")).to_be_visible()


SCREENS: list[tuple[str, Callable[[Page, Desk], None]]] = [
    ("compose", _compose),
    ("queue", _queue),
    ("bulletin", _bulletin),
    ("today", _today),
    ("emergency", _emergency),
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "desktop"])
def test_no_screen_scrolls_sideways(desk: Desk, viewport: dict[str, int]) -> None:
    with Session(desk.engine, expire_on_commit=False) as session:
        long_title = "Thông báo " + "rất-dài-" * 30
        bulletin = make_bulletin(session, desk.world["editor_a"], title=long_title[:300])
        make_ready_clip(session, bulletin, desk.settings.media_dir)
        assert bulletin.id is not None
        bulletins.submit(session, Actor(user=desk.world["editor_a"]), bulletin.id)
        session.commit()
    with desk.context(viewport) as context:
        page = context.new_page()
        _login(page, desk)
        overflow = {"login": horizontal_overflow(page)}
        desk.sign_in(page, "admin")
        for name, show in SCREENS:
            show(page, desk)
            overflow[name] = horizontal_overflow(page)
        assert overflow == dict.fromkeys(overflow, 0)


# ------------------------------------------------------------------ how the page is served
def test_the_page_is_served_with_strict_headers_and_local_assets(desk: Desk) -> None:
    page = httpx.get(desk.url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert '<html lang="vi">' in page.text
    # The only inline script is the import map, allowed by its exact hash.
    inline = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    maps = [body for attrs, body in inline if 'type="importmap"' in attrs]
    assert [body for _, body in inline if body.strip()] == maps
    [import_map] = maps
    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}'" in csp
    modules = sorted(p.name for p in STATIC.glob("*.js"))
    mapped = json.loads(import_map)["imports"]
    assert sorted(mapped) == [f"/desk/static/{name}" for name in modules]
    # Every asset the page names is served from here under its content hash, cached for good.
    assets = re.findall(r'(?:src|href)="(/desk/static/[^"]+)"', page.text)
    assert sorted(set(assets)) == sorted(
        {*mapped.values(), *re.findall(r'href="([^"]+css[^"]*)"', page.text)}
    )
    for asset in assets:
        response = httpx.get(desk.base + asset)
        assert response.status_code == 200, asset
        name, version = asset.removeprefix("/desk/static/").split("?v=")
        assert hashlib.sha256(response.content).hexdigest()[:12] == version, asset
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "default-src 'self'" in response.headers["content-security-policy"]
    # Nothing is loaded from the internet: no absolute URL in the page, script or style.
    for text in (page.text, *(p.read_text() for p in STATIC.glob("*.*"))):
        assert not re.search(r"https?://|//cdn|url\(\s*['\"]?//", text)
    fonts = sorted(p.name for p in (STATIC / "fonts").glob("*.woff2"))
    assert "noto-sans-khmer-khmer-400-normal.woff2" in fonts
    assert "noto-sans-vietnamese-400-normal.woff2" in fonts
    font = httpx.get(f"{desk.base}/desk/static/fonts/noto-sans-khmer-khmer-400-normal.woff2")
    assert font.status_code == 200
    assert font.content[:4] == b"wOF2"
    assert font.headers["cache-control"] == "public, max-age=604800"
    # Scripts travel compressed to browsers that accept it, byte-identical once unpacked.
    packed = httpx.get(desk.base + mapped["/desk/static/review.js"])
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == (STATIC / "review.js").read_bytes()
    assert int(packed.headers["content-length"]) < len(packed.content) / 2
    raw = httpx.get(
        desk.base + mapped["/desk/static/review.js"], headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in raw.headers
    assert raw.content == packed.content
    # Asked for without a version, a module is revalidated (a 304 when unchanged).
    module = httpx.get(f"{desk.base}/desk/static/review.js")
    assert module.status_code == 200
    assert module.headers["cache-control"] == "no-cache"
    again = httpx.get(
        f"{desk.base}/desk/static/review.js", headers={"If-None-Match": module.headers["etag"]}
    )
    assert again.status_code == 304
    assert httpx.get(f"{desk.base}/desk/static/nope.js").status_code == 404
    assert httpx.get(f"{desk.base}/desk/static/../main.py").status_code == 404
    slash = httpx.get(f"{desk.base}/desk/", follow_redirects=False)
    assert slash.status_code == 308
    assert slash.headers["location"] == "/desk"


def test_the_page_runs_without_console_errors(desk: Desk) -> None:
    with desk.context(DESKTOP) as context:
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        desk.sign_in(page, "admin")
        for _, show in SCREENS[3:]:
            show(page, desk)
        page.click("[data-nav=bulletins]")
        expect(page.locator("h1")).to_have_text("Bản tin")
        assert problems == []


def test_emergency_from_an_approved_bulletin_or_a_recording(desk: Desk) -> None:
    require_binary("ffmpeg")
    with Session(desk.engine, expire_on_commit=False) as session:
        bulletin = approved(
            session, desk.world, title="Bão số 9 đổ bộ", media_dir=desk.settings.media_dir
        )
    with desk.context() as context:
        page = context.new_page()
        desk.sign_in(page, "approver_a")
        page.click("[data-nav=emergency]")
        expect(page.locator("#em-bulletin")).to_be_hidden()
        page.check("input[name=em-source][value=bulletin]")
        expect(page.locator("#em-text")).to_be_hidden()
        page.check("input[name=em-station][value=sa]")
        page.click("#em-next")
        expect(page.locator("#flash")).to_have_text("Cần chọn một bản tin đã duyệt.")
        page.select_option("#em-bulletin", str(bulletin.id))
        page.click("#em-next")
        expect(page.locator("#em-confirm")).to_contain_text("Bão số 9 đổ bộ")
        page.click("#em-fire")
        expect(page.locator("#flash")).to_contain_text("Đã phát lệnh khẩn cấp")
        [made] = emergencies(desk)
        assert made.bulletin_id == bulletin.id

        page.click("[data-nav=emergency]")
        page.check("input[name=em-source][value=audio]")
        page.fill("#em-title", "Ghi âm của chủ tịch xã")
        page.check("input[name=em-station][value=sa]")
        page.click("#em-next")
        expect(page.locator("#flash")).to_have_text("Cần chọn tệp ghi âm.")
        page.set_input_files(
            "#em-file",
            files=[{"name": "khan-cap.wav", "mimeType": "audio/wav", "buffer": wav_bytes(2.0)}],
        )
        page.fill("#em-repeat", "3")
        page.fill("#em-interval", "30")
        page.click("#em-next")
        expect(page.locator("#em-confirm")).to_contain_text("khan-cap.wav")
        page.click("#em-fire")
        expect(page.locator("#flash")).to_contain_text("Đã phát lệnh khẩn cấp")
        recorded = emergencies(desk)[-1]
        assert (recorded.title, recorded.repeat, recorded.interval_s) == (
            "Ghi âm của chủ tịch xã",
            3,
            30,
        )
        assert recorded.bulletin_id is None
        assert 1900 <= recorded.duration_ms <= 2600

        # Not a sound: the API's refusal, readable, nothing sent.
        page.click("[data-nav=emergency]")
        page.check("input[name=em-source][value=audio]")
        page.check("input[name=em-station][value=sa]")
        page.set_input_files(
            "#em-file",
            files=[{"name": "ghi-am.mp3", "mimeType": "audio/mpeg", "buffer": b"not audio" * 50}],
        )
        page.click("#em-next")
        page.click("#em-fire")
        assert_readable(flash_text(page))
        assert len(emergencies(desk)) == 2
