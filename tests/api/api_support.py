"""Helpers shared by the HTTP tests: problem checks, row counts, request bodies, a recording."""

from __future__ import annotations

import io
import math
import re
import struct
import wave
from typing import Any

import httpx
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from studio.models import AuditEvent, Bulletin, Clip, Station, User

API = "/api/v1"
PROBLEM_FIELDS = ("type", "title", "status", "detail", "code")
# Letters only Vietnamese uses: a detail without any of them is not written for our operators.
_VIETNAMESE = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE
)


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> str:
    """The response is an RFC 9457 problem with this status; returns its Vietnamese detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json", response.headers
    body = response.json()
    missing = [f for f in PROBLEM_FIELDS if f not in body]
    assert not missing, body
    assert body["status"] == status
    assert body["type"] == f"urn:loa:problem:{body['code']}"
    detail = body["detail"]
    assert isinstance(detail, str)
    assert detail.strip(), body
    assert _VIETNAMESE.search(detail), f"detail is not Vietnamese: {detail!r}"
    if code is not None:
        assert body["code"] == code, body
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    return detail


def counts(engine: Engine) -> dict[str, int]:
    """Row counts of the tables a refused write must leave alone."""
    with Session(engine) as fresh:
        return {
            model.__name__: int(fresh.exec(select(func.count()).select_from(model)).one())
            for model in (Bulletin, AuditEvent, User, Station, Clip)
        }


def bulletin_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Thông báo lịch tiêm chủng",
        "body": "UBND xã thông báo lịch tiêm chủng ngày 05/12/2026 lúc 7h30.",
        "language": "vi",
        "category": "health",
        "target_station_codes": ["sa"],
    }
    body.update(overrides)
    return body


def wav_bytes(seconds: float = 1.0, rate: int = 16000) -> bytes:
    """A real mono 16-bit WAV of a 440 Hz tone: a recording the clip checks accept."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return out.getvalue()
