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
from pydantic import BaseModel, ValidationError

from app.api.body import Handler, JsonBodyRoute, check_json_body
from app.api.dependencies import settings_of
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


class CachingRoute(JsonBodyRoute):
    """A JSON POST route with two shortcuts, for endpoints that take one body model (and the settings)
    and return a :class:`Response`:

    - A repeated body of a ``@cacheable`` endpoint is answered from the cache before the body is parsed,
      so a hit costs about as much as a trivial endpoint. Only 200 responses with a body are stored.
    - A new body is parsed and validated in one step by pydantic (``model_validate_json``), instead of
      ``json.loads``, then validation, then dependency solving: a quarter of a small trace's time.
      Whenever that does not succeed at once (a body that is not JSON or fails validation), FastAPI's
      own handler takes the request, so every error reads exactly as FastAPI words it.

    Both come after the checks every JSON body passes (:func:`app.api.body.check_json_body`).
    """

    def body_handler(self, handler: Handler) -> Handler:
        direct = self._direct_call()
        cacheable_endpoint = getattr(self.endpoint, "cacheable", False)
        if direct is None and not cacheable_endpoint:
            return super().body_handler(handler)

        async def answer(request: Request) -> Response:
            cache: ResponseCache = request.app.state.response_cache
            use_cache = cacheable_endpoint and cache.max_bytes > 0
            body = await request.body()  # Starlette keeps the body read, for FastAPI's handler too
            # before the cache: a body sent as text/plain is refused even when the same bytes were answered
            check_json_body(request.headers.get("content-type"), body)
            if use_cache:
                key = request.scope["path"].encode() + b"\0" + body
                cached = cache.get(key)
                if cached is not None:
                    return Response(cached, media_type=JSON)
            response = None
            if direct is not None and body:
                response = await direct(request, body)
            if response is None:
                response = await handler(request)
            if use_cache and response.status_code == 200 and not isinstance(response, StreamingResponse):
                cache.put(key, bytes(response.body))
            return response

        return answer

    def _direct_call(self) -> Callable[[Request, bytes], Coroutine[Any, Any, Response | None]] | None:
        """The endpoint called with its body model validated straight from the bytes, when its only
        parameters are one body model, the settings and perhaps the request; ``None`` for any other signature."""
        dependant = self.dependant
        if (
            len(dependant.body_params) != 1
            or dependant.path_params
            or dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
            or any(dep.call is not settings_of for dep in dependant.dependencies)
            or dependant.response_param_name
            or dependant.background_tasks_param_name
        ):
            return None
        body_field = dependant.body_params[0]
        model = body_field.field_info.annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        body_name = body_field.name
        settings_names = [dep.name for dep in dependant.dependencies]
        request_names = [dependant.request_param_name] if dependant.request_param_name else []
        endpoint = self.endpoint

        async def call(request: Request, body: bytes) -> Response | None:
            try:
                parsed = model.model_validate_json(body)
            except ValidationError:
                return None  # FastAPI's handler parses it again and words the errors
            settings = request.app.state.settings
            result = await endpoint(
                **{body_name: parsed},
                **{name: settings for name in settings_names},
                **{name: request for name in request_names},
            )
            if not isinstance(result, Response):
                raise TypeError(f"{endpoint.__name__} must return a Response to use {type(self).__name__}")
            return result

        return call
