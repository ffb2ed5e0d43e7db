"""On air: how close to plan items reach listeners, how many mounts one machine carries, and
how fast an emergency is heard. Every part runs the real stack on loopback (Icecast, Liquidsoap
from the generated script, and for parts 1 and 3 the API server and the playout) and stops
every process it started, also on failure.

1. ``--part error``: 5 stations, one session each starting ~15 s ahead with 10 bulletins, each
   a distinct 1.8-2.5 s house-format tone (no pre-roll; 1.5 s gaps): real approvals, programme
   build and playout. The time gate opens each item `release_advance_ms` plus the station's
   listener delay (``studio.onair_latency``: one Icecast block + one codec frame, 257 ms at
   48 kbit/s MP3) before its instant, so that the *listener* hears it on time. Each onset is
   measured three ways against its planned instant:
   - *as-run*: what the as-run log records (``AsRun.lateness_ms``): Liquidsoap's own clock at
     the track boundary, before the encoder, plus the advance the gate released it by (the
     playout's estimate of when it is heard);
   - *stream position*: where the onset sits in the stream on the wall clock: the decoded 10 ms
     chunks are counted from the listener's lower envelope of (arrival - position) in a ±3 s
     window. It keeps the encoder and decoder delays and drops Icecast's 1,400-byte blocking;
     it runs early by design, by about the listener delay;
   - *listener arrival*: when the first loud 10 ms reaches a listener (the stream position plus
     the wait for Icecast's block, ~233 ms at 48 kbit/s): the measure the targets are about.
2. ``--part density``: see ``bench/onair_density.py``.
3. ``--part emergency``: a ~100-word Vietnamese text through ``POST /api/v1/emergencies`` to all
   5 idle stations (espeak-ng, offline), 5 times; from the call to the emergency on every mount.

    .venv/bin/python bench/onair.py [--part error|density|emergency|all] [--densities 40,80,...]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# tests.conftest imports FastAPI's TestClient, which warns about its httpx; the bench uses none.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

import httpx  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.onair_density import part_density  # noqa: E402
from playlists.keys import item_key  # noqa: E402
from studio import migrate  # noqa: E402
from studio.db import make_engine  # noqa: E402
from studio.models import Station  # noqa: E402
from studio.onair_latency import MountEncoding, station_advance_ms  # noqa: E402
from studio.onair_stack import stream_of  # noqa: E402
from studio.settings import Settings  # noqa: E402
from studio.types import AreaLevel, Role  # noqa: E402
from tests.conftest import auth  # noqa: E402
from tests.factories import SECRET, World, make_area, make_station, make_user  # noqa: E402
from tests.onair.support import (  # noqa: E402
    Listener,
    approved_tone,
    as_run_rows,
    no_quiet_hours,
    on_air,
    session_soon,
)
from tests.voices_support import offline  # noqa: E402

STATIONS = 5
ITEMS = 10
LEAD_S = 15
LOUD = 1000  # of 32767: the -6 dBFS tones and speech are far above, idle silence far below
EARLY_S = 0.7  # items are 3.5 s apart: an onset is looked for from this before its instant
HUNDRED_WORDS = (
    "Khẩn cấp. Ủy ban nhân dân xã thông báo: bão số 3 đang tiến vào đất liền, gió giật cấp 12. "
    "Bà con khẩn trương chằng chống nhà cửa, đưa thuyền vào nơi neo đậu an toàn, không ra khơi, "
    "không đi lại khi có gió mạnh. Các hộ ở vùng trũng thấp di chuyển đến trường tiểu học của "
    "xã trước 17 giờ hôm nay. Mọi thông tin liên hệ ban chỉ huy phòng chống thiên tai xã qua số "
    "điện thoại 0291 3822 555. Đề nghị bà con theo dõi loa truyền thanh để nhận thông báo mới."
)


@dataclass
class Bench:
    tmp: Path
    settings: Settings
    engine: Engine
    session: Session
    world: World


@contextlib.contextmanager
def bench_world() -> Iterator[Bench]:
    """A migrated SQLite file with province P, commune A, stations s1..s5, an admin and an
    approver for P, and no quiet hours (the bench runs at any hour)."""
    with tempfile.TemporaryDirectory(prefix="loa-bench-onair-") as name:
        tmp = Path(name)
        url = f"sqlite:///{tmp / 'loa.db'}"
        migrate.upgrade(url)
        settings = offline(
            Settings(environment="test", secret_key=SECRET, database_url=url, var_dir=tmp / "var")
        )
        engine = make_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                world = World()
                make_area(session, "P", AreaLevel.province, name="Tỉnh Thử")
                make_area(session, "A", parent="P", name="Xã A")
                for n in range(1, STATIONS + 1):
                    world.stations[f"s{n}"] = make_station(session, f"s{n}", "A")
                world.users["admin"] = make_user(session, "admin", Role.admin)
                world.users["approver_p"] = make_user(session, "approver_p", Role.approver, ["P"])
                session.commit()
                no_quiet_hours(session)
                yield Bench(tmp, settings, engine, session, world)
        finally:
            engine.dispose()


def wait_until(moment: float) -> None:
    while (left := moment - time.time()) > 0:
        time.sleep(min(left, 0.5))


def nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def summary(name: str, errors_ms: list[float]) -> str:
    magnitude = [abs(e) for e in errors_ms]
    return (
        f"  {name:<29} n={len(errors_ms):>2}  median {statistics.median(errors_ms):+5.0f}  "
        f"p95 |e| {nearest_rank(magnitude, 0.95):4.0f}  max |e| {max(magnitude):4.0f}  "
        f"(range {min(errors_ms):+.0f} .. {max(errors_ms):+.0f}) ms"
    )


def onset(chunks: list[tuple[float, int]], planned: float) -> tuple[float, float] | None:
    """(arrival, stream position) of the first loud 10 ms arriving from `EARLY_S` before the
    planned instant. The stream position of chunk k is anchor + k * 10 ms, the anchor being the
    least (arrival - position) of the chunks within ±3 s: the chunk that arrived with no wait
    for Icecast's block. Both refer to the end of the same chunk."""
    for k, (at, peak) in enumerate(chunks):
        if at < planned - EARLY_S or peak < LOUD:
            continue
        if at > planned + 3:
            return None
        window = range(max(0, k - 300), min(len(chunks), k + 300))
        anchor = min(chunks[j][0] - j * 0.01 for j in window)
        return at, anchor + k * 0.01
    return None


