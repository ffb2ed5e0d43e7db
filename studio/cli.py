"""``loa``: the operator's command line. Mistakes print one clear line and exit non-zero."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from studio import bulletins, migrate, stations, users
from studio.audit import Actor
from studio.bulletin_queries import BulletinFilter, list_bulletins
from studio.db import make_engine, session_scope
from studio.errors import DomainError
from studio.models import BulletinCreate, StationCreate, UserCreate
from studio.security import generate_password
from studio.settings import Settings
from studio.types import BulletinStatus, Category, Language, Priority, Role, StationKind
from studio.voices import VoiceConfigError
from studio.workflow import STATUS_VI

app = typer.Typer(
    no_args_is_help=True, help="Loa: bản tin truyền thanh cơ sở.", add_completion=False
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
user_app = typer.Typer(no_args_is_help=True, help="Accounts.")
station_app = typer.Typer(no_args_is_help=True, help="Stations.")
bulletin_app = typer.Typer(no_args_is_help=True, help="Bulletins and their approval.")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(station_app, name="station")
app.add_typer(bulletin_app, name="bulletin")

out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> NoReturn:
    # One line whatever the terminal width or the driver's message, so logs and scripts get it
    # whole; escaped so that brackets in paths or values are not taken for rich markup.
    line = " ".join(part.strip() for part in message.splitlines())
    err.print(f"[bold red]Lỗi:[/] {escape(line)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _validation_line(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()))
        msg = str(error.get("msg")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "dữ liệu không hợp lệ: " + "; ".join(parts)


def friendly(func: F) -> F:
    """Turn domain and validation errors into one line and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            fail(exc.message)
        except ValidationError as exc:
            fail(_validation_line(exc))
        except OperationalError as exc:
            fail(f"không truy cập được cơ sở dữ liệu ({exc.orig}); đã chạy `loa db upgrade` chưa?")
        except VoiceConfigError as exc:
            fail(str(exc))

    return wrapper  # type: ignore[return-value]


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        fail("cấu hình sai: " + _validation_line(exc))


@contextmanager
def unit_of_work() -> Iterator[Session]:
    engine = make_engine(load_settings().effective_database_url)
    try:
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


def _actor(session: Session, username: str) -> Actor:
    user = users.get_user_by_name(session, username)
    if not user.is_active:
        fail(f"tài khoản {username!r} đã bị khóa")
    return Actor(user=user, via="cli")


# ------------------------------------------------------------------ db
@db_app.command("upgrade")
@friendly
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    url = load_settings().effective_database_url
    migrate.upgrade(url)
    out.print(f"Cơ sở dữ liệu đã ở phiên bản mới nhất ({migrate.head_revision()}).")


# ------------------------------------------------------------------ users
@user_app.command("add")
@friendly
def user_add(
    username: Annotated[str, typer.Argument(help="Login name (a-z, 0-9, _ . -)")],
    role: Annotated[Role, typer.Option(help="editor, approver or admin")],
    area: Annotated[list[str] | None, typer.Option(help="Area code (repeat for several)")] = None,
    full_name: Annotated[str, typer.Option(help="Display name")] = "",
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin")] = False,
) -> None:
    """Create an account. Without --password-stdin a strong password is generated and shown once."""
    if role is not Role.admin and not area:
        fail("biên tập viên và người duyệt cần ít nhất một địa bàn (--area)")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    data = UserCreate(
        username=username, full_name=full_name, password=password, role=role, area_codes=area or []
    )
    with unit_of_work() as session:
        user = users.create_user(session, Actor.system("cli"), data)
        out.print(f"Đã tạo tài khoản [bold]{user.username}[/] ({user.role.value}).")
    if not password_stdin:
        out.print(f"Mật khẩu (chỉ hiện một lần): [bold]{password}[/]", highlight=False)


