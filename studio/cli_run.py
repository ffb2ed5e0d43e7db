"""``loa run`` and ``loa seed``: bring the whole system up on embedded defaults."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session

from studio import migrate
from studio.cli import app, friendly, load_settings, out, unit_of_work
from studio.db import make_engine
from studio.jobs import JobRunner, run_blocking
from studio.onair_stack import build_stack, programs, write_stack
from studio.seed import SeedResult, seed_demo
from studio.settings import Settings
from studio.supervise import Supervisor, SupervisorFiles
from studio.voices import build_kit


def _print_seed(result: SeedResult) -> None:
    if result.admin_password:
        out.print("Đã tạo dữ liệu mẫu: tỉnh An Giang, 3 xã (Tri Tôn có tiếng Khmer), 4 đài.")
        out.print(
            f"Tài khoản quản trị: [bold]{result.admin_username}[/]  "
            f"mật khẩu (chỉ hiện một lần): [bold]{result.admin_password}[/]",
            highlight=False,
            soft_wrap=True,  # a password is never broken across lines
        )
        for account in result.accounts:
            out.print(
                f"Tài khoản {account.label}: [bold]{account.username}[/]  "
                f"mật khẩu (chỉ hiện một lần): [bold]{account.password}[/]",
                highlight=False,
                soft_wrap=True,
            )
    else:
        out.print(f"Dữ liệu mẫu đã có; tài khoản quản trị: {result.admin_username}.")


@app.command("seed")
@friendly
def seed() -> None:
    """Create the demo province, communes, stations and admin (once)."""
    migrate.upgrade(load_settings().effective_database_url)
    with unit_of_work() as session:
        result = seed_demo(session)
    _print_seed(result)


@app.command("run")
@friendly
def run(
    host: Annotated[str | None, typer.Option(help="Bind address (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)", min=1, max=65535)] = None,
    demo: Annotated[bool, typer.Option(help="Seed demo data when the database is new")] = True,
    workers: Annotated[int | None, typer.Option(help="API worker processes", min=1)] = None,
) -> None:
    """Migrate, seed the demo data if new, and serve the API."""
    settings = load_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.effective_database_url)
    if demo:
        with unit_of_work() as session:
            _print_seed(seed_demo(session))
    bind_host = host or settings.api.host
    bind_port = port or settings.api.port
    # The workers read their settings from the environment: they must agree on where the API
    # is (manifest URLs are built from it).
    os.environ["LOA_API__HOST"], os.environ["LOA_API__PORT"] = bind_host, str(bind_port)
    settings.api.host, settings.api.port = bind_host, bind_port
    base = f"http://{bind_host}:{bind_port}"
    out.print(f"Desk:     {base}/desk")
    out.print(f"API:      {base}/api/v1")
    out.print(f"OpenAPI:  {base}/docs")
    out.print(f"Health:   {base}/api/v1/health")
    engine = make_engine(settings.effective_database_url)
    supervisor = None
    runner = None
    if settings.onair.enabled:
        # Icecast, Liquidsoap and the scheduler process (jobs + playout) under supervisord.
        supervisor = start_onair(settings, engine, base)
    else:
        # Jobs run here, once, whatever the number of API workers.
        runner = JobRunner(engine, build_kit(settings), settings)
        runner.start()
    try:
        uvicorn.run(
            "api.main:app_factory",
            factory=True,
            host=bind_host,
            port=bind_port,
            workers=workers or settings.api.workers,
            log_level="info",
            access_log=settings.api.access_log,
        )
    finally:
        if runner is not None:
            runner.shutdown()
        if supervisor is not None:
            supervisor.stop()
        engine.dispose()


def start_onair(settings: Settings, engine: Engine, api_base: str) -> Supervisor:
    """Write the stack's configs and start supervisord with Icecast, Liquidsoap and the
    scheduler; print the mounts."""
    with Session(engine) as session:
        stack = build_stack(session, settings, api_base)
    write_stack(stack)
    environment = {key: value for key, value in os.environ.items() if key.startswith("LOA_")} | {
        "LOA_DATABASE_URL": settings.effective_database_url,
        "LOA_VAR_DIR": str(settings.var_dir.absolute()),
    }
    files = SupervisorFiles.under(settings.onair_dir)
    supervisor = Supervisor(files, listener_environment=environment)
    supervisor.start(supervisor.write_config(programs(stack, settings, environment)))
    try:
        supervisor.wait_running()
    except Exception:
        supervisor.stop()
        raise
    icecast = f"http://{settings.onair.icecast_host}:{settings.onair.icecast_port}"
    out.print(f"Icecast:  {icecast}/  ({len(stack.stations)} mount)")
    for stream in stack.stations:
        out.print(f"  {stream.code}: {icecast}{stream.mount}")
    return supervisor


@app.command("scheduler")
@friendly
def scheduler(
    playout: Annotated[
        bool, typer.Option(help="Also push programmes on air (Liquidsoap must be running)")
    ] = True,
) -> None:
    """Run the background jobs in the foreground (the scheduler process of a deployment)."""
    settings = load_settings()
    migrate.upgrade(settings.effective_database_url)
    kit = build_kit(settings)
    engine = make_engine(settings.effective_database_url)
    out.print("Bộ lập lịch đang chạy (Ctrl+C để dừng).")
    try:
        run_blocking(engine, kit, settings, playout=playout and settings.onair.enabled)
    finally:
        engine.dispose()
