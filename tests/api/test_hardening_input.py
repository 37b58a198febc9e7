"""Hostile request bodies: every refusal is a 4xx with a JSON message saying what to fix, never a 5xx.

- A lone surrogate (half of a UTF-16 pair, sent as the JSON escape ``\\ud800``) in any string field or key of
  any JSON endpoint is a 422 naming the field and the position, and the connection stays usable.
- A body that is not UTF-8 (UTF-16, UTF-32, or bytes that are not UTF-8 at all) is a 400 saying so.
- A JSON body sent with another content type is a 415 naming the one expected and the one received.
- Text echoed into an error, from a path or anything else, never stops the error from being written.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from copy import deepcopy
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.cache import CachingRoute
from app.api.wire import dumps
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import API, strict_json

KEY = object()  # in a field path: "a key of this object" rather than a value

# A valid body for every JSON endpoint, so that the one field a test spoils is the only problem.
TRACE = {"layers": [2, 3, 1], "activation": "tanh", "inputs": [[1, 0.5]], "targets": [[1]], "seed": 1}
VALID_BODIES: dict[str, dict[str, Any]] = {
    API + "/network/trace": TRACE,
    API + "/network/gradcheck": TRACE,
    API + "/network/export": {**TRACE, "format": "numpy"},
    API + "/network/train": {"layers": [2, 3, 1], "dataset": {"name": "xor", "n": 20}, "steps": 5},
    API + "/network/train/stream": {"layers": [2, 3, 1], "dataset": {"name": "xor", "n": 20}, "steps": 5},
    API + "/expression": {"expression": "x*y", "variables": {"x": 1, "y": 2}},
    API + "/expression/limit": {"expression": "3x", "variable": "x", "at": 1},
    API + "/expression/partial": {"expression": "x*y", "variable": "x", "at": {"x": 1, "y": 2}},
    API + "/expression/descent": {"expression": "x^2 + y^2", "start": {"x": 1, "y": 1}, "steps": 3},
    API + "/datasets/parse": {"text": "x1,x2,label\n0.5,-0.2,1\n-0.4,0.8,0"},
    "/api/v2/network/trace": {**TRACE, "known_script_id": "s1"},
    API + "/exercises/check": {"kind": "limit", "seed": 1, "lang": "en", "answers": {"limit": 3.0}},
    API + "/classroom": {"state": {"path": "/", "view": "step=1"}},
    API + "/classroom/join": {"code": "ABCDEF", "name": "Ann"},
    # A class's own routes are walked with the literal code "{code}": the body is read before the class is.
    API + "/classroom/{code}/state": {"path": "/", "view": "step=1"},
    API + "/classroom/{code}/control": {"locked": True},
    API + "/classroom/{code}/ask": {"kind": "value", "network": TRACE, "quantity": "a", "parameter": "w"},
    API + "/classroom/{code}/reveal": {"question": "q1"},
    API + "/classroom/{code}/answer": {"student_token": "t", "question": "q1", "answer": "1"},
}


# ---------------------------------------------------------------------------------------------- the schema walk
def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _sample(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """Some value of the schema's type, to stand beside a spoiled key."""
    schema = _resolve(schema, document)
    for branch in schema.get("anyOf", []):
        if _resolve(branch, document).get("type") != "null":
            return _sample(branch, document)
    return {"number": 1.0, "integer": 1, "string": "x", "array": [], "object": {}, "boolean": True}.get(
        schema.get("type", "object"), {}
    )


def string_paths(schema: dict[str, Any], document: dict[str, Any], path: tuple = ()) -> Iterator[tuple]:
    """Every place a string goes in a request: string values (enums included) and the keys of mappings."""
    schema = _resolve(schema, document)
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
        yield from string_paths(branch, document, path)
    kind = schema.get("type")
    if kind == "string" or (kind is None and isinstance(schema.get("const", schema.get("enum", [0])[0]), str)):
        yield path
    for name, child in schema.get("properties", {}).items():
        yield from string_paths(child, document, (*path, name))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield (*path, KEY, _sample(extra, document))
        yield from string_paths(extra, document, (*path, "k"))
    for index, child in enumerate(schema.get("prefixItems", [])):
        yield from string_paths(child, document, (*path, index))
    if isinstance(schema.get("items"), dict):
        yield from string_paths(schema["items"], document, (*path, 0))


