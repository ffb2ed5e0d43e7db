"""Alembic migrations on SQLite and on a real PostgreSQL: up, down, agreement with the models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from psycopg import sql as psql
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, col, select

import studio.onair_models  # noqa: F401  (their tables are part of the metadata compared)
import studio.schedule_models  # noqa: F401
from studio import bulletins, migrate
from studio.audit import Actor, record
from studio.bulletin_queries import BulletinFilter, list_bulletins
from studio.db import make_engine
from studio.models import AuditEvent, Bulletin, BulletinVersion, Review, User
from studio.settings import Settings
from studio.types import BulletinStatus, EnumText, ReviewDecision, Role
from tests import pg
from tests.factories import approve_with_clip, build_world, make_bulletin, submit_with_clip

TABLES = {
    "area",
    "as_run",
    "auditevent",
    "bulletin",
    "bulletintarget",
    "broadcast_window",
    "bulletinversion",
    "clip",
    "emergency",
    "emergency_target",
    "endpoint_status",
    "jingle",
    "lexiconentry",
    "onair_alert",
    "process_event",
    "programme",
    "review",
    "session_audio",
    "station",
    "stationtoken",
    "user",
    "userarea",
    "window_exception",
}
VALID_UNTIL_LOCAL = datetime(2099, 12, 31, 17, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
VALID_UNTIL_UTC = datetime(2099, 12, 31, 10, 0, tzinfo=UTC)
TITLE_VI = "Thông báo lịch tiêm chủng mở rộng tháng 12"
BODY_KM = "សេចក្តីជូនដំណឹងអំពីការចាក់វ៉ាក់សាំង។"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def sqlalchemy_url(url: str) -> str:
    """What the application would use: Settings picks the driver for postgresql:// URLs."""
    return Settings(database_url=url).effective_database_url


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind; on PostgreSQL a new database per test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    yield request.getfixturevalue("pg_url")


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server, dropped after the test."""
    with pg.fresh_database(postgres_url) as url:
        yield sqlalchemy_url(url)


@pytest.fixture
def empty_engine(empty_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_url)
    yield engine
    engine.dispose()


def table_names(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def trigger_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            rows = conn.exec_driver_sql(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                "UNION ALL SELECT proname FROM pg_proc "
                "WHERE pronamespace = 'public'::regnamespace"
            )
        return {row[0] for row in rows}


def differences(engine: Engine, metadata: sa.MetaData) -> list[Any]:
    # compare_type as in studio/migrations/env.py: a changed column type must show up here.
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_upgrade_from_empty_to_head(empty_url: str, empty_engine: Engine) -> None:
    assert migrate.current_revision(empty_engine) is None

    migrate.upgrade(empty_url)

    assert migrate.head_revision() == "0005"
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    assert table_names(empty_engine) == TABLES | {"alembic_version"}
    migrate.upgrade(empty_url)  # running it again is a no-op, not an error
    assert migrate.current_revision(empty_engine) == "0005"


def test_downgrade_to_base_removes_everything_and_upgrade_works_again(
    empty_url: str, empty_engine: Engine
) -> None:
    migrate.upgrade(empty_url)
    assert trigger_names(empty_engine)

    migrate.downgrade(empty_url, "base")

    assert table_names(empty_engine) == {"alembic_version"}
    assert trigger_names(empty_engine) == set()
    assert migrate.current_revision(empty_engine) is None

    migrate.upgrade(empty_url)
    assert table_names(empty_engine) == TABLES | {"alembic_version"}
    assert migrate.current_revision(empty_engine) == "0005"


def test_models_and_migrations_agree(empty_url: str, empty_engine: Engine) -> None:
    migrate.upgrade(empty_url)

    assert differences(empty_engine, SQLModel.metadata) == []


def test_the_comparison_sees_a_changed_model(empty_url: str, empty_engine: Engine) -> None:
    """Guards the test above: a model that drifted from the migrations must be reported."""
    migrate.upgrade(empty_url)
    drifted = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["user"].append_column(sa.Column("phone", sa.String(20), nullable=True))
    role = drifted.tables["user"].c.role
    role.type = EnumText(Role, 64)

    found = differences(empty_engine, drifted)

    kinds = sorted(d[0] if isinstance(d, tuple) else d[0][0] for d in found)
    assert kinds == ["add_column", "modify_type"]


def insert_audit_event(engine: Engine) -> None:
    with Session(engine) as session:
        record(session, Actor.system("test"), "test.event", "test", 1, detail="kept")
        session.commit()


@pytest.mark.parametrize(
    "statement", ["UPDATE auditevent SET detail = 'changed'", "DELETE FROM auditevent"]
)
def test_audit_events_cannot_be_changed_or_deleted(
    empty_url: str, empty_engine: Engine, statement: str
) -> None:
    migrate.upgrade(empty_url)
    insert_audit_event(empty_engine)

    with pytest.raises(DBAPIError, match="auditevent is append-only"), empty_engine.begin() as c:
        c.exec_driver_sql(statement)

    with empty_engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT action, detail FROM auditevent").all()
    assert [tuple(r) for r in rows] == [("test.event", "kept")]


@pytest.mark.postgres
def test_audit_events_cannot_be_truncated_on_postgresql(pg_url: str) -> None:
    migrate.upgrade(pg_url)
    engine = make_engine(pg_url)
    try:
        insert_audit_event(engine)
        with pytest.raises(DBAPIError, match="auditevent is append-only"), engine.begin() as c:
            c.exec_driver_sql("TRUNCATE auditevent CASCADE")
        with engine.connect() as conn:
            count = conn.exec_driver_sql("SELECT count(*) FROM auditevent").scalar_one()
        assert count == 1
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_bulletin_workflow_on_postgresql(pg_url: str) -> None:
    """The services on PostgreSQL, with a server time zone that is not UTC on purpose."""
    with psycopg.connect(pg.libpq_url(pg_url), autocommit=True) as conn:
        conn.execute(
            psql.SQL("ALTER DATABASE {} SET timezone TO 'Asia/Ho_Chi_Minh'").format(
                psql.Identifier(sa.make_url(pg_url).database or "")
            )
        )
    migrate.upgrade(pg_url)
    engine = make_engine(pg_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            world = build_world(session)
            editor, approver = world["editor_a"], world["approver_a"]
            bulletin = make_bulletin(
                session, editor, valid_until=VALID_UNTIL_LOCAL.isoformat(), title=TITLE_VI
            )
            khmer = make_bulletin(
                session, world["editor_b"], language="km", body=BODY_KM, target_station_codes=["sb"]
            )
            assert bulletin.id is not None
            submit_with_clip(session, Actor(user=editor), bulletin.id)
            approve_with_clip(session, Actor(user=approver), bulletin.id, 1, comment="Đồng ý")
            session.commit()
            bulletin_id, khmer_id = bulletin.id, khmer.id

        with Session(engine) as session:
            stored = session.get(Bulletin, bulletin_id)
            assert stored is not None
            assert (stored.status, stored.version, stored.approved_version) == (
                BulletinStatus.approved,
                1,
                1,
            )
            assert stored.title == TITLE_VI
            assert stored.valid_until == VALID_UNTIL_UTC
            assert stored.valid_until.tzinfo is UTC
            assert stored.created_at.tzinfo is UTC
            assert session.get(Bulletin, khmer_id).body == BODY_KM  # type: ignore[union-attr]

            review = session.exec(select(Review).where(Review.bulletin_id == bulletin_id)).one()
            assert (review.reviewer_id, review.decision, review.reason) == (
                approver.id,
                ReviewDecision.approve,
                "Đồng ý",
            )
            snapshot = session.exec(
                select(BulletinVersion).where(BulletinVersion.bulletin_id == bulletin_id)
            ).one()
            assert snapshot.submitted_at is not None
            assert snapshot.submitted_at.tzinfo is UTC
            actions = session.exec(
                select(AuditEvent.action)
                .where(
                    AuditEvent.entity_type == "bulletin", AuditEvent.entity_id == str(bulletin_id)
                )
                .order_by(col(AuditEvent.id))
            ).all()
            assert actions == ["bulletin.create", "bulletin.submit", "bulletin.approve"]

            # The local day of the validity end, and only that one, finds the bulletin.
            viewer = session.get(User, approver.id)
            assert viewer is not None
            on_day = BulletinFilter(status=BulletinStatus.approved, valid_on=date(2099, 12, 31))
            after = BulletinFilter(status=BulletinStatus.approved, valid_on=date(2100, 1, 1))
            assert [b.id for b in list_bulletins(session, viewer, on_day, 0, 10)[0]] == [
                bulletin_id
            ]
            assert list_bulletins(session, viewer, after, 0, 10) == ([], 0)

            expired = bulletins.expire_due(session, now=VALID_UNTIL_UTC + timedelta(seconds=1))
            session.commit()
            assert expired == [bulletin_id]

        with engine.connect() as conn:
            raw = conn.exec_driver_sql(
                "SELECT valid_until AT TIME ZONE 'UTC', status FROM bulletin WHERE id = %(id)s",
                {"id": bulletin_id},
            ).one()
        assert tuple(raw) == (VALID_UNTIL_UTC.replace(tzinfo=None), "expired")
    finally:
        engine.dispose()
