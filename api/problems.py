"""Errors as RFC 9457 problem details, with a Vietnamese ``detail`` an operator can read."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from studio.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)

PROBLEM_JSON = "application/problem+json"

_STATUS_FOR: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (PermissionDenied, 403),
    (InvalidTransition, 409),
    (Conflict, 409),
    (InvalidInput, 422),
]

_TITLES = {
    400: "Yêu cầu không hợp lệ",
    401: "Chưa đăng nhập",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    409: "Xung đột trạng thái",
    413: "Dữ liệu quá lớn",
    415: "Kiểu dữ liệu không được hỗ trợ",
    422: "Dữ liệu không hợp lệ",
    500: "Lỗi máy chủ",
}

# Framework messages that reach users, in the operators' language.
_DETAILS_VI = {
    "Not Found": "Không tìm thấy đường dẫn này",
    "Method Not Allowed": "Phương thức không được hỗ trợ cho đường dẫn này",
    "Not authenticated": "Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn",
    "There was an error parsing the body": "Không đọc được nội dung yêu cầu (JSON hoặc UTF-8 sai)",
}


def problem(status: int, detail: str, code: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:loa:problem:{code}",
        "title": _TITLES.get(status, "Lỗi"),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    # Only the first part says where the value came from: a field may well be named "body".
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(str(part) for part in parts)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        status = next((s for cls, s in _STATUS_FOR if isinstance(exc, cls)), 400)
        return problem(status, exc.message, exc.code)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _location(e.get("loc", ())),
                "message": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        if any(e["type"] == "json_invalid" for e in errors):
            return problem(400, "Nội dung yêu cầu không phải JSON hợp lệ", "malformed_json")
        fields = ", ".join(dict.fromkeys(e["field"] or "(nội dung)" for e in errors))
        detail = f"Dữ liệu không hợp lệ ở: {fields}"
        # Our own validators speak Vietnamese: their reasons belong in the detail.
        reasons = [
            e["message"].removeprefix("Value error, ") for e in errors if e["type"] == "value_error"
        ]
        if reasons:
            detail += ". " + "; ".join(dict.fromkeys(reasons))
        return problem(422, detail, "validation_failed", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = str(exc.detail)
        code = {
            401: "not_authenticated",
            403: "permission_denied",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
        }.get(exc.status_code, "http_error")
        return problem(exc.status_code, _DETAILS_VI.get(detail, detail), code)