def spoiled(body: dict[str, Any], path: tuple, text: str) -> Any:
    """``body`` with ``text`` at ``path`` (a value, or with KEY a key holding the sample that follows it)."""
    body = deepcopy(body)
    *parents, last = path
    if parents and parents[-1] is KEY:
        *parents, _ = parents
        last = (KEY, last)
    container: Any = body
    for step, following in zip(parents, [*parents, last][1:], strict=True):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(container, list):
            while len(container) <= step:
                container.append(deepcopy(empty))
            if not isinstance(container[step], type(empty)):
                container[step] = empty
        elif not isinstance(container.get(step), type(empty)):
            container[step] = empty
        container = container[step]
    if isinstance(last, tuple):
        container[text] = last[1]
    elif isinstance(container, list):
        container[:] = [text]
    else:
        container[last] = text
    return body


def field_name(path: tuple) -> str:
    parts = [str(p) for p in path if p is not KEY]
    if path and path[-2:-1] == (KEY,):
        parts = parts[:-1]
    return ".".join(parts)


def json_operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    operations = []
    for path, methods in document["paths"].items():
        for operation in methods.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                operations.append((path, content["application/json"]["schema"]))
    return operations


DOCUMENT = create_app(Settings()).openapi()
OPERATIONS = json_operations(DOCUMENT)
SPOILERS = [("\ud800", 0), ("ab\udc00cd", 2), ("x\udbff", 1)]  # a lone high, a lone low, a high at the end
CASES = [
    (path, fields, text, position)
    for path, schema in OPERATIONS
    for fields in dict.fromkeys(string_paths(schema, DOCUMENT))
    for text, position in SPOILERS
]


def test_the_walk_finds_every_json_endpoint_and_its_string_fields() -> None:
    assert {path for path, _ in OPERATIONS} == set(VALID_BODIES)
    found = {(path.removeprefix(API), field_name(fields)) for path, fields, _, _ in CASES}
    for expected in [
        ("/expression", "expression"),
        ("/expression", "variables"),  # a key
        ("/expression/limit", "variable"),
        ("/expression/partial", "variable"),
        ("/datasets/parse", "text"),
        ("/network/train", "dataset.name"),
        ("/network/trace", "activation.0"),
    ]:
        assert expected in found


# ---------------------------------------------------------------------------------------------- a real server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    config = uvicorn.Config(
        create_app(Settings(response_cache_bytes=0)),
        host="127.0.0.1",
        port=_free_port(),
        log_level="critical",
        access_log=False,
        lifespan="off",
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield config.host, config.port
    runner.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def connection(server: tuple[str, int]) -> Iterator[http.client.HTTPConnection]:
    connection = http.client.HTTPConnection(*server, timeout=30)
    connection.connect()
    yield connection
    connection.close()


def exchange(
    connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None, **headers: str
) -> tuple[int, dict[str, str], bytes]:
    """One request on the kept-alive connection; fails if the server closed it or had to reconnect."""
    before = connection.sock
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    assert connection.sock is before and before is not None, f"{method} {path}: the connection was dropped"
    assert (response.getheader("connection") or "").lower() != "close", f"{method} {path}: server closes"
    return response.status, {k.lower(): v for k, v in response.getheaders()}, payload


def _still_serves(connection: http.client.HTTPConnection) -> None:
    body = json.dumps(VALID_BODIES[API + "/expression"]).encode()
    status, _, payload = exchange(connection, "POST", API + "/expression", body, **{"Content-Type": "application/json"})
    assert status == 200, payload[:300]


@pytest.mark.parametrize(
    ("path", "fields", "text", "position"),
    CASES,
    ids=[f"{p.removeprefix('/api/')}:{field_name(f)}:{i % len(SPOILERS)}" for i, (p, f, _, _) in enumerate(CASES)],
)
def test_a_lone_surrogate_in_any_string_is_a_422_naming_the_field(connection, path, fields, text, position) -> None:
    body = json.dumps(spoiled(VALID_BODIES[path], fields, text)).encode()  # \\udXXX escapes
    status, headers, payload = exchange(connection, "POST", path, body, **{"Content-Type": "application/json"})
    assert status == 422, payload[:300]
    assert headers["content-type"] == "application/json"
    error = strict_json(payload)
    assert error["code"] == "invalid_unicode"
    assert "valid Unicode" in error["detail"] and f"position {position}" in error["detail"], error["detail"]
    assert field_name(fields) in error["detail"] and error["field"] == field_name(fields)
    _still_serves(connection)


