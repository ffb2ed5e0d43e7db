"""The review desk in a real browser: the API on a free loopback port (uvicorn in a thread) with
a render worker beside it, and Debian's Chromium driven by Playwright (nothing downloads a
browser). Used by the tests and by ``make screenshots``.

Everything started here is stopped when its context ends, also on failure.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from sqlalchemy.engine import Engine

from studio.render_jobs import process_queue
from studio.settings import Settings
from studio.voices import build_kit
from tests.factories import PASSWORD, World
from tests.onair.support import api_server
from tests.voices_support import offline

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 860}
TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    return shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)


class RenderWorker:
    """What `loa scheduler` does for clips: render queued clips as they come (a thread)."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._kit = build_kit(settings)
        self._engine = engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            process_queue(self._engine, self._kit)
            self._stop.wait(0.1)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


@dataclass
class Desk:
    base: str  # http://127.0.0.1:PORT
    browser: Browser
    world: World
    settings: Settings
    engine: Engine

    @property
    def url(self) -> str:
        return f"{self.base}/desk"

    @contextlib.contextmanager
    def context(self, viewport: dict[str, int] | None = None) -> Iterator[BrowserContext]:
        context = self.browser.new_context(
            viewport=viewport or PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()

    def sign_in(self, page: Page, username: str, password: str = PASSWORD) -> None:
        page.goto(self.url)
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("#sign-in")
        expect(page.locator("#sign-out")).to_be_visible()


def desk_settings(settings: Settings) -> Settings:
    """Offline voices (espeak-ng for Vietnamese, none for Khmer: Khmer needs a recording)."""
    return offline(settings)


@contextlib.contextmanager
def running_desk(
    settings: Settings, engine: Engine, world: World, browser: Browser
) -> Iterator[Desk]:
    worker = RenderWorker(engine, settings)
    try:
        with api_server(settings) as base:
            yield Desk(base=base, browser=browser, world=world, settings=settings, engine=engine)
    finally:
        worker.stop()


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        raise RuntimeError("chromium is not installed (make test installs it)")
    with sync_playwright() as playwright:
        browser = launch(playwright, path)
        try:
            yield browser
        finally:
            browser.close()


def launch(playwright: Playwright, path: str) -> Browser:
    return playwright.chromium.launch(
        executable_path=path,
        headless=True,
        # Headless has no sound card; audio still plays (and ends) on a fake output.
        args=["--autoplay-policy=no-user-gesture-required", "--mute-audio"],
    )


def horizontal_overflow(page: Page) -> int:
    """Pixels the page is wider than its viewport (0: no horizontal scroll)."""
    width: int = page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )
    return width
