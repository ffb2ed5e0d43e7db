"""The HTTP application. Built by ``create_app(settings)``; uvicorn uses the factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI

from api import desk, problems
from api.deps import refuse_nul
from api.limits import BodySizeLimit
from api.routes import (
    areas,
    audit,
    auth,
    bulletins,
    clips,
    emergencies,
    endpoint,
    health,
    jingles,
    media,
    metrics,
    onair,
    processes,
    programmes,
    stations,
    tts,
    users,
    windows,
)
from studio.db import make_engine
from studio.settings import Settings, get_settings

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Few threads on purpose: routes are CPU-bound under one GIL, and a thread that holds
        # SQLite's write lock must not wait behind dozens of others for its turn to commit.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.api.threads
        # Everything loaded at start-up lives for the whole process: keep the collector from
        # rescanning it (full collections over it were the 50-100 ms tail at 100 requests/s),
        # and collect the young generation less often.
        gc.collect()
        gc.freeze()
        gc.set_threshold(*settings.api.gc_thresholds)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="Loa",
        summary="Bản tin truyền thanh cơ sở: soạn, duyệt, phát (tiếng Việt và tiếng Khmer)",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    problems.install(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.api.max_body_bytes,
        # Recordings and jingles are the large bodies; multipart overhead on top of the file limit.
        overrides={
            "/recording": settings.media.max_upload_bytes + 64 * 1024,
            "/jingles": settings.media.max_upload_bytes + 64 * 1024,
            "/emergencies/audio": settings.media.max_upload_bytes + 64 * 1024,
        },
    )

    v1 = APIRouter(prefix=API_PREFIX, dependencies=[Depends(refuse_nul)])
    routers = (health, auth, users, areas, stations, bulletins, clips, tts, audit)
    onair_routers = (processes, onair, endpoint, emergencies)
    for module in (*routers, windows, programmes, media, jingles, *onair_routers):
        v1.include_router(module.router)
    v1.include_router(bulletins.queue_router)
    app.include_router(v1)
    app.include_router(metrics.router)  # where Prometheus looks, outside /api/v1
    desk.install(app)  # the review desk at /desk, on the public JSON API
    return app


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory api.main:app_factory`` (used by ``loa run``).

    Background jobs do not run here (there may be several workers): ``loa run`` and
    ``loa scheduler`` run them once."""
    return create_app()
