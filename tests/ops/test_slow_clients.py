"""Slow and greedy clients against a real ``python -m app`` with small limits.

A body that stalls gets a JSON 408 once BACKPROP_BODY_TIMEOUT has passed; connections beyond
BACKPROP_LIMIT_CONCURRENCY get 503 at once instead of waiting; headers past BACKPROP_MAX_HEADER_BYTES get
a JSON 431 and headers slower than BACKPROP_HEADER_TIMEOUT a JSON 408 (app/http_protocol.py); idle
keep-alive connections are closed.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from tests.ops.app_process import HOST, app_process, read_response

BODY_TIMEOUT = 1.0
LIMIT_CONCURRENCY = 4
KEEP_ALIVE = 1
HEADER_BYTES = 4096
HEADER_TIMEOUT = 1.5
BODY = b'{"expression": "x*y", "variables": {"x": 2, "y": 3}}'


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    settings = {
        "BACKPROP_BODY_TIMEOUT": str(BODY_TIMEOUT),
        "BACKPROP_LIMIT_CONCURRENCY": str(LIMIT_CONCURRENCY),
        "BACKPROP_TIMEOUT_KEEP_ALIVE": str(KEEP_ALIVE),
        "BACKPROP_MAX_HEADER_BYTES": str(HEADER_BYTES),
        "BACKPROP_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
    }
    with app_process(settings) as port:
        yield port


def connect(port: int) -> socket.socket:
    return socket.create_connection((HOST, port), timeout=5)


def post_head(length: int | None = None, chunked: bool = False) -> bytes:
    framing = b"Transfer-Encoding: chunked\r\n" if chunked else b"Content-Length: %d\r\n" % length
    return b"POST /api/v1/expression HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" + framing + b"\r\n"


def status_of(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:200]
    return int(response.split(b" ", 2)[1])


def body_of(response: bytes) -> dict[str, object]:
    return json.loads(response.partition(b"\r\n\r\n")[2])


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_a_body_sent_in_full_is_answered(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(post_head(len(BODY)) + BODY[:10])
        time.sleep(0.3)  # slower than one packet, well within the timeout
        sock.sendall(BODY[10:])
        response = read_response(sock, 10)
    assert status_of(response) == 200
    assert body_of(response)["value"] == 6


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_stalled_body_gets_a_json_408_in_time(port: int, chunked: bool) -> None:
    with connect(port) as sock:
        start = time.monotonic()
        sock.sendall(post_head(len(BODY), chunked=chunked) + (b"5\r\n" + BODY[:5] + b"\r\n" if chunked else BODY[:5]))
        response = read_response(sock, 10)
        elapsed = time.monotonic() - start
        assert status_of(response) == 408
        assert BODY_TIMEOUT <= elapsed < BODY_TIMEOUT + 2
        body = body_of(response)
        assert body["code"] == "body_timeout" and "second" in str(body["detail"])
        assert closed_by_server(sock, 2)  # the rest of the body must not be read as a next request


def test_a_body_trickling_byte_by_byte_is_cut_off_at_the_deadline(port: int) -> None:
    with connect(port) as sock:
        start = time.monotonic()
        sock.sendall(post_head(len(BODY)))
        for byte in BODY:
            sock.sendall(bytes([byte]))
            sock.settimeout(0.2)
            try:
                response = sock.recv(65536)
            except TimeoutError:
                continue
            break
        else:
            pytest.fail("the whole body was sent before any answer")
        response += read_response(sock, 5)
    assert status_of(response) == 408
    assert time.monotonic() - start < BODY_TIMEOUT + 2


def test_beyond_limit_concurrency_new_connections_get_503_at_once(port: int) -> None:
    held = [connect(port) for _ in range(LIMIT_CONCURRENCY)]
    try:
        for sock in held:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")  # headers never finished
        time.sleep(0.2)
        with connect(port) as sock:
            start = time.monotonic()
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            response = read_response(sock, 5)
        assert status_of(response) == 503
        assert time.monotonic() - start < 2
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    with connect(port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        assert status_of(read_response(sock, 5)) == 200


def test_headers_growing_past_the_cap_are_refused(port: int) -> None:
    # The cap bounds the bytes buffered while the headers are unfinished (what a client can make the
    # server hold); headers that arrive complete in one read are parsed whole.
    with connect(port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Padding: ")
        try:
            for _ in range(4 * HEADER_BYTES // 512):
                sock.sendall(b"a" * 512)
                time.sleep(0.005)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-way: the answer is already waiting
        response = read_response(sock, 5)
        assert closed_by_server(sock, 2)
    assert status_of(response) == 431
    body = body_of(response)
    assert body["code"] == "header_too_large" and str(HEADER_BYTES) in str(body["detail"])
    assert body["params"] == {"limit": HEADER_BYTES}
    with connect(port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Padding: " + b"a" * (HEADER_BYTES // 2) + b"\r\n\r\n")
        assert status_of(read_response(sock, 5)) == 200


def test_a_long_body_after_short_headers_is_not_counted_as_headers(port: int) -> None:
    padded = BODY[:-1] + b" " * (3 * HEADER_BYTES) + b"}"
    with connect(port) as sock:
        sock.sendall(post_head(len(padded)) + padded)
        response = read_response(sock, 10)
    assert status_of(response) == 200
    assert body_of(response)["value"] == 6


def test_headers_sent_a_byte_at_a_time_get_a_json_408_at_the_deadline(port: int) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: test\r\n" + b"X-Slow: " + b"a" * 400 + b"\r\n\r\n"
    with connect(port) as sock:
        start = time.monotonic()
        sock.settimeout(0.05)
        response = b""
        for byte in head:
            try:
                sock.sendall(bytes([byte]))
                response = sock.recv(65536)
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            break
        else:
            pytest.fail("the whole head was sent a byte at a time without an answer")
        response += read_response(sock, 5)
        elapsed = time.monotonic() - start
        assert closed_by_server(sock, 2)
    assert status_of(response) == 408
    assert HEADER_TIMEOUT - 0.1 <= elapsed < HEADER_TIMEOUT + 2
    body = body_of(response)
    assert body["code"] == "header_timeout" and body["params"] == {"seconds": HEADER_TIMEOUT}


def test_headers_sent_slowly_within_the_deadline_are_answered(port: int) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"
    with connect(port) as sock:
        for piece in (head[:10], head[10:20], head[20:]):
            sock.sendall(piece)
            time.sleep(HEADER_TIMEOUT / 5)
        assert status_of(read_response(sock, 5)) == 200


def test_each_request_on_a_kept_connection_gets_its_own_deadline(port: int) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"
    with connect(port) as sock:
        time.sleep(HEADER_TIMEOUT * 0.6)
        sock.sendall(head)
        assert status_of(read_response(sock, 5)) == 200
        time.sleep(KEEP_ALIVE * 0.5)  # within keep-alive; the first head's deadline has passed by now
        sock.sendall(head[:12])
        time.sleep(HEADER_TIMEOUT * 0.6)
        sock.sendall(head[12:])
        assert status_of(read_response(sock, 5)) == 200


def test_a_connection_that_sends_nothing_is_closed_at_the_deadline_without_an_answer(port: int) -> None:
    with connect(port) as sock:
        start = time.monotonic()
        sock.settimeout(HEADER_TIMEOUT + 3)
        assert sock.recv(65536) == b""
        assert HEADER_TIMEOUT - 0.1 <= time.monotonic() - start < HEADER_TIMEOUT + 2


def test_an_idle_keep_alive_connection_is_closed(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        assert status_of(read_response(sock, 5)) == 200
        start = time.monotonic()
        assert closed_by_server(sock, KEEP_ALIVE + 3)
        assert time.monotonic() - start >= KEEP_ALIVE - 0.2


def test_requests_pipelined_in_one_write_are_answered_in_order(port: int) -> None:
    bodies = [b'{"expression": "x*y", "variables": {"x": %d, "y": 3}}' % n for n in (1, 2, 3)]
    with connect(port) as sock:
        sock.sendall(b"".join(post_head(len(body)) + body for body in bodies))
        values = []
        received = b""
        sock.settimeout(5)
        while len(values) < len(bodies):
            received += sock.recv(65536)
            while (split := _complete_response(received)) is not None:
                response, received = split
                assert status_of(response) == 200
                values.append(body_of(response)["value"])
    assert values == [3, 6, 9]


def _complete_response(data: bytes) -> tuple[bytes, bytes] | None:
    """The first whole response in ``data`` and what follows it, or None while it is incomplete."""
    head, separator, rest = data.partition(b"\r\n\r\n")
    if not separator:
        return None
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    if len(rest) < length:
        return None
    return head + separator + rest[:length], rest[length:]
