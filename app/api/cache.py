"""Finished response bodies of deterministic endpoints, kept by request body.

A trace, an expression or a descent is a pure function of its request: the same body always gives the
same bytes. Lessons send the same preset bodies again and again (every visitor of a lesson starts from
the same network), so those answers are kept, least recently used first out, up to a byte budget
(``BACKPROP_RESPONSE_CACHE_BYTES``; 0 turns the cache off). Only 200 responses are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from fastapi.routing import APIRoute

from app.api.wire import JSON

LARGEST_SHARE = 8  # one body may take at most this fraction of the budget


class ResponseCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._bodies: OrderedDict[bytes, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # handlers that run in the threadpool store too

    def get(self, key: bytes) -> bytes | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: bytes, body: bytes) -> None:
        cost = len(key) + len(body)
        if cost > self.max_bytes // LARGEST_SHARE:
            return
        with self._lock:
            if key in self._bodies:
                return
            self._bodies[key] = body
            self._size += cost
            while self._size > self.max_bytes:
                old_key, old_body = self._bodies.popitem(last=False)
                self._size -= len(old_key) + len(old_body)

    def __len__(self) -> int:
        return len(self._bodies)


def cacheable(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark an endpoint whose response is a pure function of its request body."""
    endpoint.cacheable = True  # type: ignore[attr-defined]
    return endpoint


class CachingRoute(APIRoute):
    """A route that answers a repeated body of a ``@cacheable`` endpoint from the cache.

    The lookup comes before FastAPI parses and validates the body, so a hit costs about as much as a
    trivial endpoint. Only 200 responses with a body are stored.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not getattr(self.endpoint, "cacheable", False):
            return handler

        async def answer(request: Request) -> Response:
            cache: ResponseCache = request.app.state.response_cache
            if not cache.max_bytes:
                return await handler(request)
            key = request.url.path.encode() + b"\0" + await request.body()  # Starlette keeps the body read
            body = cache.get(key)
            if body is not None:
                return Response(body, media_type=JSON)
            response = await handler(request)
            if response.status_code == 200 and not isinstance(response, StreamingResponse):
                cache.put(key, bytes(response.body))
            return response

        return answer
