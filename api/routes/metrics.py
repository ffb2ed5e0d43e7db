"""``GET /metrics``: Prometheus text format, outside /api/v1 where scrapers look for it.

Computed from the database at every scrape (`studio.metrics`), so any API worker answers the
same. Scrapers authenticate with the deployment's events token as a bearer token (Prometheus:
``authorization: {type: Bearer, credentials_file: …}`` holding ``events_token`` from
var/onair/secrets.json); an admin's sign-in works too. Anyone else: 401 or 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import SessionDep, SettingsDep, unauthenticated
from api.routes.onair import ClockDep, events_bearer, events_token_matches
from studio import metrics
from studio.models import User
from studio.security import STATION_TOKEN_PREFIX, decode_access_token
from studio.types import Role

router = APIRouter(tags=["on air"])

ADMINS_ONLY = "Số liệu giám sát chỉ dành cho quản trị viên hoặc hệ thống giám sát (mã sự kiện)"


def require_scraper(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(events_bearer)],
) -> None:
    if credentials is None:
        raise unauthenticated()
    token = credentials.credentials
    if events_token_matches(settings, token):
        return
    if token.startswith(STATION_TOKEN_PREFIX):
        raise HTTPException(403, ADMINS_ONLY)
    claims = decode_access_token(token, settings.secret_key.get_secret_value())
    user = session.get(User, claims.user_id) if claims is not None else None
    session.commit()
    if user is None or not user.is_active:
        raise unauthenticated()
    if user.role is not Role.admin:
        raise HTTPException(403, ADMINS_ONLY)


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(require_scraper)],
    responses={200: {"content": {"text/plain": {}}}},
)
def prometheus_metrics(session: SessionDep, settings: SettingsDep, now: ClockDep) -> Response:
    """Items aired and late, on-air error histogram, dead air, emergencies, endpoints online,
    process restarts."""
    body = metrics.render(session, settings, now)
    session.commit()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