# ------------------------------------------------------------------ part 1
def gate_advance_ms(settings: Settings, station: Station) -> int:
    """How early the playout opens `station`'s gate (release advance + listener delay)."""
    fmt = stream_of(station).format
    return station_advance_ms(settings.onair, MountEncoding(fmt.codec, fmt.bitrate_kbps))


def part_error() -> None:
    with bench_world() as bench:
        session, world, settings = bench.session, bench.world, bench.settings
        codes = sorted(world.stations)
        # Lengths differ by 13.7 ms so onsets fall at every phase of Icecast's 233 ms blocks
        # (equal 3.5 s spacings are exactly 15 blocks: every item would wait the same).
        for n in range(ITEMS * STATIONS):
            code = codes[n % STATIONS]
            seconds = round(1.8 + 0.0137 * n, 4)
            approved_tone(session, world, settings, f"Tin {n + 1}", seconds, 300 + 20 * n, [code])
        stations = [world.stations[c] for c in codes]
        with (
            on_air(bench.tmp, settings, bench.engine, stations) as rig,
            contextlib.ExitStack() as ls,
        ):
            listeners = {
                c: ls.enter_context(Listener(rig.mount_url(world.stations[c]))) for c in codes
            }
            built = session_soon(session, settings, world, codes, lead_s=LEAD_S, minutes=2)
            plan = {c: [(item_key(i), i.start.timestamp()) for i in built[c].items] for c in codes}
            last_end = max(i.end.timestamp() for p in built.values() for i in p.items)
            wait_until(last_end + 3)
            chunks = {c: list(listener.chunks) for c, listener in listeners.items()}
        rows = {
            c: {r.item_key: r for r in as_run_rows(bench.engine, world.stations[c])} for c in codes
        }

    asrun: list[float] = []
    stream: list[float] = []
    arrival: list[float] = []
    missing: list[str] = []
    for code in codes:
        for key, planned in plan[code]:
            row = rows[code].get(key)
            if row is not None and row.lateness_ms is not None:
                asrun.append(row.lateness_ms)
            else:
                missing.append(f"{code} {key}: no as-run start")
            heard = onset(chunks[code], planned)
            if heard is None:
                missing.append(f"{code} {key}: not heard")
                continue
            arrival.append((heard[0] - planned) * 1000)
            stream.append((heard[1] - planned) * 1000)
    planned_items = sum(len(p) for p in plan.values())
    advances = sorted({gate_advance_ms(settings, world.stations[c]) for c in codes})
    print(
        f"on-air error: {STATIONS} stations x {planned_items // STATIONS} items "
        f"({planned_items} planned), 1.8-2.5 s tones, 1.5 s gaps; error = measured - planned"
    )
    print(
        f"  (gate opens {'/'.join(str(a) for a in advances)} ms early: release_advance_ms="
        f"{settings.onair.release_advance_ms} + listener delay; queue_ahead_s="
        f"{settings.onair.queue_ahead_s:g}; targets, at the listener: p95 |e| <= 250 ms, "
        "max |e| <= 500 ms)"
    )
    for name, values in (
        ("as-run (Liquidsoap + advance)", asrun),
        ("stream pos. (early by design)", stream),
        ("listener arrival (the aim)", arrival),
    ):
        if values:
            print(summary(name, values))
    for line in missing:
        print(f"  MISSING {line}")


