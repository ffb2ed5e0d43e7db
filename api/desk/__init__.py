"""The review desk: one page at ``/desk`` and its static files, served by the API process.

The page holds no data. Everything it shows comes from the public JSON API (``/api/v1``) with
the signed-in user's bearer token, kept in the tab's sessionStorage, so the desk doubles as
proof that the API is complete. Scripts, styles and fonts (Noto Sans with its Vietnamese
subset, Noto Sans Khmer; SIL OFL) are served from here: nothing is loaded from the internet.
A strict Content-Security-Policy allows only this origin, and no inline script or style.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.types import Message, Receive, Scope, Send

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
ASSETS = ("desk.css", "desk.js")

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

router = APIRouter(include_in_schema=False)
_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


@cache
def asset_versions() -> dict[str, str]:
    """Content hashes of the script and style, appended to their URLs: a browser never runs a
    new page against an old cached script."""
    return {name: hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12] for name in ASSETS}


@router.get("/desk", response_class=HTMLResponse)
def desk_page(request: Request) -> HTMLResponse:
    html = _templates.get_template("desk.html").render(
        api_prefix="/api/v1", versions=asset_versions()
    )
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    return HTMLResponse(html, headers=headers)


@router.get("/desk/")
def desk_slash() -> RedirectResponse:
    return RedirectResponse("/desk", status_code=308)


class _DeskStatic(StaticFiles):
    """Static files with the desk's security headers; fonts and versioned assets cached."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                for name, value in SECURITY_HEADERS.items():
                    headers.append((name.lower().encode(), value.encode()))
                headers.append((b"cache-control", b"public, max-age=86400"))
                message["headers"] = headers
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/desk/static", _DeskStatic(directory=STATIC), name="desk-static")
