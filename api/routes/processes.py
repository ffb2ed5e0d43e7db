"""The supervised on-air processes: what supervisord runs now, their recent state changes, and
a restart by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from api.deps import AdminUser, ReviewerUser, SessionDep, SettingsDep, actor_for
from studio import process_events
from studio.audit import record
from studio.errors import DomainError
from studio.process_events import ProcessEventPublic
from studio.settings import Settings
from studio.supervise import (
    NAME_PATTERN,
    ProcessState,
    SupervisorClient,
    SupervisorFiles,
    SupervisorUnavailable,
)

router = APIRouter(prefix="/onair/processes", tags=["on air"])

ProcessName = Annotated[
    str, Path(pattern=NAME_PATTERN, max_length=64, description="Tên tiến trình")
]


class ProcessesView(BaseModel):
    running: bool  # is supervisord answering on its socket
    processes: list[ProcessState]
    events: list[ProcessEventPublic]  # the last 100, newest first


def _client(settings: Settings, timeout_s: float) -> SupervisorClient:
    return SupervisorClient(SupervisorFiles.under(settings.onair_dir).socket, timeout_s=timeout_s)


@router.get("", response_model=ProcessesView)
def processes(user: ReviewerUser, session: SessionDep, settings: SettingsDep) -> ProcessesView:
    """Each supervised process (state, pid, uptime) and the recent starts, exits and restarts."""
    try:
        states, running = _client(settings, 5.0).status(), True
    except SupervisorUnavailable:
        states, running = [], False
    events = process_events.recent(session, 100)
    session.commit()
    return ProcessesView(running=running, processes=states, events=events)


@router.post("/{name}/restart", response_model=ProcessState)
def restart(
    admin: AdminUser, session: SessionDep, settings: SettingsDep, name: ProcessName
) -> ProcessState:
    """Stop and start one process (audited, also when it fails)."""
    # supervisord answers once the process has stopped (up to its stopwaitsecs) and started
    # again (startsecs): a status-sized timeout would report a slow stop as "not answering".
    client = _client(settings, 120.0)
    before = client.info(name)
    try:
        after = client.restart(name)
    except DomainError as exc:
        record(
            session,
            actor_for(admin),
            "process.restart",
            "process",
            name,
            before={"state": before.state, "pid": before.pid},
            detail=f"thất bại: {exc.message}",
        )
        session.commit()
        raise
    record(
        session,
        actor_for(admin),
        "process.restart",
        "process",
        name,
        before={"state": before.state, "pid": before.pid},
        after={"state": after.state, "pid": after.pid},
    )
    session.commit()
    return after