def test_a_complete_surrogate_pair_is_ordinary_text(connection) -> None:
    body = b'{"text": "x1,x2,label\\n0.5,-0.2,\\ud83d\\ude00\\n"}'  # an emoji as a pair of escapes
    status, _, payload = exchange(
        connection, "POST", API + "/datasets/parse", body, **{"Content-Type": "application/json"}
    )
    assert status == 422, payload[:300]
    error = strict_json(payload)
    assert error["code"] == "csv_error" and "\N{GRINNING FACE}" in error["detail"]


# ---------------------------------------------------------------------------------------------- encodings
def _encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding)


ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("path", sorted(VALID_BODIES))
def test_a_body_in_utf16_or_utf32_is_refused(connection, path, encoding) -> None:
    body = json.dumps(VALID_BODIES[path]).encode(encoding)
    status, _, payload = exchange(connection, "POST", path, body, **{"Content-Type": "application/json"})
    assert status == 400, payload[:300]
    error = strict_json(payload)
    assert error["code"] == "not_utf8"
    assert encoding[:6].upper() in error["detail"] and "send it as UTF-8" in error["detail"], error["detail"]
    _still_serves(connection)


@pytest.mark.parametrize(
    ("raw", "offset"),
    [(b'{"expression": "x\xed\xa0\x80"}', 17), (b'{"expression": "\xff"}', 16), (b'{"expression": "\xc3"}', 16)],
)
def test_bytes_that_are_not_utf8_are_refused_with_their_offset(connection, raw, offset) -> None:
    status, _, payload = exchange(connection, "POST", API + "/expression", raw, **{"Content-Type": "application/json"})
    assert status == 400, payload[:300]
    error = strict_json(payload)
    assert error["code"] == "not_utf8" and f"byte {offset}" in error["detail"], error["detail"]


# ---------------------------------------------------------------------------------------------- content types
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "text/json"])
@pytest.mark.parametrize("path", sorted(VALID_BODIES))
def test_a_json_body_with_another_content_type_is_a_415_naming_both(connection, path, content_type) -> None:
    body = json.dumps(VALID_BODIES[path]).encode()
    status, _, payload = exchange(connection, "POST", path, body, **{"Content-Type": content_type})
    assert status == 415, payload[:300]
    error = strict_json(payload)
    assert error["code"] == "unsupported_media_type"
    assert "application/json" in error["detail"] and content_type in error["detail"], error["detail"]


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "application/x+json"])
def test_json_content_types_are_still_read(connection, content_type) -> None:
    body = json.dumps(VALID_BODIES[API + "/expression"]).encode()
    status, _, payload = exchange(connection, "POST", API + "/expression", body, **{"Content-Type": content_type})
    assert status == 200, payload[:300]


# ---------------------------------------------------------------------------------------------- both body readers
def _client(direct: bool, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    if not direct:
        monkeypatch.setattr(CachingRoute, "_direct_call", lambda self: None)
    client = TestClient(create_app(Settings(response_cache_bytes=0)))
    monkeypatch.undo()
    return client


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"expression": "3x", "variable": "\\ud800"}', "application/json"),
        (b'{"expression": "3x", "variable": "\\\\ud800"}', "application/json"),  # a backslash, then text
        (json.dumps({"expression": "3x"}).encode("utf-16"), "application/json"),
        (b'{"expression": "3x"}', "text/plain"),
    ],
)
def test_both_body_readers_refuse_alike(body, content_type, monkeypatch) -> None:
    direct, fastapi = _client(True, monkeypatch), _client(False, monkeypatch)
    headers = {"content-type": content_type}
    first = direct.post(API + "/expression/limit", content=body, headers=headers)
    second = fastapi.post(API + "/expression/limit", content=body, headers=headers)
    assert first.status_code == second.status_code and first.status_code in (400, 415, 422)
    assert first.content == second.content


def test_a_refused_body_is_not_answered_from_the_cache() -> None:
    body = json.dumps(VALID_BODIES[API + "/expression"]).encode()
    with TestClient(create_app(Settings())) as client:
        assert client.post(API + "/expression", content=body, headers={"content-type": "application/json"}).is_success
        again = client.post(API + "/expression", content=body, headers={"content-type": "text/plain"})
    assert again.status_code == 415


