"""A small client for supervisord's XML-RPC interface on its unix socket, with a timeout."""

from __future__ import annotations

import http.client
import socket
import xmlrpc.client
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from supervisor.xmlrpc import Faults, SupervisorTransport  # type: ignore[import-untyped]

from studio.errors import Conflict, NotFound


class SupervisorError(Conflict):
    code = "supervisor_error"


class SupervisorUnavailable(SupervisorError):
    code = "supervisor_unavailable"

    def __init__(self, socket_path: Path) -> None:
        super().__init__(
            f"bộ giám sát tiến trình (supervisord) không chạy hoặc không trả lời ({socket_path})"
        )


class ProcessState(BaseModel):
    """One process as supervisord sees it now."""

    model_config = ConfigDict(frozen=True)

    name: str
    group: str
    state: str  # STOPPED, STARTING, RUNNING, BACKOFF, STOPPING, EXITED, FATAL, UNKNOWN
    pid: int | None
    uptime_s: int | None  # while RUNNING
    exit_status: int | None  # after EXITED
    description: str
    spawn_error: str

    @classmethod
    def from_info(cls, info: dict[str, Any]) -> ProcessState:
        running = info["statename"] == "RUNNING"
        return cls(
            name=str(info["name"]),
            group=str(info["group"]),
            state=str(info["statename"]),
            pid=int(info["pid"]) or None,
            uptime_s=max(0, int(info["now"]) - int(info["start"])) if running else None,
            exit_status=int(info["exitstatus"]) if info["statename"] == "EXITED" else None,
            description=str(info["description"]),
            spawn_error=str(info.get("spawnerr", "")),
        )


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class SupervisorClient:
    """Verbs on a running supervisord. Every call opens its own connection (cheap on a unix
    socket), so one client may be shared by threads. A dead or missing supervisord raises
    ``SupervisorUnavailable``; an unknown process name ``NotFound``."""

    def __init__(self, socket_path: Path, *, timeout_s: float = 10.0) -> None:
        self.socket_path = socket_path
        self.timeout_s = timeout_s

    def _call(self, method: str, *args: Any) -> Any:
        transport = SupervisorTransport(None, None, f"unix://{self.socket_path}")
        # SupervisorTransport's own unix connection has no timeout: a stuck supervisord would
        # hang the caller (an API request) forever.
        path, timeout = str(self.socket_path), self.timeout_s
        transport._get_connection = lambda: _UnixConnection(path, timeout)
        proxy = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)
        try:
            return getattr(proxy.supervisor, method)(*args)
        except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError) as exc:
            raise SupervisorUnavailable(self.socket_path) from exc
        finally:
            transport.close()

    def _named(self, method: str, name: str, *args: Any) -> Any:
        try:
            return self._call(method, name, *args)
        except xmlrpc.client.Fault as fault:
            if fault.faultCode == Faults.BAD_NAME:
                raise NotFound(f"không có tiến trình «{name}» trong bộ giám sát") from fault
            raise

    def is_running(self) -> bool:
        try:
            state = self._call("getState")
        except (SupervisorUnavailable, xmlrpc.client.Fault):
            return False
        return bool(state["statename"] == "RUNNING")

    def status(self) -> list[ProcessState]:
        try:
            infos = self._call("getAllProcessInfo")
        except xmlrpc.client.Fault as fault:  # e.g. SHUTDOWN_STATE while it stops
            raise SupervisorUnavailable(self.socket_path) from fault
        return [ProcessState.from_info(info) for info in infos]

    def info(self, name: str) -> ProcessState:
        try:
            return ProcessState.from_info(self._named("getProcessInfo", name))
        except xmlrpc.client.Fault as fault:
            raise SupervisorUnavailable(self.socket_path) from fault

    def restart(self, name: str) -> ProcessState:
        """Stop (if running) and start ``name``; returns its state once started."""
        try:
            self._named("stopProcess", name)
        except xmlrpc.client.Fault as fault:
            if fault.faultCode != Faults.NOT_RUNNING:
                raise SupervisorError(f"không dừng được «{name}»: {fault.faultString}") from fault
        try:
            self._named("startProcess", name)
        except xmlrpc.client.Fault as fault:
            detail = self.info(name).spawn_error or fault.faultString
            raise SupervisorError(f"không khởi động lại được «{name}»: {detail}") from fault
        return self.info(name)

    def reread(self) -> tuple[list[str], list[str], list[str]]:
        """Re-read the config file: (added, changed, removed) group names."""
        try:
            [[added, changed, removed]] = self._call("reloadConfig")
        except xmlrpc.client.Fault as fault:
            raise SupervisorError(
                f"supervisord không đọc được cấu hình: {fault.faultString}"
            ) from fault
        return list(added), list(changed), list(removed)

    def remove_group(self, name: str) -> None:
        try:
            self._call("stopProcessGroup", name)
            self._call("removeProcessGroup", name)
        except xmlrpc.client.Fault as fault:
            if fault.faultCode != Faults.BAD_NAME:
                raise SupervisorError(f"không gỡ được «{name}»: {fault.faultString}") from fault

    def add_group(self, name: str) -> None:
        try:
            self._call("addProcessGroup", name)
        except xmlrpc.client.Fault as fault:
            raise SupervisorError(f"không thêm được «{name}»: {fault.faultString}") from fault