# ------------------------------------------------------------------ stations
@station_app.command("add")
@friendly
def station_add(
    code: Annotated[str, typer.Argument(help="Station code")],
    name: Annotated[str, typer.Option(help="Station name")],
    area: Annotated[str, typer.Option(help="Area code the station stands in")],
    kind: Annotated[StationKind, typer.Option(help="Kind of endpoint")] = (
        StationKind.loudspeaker_cluster
    ),
    language: Annotated[list[Language] | None, typer.Option(help="Languages, in order")] = None,
    timezone: Annotated[str, typer.Option(help="IANA time zone")] = "Asia/Ho_Chi_Minh",
    mount: Annotated[str | None, typer.Option(help="Icecast mount, e.g. /tri-ton.mp3")] = None,
) -> None:
    """Register a station."""
    data = StationCreate(
        code=code,
        name=name,
        area_code=area,
        kind=kind,
        languages=language or [Language.vi],
        timezone=timezone,
        mount=mount,
    )
    with unit_of_work() as session:
        station = stations.create_station(session, Actor.system("cli"), data)
        out.print(f"Đã thêm đài [bold]{station.code}[/] (mount {station.mount}).")


@station_app.command("list")
@friendly
def station_list() -> None:
    """List every station."""
    with unit_of_work() as session:
        rows, _ = stations.list_stations(session, 0, 100_000)
        # Codes and mounts are typed back by operators: fold them, never cut them with "…".
        table = Table(
            Column("code", overflow="fold"),
            "name",
            "area",
            Column("kind", overflow="fold"),
            "languages",
            Column("mount", overflow="fold"),
            "enabled",
        )
        for s in rows:
            public = stations.to_public(session, s)
            table.add_row(
                s.code,
                s.name,
                public.area_code or "",
                s.kind.value,
                ",".join(s.languages),
                s.mount,
                "yes" if s.enabled else "no",
            )
    out.print(table)


# ------------------------------------------------------------------ bulletins
AsUser = Annotated[str, typer.Option("--as", help="Username acting (audited)")]


def _local(value: datetime | None, zone: str) -> datetime | None:
    from zoneinfo import ZoneInfo

    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=ZoneInfo(zone))


@bulletin_app.command("add")
@friendly
def bulletin_add(
    as_user: AsUser,
    title: Annotated[str, typer.Option(help="Title")],
    language: Annotated[Language, typer.Option(help="vi or km")],
    body: Annotated[str | None, typer.Option(help="Text to read")] = None,
    body_file: Annotated[Path | None, typer.Option(help="Read the text from a UTF-8 file")] = None,
    category: Annotated[Category, typer.Option(help="Information category")] = Category.other,
    priority: Annotated[Priority, typer.Option(help="normal, priority, emergency")] = (
        Priority.normal
    ),
    station: Annotated[list[str] | None, typer.Option(help="Target station code")] = None,
    area: Annotated[list[str] | None, typer.Option(help="Target area code")] = None,
    valid_from: Annotated[datetime | None, typer.Option(help="Local time unless offset")] = None,
    valid_until: Annotated[datetime | None, typer.Option(help="Local time unless offset")] = None,
    times: Annotated[int, typer.Option(help="How many times to air", min=1, max=100)] = 1,
    days: Annotated[int, typer.Option(help="Over how many days", min=1, max=366)] = 1,
    translation_of: Annotated[int | None, typer.Option(help="Original bulletin id")] = None,
) -> None:
    """Write a bulletin (draft)."""
    if (body is None) == (body_file is None):
        fail("cần đúng một trong hai: --body hoặc --body-file")
    if body_file is not None:
        try:
            body = body_file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            fail(f"tệp {body_file} không phải văn bản UTF-8 (byte sai ở vị trí {exc.start})")
        except OSError as exc:
            fail(f"không đọc được tệp {body_file}: {exc.strerror or exc}")
    zone = load_settings().default_timezone
    data = BulletinCreate.model_validate(
        {
            "title": title,
            "body": body,
            "language": language,
            "category": category,
            "priority": priority,
            "target_station_codes": station or [],
            "target_area_codes": area or [],
            "valid_from": _local(valid_from, zone),
            "valid_until": _local(valid_until, zone),
            "airing": {"times": times, "days": days},
            "translation_of": translation_of,
        }
    )
    with unit_of_work() as session:
        bulletin = bulletins.create_bulletin(session, _actor(session, as_user), data)
        out.print(f"Đã tạo bản tin #{bulletin.id} (bản nháp, phiên bản {bulletin.version}).")


