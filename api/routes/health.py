from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import SessionDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str


@router.get("/health", response_model=Health)
def health(session: SessionDep) -> Health:
    """Public liveness and database check (no data disclosed)."""
    session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    return Health(status="ok", database="ok")
