"""The review desk in a real browser: the API on a free loopback port (uvicorn in a thread) with
a render worker beside it, and Debian's Chromium driven by Playwright (nothing downloads a
browser). Used by the tests and by ``make screenshots``.

Everything started here is stopped when its context ends, also on failure.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from sqlalchemy.engine import Engine
from sqlmodel import Session

from media import loudness
from playlists import ProgrammeItem
from studio import bulletins, programmes
from studio.audit import Actor
from studio.render_jobs import process_queue
from studio.settings import Settings
from studio.voices import build_kit
from tests.api.onair_support import EVENTS, annotations, event, events_auth
from tests.conftest import auth
from tests.factories import PASSWORD, SYSTEM, World, clip_mp3, make_bulletin, make_ready_clip
from tests.onair.support import api_server
from tests.programmes.support import add_window, approved
from tests.voices_support import offline

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 860}
TIMEOUT_MS = 15_000
VN = ZoneInfo("Asia/Ho_Chi_Minh")


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
    def context(
        self, viewport: dict[str, int] | None = None, timezone_id: str = "Asia/Ho_Chi_Minh"
    ) -> Iterator[BrowserContext]:
        context = self.browser.new_context(
            viewport=viewport or PHONE, locale="vi-VN", timezone_id=timezone_id
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
    """Pixels the page is wider than its viewport (0: no horizontal scroll): the document's
    scroll width, and the right edge of every visible element, so content clipped by an
    `overflow: hidden` ancestor counts too."""
    width: int = page.evaluate(
        """() => {
          const view = document.documentElement.clientWidth;
          let right = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
          for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (box.width && box.height) right = Math.max(right, Math.ceil(box.right));
          }
          return right - view;
        }"""
    )
    return width


def programme_now(desk: Desk) -> list[ProgrammeItem]:
    """Station sa on air now: a session that began two minutes ago with three bulletins; the
    first aired on time, the second started 3 s late and is playing, the third is pending.
    Returns the three items in programme order."""
    now = datetime.now(UTC)
    local = now.astimezone(VN)
    start = (local - timedelta(minutes=2)).replace(second=0, microsecond=0)
    until_midnight = (24 * 60) - (start.hour * 60 + start.minute) - 1
    with Session(desk.engine, expire_on_commit=False) as session:
        add_window(session, "station", "sa", "Chiều", start.time(), min(60, until_midnight))
        for title in ("Tin một", "Tin hai", "Tin ba"):
            # 90 s each (the builder reads the number): the third starts after now.
            approved(
                session,
                desk.world,
                title=title,
                duration_ms=90_000,
                media_dir=desk.settings.media_dir,
            )
        station = desk.world.stations["sa"]
        built = programmes.build(
            session, desk.settings, SYSTEM, station, start.date(), now=start.astimezone(UTC)
        )
        session.commit()
    items = [i for i in built.programme.items if i.bulletin_id is not None]
    assert len(items) == 3
    first, second, third = items
    assert second.start < now < third.start
    aired_end = first.start + timedelta(milliseconds=first.duration_ms)
    body = [
        event("track_start", first.start, **annotations(first)),
        event("track_end", aired_end, **annotations(first)),
        event("track_start", second.start + timedelta(seconds=3), **annotations(second)),
    ]
    for n, one in enumerate(body):
        one["seq"] = n + 1
    response = httpx.post(desk.base + EVENTS, json=body, headers=events_auth(desk.settings))
    assert response.status_code == 200, response.text
    return items


def heartbeat(desk: Desk, station: str) -> None:
    admin = desk.world["admin"]
    issued = httpx.post(
        f"{desk.base}/api/v1/stations/{station}/tokens", json={"label": "loa"}, headers=auth(admin)
    )
    assert issued.status_code == 201, issued.text
    beat = httpx.post(
        f"{desk.base}/api/v1/endpoint/heartbeat",
        json={"status": "playing", "playing": "Tin hai", "clock_offset_ms": 12},
        headers={"Authorization": f"Bearer {issued.json()['token']}"},
    )
    assert beat.status_code == 200, beat.text


def submitted(desk: Desk, author: str, title: str, **overrides: object) -> int:
    """A submitted bulletin with a ready clip whose MP3 is in the desk's media store."""
    with Session(desk.engine, expire_on_commit=False) as session:
        bulletin = make_bulletin(session, desk.world[author], title=title, **overrides)
        clip = make_ready_clip(session, bulletin, desk.settings.media_dir)
        # What the broadcast chain records, measured on the clip's real MP3 (ffmpeg ebur128).
        measured = loudness.measure(clip_mp3()[0])
        clip.loudness_lufs = measured.integrated_lufs
        clip.true_peak_dbtp = measured.true_peak_dbtp
        assert bulletin.id is not None
        bulletins.submit(session, Actor(user=desk.world[author]), bulletin.id)
        session.commit()
        return bulletin.id


def flash_text(page: Page) -> str:
    flash = page.locator("#flash")
    expect(flash).to_be_visible()
    return flash.inner_text()


def assert_readable(message: str) -> None:
    """A message for an operator: Vietnamese, not a raw API body."""
    assert message.strip()
    for raw in ("{", "}", '"detail"', "urn:loa", "Traceback", "null"):
        assert raw not in message, message
    assert re.search("[ạảãàáâầấậẩẫăằắặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữ]", message, re.I), message
