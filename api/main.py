"""The HTTP application. Built by ``create_app(settings)``; uvicorn uses the factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api import problems
from api.limits import BodySizeLimit
from api.routes import areas, audit, auth, bulletins, health, stations, users
from studio.db import make_engine
from studio.jobs import JobRunner
from studio.settings import Settings, get_settings

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, run_jobs: bool = False) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner = JobRunner(engine) if run_jobs else None
        if runner is not None:
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                runner.shutdown()
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
    app.add_middleware(BodySizeLimit, max_bytes=settings.api.max_body_bytes)

    v1 = APIRouter(prefix=API_PREFIX)
    for module in (health, auth, users, areas, stations, bulletins, audit):
        v1.include_router(module.router)
    v1.include_router(bulletins.queue_router)
    app.include_router(v1)
    return app


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory api.main:app_factory`` (used by ``loa run``)."""
    return create_app(run_jobs=True)
