"""Programme building. Part 1: the pure builder (playlists/) for a day of many stations.

Builds one local day for N stations (default 1,000), each with 2 sessions ("Sáng" 05:30 and
"Chiều" 17:00, 30 min) and 20 candidate bulletins: Vietnamese and Khmer translations, priority
and normal items over all categories, once / spread / every-session rules, some expiring at
noon, and enough audio that some sessions overflow. Prints the wall time of the windows ->
sessions step, of the builds (target < 10 s for 1,000 stations), and of signing every station's
manifest. The database part (feeding the builder, storing versions) is added by studio.

Part 2: the session render (media.session) for store-and-forward endpoints. 30 distinct
house-format clips of 20-90 s (pink noise with a speech-like envelope, made once and cached in
the temp dir) are repeated with 1.5 s gaps into a 1-hour and a 24-hour session. Each length is
rendered, and in the same run the anchor, a bare `ffmpeg -f concat -c copy` of the same clip
list without gaps, is timed. Every run is a fresh Python process, so the peak RSS of that
process (VmHWM) and of its ffmpeg child (RUSAGE_CHILDREN) belong to that run alone. Target:
render <= 1.2x the anchor, peak RSS flat between lengths and < 150 MB.

    .venv/bin/python bench/programmes.py [--part build|render|all] [--stations 1000]
        [--candidates 20] [--repeat 3] [--hours 1,24] [--render-repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def build_part(args: argparse.Namespace) -> None:
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


# --- Part 2: the session render -------------------------------------------------------------

CLIP_DIR = Path(tempfile.gettempdir()) / "loa-bench-session-clips-v1"
CLIP_COUNT = 30
GAP_MS = 1500
HOUSE = ["-c:a", "libmp3lame", "-b:a", "48k", "-ar", "24000", "-ac", "1"]
HOUSE += ["-map_metadata", "-1", "-f", "mp3"]


def bench_clips() -> list[tuple[Path, int]]:
    """(path, decoded ms) of the cached clips, made on first use like media.chain's output."""
    from media.mp3frames import read_layout

    CLIP_DIR.mkdir(exist_ok=True)
    clips = []
    for i in range(CLIP_COUNT):
        path = CLIP_DIR / f"clip{i:02d}.mp3"
        if not path.exists():
            seconds = 20 + (i * 37) % 71
            source = f"anoisesrc=color=pink:amplitude=0.3:r=24000:d={seconds}:seed={i + 1}"
            tmp = path.with_suffix(".part")
            subprocess.run(
                ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source]
                + ["-af", f"tremolo=f={2 + i % 4}:d=0.8", *HOUSE, str(tmp)],
                check=True,
            )
            tmp.rename(path)
        layout = read_layout(path)
        clips.append((path, round(layout.decoded_samples * 1000 / layout.frame.sample_rate)))
    return clips


def session_plan(hours: float) -> list[dict[str, object]]:
    """Clips in turn with 1.5 s gaps until the session is `hours` long."""
    parts: list[dict[str, object]] = []
    clips, at, i = bench_clips(), 0, 0
    while at < hours * 3600_000:
        path, duration = clips[i % len(clips)]
        parts.append({"path": str(path), "offset_ms": at, "duration_ms": duration})
        at += duration + GAP_MS
        i += 1
    return parts


