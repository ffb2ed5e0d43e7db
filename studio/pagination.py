"""Offset pagination with an exact total."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")


def paginate(
    session: Session, statement: SelectOfScalar[T], offset: int, limit: int
) -> tuple[list[T], int]:
    counter: Any = select(func.count()).select_from(statement.order_by(None).subquery())
    total = int(session.exec(counter).one())
    rows = session.exec(statement.offset(offset).limit(limit)).all()
    return list(rows), total
