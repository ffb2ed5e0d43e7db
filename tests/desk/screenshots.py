"""Screenshots of the desk's main screens for docs/screenshots/, on demo data in a throwaway
database: ``make screenshots`` (``python -m tests.desk.screenshots docs/screenshots``).

Not a test: it runs the same real stack as the desk tests (API, render worker with espeak-ng,
Debian's Chromium) and writes one PNG per screen at phone width (360 px) and one at desktop
width.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import Session

from studio import migrate
from studio.db import make_engine
from studio.settings import Settings
from studio.types import Priority
from tests.desk.support import (
    DESKTOP,
    PHONE,
    Desk,
    chromium,
    desk_settings,
    heartbeat,
    programme_now,
    running_desk,
    submitted,
)
from tests.factories import SECRET, build_world
from tests.voices_support import KHMER_BODY, KHMER_TITLE


def seed(desk: Desk) -> None:
    """Bulletins waiting for review (one priority, one Khmer), today's programme, a heartbeat."""
    submitted(desk, "editor_a", "Lịch tiêm chủng mở rộng tháng 12")
    submitted(
        desk, "editor_b", KHMER_TITLE, body=KHMER_BODY, language="km", target_station_codes=["sb"]
    )
    submitted(
        desk,
        "editor_a",
        "Cảnh báo triều cường chiều nay",
        priority=Priority.priority,
        category="environment_disaster",
        body="Chiều nay triều cường lên cao, bà con ven sông chủ động kê cao đồ đạc.",
    )
    programme_now(desk)
    heartbeat(desk, "sa")


def shoot(desk: Desk, out: Path, viewport: dict[str, int], suffix: str) -> list[Path]:
    made: list[Path] = []

    def save(page: Page, name: str) -> None:
        path = out / f"{name}{suffix}.png"
        page.wait_for_timeout(300)  # let fonts and the player settle
        page.screenshot(path=str(path), full_page=True)
        made.append(path)

    with desk.context(viewport) as context:
        page = context.new_page()
        page.goto(desk.url)
        expect(page.locator("#login-form")).to_be_visible()
        save(page, "01-sign-in")
        desk.sign_in(page, "editor_a")
        page.fill("#title", "Thông báo lịch tiêm chủng")
        page.fill("#body", "UBND xã thông báo lịch tiêm chủng ngày 05/12/2026 lúc 7h30.")
        page.check("input[name=station][value=sa]")
        page.click("#preview")
        page.click("#render")
        expect(page.locator("#clip-box audio")).to_be_visible(timeout=60_000)
        save(page, "02-compose")
        page.click("#sign-out")
        desk.sign_in(page, "approver_p")
        expect(page.locator("#queue article").first).to_be_visible()
        save(page, "03-review-queue")
        page.locator("#queue article h2 a").first.click()
        expect(page.locator("#bulletin .audit li").first).to_be_visible()
        save(page, "04-bulletin-history")
        page.click("[data-nav=today]")
        expect(page.locator("details[data-station=sa] .programme li").first).to_be_visible()
        save(page, "05-today")
        page.click("[data-nav=emergency]")
        page.fill("#em-title", "Lũ khẩn cấp")
        page.fill("#em-text", "Nước lũ lên nhanh. Bà con vùng trũng di chuyển lên nơi cao.")
        page.check("input[name=em-station][value=sa]")
        save(page, "06-emergency")
        page.click("#em-next")
        expect(page.locator("#em-confirm")).to_be_visible()
        save(page, "07-emergency-confirm")
    return made


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="loa-screens-") as tmp:
        url = f"sqlite:///{tmp}/loa.db"
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                world = build_world(session)
            settings = desk_settings(
                Settings(
                    environment="test",
                    secret_key=SECRET,
                    database_url=url,
                    var_dir=Path(tmp) / "var",
                )
            )
            with chromium() as browser, running_desk(settings, engine, world, browser) as desk:
                seed(desk)
                made = shoot(desk, out, PHONE, "")
                made += shoot(desk, out, DESKTOP, "-desktop")
        finally:
            engine.dispose()
    for path in made:
        print(path)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
