"""What every request passes through: an id, an access log line, security headers and a body-size cap.

Each is a plain ASGI middleware (a class with ``__call__(scope, receive, send)``): no per-request
``Request`` objects, no task groups, just a wrapped ``send`` or ``receive``. From the outside in:

    AccessLogMiddleware       X-Request-ID in and out; one JSON line per request on "backprop.access"
    SecurityHeadersMiddleware CSP and friends on every response, including a 500 it writes itself
    GZipMiddleware            gzip for callers that accept it (not the training stream: events go out at once)
    CacheHeadersMiddleware    Cache-Control, and an ETag with 304s for whole GET answers (app/caching.py)
    CORSMiddleware            only when BACKPROP_CORS_ORIGINS is set
    RateLimitMiddleware       429 for a client address past its share of heavy API requests
    BodyTimeoutMiddleware     408 when a body does not arrive in full in time
    BodyLimitMiddleware       413 before reading a body that says it is too large, or as soon as it is
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import secrets
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import UTC, datetime

import orjson
from fastapi import FastAPI, HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.caching import CacheHeadersMiddleware
from app.settings import Settings

Headers = list[tuple[bytes, bytes]]

ACCESS_LOGGER = "backprop.access"
# Chosen with benchmarks/compression.py: level 1 brings a trace to about a quarter, within a few points of
# level 6 at a third to a fifth of the time; an answer under 1 KiB fits in one packet either way.
GZIP_LEVEL = 1
GZIP_MINIMUM_SIZE = 1024
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode()
_VALID_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being served, for any log line written while serving it."""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def _raw(headers: dict[str, str]) -> Headers:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


async def _send_json(
    send: Send, status: int, body: dict[str, object], headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    payload = orjson.dumps(body)
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


# ---------------------------------------------------------------------------------------------- request ids and logs
def accepted_request_id(value: bytes | None) -> str:
    """The caller's id when it is short and plain (≤ 64 of ``A-Z a-z 0-9 . _ -``), else a fresh one.

    Anything else is replaced rather than echoed, so the header cannot carry markup or split log lines.
    """
    if value is not None and _VALID_REQUEST_ID.fullmatch(value):
        return value.decode("ascii")
    return secrets.token_hex(16)


class AccessLogMiddleware:
    """Gives each request an id (kept in ``scope["state"]["request_id"]`` and :data:`request_id_var`),
    returns it as ``X-Request-ID`` and writes one JSON line when the request ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.logger = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = accepted_request_id(_header(scope, _REQUEST_ID_KEY))
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        id_header = (_REQUEST_ID_KEY, request_id.encode("ascii"))
        status = 500  # what the server reports if the app fails before it answers
        sent = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
            if self.logger.isEnabledFor(logging.INFO):
                self.logger.info(access_line(scope, status, (time.perf_counter() - start) * 1000, request_id, sent))


def access_line(scope: Scope, status: int, duration_ms: float, request_id: str, sent: int) -> str:
    """One request as a line of JSON. The query string is left out: it may hold a whole network's state."""
    client = scope.get("client")
    record = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": round(duration_ms, 2),
        "request_id": request_id,
        "client": client[0] if client else None,
        "bytes": sent,
    }
    try:
        return orjson.dumps(record).decode()
    except orjson.JSONEncodeError:  # a path holding a lone surrogate, which no UTF-8 can write: log it escaped
        record["path"] = scope["path"].encode("utf-8", "backslashreplace").decode("utf-8")
        return orjson.dumps(record).decode()


class _StdoutHandler(logging.StreamHandler):
    """Writes to the current ``sys.stdout``, so output that is redirected after start-up still arrives."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def configure_logging(level: str) -> None:
    """Send the app's "backprop.*" loggers, one message a line, to stdout at ``level``. Safe to call again."""
    logger = logging.getLogger("backprop")
    logger.setLevel(level.upper())
    if not any(isinstance(handler, _StdoutHandler) for handler in logger.handlers):
        handler = _StdoutHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


