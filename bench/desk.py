"""The review desk: what a phone downloads, and how long the review queue takes to show.

Real stack on loopback: the API (uvicorn), the desk, Debian's Chromium through Playwright at
360 px. The queue holds N submitted bulletins, each with a ready clip. Printed:

1. the bytes of a first visit (page, script, style, fonts), and of the queue's API answers;
2. time from navigation to the queue fully drawn (every card with its player), median of 7, on
   an unthrottled page and with Chromium's CPU throttled 4x (a low-end phone), beside the
   anchor: the same API calls made directly by httpx, one after another (the data alone).

    .venv/bin/python bench/desk.py [--bulletins 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

import httpx  # noqa: E402
from playwright.sync_api import Page, Request  # noqa: E402
from sqlmodel import Session  # noqa: E402

from studio import migrate  # noqa: E402
from studio.db import make_engine  # noqa: E402
from studio.settings import Settings  # noqa: E402
from tests.conftest import auth  # noqa: E402
from tests.desk.support import PHONE, Desk, chromium, desk_settings, running_desk, submitted  # noqa: E402
from tests.factories import SECRET, build_world, token_for  # noqa: E402

RUNS = 7


def first_visit_bytes(desk: Desk) -> dict[str, tuple[int, int]]:
    """Per file: (bytes on the wire, bytes once decoded)."""
    sizes: dict[str, tuple[int, int]] = {}
    with desk.context(PHONE) as context:
        page = context.new_page()

        def count(request: Request) -> None:
            if "/desk" in request.url:
                response = request.response()
                assert response is not None
                name = request.url.split("?")[0].rsplit("/", 1)[-1]
                sizes[name] = (request.sizes()["responseBodySize"], len(response.body()))

        page.on("requestfinished", count)
        page.goto(desk.url)
        page.wait_for_selector("#login-form")
        # A Khmer bulletin on screen pulls the Khmer font too.
        page.evaluate("() => document.fonts.load('16px \"Noto Sans Khmer\"', 'ក')")
        page.evaluate("() => document.fonts.load('bold 16px \"Noto Sans\"', 'Ư')")
        page.wait_for_timeout(300)
    return sizes


def queue_time(desk: Desk, token: str, expected: int, throttle: float) -> list[float]:
    times = []
    with desk.context(PHONE) as context:
        page: Page = context.new_page()
        if throttle > 1:
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        page.goto(desk.url)
        page.evaluate(f"() => sessionStorage.setItem('loa.desk.token', '{token}')")
        for _ in range(RUNS):
            page.goto("about:blank")
            started = time.perf_counter()
            page.goto(f"{desk.url}#/queue")
            page.wait_for_function(
                f"() => document.querySelectorAll('#queue article audio').length === {expected}"
            )
            times.append(time.perf_counter() - started)
    return times


def anchor_time(desk: Desk, headers: dict[str, str]) -> tuple[list[float], int]:
    times = []
    size = 0
    with httpx.Client(base_url=desk.base + "/api/v1", headers=headers) as client:
        for _ in range(RUNS):
            started = time.perf_counter()
            size = len(client.get("/auth/me").content)
            queue = client.get("/reviews/queue?limit=100")
            size += len(queue.content)
            for item in queue.json()["items"]:
                size += len(client.get(f"/bulletins/{item['id']}/clips").content)
            times.append(time.perf_counter() - started)
    return times, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bulletins", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loa-bench-desk-") as tmp:
        url = f"sqlite:///{tmp}/loa.db"
        migrate.upgrade(url)
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            world = build_world(session)
        settings = desk_settings(
            Settings(
                environment="test", secret_key=SECRET, database_url=url, var_dir=Path(tmp) / "v"
            )
        )
        try:
            with chromium() as browser, running_desk(settings, engine, world, browser) as desk:
                for n in range(args.bulletins):
                    submitted(desk, "editor_a", f"Bản tin thử số {n + 1}")
                sizes = first_visit_bytes(desk)
                approver = world["approver_a"]
                token = token_for(approver)
                plain = queue_time(desk, token, args.bulletins, 1)
                slow = queue_time(desk, token, args.bulletins, 4)
                anchor, api_bytes = anchor_time(desk, auth(approver))
        finally:
            engine.dispose()

    print(f"Review desk, {args.bulletins} bulletins in the queue, 360 px Chromium, {RUNS} runs")
    print("1. first visit, KiB on the wire (decoded):")
    for name, (wire, decoded) in sorted(sizes.items(), key=lambda kv: -kv[1][0]):
        print(f"   {name:45s} {wire / 1024:7.1f} ({decoded / 1024:.1f})")
    wire_total = sum(w for w, _ in sizes.values()) / 1024
    decoded_total = sum(d for _, d in sizes.values()) / 1024
    print(f"   {'total':45s} {wire_total:7.1f} ({decoded_total:.1f})")
    print(f"   the queue's API answers: {api_bytes / 1024:.1f} KiB")
    print("2. navigation -> queue drawn (every card with its player), median [min-max]:")
    for label, values in (
        ("desk, Chromium", plain),
        ("desk, Chromium, CPU x4 slower", slow),
        ("anchor: the same API calls by httpx", anchor),
    ):
        print(
            f"   {label:40s} {statistics.median(values) * 1000:7.0f} ms"
            f"  [{min(values) * 1000:.0f}-{max(values) * 1000:.0f}]"
        )
    print(
        f"   desk / anchor: {statistics.median(plain) / statistics.median(anchor):.1f}x"
        f" (x4 CPU: {statistics.median(slow) / statistics.median(anchor):.1f}x)"
    )


if __name__ == "__main__":
    main()
