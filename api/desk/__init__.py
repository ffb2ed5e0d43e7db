"""The review desk: one page at ``/desk`` and its static files, served by the API process.

The page holds no data. Everything it shows comes from the public JSON API (``/api/v1``) with
the signed-in user's bearer token, kept in the tab's sessionStorage, so the desk doubles as
proof that the API is complete. Scripts, styles and fonts (Noto Sans with its Vietnamese
subset, Noto Sans Khmer; SIL OFL) are served from here: nothing is loaded from the internet.
A strict Content-Security-Policy allows only this origin, and no inline script or style but the
import map (by its hash).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Message, Receive, Scope, Send

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
STATIC_URL = "/desk/static"
ENTRY = "desk.js"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# Versioned URLs never change content; unversioned ones are revalidated (ETag, usually a 304).
IMMUTABLE = b"public, max-age=31536000, immutable"
FONTS_CACHE = b"public, max-age=604800"

router = APIRouter(include_in_schema=False)
_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


def content_security_policy(script_hashes: tuple[str, ...] = ()) -> str:
    """Only this origin; no inline script except the exact import map (by its hash)."""
    scripts = " ".join(("'self'", *(f"'sha256-{h}'" for h in script_hashes)))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
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


STATIC_CSP = content_security_policy().encode()  # files carry no inline script


@dataclass(frozen=True)
class Assets:
    """Every script and the style under a URL carrying its content hash. The modules import
    each other by plain relative names; the import map points those at the versioned URLs, so
    every file is cached for good and a new release is fetched at once."""

    urls: dict[str, str]  # file name -> versioned URL
    modules: tuple[str, ...]  # the scripts, entry first
    import_map: str  # the JSON inside <script type="importmap">
    csp: str


@cache
def assets() -> Assets:
    urls = {}
    for path in sorted([*STATIC.glob("*.js"), *STATIC.glob("*.css")]):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        urls[path.name] = f"{STATIC_URL}/{path.name}?v={digest}"
    modules = (ENTRY, *sorted(n for n in urls if n.endswith(".js") and n != ENTRY))
    import_map = json.dumps(
        {"imports": {f"{STATIC_URL}/{name}": urls[name] for name in modules}},
        separators=(",", ":"),
    )
    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    return Assets(urls, modules, import_map, content_security_policy((digest,)))


@router.get("/desk", response_class=HTMLResponse)
def desk_page(request: Request) -> HTMLResponse:
    found = assets()
    html = _templates.get_template("desk.html").render(api_prefix="/api/v1", assets=found)
    headers = {
        **SECURITY_HEADERS,
        "Content-Security-Policy": found.csp,
        "Cache-Control": "no-cache",
    }
    return HTMLResponse(html, headers=headers)


@router.get("/desk/")
def desk_slash() -> RedirectResponse:
    return RedirectResponse("/desk", status_code=308)


class _DeskStatic(StaticFiles):
    """Static files with the desk's security headers: versioned URLs cached for good, fonts
    (which never change under a name) for a week, anything else revalidated."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                for name, value in SECURITY_HEADERS.items():
                    headers.append((name.lower().encode(), value.encode()))
                headers.append((b"content-security-policy", STATIC_CSP))
                versioned = b"v=" in scope.get("query_string", b"")
                fonts = "/fonts/" in str(scope.get("path", ""))
                cache = IMMUTABLE if versioned else FONTS_CACHE if fonts else b"no-cache"
                headers.append((b"cache-control", cache))
                message["headers"] = headers
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    app.include_router(router)
    # Scripts and the style compress to a quarter (fonts are WOFF2, compressed already).
    files = GZipMiddleware(_DeskStatic(directory=STATIC), minimum_size=1024)
    app.mount("/desk/static", files, name="desk-static")
