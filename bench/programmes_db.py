"""Programme building, part 3: the evening build as the job runner does it, from the database.

A fresh SQLite database (migrated) with a province of N stations (default 1,000) in communes
of 20, two province-wide windows ("Sáng" 05:30, "Chiều" 17:00, 30 min) and 20 approved
bulletins targeting the province (ready clips of 30-90 s; the builder reads only their
numbers, so no audio is made). Times, in one run:

- the evening build of tomorrow for every station (feed, build, store version 1 with its diff);
- the same build again (nothing changed: no new versions);
- the rebuild that follows one more province-wide approval, through the audit-log watcher
  (every station gets version 2).

Session files are not rendered here (part 2 measures that). The anchor is part 1: the pure
builder for the same shape of day.

    .venv/bin/python bench/programmes_db.py [--stations 1000] [--bulletins 20]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, select  # noqa: E402

from studio import areas, bulletins, migrate, stations, windows  # noqa: E402
from studio.audit import Actor  # noqa: E402
from studio.db import make_engine  # noqa: E402
from studio.models import (  # noqa: E402
    AreaCreate,
    BulletinCreate,
    Clip,
    StationCreate,
    User,
)
from studio.programme_jobs import RebuildWatcher, daily_build  # noqa: E402
from studio.schedule_models import ProgrammeVersion, WindowCreate  # noqa: E402
from studio.security import hash_password  # noqa: E402
from studio.settings import Settings  # noqa: E402
from studio.types import AreaLevel, ClipSource, ClipStatus, Role, utcnow  # noqa: E402

SYSTEM = Actor.system("bench")
CATEGORIES = ["policy", "law", "health", "agriculture_market", "security_order", "other"]


def populate(session: Session, n_stations: int) -> tuple[User, User]:
    areas.create_area(session, SYSTEM, AreaCreate(code="P", name="Tỉnh", level=AreaLevel.province))
    for n in range(n_stations):
        commune = f"C{n // 20:03d}"
        if n % 20 == 0:
            areas.create_area(
                session,
                SYSTEM,
                AreaCreate(code=commune, name=commune, level=AreaLevel.commune, parent_code="P"),
            )
        stations.create_station(
            session,
            SYSTEM,
            StationCreate(code=f"s{n:04d}", name=f"Cụm loa {n}", area_code=commune),
        )
    province = windows.owner_of(session, "area", "P")
    for name, start in (("Sáng", wall(5, 30)), ("Chiều", wall(17, 0))):
        windows.create_window(
            session, SYSTEM, province, WindowCreate(name=name, start_time=start, length_minutes=30)
        )
    secret = hash_password("bench password 0123")
    users = []
    for name, role in (("editor", Role.admin), ("approver", Role.approver)):
        user = User(username=name, password_hash=secret, role=role)
        session.add(user)
        users.append(user)
    session.flush()
    from studio.models import UserArea

    area = areas.get_area(session, "P")
    session.add(UserArea(user_id=users[1].id or 0, area_id=area.id or 0))
    session.commit()
    return users[0], users[1]


def approve_one(session: Session, editor: User, approver: User, n: int) -> None:
    bulletin = bulletins.create_bulletin(
        session,
        Actor(user=editor),
        BulletinCreate(
            title=f"Bản tin {n}",
            body="Nội dung.",
            language="vi",
            category=CATEGORIES[n % len(CATEGORIES)],
            priority="priority" if n % 7 == 0 else "normal",
            target_area_codes=["P"],
        ),
    )
    assert bulletin.id is not None
    clip = Clip(
        bulletin_id=bulletin.id,
        bulletin_version=bulletin.version,
        source=ClipSource.tts,
        status=ClipStatus.ready,
        sha256=hashlib.sha256(f"clip {n}".encode()).hexdigest(),
        size_bytes=300_000,
        duration_ms=30_000 + (n * 7919) % 60_000,
        finished_at=utcnow(),
    )
    session.add(clip)
    session.flush()
    bulletins.submit(session, Actor(user=editor), bulletin.id)
    bulletins.approve(session, Actor(user=approver), bulletin.id, bulletin.version, clip_id=clip.id)
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--bulletins", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loa-bench-db-") as tmp:
        var = Path(tmp)
        url = f"sqlite:///{var / 'loa.db'}"
        settings = Settings(
            environment="test",
            secret_key="bench-secret-key-0123456789-abcdefghijklmnop",
            var_dir=var,
            database_url=url,
        )
        settings.programme.render_sessions = False
        migrate.upgrade(url)
        engine = make_engine(url)
        t0 = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session:
            editor, approver = populate(session, args.stations)
            for n in range(args.bulletins):
                approve_one(session, editor, approver, n)
        setup_s = time.perf_counter() - t0
        # The evening before a fixed day, so runs are comparable.
        eve = datetime.combine(
            utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=1),
            wall(20, 0),
            tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"),
        ).astimezone(UTC)
        eve -= timedelta(days=1)
        t0 = time.perf_counter()
        made = daily_build(engine, settings, now=eve)
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = daily_build(engine, settings, now=eve)
        second_s = time.perf_counter() - t0
        watcher = RebuildWatcher(engine, settings)
        with Session(engine, expire_on_commit=False) as session:
            approve_one(session, editor, approver, args.bulletins)
        t0 = time.perf_counter()
        rebuilt = watcher.poll(now=eve)
        rebuild_s = time.perf_counter() - t0
        with Session(engine) as session:
            versions = len(session.exec(select(ProgrammeVersion.id)).all())
        engine.dispose()
    print(f"database build: {args.stations} stations, {args.bulletins} province-wide bulletins")
    print(f"  setup (migrate, registry, approvals)   {setup_s:7.2f} s")
    print(
        f"  evening build, tomorrow                {first_s:7.2f} s  ({made} new versions, "
        f"{first_s / args.stations * 1000:.1f} ms per station)"
    )
    print(f"  same build again, nothing changed      {second_s:7.2f} s  ({again} new versions)")
    print(
        f"  rebuild after one approval (watcher)   {rebuild_s:7.2f} s  "
        f"({sum(1 for r in rebuilt if not isinstance(r, Exception) and r.created)} new versions)"
    )
    print(f"  stored versions                        {versions}")


if __name__ == "__main__":
    main()