# ---------------------------------------------------------------------------------------------- echoed text
def test_text_that_cannot_be_encoded_is_written_escaped() -> None:
    assert strict_json(dumps({"detail": "no variable 'x\ud800'", "\udc00": ["\ud800"]})) == {
        "detail": "no variable 'x\\ud800'",
        "\\udc00": ["\\ud800"],
    }


def _call(app: FastAPI, path: str, query: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None) -> tuple:
    """A GET straight through the ASGI interface, with a path no HTTP parser would produce."""
    messages: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8", "surrogatepass"),
        "query_string": query,
        "root_path": "",
        "headers": headers or [],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    status = messages[0]["status"]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return status, body


def test_a_surrogate_echoed_into_a_json_error_is_written_escaped() -> None:
    app = create_app(Settings())

    @app.get(API + "/echo/{name}")
    async def echo(name: str) -> None:
        raise HTTPException(404, f"nothing named {name!r}")

    status, body = _call(app, API + "/echo/\ud800")
    assert status == 404
    assert "\\ud800" in strict_json(body)["detail"]


def test_a_surrogate_in_a_missing_page_path_gets_the_html_not_found_page() -> None:
    status, body = _call(create_app(Settings()), "/lessons/\ud800")
    assert status == 404
    assert "<html" in body.decode("utf-8")  # valid UTF-8, and the page rather than an error


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/lessons/%ED%A0%80", {}),
        ("/lessons/%FF?lang=%ED%A0%80", {}),
        ("/?lang=%ED%A0%80", {}),
        ("/", {"Accept-Language": "\xed\xa0\x80", "Cookie": "lang=\xed\xa0\x80"}),
        (API + "/limits", {"X-Request-ID": "\xed\xa0\x80"}),
        (API + "/no-such-thing/%ED%A0%80", {}),
    ],
)
def test_encoded_surrogates_in_the_path_query_or_headers_are_no_server_error(connection, path, headers) -> None:
    status, response_headers, payload = exchange(connection, "GET", path, **headers)
    assert status < 500, payload[:300]
    if status >= 400 and response_headers["content-type"].startswith("text/html"):
        assert "<html" in payload.decode("utf-8")
    elif status >= 400:
        assert strict_json(payload)["detail"]
    _still_serves(connection)


# ---------------------------------------------------------------------------------------------- null ⇒ diverged
# Nulls that stand for "nothing here" rather than for a number that overflowed; everything else that is null
# in a response is a non-finite number, and the response must then say diverged: true.
NOTHING_HERE = {
    "grid", "curve", "z", "grad_a", "grad_z", "health", "activation", "test", "labels", "targets", "layer",
    "neuron", "neuron_graphs", "accuracy", "train_accuracy", "test_accuracy",  # accuracies are counts: never overflow
    "speedup",  # null when the backward pass took no measurable time
    "diagnosis",  # null when a training run shows nothing to diagnose
    "omitted",  # null when a symbolic derivative is written out in full
}  # fmt: skip
EXTREMES = [0.0, 1.0, -2.5, 1e-308, -5e-324, 1e154, -1e154, 1e300, -1e300, 1.7e308, -1.7e308, 1.7976931348623157e308]
EXPRESSIONS = ["x*y", "exp(x) + y", "x^2 + y^2", "log(x) * y", "1/x + y", "sqrt(x) - y", "x*x*x*y", "tanh(x) * y"]
ONE_VARIABLE = ["3x", "exp(x)", "x^2", "log(x)", "1/x", "sqrt(x)", "x*x*x", "tanh(x)"]


def number_nulls(response: Any, request: dict[str, Any]) -> list[str]:
    """Where ``response`` holds null for a number."""
    constants = set()
    if isinstance(response, dict) and isinstance(response.get("graph"), dict):
        constants = {node["id"] for node in response["graph"]["nodes"] if node["kind"] == "constant"}
    nothing_here = set(NOTHING_HERE) | ({"test_loss"} if request.get("test_fraction") == 0 else set())
    found: list[str] = []
    stack: list[tuple[Any, str, Any]] = [(response, "", None)]
    while stack:
        value, where, parent = stack.pop()
        if isinstance(value, dict):
            stack.extend((child, f"{where}.{key}", value) for key, child in value.items())
        elif isinstance(value, list):
            stack.extend((child, f"{where}[{index}]", None) for index, child in enumerate(value))
        elif value is None:
            key = where.rsplit(".", 1)[-1]
            if parent is None:  # an element of a list
                found.append(where)
            elif key == "grad" and parent.get("kind") == "constant":
                continue  # a constant has no gradient
            elif key == "contribution" and parent.get("source") in constants:
                continue  # nor does anything flow back into one
            elif key not in nothing_here:
                found.append(where)
    return found


