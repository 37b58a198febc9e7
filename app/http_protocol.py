"""The HTTP/1.1 protocol ``python -m app`` speaks: uvicorn's httptools protocol, with a head that must be short
and must arrive in time.

httptools parses a request for less CPU than h11 (``benchmarks/throughput.py``: /healthz 0.30 against 0.38 ms
of server CPU), but on its own it buffers a request line and headers of any size, and a client that sends
its headers a byte at a time holds the connection for as long as it likes. This protocol counts the bytes
of an unfinished head (past ``max_header_bytes``: 431) and gives the head ``header_timeout`` seconds from
the connection's start or its first byte (then 408, or a quiet close when nothing came at all). Both answers
are JSON with a ``code``, like the app's own errors, and close the connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.settings import get_settings

REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


def header_too_large_message(limit: int) -> str:
    return f"the request line and headers are longer than {limit} bytes; send fewer or shorter headers"


def header_timeout_message(seconds: float) -> str:
    return f"the request line and headers did not arrive within {seconds:g} seconds; send them at once"


class CappedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a size cap and a deadline on each request's head."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.max_head_bytes = settings.max_header_bytes
        self.head_timeout = settings.header_timeout
        self.reading_head = True  # a connection starts by waiting for a head
        self.head_bytes = 0  # bytes received since this head began: what the parser may be holding
        self.head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()  # a client that connects and sends nothing is let go too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.reading_head:
            self.head_bytes += len(data)
        super().data_received(data)
        # Checked after parsing: a head that arrives whole in one read is parsed whole (its size is then
        # bounded by the read), and the bytes of a body that came in the same read are not counted against it.
        if self.reading_head and self.head_bytes > self.max_head_bytes:
            self._refuse(431, "header_too_large", header_too_large_message(self.max_head_bytes), self.max_head_bytes)

    # Parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.head_deadline is None:  # the connection's first head is already timed from the connection's start
            self._arm_head_deadline()

    def on_headers_complete(self) -> None:
        self.reading_head = False
        self.head_bytes = 0
        self._disarm_head_deadline()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.reading_head = True  # what arrives next is the next request's head

    # The head's deadline
    def _arm_head_deadline(self) -> None:
        self._disarm_head_deadline()
        if self.head_timeout > 0:  # 0: no deadline
            self.head_deadline = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_too_slow(self) -> None:
        self.head_deadline = None
        if self.transport.is_closing() or not self.reading_head:
            return
        if self.head_bytes == 0:
            self.transport.close()  # nothing asked, so nothing to answer
            return
        self._refuse(408, "header_timeout", header_timeout_message(self.head_timeout), self.head_timeout)

    def _refuse(self, status: int, code: str, detail: str, bound: float) -> None:
        """Answer a head the app never sees, in the app's error shape, and close the connection."""
        if self.transport.is_closing():
            return
        self._disarm_head_deadline()
        params = {"seconds" if status == 408 else "limit": bound}
        body = orjson.dumps({"detail": detail, "code": code, "params": params})
        head = [b"HTTP/1.1 %d %s\r\n" % (status, REASONS[status])]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"cache-control: no-store\r\n",
            b"x-content-type-options: nosniff\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
