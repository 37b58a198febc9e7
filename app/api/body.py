"""What a JSON request body must be before it is read: sent as JSON, encoded as UTF-8, and valid Unicode.

FastAPI would read a UTF-16 body (``json.loads`` guesses the encoding), turn a JSON body sent as
``text/plain`` into "Input should be a valid dictionary", and accept the escape ``\\ud800``: half of a
UTF-16 surrogate pair, a string Python holds but no UTF-8 can write, so any message that echoed it
failed to encode. These checks run first on every route with a JSON body, whichever way it is then
read (:class:`JsonBodyRoute`, and :class:`app.api.cache.CachingRoute` built on it), so both ways
refuse alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from app.api.wire import ApiError

Handler = Callable[[Request], Coroutine[Any, Any, Response]]

EXPECTED = "application/json"
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]", re.ASCII)  # paired or not; cheap to look for
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # after decoding, a pair is one code point: any left is lone
SHOWN_CONTENT_TYPE = 100  # characters of a received Content-Type quoted back


def is_json_content_type(content_type: str | None) -> bool:
    """FastAPI's rule: no content type, or application/json, or any ``+json`` type, is read as JSON."""
    if not content_type:
        return True
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == EXPECTED or (media_type.startswith("application/") and media_type.endswith("+json"))


def check_json_body(content_type: str | None, body: bytes) -> None:
    """Refuse a non-empty body that is not sent as JSON (415), not UTF-8 (400) or holds a lone surrogate (422)."""
    if not body:
        return  # FastAPI reports a missing body itself
    if not is_json_content_type(content_type):
        shown = (content_type or "")[:SHOWN_CONTENT_TYPE]
        raise ApiError(
            415,
            f"the body must be sent with Content-Type: {EXPECTED}; this request says '{shown}'",
            code="unsupported_media_type",
            params={"expected": EXPECTED, "received": shown},
        )
    _check_utf8(body)
    if b"\\" in body and SURROGATE_ESCAPE.search(body):  # memchr first: most bodies hold no escape
        _check_surrogates(body)


def _check_utf8(body: bytes) -> None:
    encoding = json.detect_encoding(body)
    if encoding.startswith(("utf-16", "utf-32")):
        name = encoding.upper().replace("-BE", " big-endian").replace("-LE", " little-endian")
        raise ApiError(
            400,
            f"the body is {name} encoded; send it as UTF-8 encoded JSON",
            code="not_utf8",
            params={"encoding": name},
        )
    if body.isascii():
        return
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(
            400,
            f"the body is not valid UTF-8 (byte {error.start} cannot start or continue a character); "
            "send it as UTF-8 encoded JSON",
            code="not_utf8",
            params={"byte": error.start},
        ) from None


def _check_surrogates(body: bytes) -> None:
    try:
        data = json.loads(body)
    except ValueError:
        return  # not JSON: the reader says where, and the surrogate never reaches a handler
    found = _first_lone_surrogate(data, ())
    if found is None:
        return
    path, is_key, position = found
    field = ".".join(str(part) for part in path) or "body"
    where = f"a key of {field}" if is_key else field
    raise ApiError(
        422,
        f"{where} must be valid Unicode: lone surrogate at position {position} (half of a UTF-16 pair); "
        "send the character itself or both halves of its pair",
        code="invalid_unicode",
        field=field,
        params={"position": position},
    )


def _first_lone_surrogate(data: Any, path: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], bool, int] | None:
    """(where, whether in a key, index in the string) of the first lone surrogate in decoded JSON."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            match = LONE_SURROGATE.search(value)
            if match:
                return where, False, match.start()
        elif isinstance(value, dict):
            for key in value:
                match = LONE_SURROGATE.search(key)
                if match:
                    return where, True, match.start()
            stack.extend((child, (*where, key)) for key, child in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((child, (*where, index)) for index, child in reversed(list(enumerate(value))))
    return None


class JsonBodyRoute(APIRoute):
    """A route whose JSON body passes :func:`check_json_body` before FastAPI reads it."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        return handler if self.body_field is None else self.body_handler(handler)

    def body_handler(self, handler: Handler) -> Handler:
        """``handler`` (FastAPI's) behind the checks; subclasses read the body another way too."""

        async def checked(request: Request) -> Response:
            check_json_body(request.headers.get("content-type"), await request.body())
            return await handler(request)

        return checked
