"""Each station's time gate opens early by the pipeline's delay plus the delay from its stream to
a listener of its mount, which depends on the station's bitrate: the playout arms real
Liquidsoap gates (on a clock it is given) and keeps doing so from its local copies when the
database is away."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from stations import LiquidsoapClient, slug
from studio import stations
from studio.db import make_engine
from studio.models import Station, StationUpdate
from studio.onair_latency import MountEncoding, load_streams
from studio.onair_layout import slots
from studio.onair_stack import stream_of
from studio.playout import Playout
from studio.playout_transport import LiquidsoapTransport
from studio.settings import Settings
from tests.factories import SYSTEM, World
from tests.onair.support import approved_tone, no_quiet_hours, session_soon, wait_for
from tests.stations.live import EventSink, liquidsoap_config, running_icecast, running_liquidsoap

CODES = ["sa", "sb"]
# release_advance_ms 120 + one 1,400-byte block + one 24 ms MP3 frame at 24 kHz.
ADVANCE_48K = 0.120 + 0.233 + 0.024  # sa: the house MP3 48 kbit/s
ADVANCE_128K = 0.120 + 0.088 + 0.024  # sb: MP3 128 kbit/s


@contextlib.contextmanager
def stack(
    tmp_path: Path, settings: Settings, station_rows: list[Station]
) -> Iterator[tuple[LiquidsoapTransport, LiquidsoapClient]]:
    """Icecast and one Liquidsoap process for the stations, as the deployment lays them out;
    yields the playout's transport and a client of our own to read the gates back."""
    streams = [stream_of(s) for s in station_rows]
    (slot,) = slots(settings, [s.code for s in station_rows])
    slot.socket_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        running_icecast(tmp_path, streams) as ice,
        EventSink() as events,
        running_liquidsoap(
            tmp_path,
            liquidsoap_config(
                tmp_path, ice, events, streams, socket_path=slot.socket_path.absolute()
            ),
        ) as liquidsoap,
    ):
        transport = LiquidsoapTransport([slot])
        try:
            yield transport, liquidsoap.client
        finally:
            transport.close()


class GateAtPush(LiquidsoapTransport):
    """The real transport, noting the gate Liquidsoap holds at the moment each item arrives."""

    def __init__(self, transport: LiquidsoapTransport, client: LiquidsoapClient) -> None:
        super().__init__(transport.slots)
        self.reader = client
        self.gates_at_push: list[tuple[str, float]] = []

    def push(self, station: str, path: Path, annotations: dict[str, str]) -> None:
        self.gates_at_push.append((station, self.reader.gate(slug(station))))
        super().push(station, path, annotations)


def one_item_each(session: Session, settings: Settings, world: World) -> float:
    """sb streams at 128 kbit/s; one 10 s tone per station in a session a minute ahead (real time,
    so the gates hold everything the playout pushes). Returns the session's start."""
    no_quiet_hours(session)
    stations.update_station(session, SYSTEM, "sb", StationUpdate(stream_bitrate_kbps=128))
    session.commit()
    approved_tone(session, world, settings, "Tin sa", 10, 440, ["sa"])
    approved_tone(session, world, settings, "Tin sb", 10, 660, ["sb"])
    built = session_soon(session, settings, world, CODES, lead_s=60)
    (a,) = built["sa"].items
    (b,) = built["sb"].items
    assert a.start == b.start
    return a.start.timestamp()


def queued_annotations(client: LiquidsoapClient, code: str) -> list[dict[str, str]]:
    """The annotations of what the station's programme queue holds (waiting out the moment
    while Liquidsoap resolves a pushed request, when its queue does not list it)."""
    queue = f"{slug(code)}_programme"
    wait_for(lambda: bool(client.queue(queue)), 10, f"a request in {queue}")
    return [client.metadata(rid) for rid in client.queue(queue)]