def peak_rss_kb() -> int:
    """This process's peak RSS since exec (ru_maxrss would include the parent's at fork time)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(kind: str, plan_file: Path, workdir: Path) -> None:
    """One measured run in this (fresh) process; prints a JSON line."""
    parts = json.loads(plan_file.read_text())
    out = workdir / "session.mp3"
    extra: dict[str, object] = {}
    if kind == "anchor":
        listing = workdir / "anchor.txt"
        listing.write_text("".join(f"file '{p['path']}'\n" for p in parts))
        t0 = time.perf_counter()
        subprocess.run(
            ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-v", "error"]
            + ["-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy"]
            + ["-f", "mp3", "-y", str(out)],
            check=True,
        )
        wall = time.perf_counter() - t0
    else:
        from media.session import SessionPart, render_session

        session = [
            SessionPart(Path(str(p["path"])), int(str(p["offset_ms"])), int(str(p["duration_ms"])))
            for p in parts
        ]
        t0 = time.perf_counter()
        result = render_session(session, out, workdir / "work")
        wall = time.perf_counter() - t0
        planned = session[-1].offset_ms + session[-1].duration_ms
        worst = max(abs(o - p.offset_ms) for o, p in zip(result.onsets_ms, session, strict=True))
        extra = {"duration_ms": result.duration_ms, "planned_ms": planned, "worst_ms": worst}
    print(
        json.dumps(
            {
                "wall": wall,
                "size": out.stat().st_size,
                "python_kb": peak_rss_kb(),
                "ffmpeg_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                **extra,
            }
        )
    )


def measure(kind: str, plan_file: Path) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix="loa-bench-session-"))
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--plan", str(plan_file)]
            + ["--workdir", str(workdir)],
            check=True,
            capture_output=True,
            text=True,
        )
        result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def render_part(args: argparse.Namespace) -> None:
    hours = [float(h) for h in args.hours.split(",")]
    t0 = time.perf_counter()
    bench_clips()
    print(f"Session render: {CLIP_COUNT} clips of 20-90 s, {GAP_MS} ms gaps, ", end="")
    print(f"median of {args.render_repeat} (clips ready in {time.perf_counter() - t0:.1f} s):")
    header = f"  {'length':>6} {'items':>6} {'anchor':>8} {'render':>8} {'ratio':>6}"
    print(f"{header} {'ffmpeg RSS a/r':>15} {'python RSS':>10} {'size':>9} {'worst':>6}")
    with tempfile.TemporaryDirectory(prefix="loa-bench-plan-") as tmp:
        for h in hours:
            parts = session_plan(h)
            plan_file = Path(tmp) / f"plan-{h:g}.json"
            plan_file.write_text(json.dumps(parts))
            runs = []
            for r in range(args.render_repeat):  # alternate the order: no side gets a warm start
                if r % 2:
                    render = measure("render", plan_file)
                    runs.append((measure("anchor", plan_file), render))
                else:
                    runs.append((measure("anchor", plan_file), measure("render", plan_file)))
            anchor_s = statistics.median(a["wall"] for a, _ in runs)
            render_s = statistics.median(r["wall"] for _, r in runs)
            last = runs[-1][1]
            rss = (
                f"{max(a['ffmpeg_kb'] for a, _ in runs) / 1024:.0f}/"
                f"{max(r['ffmpeg_kb'] for _, r in runs) / 1024:.0f} MB"
            )
            print(
                f"  {h:>5g}h {len(parts):>6} {anchor_s:>7.2f}s {render_s:>7.2f}s "
                f"{render_s / anchor_s:>5.2f}x {rss:>15} "
                f"{max(r['python_kb'] for _, r in runs) / 1024:>7.0f} MB "
                f"{last['size'] / 1e6:>6.0f} MB {last['worst_ms']:>4.0f}ms"
            )
            drift = abs(last["duration_ms"] - last["planned_ms"])
            print(f"         session length {last['duration_ms'] / 1000:.3f} s, plan +{drift:g} ms")
    print("  target: ratio <= 1.2x; peak RSS flat between lengths and < 150 MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["build", "render", "all"], default="all")
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hours", default="1,24", help="session lengths for the render part")
    parser.add_argument("--render-repeat", type=int, default=3)
    parser.add_argument("--child", choices=["anchor", "render"], help=argparse.SUPPRESS)
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.plan, args.workdir)
        return
    if args.part in ("build", "all"):
        build_part(args)
    if args.part == "all":
        print()
    if args.part in ("render", "all"):
        render_part(args)


if __name__ == "__main__":
    main()
