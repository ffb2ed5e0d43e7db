"""Programme building, part 1: the pure builder (playlists/) for a day of many stations.

Builds one local day for N stations (default 1,000), each with 2 sessions ("Sáng" 05:30 and
"Chiều" 17:00, 30 min) and 20 candidate bulletins: Vietnamese and Khmer translations, priority
and normal items over all categories, once / spread / every-session rules, some expiring at
noon, and enough audio that some sessions overflow. Prints the wall time of the windows ->
sessions step, of the builds (target < 10 s for 1,000 stations), and of signing every station's
manifest. The database part (feeding the builder, storing versions) is added by studio.

    .venv/bin/python bench/programmes.py [--stations 1000] [--candidates 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playlists import (  # noqa: E402
    AiringRule,
    BroadcastWindow,
    Candidate,
    Priority,
    Programme,
    Session,
    StationClip,
    StationPlan,
    build_day,
    sessions_for,
)
from playlists.export import build_manifest, sign_manifest  # noqa: E402

DAY = date(2026, 5, 20)
TZ = "Asia/Ho_Chi_Minh"
WINDOWS = [
    BroadcastWindow("Sáng", wall(5, 30), timedelta(minutes=30)),
    BroadcastWindow("Chiều", wall(17, 0), timedelta(minutes=30)),
]
CATEGORIES = ["policy", "law", "health", "agriculture_market", "environment_disaster", "other"]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def station_inputs(n: int, count: int) -> tuple[StationPlan, list[Candidate]]:
    ident = StationClip(1, sha("ident"), 24_000, 4_000, "Nhạc hiệu")
    chime = StationClip(2, sha("chime"), 12_000, 2_000, "Chuông")
    plan = StationPlan(f"st-{n:04d}", TZ, ("vi", "km"), opening=ident, closing=chime)
    noon = datetime(2026, 5, 20, 5, 0, tzinfo=UTC)  # 12:00 local
    added = datetime(2026, 5, 18, tzinfo=UTC)
    candidates = []
    for k in range(count):
        bulletin_id = n * 100 + k + 1
        khmer = k % 4 == 3  # every fourth is the Khmer translation of the one before
        rule = [
            AiringRule.once(),
            AiringRule.spread(3, 2, first_day=DAY),
            AiringRule.every_session(DAY, DAY),
        ][k % 3]
        candidates.append(
            Candidate(
                bulletin_id=bulletin_id,
                version=1 + k % 2,
                clip_id=bulletin_id,
                clip_sha256=sha(f"clip-{bulletin_id}"),
                size=360_000,
                duration_ms=60_000 + (k * 37_000 + n * 1_000) % 150_000,
                title=f"Bản tin {k} của đài {n}",
                language="km" if khmer else "vi",
                category=CATEGORIES[(k + n) % len(CATEGORIES)],
                priority=Priority.priority if k % 7 == 0 else Priority.normal,
                added_at=added + timedelta(minutes=(k * 13 + n) % 600),
                valid_until=noon if k % 5 == 4 else None,
                translation_of=bulletin_id - 1 if khmer else None,
                airing=rule,
                aired=k % 2 if k % 3 == 1 else 0,
            )
        )
    return plan, candidates


def run(stations: int, count: int) -> tuple[float, float, float, list[Programme]]:
    inputs = [station_inputs(n, count) for n in range(stations)]
    t0 = time.perf_counter()
    sessions: list[list[Session]] = [sessions_for(DAY, WINDOWS, tz=plan.tz) for plan, _ in inputs]
    t1 = time.perf_counter()
    programmes = [
        build_day(plan, DAY, day_sessions, candidates)
        for (plan, candidates), day_sessions in zip(inputs, sessions, strict=True)
    ]
    t2 = time.perf_counter()
    for programme in programmes:
        sign_manifest(build_manifest(programme, "https://loa.example/clips"), b"token")
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, programmes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [run(args.stations, args.candidates) for _ in range(args.repeat)]
    programmes = runs[-1][3]
    items = sum(sum(1 for i in p.items if i.bulletin_id is not None) for p in programmes)
    unplaced = sum(len(p.unplaced) for p in programmes)
    moved = sum(1 for p in programmes for i in p.items if i.reason.startswith("moved"))
    print(
        f"{args.stations} stations x 2 sessions x {args.candidates} candidates, "
        f"{args.repeat} runs (median, min):"
    )
    columns = [(r[0], r[1], r[2]) for r in runs]
    for label, index in (("windows -> sessions", 0), ("build_day", 1), ("manifest + HMAC", 2)):
        times = [c[index] for c in columns]
        print(f"  {label:<20} {statistics.median(times):7.3f} s  {min(times):7.3f} s")
    build = statistics.median(c[1] for c in columns)
    print(f"  per station          {build / args.stations * 1000:7.3f} ms  (target: total < 10 s)")
    print(f"  bulletin items {items}, moved {moved}, unplaced {unplaced}")


if __name__ == "__main__":
    main()
