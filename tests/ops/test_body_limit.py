"""Bodies over BACKPROP_MAX_BODY_BYTES are refused with a JSON 413, declared or streamed."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from app.middleware import BodyLimitMiddleware
from tests.ops.conftest import SMALL_BODY

TRACE = "/api/v1/network/trace"


def assert_too_large(status: int, body: bytes) -> None:
    assert status == 413
    detail = json.loads(body)
    assert detail["code"] == "body_too_large"
    assert detail["params"] == {"limit": SMALL_BODY}
    assert str(SMALL_BODY) in detail["detail"]


def test_declared_length_over_the_cap_is_refused(client: TestClient) -> None:
    response = client.post(TRACE, content=b" " * (SMALL_BODY + 1), headers={"content-type": "application/json"})
    assert_too_large(response.status_code, response.content)
    assert response.headers["content-type"] == "application/json"


def test_a_body_at_the_cap_is_read(client: TestClient) -> None:
    body = json.dumps({"layers": [2, 3, 1], "inputs": [[0.5, -1.0]], "targets": [[1.0]]}).encode()
    response = client.post(TRACE, content=body.ljust(SMALL_BODY), headers={"content-type": "application/json"})
    assert response.status_code == 200


def test_a_chunked_body_over_the_cap_is_refused(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(4):
            yield b" " * (SMALL_BODY // 2)

    response = client.post(TRACE, content=chunks(), headers={"content-type": "application/json"})
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert_too_large(response.status_code, response.content)


def test_a_malformed_content_length_is_a_400() -> None:
    sent: list[Message] = []

    async def never_called(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app must not run")

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-length", b"12abc")]}
    asyncio.run(BodyLimitMiddleware(never_called, max_bytes=10)(scope, receive, send))
    assert sent[0]["status"] == 400
    assert json.loads(sent[1]["body"])["code"] == "bad_length"


def _raw_exchange(address: tuple[str, int], head: bytes, chunks: list[bytes]) -> bytes:
    """Send a request over a plain socket and read the answer; the server may answer and close early."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(head)
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        received = b""
        try:
            while data := sock.recv(65536):
                received += data
                if b"\r\n\r\n" in received and received.endswith(b"}"):
                    break
        except ConnectionResetError:
            pass
    return received


def _split(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_real_server_refuses_big_bodies(served: tuple[str, int], declared: bool) -> None:
    payload = b" " * (3 * SMALL_BODY)
    host = served[0]
    head = f"POST {TRACE} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    if declared:
        head += f"Content-Length: {len(payload)}\r\n\r\n"
        chunks = [payload]
    else:
        head += "Transfer-Encoding: chunked\r\n\r\n"
        part = payload[:1024]
        chunks = [b"%x\r\n%s\r\n" % (len(part), part)] * (len(payload) // 1024) + [b"0\r\n\r\n"]
    status, headers, body = _split(_raw_exchange(served, head.encode(), chunks))
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert "x-request-id" in headers
    assert_too_large(status, body)
