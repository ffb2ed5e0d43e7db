"""API latency under load: approve / reject / list against a real server on SQLite.

Starts `uvicorn api.main:app_factory` on a free loopback port with a fresh database, seeds
bulletins waiting for approval, then drives an open-loop load (requests are sent on a fixed
schedule whatever the server's pace) and prints p50/p99 latency and throughput per operation.
The anchor, measured in the same run at the same rate, is GET /api/v1/health: the framework's
floor on this machine (one trivial query, no auth).

    .venv/bin/python bench/api.py [--rate 200] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio import bulletins, migrate  # noqa: E402
from studio.audit import Actor  # noqa: E402
from studio.db import make_engine  # noqa: E402
from studio.security import create_access_token  # noqa: E402
from tests.factories import build_world, bulletin_data, make_ready_clip  # noqa: E402

SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass
class Series:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def line(self, name: str, seconds: float) -> str:
        lat = sorted(self.latencies_ms)
        if not lat:
            return f"{name:<10} no successful requests ({self.errors} errors)"
        p50 = statistics.median(lat)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return (
            f"{name:<10} n={len(lat):>5}  p50={p50:6.1f} ms  p99={p99:6.1f} ms  "
            f"max={lat[-1]:6.1f} ms  {len(lat) / seconds:6.1f} req/s  errors={self.errors}"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(db_url: str, submitted: int) -> tuple[dict[int, int], dict[str, str]]:
    """Submitted bulletins, each with a ready clip (bulletin id -> clip id), and tokens."""
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        ids: dict[int, int] = {}
        for i in range(submitted):
            author = world["editor_a"]
            b = bulletins.create_bulletin(
                session, Actor(user=author), bulletin_data(title=f"Bản tin thử {i}")
            )
            clip = make_ready_clip(session, b)  # submission needs audio ready to be heard
            bulletins.submit(session, Actor(user=author), b.id or 0)
            ids[b.id or 0] = clip.id or 0
        session.commit()
        tokens = {
            name: create_access_token(u.id or 0, SECRET, 120) for name, u in world.users.items()
        }
    engine.dispose()
    return ids, tokens


async def drive(
    base: str, rate: float, seconds: float, ids: dict[int, int], tokens: dict[str, str]
) -> dict[str, Series]:
    series = {k: Series() for k in ("health", "list", "approve", "reject")}
    pending = list(ids)
    random.Random(7).shuffle(pending)
    approver = {"Authorization": f"Bearer {tokens['approver_a']}"}
    editor = {"Authorization": f"Bearer {tokens['editor_a']}"}
    # aiohttp rather than httpx for the load: it costs the shared 2 cores far less per request.
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(base, connector=connector) as client:

        async def one(kind: str) -> None:
            start = time.perf_counter()
            try:
                status = await request(kind)
            except aiohttp.ClientError:
                series[kind].errors += 1
                return
            elapsed = (time.perf_counter() - start) * 1000
            if status == 200:
                series[kind].latencies_ms.append(elapsed)
            else:
                series[kind].errors += 1

        async def request(kind: str) -> int:
            if kind == "health":
                path, method, headers, body = "/api/v1/health", "GET", {}, None
            elif kind == "list":
                path, method, headers, body = (
                    "/api/v1/bulletins?status=submitted&limit=20",
                    "GET",
                    editor,
                    None,
                )
            else:
                bid = pending.pop()
                path, method, headers = f"/api/v1/bulletins/{bid}/{kind}", "POST", approver
                body = {"version": 1, "clip_id": ids[bid], "reason": "Sai số liệu, sửa lại"}
            async with client.request(method, path, headers=headers, json=body) as response:
                await response.read()
                return response.status

        async def phase(kinds: list[str]) -> None:
            tasks = []
            interval = 1.0 / rate
            t0 = time.perf_counter()
            for i in range(int(rate * seconds)):
                delay = t0 + i * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                kind = kinds[i % len(kinds)]
                if kind in ("approve", "reject") and not pending:
                    kind = "list"
                tasks.append(asyncio.create_task(one(kind)))
            await asyncio.gather(*tasks)

        for _ in range(50):  # warm up connections and the server
            await one("health")
        series["health"] = Series()
        await phase(["health"])
        await phase(os.environ.get("LOA_BENCH_MIX", "list,approve,list,reject").split(","))
    return series


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/bench.db"
        needed = int(args.rate * args.seconds / 2) + 10
        t = time.perf_counter()
        ids, tokens = prepare(db_url, needed)
        print(f"seeded {len(ids)} submitted bulletins in {time.perf_counter() - t:.1f} s")
        port = free_port()
        env = {
            **os.environ,
            "LOA_DATABASE_URL": db_url,
            "LOA_SECRET_KEY": SECRET,
            "LOA_ENVIRONMENT": "test",
            "LOA_VAR_DIR": tmp,
        }
        # The server exactly as `make run` starts it (loa run), minus the demo data.
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("loa")),
                "run",
                "--no-demo",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/api/v1/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.05)
            series = asyncio.run(drive(base, args.rate, args.seconds, ids, tokens))
        finally:
            server.terminate()
            server.wait(10)
    print(
        f"open-loop load: {args.rate:.0f} req/s for {args.seconds:.0f} s per phase, "
        f"{args.workers} uvicorn workers (loa run), SQLite (WAL)"
    )
    print(series["health"].line("health", args.seconds) + "   <- anchor (framework floor)")
    mixed = args.seconds
    for name in ("list", "approve", "reject"):
        print(series[name].line(name, mixed))
    floor = statistics.median(series["health"].latencies_ms or [0.0])
    worst = max(
        (
            statistics.median(s.latencies_ms)
            for k, s in series.items()
            if k != "health" and s.latencies_ms
        ),
        default=0.0,
    )
    print(f"median of the slowest operation / anchor median: {worst / floor if floor else 0:.1f}x")


if __name__ == "__main__":
    main()
