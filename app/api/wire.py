"""How data travels: strict JSON, fast, with non-finite numbers as null.

orjson writes NaN and ±Infinity as ``null`` (never as the invalid tokens ``NaN``/``Infinity``), so an
overflowing computation still produces valid JSON; responses that can overflow carry a ``diverged``
flag saying so. Handlers return bytes through :func:`json_response`, which skips FastAPI's slow
generic encoder.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

JSON = "application/json"


def dumps(data: Any) -> bytes:
    try:
        return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)
    except orjson.JSONEncodeError:
        # A lone surrogate (half of a UTF-16 pair) has no UTF-8 form. Requests holding one are refused
        # (app.api.body), but text from anywhere else, such as a path echoed into a 404, is written escaped.
        return orjson.dumps(printable(data), option=orjson.OPT_SERIALIZE_NUMPY)


def printable(data: Any) -> Any:
    """``data`` with every string (keys too) writable as UTF-8: a lone surrogate becomes the text ``\\udXXX``."""
    if isinstance(data, str):
        return data.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(data, dict):
        return {printable(key): printable(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [printable(value) for value in data]
    return data


def json_response(data: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(data), status_code=status_code, media_type=JSON, headers=headers)


class ApiError(HTTPException):
    """A 4xx whose ``detail`` tells the caller what to fix.

    ``code`` is a stable machine key (for translations); ``field`` points at the offending input.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        code: str = "invalid",
        field: str | None = None,
        params: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status_code, detail=message, headers=headers)
        self.code = code
        self.field = field
        self.params = params or {}
        self.extra = extra or {}  # more top-level fields of the body, e.g. an expression error's column


def _error_body(message: str, code: str, errors: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": message, "code": code, **extra}
    if errors is not None:
        body["errors"] = errors
    return body


async def api_error_handler(request: Request, exc: ApiError) -> Response:
    extra: dict[str, Any] = {"params": exc.params, **exc.extra}
    if exc.field:
        extra["field"] = exc.field
    return json_response(_error_body(str(exc.detail), exc.code, **extra), exc.status_code, exc.headers)


UNREADABLE_BODY = "There was an error parsing the body"  # FastAPI's words for a body it cannot decode


async def http_error_handler(request: Request, exc: StarletteHTTPException) -> Response:
    detail = str(exc.detail)
    if exc.status_code == 400 and detail == UNREADABLE_BODY:
        detail = "The body could not be read: send UTF-8 encoded JSON with Content-Type: application/json."
    return json_response(_error_body(detail, f"http_{exc.status_code}"), exc.status_code, exc.headers)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) or "body"


async def validation_error_handler(request: Request, exc: RequestValidationError) -> Response:
    """422 listing each problem as 'where: what'. The offending input is not echoed back.

    Echoing it would let a NaN sent by the client turn our own error into invalid JSON.
    """
    errors = [
        {"field": _location(tuple(err.get("loc", ()))), "message": err.get("msg", "invalid"), "type": err.get("type")}
        for err in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    if len(errors) > 5:
        summary += f"; and {len(errors) - 5} more"
    return json_response(_error_body(f"Invalid request — {summary}", "validation_error", errors), 422)
