"""How long browsers and proxies may keep each answer (``Cache-Control``), outside static files.

* A ``GET`` answered with 200 in one piece (pages, ``/api/v1/limits``, ``/datasets``, ``/presets``, docs):
  ``no-cache`` and a weak ETag of the body, so a browser asks again each time and an unchanged answer
  comes back as an empty 304. The ETag is weak because the bytes on the wire may be gzipped.
* A ``GET`` answered in pieces (files outside /static) or with its own 304: ``no-cache``.
* Everything else (POST answers, errors): ``no-store``. A trace is computed from the request
  body, which no cache key holds.

Static files set their own (app/static_assets.py); a route that sets ``Cache-Control`` itself keeps it.
"""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.static_assets import STATIC_URL

NO_STORE = b"no-store"
REVALIDATE = b"no-cache"
_NOT_SENT_WITH_304 = frozenset({b"content-length", b"content-type"})


def weak_etag(body: bytes) -> bytes:
    return b'W/"' + hashlib.sha256(body).hexdigest()[:24].encode("ascii") + b'"'


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """Whether an ``If-None-Match`` list names ``etag``; compared weakly, as RFC 9110 asks for this header."""
    wanted = etag.removeprefix(b"W/")
    for candidate in if_none_match.split(b","):
        candidate = candidate.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == wanted:
            return True
    return False


class CacheHeadersMiddleware:
    """Adds ``Cache-Control`` (and for whole ``GET`` answers an ETag, with 304 on a match); see the module."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path == STATIC_URL or path.startswith(STATIC_URL + "/"):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET":
            await self._revalidated(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_default_cache_control(message.get("headers", []), NO_STORE)
            await send(message)

        await self.app(scope, receive, send_no_store)

    async def _revalidated(self, scope: Scope, receive: Receive, send: Send) -> None:
        if_none_match = next((value for name, value in scope["headers"] if name == b"if-none-match"), None)
        start: Message | None = None

        async def send_with_etag(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message  # held until the body shows whether the answer comes in one piece
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            held, start = start, None
            headers = list(held.get("headers", []))
            whole = held["status"] == 200 and not message.get("more_body", False)
            if not whole:
                policy = REVALIDATE if held["status"] in (200, 304) else NO_STORE  # 304: a file's own revalidation
                await send({**held, "headers": _with_default_cache_control(headers, policy)})
                await send(message)
                return
            if any(name.lower() == b"cache-control" for name, _ in headers):
                await send(held)  # the route chose its own policy
                await send(message)
                return
            etag = weak_etag(message.get("body", b""))
            headers = [*headers, (b"cache-control", REVALIDATE), (b"etag", etag)]
            if if_none_match is not None and etag_matches(if_none_match, etag):
                kept = [(name, value) for name, value in headers if name.lower() not in _NOT_SENT_WITH_304]
                if not any(name.lower() == b"vary" for name, _ in kept):
                    kept.append((b"vary", b"Accept-Encoding"))  # as the 200 it stands for would say, once gzipped
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**held, "headers": headers})
            await send(message)

        await self.app(scope, receive, send_with_etag)


def _with_default_cache_control(headers: list[tuple[bytes, bytes]], policy: bytes) -> list[tuple[bytes, bytes]]:
    if any(name.lower() == b"cache-control" for name, _ in headers):
        return list(headers)
    return [*headers, (b"cache-control", policy)]
