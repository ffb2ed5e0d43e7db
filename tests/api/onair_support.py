"""Helpers shared by the on-air HTTP tests: the events token, a programmed day, events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

import playlists
from api.routes import onair
from studio import programmes
from studio.asrun import item_key
from studio.models import Bulletin
from studio.onair_secrets import load_or_create
from studio.settings import Settings
from tests.api.api_support import API
from tests.conftest import auth
from tests.factories import SYSTEM, World
from tests.programmes.support import approved, two_sessions

EVENTS = f"{API}/internal/onair/events"
MS = timedelta(milliseconds=1)


def soon() -> date:
    """A day the builder accepts with the real clock: two days ahead, local time."""
    return programmes.local_today("Asia/Ho_Chi_Minh") + timedelta(days=2)


def events_auth(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {load_or_create(settings).events_token}"}


def event(
    kind: str, at: datetime, /, queue: str = "programme", station: str = "sa", **meta: str
) -> dict[str, Any]:
    """An event as Liquidsoap posts it (see stations.render)."""
    return {
        "event": kind,
        "station": station,
        "queue": queue,
        "time": round(at.timestamp(), 3),
        "seq": 1,
        "boot": 1767225000.5,
        "metadata": {"loa_queue": queue, "rid": "3", **meta} if queue else meta,
    }


def annotations(item: playlists.ProgrammeItem) -> dict[str, str]:
    """What the playout pushes an item with (studio.playout)."""
    out = {
        "item_key": item_key(item),
        "planned_start": f"{item.start.timestamp():.3f}",
        "duration_ms": str(item.duration_ms),
        "title": item.title,
        "sha256": item.clip_sha256,
        "kind": item.kind.value,
    }
    if item.bulletin_id is not None:
        out["bulletin_id"] = str(item.bulletin_id)
        out["version"] = str(item.version)
    return out


@dataclass
class Day:
    """Station sa's programme of `day`: Tin A, B, C (once) and D (every session), 60 s each,
    in the province's Sáng (05:30) and Chiều (17:00) sessions."""

    day: date
    bulletins: dict[str, Bulletin]
    items: tuple[playlists.ProgrammeItem, ...]


def programmed_day(session: Session, settings: Settings, world: World) -> Day:
    day = soon()
    two_sessions(session)
    every = {"mode": "every_session", "first_day": day, "last_day": day}
    made = {
        title: approved(
            session,
            world,
            title=title,
            duration_ms=60_000,
            media_dir=settings.media_dir,
            **({"airing": every} if title == "Tin D" else {}),
        )
        for title in ("Tin A", "Tin B", "Tin C", "Tin D")
    }
    built = programmes.build(session, settings, SYSTEM, world.stations["sa"], day)
    session.commit()
    return Day(day, made, built.programme.items)


def post_events(client: TestClient, settings: Settings, *events: dict[str, Any]) -> Any:
    body: Any = events[0] if len(events) == 1 else list(events)
    response = client.post(EVENTS, json=body, headers=events_auth(settings))
    assert response.status_code == 200, response.text
    return response.json()


def issue_token(client: TestClient, world: World, station: str) -> tuple[int, str]:
    response = client.post(
        f"{API}/stations/{station}/tokens", json={"label": "thiết bị"}, headers=auth(world["admin"])
    )
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["token"]


def pin_clock(client: TestClient, moment: datetime) -> None:
    """Make the on-air routes see `moment` as now (the app's clock dependency)."""
    app = client.app
    assert isinstance(app, FastAPI)
    app.dependency_overrides[onair.clock] = lambda: moment


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), ZoneInfo("Asia/Ho_Chi_Minh"))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