# ------------------------------------------------------------------ part 3
def part_emergency(trials: int = 5) -> None:
    with bench_world() as bench:
        world, settings = bench.world, bench.settings
        codes = sorted(world.stations)
        preroll = settings.media.preroll_ms / 1000
        stations = [world.stations[c] for c in codes]
        answered: list[float] = []
        on_mount: list[float] = []  # the last station's as-run start, per trial
        heard: list[float] = []  # the last listener's first loud 10 ms, per trial
        with (
            on_air(bench.tmp, settings, bench.engine, stations) as rig,
            contextlib.ExitStack() as ls,
            httpx.Client(base_url=rig.api, headers=auth(world["admin"]), timeout=60) as http,
        ):
            listeners = {
                c: ls.enter_context(Listener(rig.mount_url(world.stations[c]))) for c in codes
            }
            time.sleep(3)  # listeners connected and decoding
            for trial in range(trials):
                called = time.time()
                response = http.post(
                    "/api/v1/emergencies",
                    json={"text": HUNDRED_WORDS, "target_station_codes": codes},
                )
                answered.append(time.time() - called)
                response.raise_for_status()
                body = response.json()
                failed = [t["error"] for t in body["targets"] if t["error"]]
                if failed:
                    raise RuntimeError(f"emergency push failed: {failed}")
                loud: dict[str, float] = {}
                deadline = called + 20
                while time.time() < deadline and len(loud) < len(codes):
                    for code, listener in listeners.items():
                        at = listener.onset_after(called, LOUD)
                        if at is not None:
                            loud.setdefault(code, at - called)
                    time.sleep(0.1)
                time.sleep(1.0)  # the last track_start events reach the as-run log
                started = {}
                for code in codes:
                    for row in as_run_rows(bench.engine, world.stations[code]):
                        if row.emergency_id == body["id"] and row.started_at is not None:
                            started[code] = row.started_at.timestamp() - called
                http.post(f"/api/v1/emergencies/{body['id']}/cancel").raise_for_status()
                on_mount.append(max(started.get(c, math.inf) for c in codes))
                heard.append(max(loud.get(c, math.inf) for c in codes))
                print(
                    f"  trial {trial + 1} ({body['engine']}, {body['duration_ms'] / 1000:.1f} s): "
                    f"API answered {answered[-1]:.2f} s; on the mount "
                    + " ".join(f"{c} {started.get(c, math.inf):.2f}" for c in codes)
                    + "; speech heard "
                    + " ".join(f"{c} {loud.get(c, math.inf):.2f}" for c in codes)
                )
                time.sleep(3)  # cancelled everywhere: idle again
    print(
        f"emergency: {len(HUNDRED_WORDS.split())} words, {STATIONS} idle stations, {trials} "
        f"trials, seconds from the API call (the clip opens with {preroll * 1000:.0f} ms of "
        "pre-roll silence)"
    )
    for name, values, note in (
        ("API answered (speech made, pushed)", answered, ""),
        ("on air at the last mount (as-run)", on_mount, "   target <= 2 s"),
        ("speech heard at the last listener", heard, "   pre-roll + Icecast block"),
    ):
        print(f"  {name:<38} median {statistics.median(values):.2f}  max {max(values):.2f}{note}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["error", "density", "emergency", "all"], default="all")
    parser.add_argument("--densities", default="40,80,100,120,140,160")
    args = parser.parse_args()
    if args.part in ("error", "all"):
        part_error()
    if args.part in ("density", "all"):
        part_density([int(n) for n in args.densities.split(",")])
    if args.part in ("emergency", "all"):
        part_emergency()


if __name__ == "__main__":
    main()