@bulletin_app.command("list")
@friendly
def bulletin_list(
    as_user: AsUser,
    status: Annotated[BulletinStatus | None, typer.Option(help="Filter by status")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """List the bulletins this user can see, newest first."""
    with unit_of_work() as session:
        actor = _actor(session, as_user)
        assert actor.user is not None
        rows, total = list_bulletins(session, actor.user, BulletinFilter(status=status), 0, limit)
        table = Table(
            "#",
            "tiêu đề",
            "ngôn ngữ",
            "ưu tiên",
            "trạng thái",
            "phiên bản",
            title=f"{total} bản tin",
        )
        for b in rows:
            table.add_row(
                str(b.id),
                b.title,
                b.language.value,
                b.priority.value,
                STATUS_VI[b.status],
                str(b.version),
            )
    out.print(table)


@bulletin_app.command("submit")
@friendly
def bulletin_submit(bulletin_id: int, as_user: AsUser) -> None:
    """Send a draft for approval."""
    with unit_of_work() as session:
        bulletins.submit(session, _actor(session, as_user), bulletin_id)
    out.print(f"Đã gửi duyệt bản tin #{bulletin_id}.")


@bulletin_app.command("approve")
@friendly
def bulletin_approve(
    bulletin_id: int,
    as_user: AsUser,
    version: Annotated[int, typer.Option(help="The version you read", min=1)],
    clip: Annotated[
        int | None,
        typer.Option(help="Required: the ready clip of this version you listened to", min=1),
    ] = None,
    comment: Annotated[str, typer.Option(help="Optional comment")] = "",
) -> None:
    """Approve the version you read and the clip you heard."""
    with unit_of_work() as session:
        actor = _actor(session, as_user)
        if clip is None:
            # A required option checked here rather than by typer, so that the operator also
            # learns which ids there are to pass.
            bulletins.get_bulletin(session, bulletin_id)
            ready = bulletins.ready_clip_ids(session, bulletin_id, version)
            fail(
                f"thiếu --clip: hãy nghe rồi chọn bản âm thanh để duyệt. Các bản sẵn sàng của "
                f"bản tin #{bulletin_id} phiên bản {version}: "
                f"{', '.join(map(str, ready)) or 'chưa có'}"
            )
        bulletins.approve(session, actor, bulletin_id, version, clip, comment)
    out.print(f"Đã duyệt bản tin #{bulletin_id} (phiên bản {version}, bản âm thanh {clip}).")


@bulletin_app.command("reject")
@friendly
def bulletin_reject(
    bulletin_id: int,
    as_user: AsUser,
    version: Annotated[int, typer.Option(help="The version you read", min=1)],
    reason: Annotated[str, typer.Option(help="Why (required)")],
) -> None:
    """Reject with a reason."""
    with unit_of_work() as session:
        bulletins.reject(session, _actor(session, as_user), bulletin_id, version, reason)
    out.print(f"Đã từ chối bản tin #{bulletin_id}: {reason}")


@bulletin_app.command("expire")
@friendly
def bulletin_expire() -> None:
    """Mark every bulletin past its validity as expired (the API server also does this)."""
    with unit_of_work() as session:
        expired = bulletins.expire_due(session)
    out.print(f"Đã chuyển {len(expired)} bản tin sang «hết hạn».")


from studio import cli_endpoint, cli_jingles, cli_programme, cli_run, cli_supervise, cli_tts  # noqa: E402,F401,I001


def main() -> None:
    app()