def _stream_events(payload: bytes) -> list[dict[str, Any]]:
    events = []
    for block in payload.decode().split("\n\n"):
        data = [line[len("data: ") :] for line in block.splitlines() if line.startswith("data: ")]
        if data:
            events.append(strict_json(data[0]))
    return events


def assert_nulls_are_flagged(client: TestClient, path: str, body: dict[str, Any]) -> int:
    """POST ``body``: never a 5xx, a refusal says what to fix, and a null number comes with diverged: true."""
    response = client.post(API + path, json=body)
    assert response.status_code < 500, (path, body, response.text[:300])
    if response.status_code != 200:
        assert strict_json(response.content)["detail"], response.text[:300]
        return response.status_code
    answers = _stream_events(response.content) if path.endswith("/stream") else [strict_json(response.content)]
    for answer in answers:
        if "detail" in answer:
            continue  # a stream's error event
        nulls = number_nulls(answer, body)
        assert not nulls or answer["diverged"] is True, (path, body, nulls[:5])
    return 200


@pytest.fixture(scope="module")
def small_client() -> Iterator[TestClient]:
    settings = Settings(max_curve_samples=41, max_grid=8, max_descent_steps=20, response_cache_bytes=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


WIDE = [(-1.7e308, 1.7e308), (-1.7976931348623157e308, 1.7976931348623157e308), (-1e308, 1e308)]


@pytest.mark.parametrize("span", WIDE)
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/expression/limit", {"expression": "3x", "variable": "x", "samples": 11}, "range"),
        ("/expression/partial", {"expression": "x*y", "variable": "x", "at": {"x": 1, "y": 2}, "samples": 11}, "range"),
        ("/expression/descent", {"expression": "x^2 + y^2", "start": {"x": 1, "y": 1}, "steps": 5, "resolution": 4}, "x_range"),
        ("/expression/descent", {"expression": "x^2 + y^2", "start": {"x": 1, "y": 1}, "steps": 5, "resolution": 4}, "y_range"),
        ("/expression/descent", {"expression": "x^2", "start": {"x": 1}, "steps": 5, "resolution": 4}, "x_range"),
        ("/network/train", {"layers": [2, 2, 1], "dataset": {"name": "xor", "n": 8}, "steps": 1}, "grid.x_range"),
        ("/network/train", {"layers": [2, 2, 1], "dataset": {"name": "xor", "n": 8}, "steps": 1}, "grid.y_range"),
        ("/network/train", {"layers": [1, 2, 1], "dataset": {"name": "sine", "n": 8}, "steps": 1}, "grid.x_range"),
        ("/network/train/stream", {"layers": [2, 2, 1], "dataset": {"name": "xor", "n": 8}, "steps": 1},
         "grid.x_range"),
    ],
)  # fmt: skip
def test_a_range_wider_than_a_float_is_refused_naming_the_field(small_client, path, body, field, span) -> None:
    body = deepcopy(body)
    container, name = (body.setdefault("grid", {"resolution": 4}), field[5:]) if "." in field else (body, field)
    container[name] = list(span)
    response = small_client.post(API + path, json=body)
    assert response.status_code == 422, response.text[:300]
    error = strict_json(response.content)
    assert error["field"] == field and field in error["detail"] and "narrower" in error["detail"], error["detail"]


def test_points_spread_wider_than_a_float_need_a_grid_range(small_client) -> None:
    dataset = {"points": [[-1.7e308, 0.0], [1.7e308, 1.0]], "labels": [0, 1]}
    response = small_client.post(API + "/network/train", json={"layers": [2, 2, 1], "dataset": dataset, "steps": 1})
    assert response.status_code == 422, response.text[:300]
    error = strict_json(response.content)
    assert error["field"] == "grid.x_range" and "grid.x_range" in error["detail"], error["detail"]


def test_a_trace_whose_pre_activations_overflow_is_diverged(small_client) -> None:
    body = {"layers": [2, 1], "weights": [[[1e308, 1e308]]], "inputs": [[10, 10]], "targets": [[1]]}
    answer = strict_json(small_client.post(API + "/network/trace", json=body).content)
    assert answer["layers"][1]["z"] == [[None]]
    assert answer["diverged"] is True