def test_each_gate_opens_the_listener_delay_of_its_own_bitrate_early(
    tmp_path: Path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    start = one_item_each(session, settings, world)
    rows = [world.stations[c] for c in CODES]
    with stack(tmp_path, settings, rows) as (transport, client):
        now = start - 2.3
        playout = Playout(settings, engine, transport, CODES, clock=lambda: now)  # reads `now`
        playout.refresh()
        assert playout.advance_s("sa") == pytest.approx(ADVANCE_48K)
        assert playout.advance_s("sb") == pytest.approx(ADVANCE_128K)

        # Queued 2 s before its release: sa's is 2.3 - 0.377 s away, sb's 2.3 - 0.232 s.
        assert [i.station for i in playout.tick()] == ["sa"]
        now = start - 1.0
        assert [i.station for i in playout.tick()] == ["sb"]

        assert client.gate(slug("sa")) == pytest.approx(start - ADVANCE_48K, abs=5e-4)
        assert client.gate(slug("sb")) == pytest.approx(start - ADVANCE_128K, abs=5e-4)
        assert client.gate(slug("sb")) > client.gate(slug("sa"))
        for code, advance in zip(CODES, (ADVANCE_48K, ADVANCE_128K), strict=True):
            (queued,) = queued_annotations(client, code)
            assert queued["planned_start"] == f"{start:.3f}"
            assert "liq_cue_in" not in queued
            # The as-run adds it back: lateness is where the item is heard.
            assert queued["advance_ms"] == str(round(advance * 1000))


def test_resumed_late_from_the_local_copy_the_cue_in_adds_the_stations_advance(
    tmp_path: Path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    start = one_item_each(session, settings, world)
    rows = [world.stations[c] for c in CODES]
    with stack(tmp_path, settings, rows) as (transport, client):
        # With the database: a minute ahead, nothing is due; the plans and streams are kept.
        early = Playout(settings, engine, transport, CODES, clock=lambda: start - 60)
        early.start()
        assert early.tick() == []
        assert load_streams(settings.onair_dir / "plans" / "streams.json") == {
            "sa": MountEncoding("mp3", 48),
            "sb": MountEncoding("mp3", 128),
        }

        # The scheduler comes back 5 s into the items without its database.
        dead = make_engine(f"sqlite:///{tmp_path / 'nowhere' / 'loa.db'}")
        try:
            late = Playout(settings, dead, transport, CODES, clock=lambda: start + 5)
            late.start()
            assert sorted(i.station for i in late.tick()) == CODES
        finally:
            dead.dispose()

        (queued_a,) = queued_annotations(client, "sa")
        (queued_b,) = queued_annotations(client, "sb")
        assert queued_a["liq_cue_in"] == f"{5 + ADVANCE_48K:.3f}"
        assert queued_b["liq_cue_in"] == f"{5 + ADVANCE_128K:.3f}"
        assert queued_a["resumed"] == queued_b["resumed"] == "1"
        assert client.gate(slug("sa")) == pytest.approx(start - ADVANCE_48K, abs=5e-4)
        assert client.gate(slug("sb")) == pytest.approx(start - ADVANCE_128K, abs=5e-4)


def test_the_gate_is_armed_before_the_item_reaches_the_queue(
    tmp_path: Path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    """A gate left open by the last release must not let a new item through early: pushed
    first, Liquidsoap could resolve and air it before the gate closed (seen as an item on air
    2 s ahead of its plan)."""
    start = one_item_each(session, settings, world)
    rows = [world.stations[c] for c in CODES]
    with stack(tmp_path, settings, rows) as (transport, client):
        assert client.gate(slug("sa")) == 0.0  # open, as after a release long ago
        observed = GateAtPush(transport, client)
        try:
            playout = Playout(settings, engine, observed, CODES, clock=lambda: start - 1.0)
            playout.refresh()
            assert sorted(i.station for i in playout.tick()) == CODES
        finally:
            observed.close()
        assert sorted(observed.gates_at_push) == [
            ("sa", pytest.approx(start - ADVANCE_48K, abs=5e-4)),
            ("sb", pytest.approx(start - ADVANCE_128K, abs=5e-4)),
        ]
        assert client.on_air() == []


def test_a_next_item_waits_until_the_gate_has_released_the_one_before(
    tmp_path: Path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    """Two short items 0.7 s apart both fall inside the queueing window: arming the one gate
    for the second while the first still waits would hold the first until the second's
    instant. The second is queued once the first has been released."""
    no_quiet_hours(session)
    stations.update_station(session, SYSTEM, "sa", StationUpdate(gap_ms=200))
    session.commit()
    approved_tone(session, world, settings, "Ngắn một", 0.5, 440, ["sa"])
    approved_tone(session, world, settings, "Ngắn hai", 0.5, 660, ["sa"])
    built = session_soon(session, settings, world, ["sa"], lead_s=60)
    first, second = sorted(built["sa"].items, key=lambda i: i.start)
    start = first.start.timestamp()
    second_release = second.start.timestamp() - ADVANCE_48K
    assert second_release - (start - ADVANCE_48K) < settings.onair.queue_ahead_s

    with stack(tmp_path, settings, [world.stations["sa"]]) as (transport, client):
        now = start - 1.5  # both releases are less than 2 s away
        playout = Playout(settings, engine, transport, ["sa"], clock=lambda: now)  # reads `now`
        playout.refresh()
        assert [i.start for i in playout.tick()] == [start]
        assert playout.tick() == []
        assert client.gate(slug("sa")) == pytest.approx(start - ADVANCE_48K, abs=5e-4)
        (held,) = queued_annotations(client, "sa")
        assert held["planned_start"] == f"{start:.3f}"

        now = start - ADVANCE_48K + 0.05  # the first has been released
        assert [i.start for i in playout.tick()] == [second.start.timestamp()]
        assert client.gate(slug("sa")) == pytest.approx(second_release, abs=5e-4)
