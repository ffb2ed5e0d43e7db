"""Fixtures for the desk tests: one Chromium per test module, a desk (API + render worker) per
test on its own database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from sqlalchemy.engine import Engine

from studio.settings import Settings
from tests.conftest import IN_CI
from tests.desk.support import Desk, chromium, chromium_path, desk_settings, running_desk
from tests.factories import World


# Module scope, not session: Playwright's sync API runs an event loop on the main thread while
# it is open, and later tests (edge-tts called from inside a running loop) need none there.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if chromium_path() is None:
        message = "chromium is not installed (make test installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with chromium() as browser:
        yield browser


@pytest.fixture
def desk(settings: Settings, engine: Engine, world: World, browser: Browser) -> Iterator[Desk]:
    with running_desk(desk_settings(settings), engine, world, browser) as desk:
        yield desk