# ---------------------------------------------------------------------------------------------- security headers
class SecurityHeadersMiddleware:
    """Adds :data:`SECURITY_HEADERS` to every response, keeping any of them a route has set itself.

    Starlette answers an unhandled exception from its outermost layer, outside every middleware added to
    the app, so that 500 would go out bare. This layer answers it first, as JSON with the headers, and
    re-raises so the server still logs the traceback.
    """

    def __init__(self, app: ASGIApp, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = _raw(headers or SECURITY_HEADERS)
        self.names = frozenset(name for name, _ in self.headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = message.get("headers", ())
                present = {name.lower() for name, _ in headers} & self.names
                if _frames_allowed(headers):
                    present.add(b"x-frame-options")  # an embed: its CSP names who may frame it, DENY would veto that
                message["headers"] = [*headers, *(pair for pair in self.headers if pair[0] not in present)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                await _send_json(send_with_headers, 500, {"detail": "Internal server error", "code": "internal_error"})
            raise


def _frames_allowed(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether a route set its own CSP letting some origin frame it (an embed)."""
    for name, value in headers:
        if name.lower() == b"content-security-policy":
            return b"frame-ancestors" in value and b"frame-ancestors 'none'" not in value
    return False


def frame_policy(origins: list[str]) -> str:
    """The CSP of a page that ``origins`` may show in a frame (none: no one, as every other page)."""
    allowed = " ".join(origins) if origins else "'none'"
    return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {allowed}")


# ---------------------------------------------------------------------------------------------- body size
class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes the cap, so whatever is reading it stops."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=body_too_large_message(limit))


def body_too_large_message(limit: int) -> str:
    return f"the request body is larger than {limit} bytes; send a smaller one"


class BodyLimitMiddleware:
    """Refuses request bodies over ``max_bytes`` with 413 and a JSON ``detail``.

    A declared ``Content-Length`` over the cap is refused before the app runs. A body without one (chunked)
    is counted as it arrives; once it passes the cap, reading it raises :class:`BodyTooLarge` and whatever
    the app then answers is replaced by the same 413.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body = {
            "detail": body_too_large_message(max_bytes),
            "code": "body_too_large",
            "params": {"limit": max_bytes},
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is None:
            if _header(scope, b"transfer-encoding") is None:
                await self.app(scope, receive, send)  # HTTP/1.1: no length and no chunks means no body
            else:
                await self._counted(scope, receive, send)
            return
        if not declared.isdigit():
            await _send_json(send, 400, {"detail": "Content-Length must be a whole number", "code": "bad_length"})
        elif int(declared) > self.max_bytes:
            await _send_json(send, 413, self.body, [(b"connection", b"close")])
        else:
            await self.app(scope, receive, send)  # the server delivers no more than the declared length

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        exceeded = started = False

        async def receive_counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def send_unless_exceeded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if exceeded and not started:
                    started = True
                    await _send_json(send, 413, self.body, [(b"connection", b"close")])
                    return
                started = True
            if exceeded:
                return  # the app's own answer to the aborted read is replaced by the 413 above
            await send(message)

        try:
            await self.app(scope, receive_counted, send_unless_exceeded)
        except BodyTooLarge:
            if started:
                raise
            await _send_json(send, 413, self.body, [(b"connection", b"close")])


# ---------------------------------------------------------------------------------------------- body time
def _has_body(scope: Scope) -> bool:
    declared = _header(scope, b"content-length")
    if declared is not None:
        return declared != b"0"
    return _header(scope, b"transfer-encoding") is not None


class BodyReadTimeout(HTTPException):
    """Raised from ``receive`` once the body is late, so whatever is reading it stops."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, detail=body_timeout_message(seconds))


def body_timeout_message(seconds: float) -> str:
    return f"the request body did not arrive in full within {seconds:g} seconds; send it again, at once"


class BodyTimeoutMiddleware:
    """Answers 408 (JSON, ``Connection: close``) when a request body is not complete ``seconds`` after the
    app starts reading it.

    The deadline is for the whole body, not each chunk, so a client trickling a byte at a time is cut
    off too. Once the body is in, ``receive`` is left alone: the training stream waits on it for the
    caller's disconnect for as long as the run lasts.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        self.body = {
            "detail": body_timeout_message(seconds),
            "code": "body_timeout",
            "params": {"seconds": seconds},
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        # asyncio's own timeout: the server runs the app on asyncio, and anyio's cancel scope costs a small
        # trace's body read three times as much.
        deadline = asyncio.get_running_loop().time() + self.seconds
        complete = timed_out = started = False

        async def receive_in_time() -> Message:
            nonlocal complete, timed_out
            if complete:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                timed_out = True
                raise BodyReadTimeout(self.seconds) from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def send_unless_timed_out(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if timed_out and not started:
                    started = True
                    await _send_json(send, 408, self.body, [(b"connection", b"close")])
                    return
                started = True
            if timed_out:
                return  # the app's own answer to the aborted read is replaced by the 408 above
            await send(message)

        try:
            await self.app(scope, receive_in_time, send_unless_timed_out)
        except BodyReadTimeout:
            if started:
                raise
            await _send_json(send, 408, self.body, [(b"connection", b"close")])


# ---------------------------------------------------------------------------------------------- rate limit
CLASSROOM_PATH = "/api/v1/classroom"


def is_heavy(scope: Scope) -> bool:
    """The requests that compute: every POST to the API. Pages, static files and GETs are not counted, nor a
    live class's actions and answers (a whole class behind one NAT; the classroom caps its own)."""
    path = scope["path"]
    return scope["method"] == "POST" and path.startswith("/api/") and not path.startswith(CLASSROOM_PATH)


class TokenBuckets:
    """One token bucket per key: ``per_minute`` tokens, refilled evenly, a full minute's worth at most.

    Only the ``max_keys`` most recently seen keys are kept (least recently seen dropped first), so a
    stream of new addresses cannot grow memory; a dropped key starts again with a full bucket.
    """

    def __init__(self, per_minute: int, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.per_second = per_minute / 60
        self.max_keys = max_keys
        self.clock = clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, when counted)

    def take(self, key: str) -> float:
        """Take a token for ``key``: 0.0 if there was one, else the seconds until there will be."""
        now = self.clock()
        tokens, then = self.buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.per_second)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.per_second
        self.buckets[key] = (tokens, now)
        if len(self.buckets) > self.max_keys:
            self.buckets.popitem(last=False)
        return wait


def rate_limited_message(per_minute: int, retry_after: int) -> str:
    return (
        f"too many requests from your address: at most {per_minute} a minute are computed; try again in {retry_after} s"
    )


class RateLimitMiddleware:
    """Refuses a client's heavy requests (:func:`is_heavy`) past ``per_minute`` with 429, ``Retry-After``
    and a JSON ``detail``.

    The client is ``scope["client"]``: the peer address, or the ``X-Forwarded-For`` address when uvicorn
    trusts the peer (``forwarded_allow_ips``), since uvicorn's proxy-headers layer runs before the app.
    Buckets live in this process: with several workers each keeps its own.
    """

    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app = app
        self.per_minute = per_minute
        self.buckets = TokenBuckets(per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_heavy(scope):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.buckets.take(client[0] if client else "")
        if not wait:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        body = {
            "detail": rate_limited_message(self.per_minute, retry_after),
            "code": "rate_limited",
            "params": {"limit": self.per_minute, "retry_after": retry_after},
        }
        await _send_json(send, 429, body, [(b"retry-after", str(retry_after).encode())])


# ---------------------------------------------------------------------------------------------- wiring
def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Wire every layer above into ``app`` (the last added runs first) and set up logging."""
    configure_logging(settings.log_level)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.body_timeout > 0:
        app.add_middleware(BodyTimeoutMiddleware, seconds=settings.body_timeout)
    if settings.rate_limit_per_minute > 0:
        app.add_middleware(RateLimitMiddleware, per_minute=settings.rate_limit_per_minute)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER],
            max_age=600,
        )
    app.add_middleware(CacheHeadersMiddleware)  # inside gzip: ETags and 304s are decided on the plain body
    # Not text/event-stream (GZipMiddleware's default exclusions): each training event goes out as it is made.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=GZIP_LEVEL)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(AccessLogMiddleware)