numbers = st.sampled_from(EXTREMES)
coordinates = st.sampled_from([0.0, 1.0, -2.5, 1e-308, 1e154, -1e154, 1e300])  # points a grid can still span
spans = st.tuples(numbers, numbers).filter(lambda pair: pair[0] < pair[1]).map(list)
SWEEP = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@SWEEP
@given(expression=st.sampled_from(EXPRESSIONS), x=numbers, y=numbers)
def test_sweep_expression(small_client, expression, x, y) -> None:
    assert_nulls_are_flagged(small_client, "/expression", {"expression": expression, "variables": {"x": x, "y": y}})


@SWEEP
@given(
    expression=st.sampled_from(ONE_VARIABLE),
    at=numbers,
    deltas=st.lists(numbers.filter(bool), min_size=1, max_size=4),
    span=st.none() | spans,
)
def test_sweep_limit(small_client, expression, at, deltas, span) -> None:
    body = {"expression": expression, "variable": "x", "at": at, "deltas": deltas, "range": span, "samples": 11}
    assert_nulls_are_flagged(small_client, "/expression/limit", body)


@SWEEP
@given(expression=st.sampled_from(EXPRESSIONS), x=numbers, y=numbers, span=st.none() | spans)
def test_sweep_partial(small_client, expression, x, y, span) -> None:
    body = {"expression": expression, "variable": "x", "at": {"x": x, "y": y}, "range": span, "samples": 11}
    assert_nulls_are_flagged(small_client, "/expression/partial", body)


@SWEEP
@given(
    expression=st.sampled_from(EXPRESSIONS + ONE_VARIABLE),
    x=numbers,
    y=numbers,
    rate=st.sampled_from([0.0, 0.1, 1e10, 1e308]),
    x_range=st.none() | spans,
    y_range=st.none() | spans,
)
def test_sweep_descent(small_client, expression, x, y, rate, x_range, y_range) -> None:
    body = {
        "expression": expression,
        "start": {"x": x, "y": y},
        "learning_rate": rate,
        "steps": 5,
        "resolution": 4,
        "x_range": x_range,
        "y_range": y_range,
    }
    assert_nulls_are_flagged(small_client, "/expression/descent", body)


network = st.fixed_dictionaries(
    {
        "layers": st.just([2, 2, 1]),
        "activation": st.sampled_from(["identity", "relu", "tanh", "sigmoid", "leaky_relu"]),
        "output_activation": st.sampled_from(["identity", "sigmoid"]),
        "weights": st.tuples(numbers, numbers).map(lambda w: [[[w[0], w[1]], [w[1], w[0]]], [[w[0], w[1]]]]),
        "biases": numbers.map(lambda b: [[b, 0.0], [b]]),
    }
)


@SWEEP
@given(spec=network, inputs=st.tuples(numbers, numbers), rate=st.sampled_from([0.1, 1e300, 1.7e308]))
@pytest.mark.parametrize("path", ["/network/trace", "/network/gradcheck"])
def test_sweep_trace_and_gradcheck(small_client, path, spec, inputs, rate) -> None:
    body = {**spec, "inputs": [list(inputs), [1.0, -1.0]], "targets": [[1.0], [0.0]], "learning_rate": rate}
    assert_nulls_are_flagged(small_client, path, body)


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    spec=network,
    points=st.lists(st.tuples(coordinates, coordinates).map(list), min_size=4, max_size=4),
    rate=st.sampled_from([0.03, 1e300]),
    optimizer=st.sampled_from(["sgd", "adam"]),
    test_fraction=st.sampled_from([0.0, 0.5]),
    x_range=st.none() | spans,
    y_range=st.none() | spans,
)
@pytest.mark.parametrize("path", ["/network/train", "/network/train/stream"])
def test_sweep_training(small_client, path, spec, points, rate, optimizer, test_fraction, x_range, y_range) -> None:
    body = {
        **spec,
        "dataset": {"points": points, "labels": [0, 1, 0, 1]},
        "learning_rate": rate,
        "optimizer": optimizer,
        "steps": 4,
        "record_every": 2,
        "batch_size": 4,
        "test_fraction": test_fraction,
        "grid": {"resolution": 4, "neuron_resolution": 2, "x_range": x_range, "y_range": y_range},
        "stream_grid_every": 1,
    }
    assert_nulls_are_flagged(small_client, path, body)
