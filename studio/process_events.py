"""Supervisor's PROCESS_STATE events as ``ProcessEvent`` rows, and restarts as alerts.

supervisord sends one event per state change of a supervised process; ``loa supervisor-events``
(studio/cli_supervise.py) passes each here. An unexpected EXITED followed by RUNNING is a restart
done by supervisord itself: it also raises an ``OnAirAlert`` (kind ``process_restart``), and so
does FATAL (supervisord gave up: the process stays down until an operator acts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from studio.onair_models import OnAirAlert, ProcessEvent
from studio.types import AlertKind

PREFIX = "PROCESS_STATE_"


@dataclass(frozen=True)
class StateEvent:
    """One PROCESS_STATE_* notification: ``event`` is the new state (RUNNING, EXITED...)."""

    process: str
    event: str
    from_state: str
    pid: int | None = None
    expected: bool | None = None  # EXITED only: was the exit code one of ``exitcodes``?
    tries: int | None = None  # STARTING / BACKOFF: failed starts so far

    @classmethod
    def parse(cls, headers: dict[str, str], payload: str) -> StateEvent | None:
        """From the listener protocol's header line and payload (``key:value`` tokens);
        None for an event of another type."""
        name = headers.get("eventname", "")
        if not name.startswith(PREFIX):
            return None
        body = dict(token.split(":", 1) for token in payload.split() if ":" in token)
        pid = body.get("pid")
        expected = body.get("expected")
        tries = body.get("tries")
        return cls(
            process=body["processname"],
            event=name.removeprefix(PREFIX),
            from_state=body.get("from_state", ""),
            pid=int(pid) if pid and pid != "0" else None,
            expected=None if expected is None else expected == "1",
            tries=None if tries is None else int(tries),
        )

    @property
    def detail(self) -> str:
        parts = [f"from_state={self.from_state}"]
        if self.pid is not None:
            parts.append(f"pid={self.pid}")
        if self.expected is not None:
            parts.append(f"expected={int(self.expected)}")
        if self.tries is not None:
            parts.append(f"tries={self.tries}")
        return " ".join(parts)


@dataclass
class RestartTracker:
    """Remembers unexpected exits until the process is RUNNING again (kept in memory: the
    listener must see restarts even while the database is unreachable)."""

    exited: dict[str, int | None] = field(default_factory=dict)  # process -> pid that died

    def alert_for(self, event: StateEvent) -> str | None:
        """The Vietnamese alert text this event calls for, if any."""
        name = event.process
        if event.event == "EXITED":
            if event.expected:
                self.exited.pop(name, None)
            else:
                self.exited[name] = event.pid
            return None
        if event.event == "RUNNING" and name in self.exited:
            old = self.exited.pop(name)
            was = f" (pid cũ {old})" if old else ""
            return (
                f"Tiến trình «{name}» dừng bất thường{was} và đã được tự động khởi động lại "
                f"(pid mới {event.pid})."
            )
        if event.event == "FATAL":
            self.exited.pop(name, None)
            return (
                f"Tiến trình «{name}» không khởi động lại được sau nhiều lần thử; "
                "cần người vận hành kiểm tra nhật ký và khởi động lại."
            )
        if event.event == "STOPPED":
            self.exited.pop(name, None)
        return None


def record(session: Session, event: StateEvent, alert: str | None) -> None:
    """Add the event row (and the alert); the caller commits."""
    session.add(ProcessEvent(process=event.process, event=event.event, detail=event.detail))
    if alert is not None:
        session.add(OnAirAlert(kind=AlertKind.process_restart, detail=alert))


class ProcessEventPublic(BaseModel):
    id: int
    at: datetime
    process: str
    event: str
    detail: str


def recent(session: Session, limit: int = 100) -> list[ProcessEventPublic]:
    """The newest events first."""
    rows = session.exec(select(ProcessEvent).order_by(col(ProcessEvent.id).desc()).limit(limit))
    return [ProcessEventPublic.model_validate(r, from_attributes=True) for r in rows]
