"""Prometheus metrics of what went on air, computed from the database at every scrape.

Nothing is counted in process memory: the API may run several workers, and the as-run log,
alerts, emergencies, heartbeats and process events in the database are the one record all of
them share. Each scrape builds a fresh registry from aggregate queries. Counters are totals
over the whole log (monotonic while rows are kept; Prometheus treats a pruned log as a reset).

- ``loa_items_aired_total{station}``: as-run rows aired (on time or late), every queue.
- ``loa_items_late_total{station}``: of those, the late ones.
- ``loa_onair_error_seconds``: |actual - planned start| of every programme item Liquidsoap
  put on air (whatever became of it later): how precisely the stack keeps time.
- ``loa_dead_air_events_total{station}``: dead-air alerts.
- ``loa_emergencies_total{cap_status}``: emergencies created, by CAP status.
- ``loa_endpoints_online``: endpoint devices heard from within ``onair.endpoint_offline_s``.
- ``loa_process_restarts_total{process}``: unexpected exits of supervised processes (each one
  is restarted by the supervisor).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import case, func
from sqlmodel import Session, col, select

from studio.fleet import online_count
from studio.models import Station
from studio.onair_models import AsRun, Emergency, OnAirAlert, ProcessEvent
from studio.settings import Settings
from studio.types import AlertKind, AsRunSource, AsRunStatus, CapStatus, QueueKind

BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
# supervisord's PROCESS_STATE_EXITED with an exit code not in `exitcodes` (studio.process_events).
UNEXPECTED_EXIT = "expected=0"


class _Families(Collector):
    """Hands a registry the families computed for one scrape."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


def _per_station(
    session: Session, codes: dict[int, str], statement: Any, family: CounterMetricFamily
) -> CounterMetricFamily:
    counts = {station_id: int(n) for station_id, n in session.exec(statement).all()}
    for station_id, code in sorted(codes.items(), key=lambda kv: kv[1]):
        family.add_metric([code], counts.get(station_id, 0))
    return family


def _station_counts(session: Session, codes: dict[int, str]) -> list[Metric]:
    aired = (
        select(AsRun.station_id, func.count())
        .where(col(AsRun.status).in_([AsRunStatus.aired, AsRunStatus.late]))
        .group_by(col(AsRun.station_id))
    )
    late = (
        select(AsRun.station_id, func.count())
        .where(AsRun.status == AsRunStatus.late)
        .group_by(col(AsRun.station_id))
    )
    dead_air = (
        select(OnAirAlert.station_id, func.count())
        .where(OnAirAlert.kind == AlertKind.dead_air, col(OnAirAlert.station_id).is_not(None))
        .group_by(col(OnAirAlert.station_id))
    )
    return [
        _per_station(
            session,
            codes,
            aired,
            CounterMetricFamily(
                "loa_items_aired", "Items that aired (on time or late)", labels=["station"]
            ),
        ),
        _per_station(
            session,
            codes,
            late,
            CounterMetricFamily(
                "loa_items_late", "Items that started late (over 1 s)", labels=["station"]
            ),
        ),
        _per_station(
            session,
            codes,
            dead_air,
            CounterMetricFamily("loa_dead_air_events", "Dead-air alerts", labels=["station"]),
        ),
    ]


def _error_histogram(session: Session) -> HistogramMetricFamily:
    error_ms = func.abs(col(AsRun.lateness_ms))
    columns = [func.sum(case((error_ms <= s * 1000, 1), else_=0)) for s in BUCKETS_S]
    row = session.exec(
        select(func.count(), func.coalesce(func.sum(error_ms), 0), *columns).where(
            AsRun.queue == QueueKind.programme,
            AsRun.source == AsRunSource.liquidsoap,
            col(AsRun.started_at).is_not(None),
            col(AsRun.lateness_ms).is_not(None),
        )
    ).one()
    total, sum_ms, *cumulative = (int(v or 0) for v in row)
    buckets = [(repr(s), c) for s, c in zip(BUCKETS_S, cumulative, strict=True)]
    return HistogramMetricFamily(
        "loa_onair_error_seconds",
        "How far from its planned instant each programme item went on air (absolute)",
        buckets=[*buckets, ("+Inf", total)],
        sum_value=sum_ms / 1000,
    )


def _emergencies(session: Session) -> CounterMetricFamily:
    rows = session.exec(
        select(Emergency.cap_status, func.count()).group_by(col(Emergency.cap_status))
    ).all()
    counts = {CapStatus(status): int(n) for status, n in rows}
    family = CounterMetricFamily(
        "loa_emergencies", "Emergency broadcasts created", labels=["cap_status"]
    )
    for status in CapStatus:
        family.add_metric([status.value], counts.get(status, 0))
    return family


def _restarts(session: Session) -> CounterMetricFamily:
    restarted = func.sum(case((col(ProcessEvent.detail).contains(UNEXPECTED_EXIT), 1), else_=0))
    rows = session.exec(
        select(ProcessEvent.process, restarted)
        .where(ProcessEvent.event == "EXITED")
        .group_by(col(ProcessEvent.process))
    ).all()
    seen = session.exec(select(ProcessEvent.process).distinct()).all()
    counts = {process: int(n or 0) for process, n in rows}
    family = CounterMetricFamily(
        "loa_process_restarts",
        "Unexpected exits of supervised processes (restarted by the supervisor)",
        labels=["process"],
    )
    for process in sorted(seen):
        family.add_metric([process], counts.get(process, 0))
    return family


def families(session: Session, settings: Settings, now: datetime) -> list[Metric]:
    codes = {
        station_id: code
        for station_id, code in session.exec(select(Station.id, Station.code)).all()
        if station_id is not None
    }
    online = GaugeMetricFamily(
        "loa_endpoints_online",
        "Endpoint devices heard from recently",
        value=online_count(session, settings.onair.endpoint_offline_s, now),
    )
    return [
        *_station_counts(session, codes),
        _error_histogram(session),
        _emergencies(session),
        online,
        _restarts(session),
    ]


def render(session: Session, settings: Settings, now: datetime) -> bytes:
    """The Prometheus text exposition of one scrape."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families(session, settings, now)))
    return generate_latest(registry)
