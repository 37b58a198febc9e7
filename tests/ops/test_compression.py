"""Gzip on the wire and Cache-Control on every answer, against a real uvicorn (tests/ops/conftest.py `served`)."""

from __future__ import annotations

import gzip
import http.client
import json
import time

import httpx
from fastapi.testclient import TestClient

from tests.ops.conftest import SMALL_BODY

WIDE_TRACE = {
    "layers": [4, 16, 16, 2],
    "activation": "tanh",
    "output_activation": "identity",
    "loss": "mse",
    "inputs": [[0.1, -0.2, 0.3, -0.4]],
    "targets": [[0.5, -0.5]],
    "learning_rate": 0.1,
    "seed": 1,
    "include_neuron_graphs": True,
}
STREAMED_RUN = {
    "layers": [2, 8, 8, 1],
    "activation": "tanh",
    "output_activation": "sigmoid",
    "loss": "bce",
    "dataset": {"name": "xor", "n": 200, "noise": 0.05, "seed": 1},
    "optimizer": "adam",
    "learning_rate": 0.03,
    "batch_size": 10,
    "steps": 20_000,
    "record_every": 100,
    "seed": 1,
    "grid": {"resolution": 2, "neuron_resolution": 0},
}


def fetch(
    served: tuple[str, int], method: str, path: str, body: dict | None = None, headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    """One request with exactly these headers (http.client adds no Accept-Encoding); the raw body bytes."""
    connection = http.client.HTTPConnection(*served, timeout=60)
    sent = dict(headers or {})
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    connection.request(method, path, payload, sent)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    return response, raw


def vary(response: http.client.HTTPResponse) -> set[str]:
    return {part.strip().lower() for part in (response.getheader("Vary") or "").split(",") if part.strip()}


def test_a_big_json_answer_is_gzipped_for_callers_that_accept_it(served: tuple[str, int]) -> None:
    zipped, compressed = fetch(served, "POST", "/api/v1/network/trace", WIDE_TRACE, {"Accept-Encoding": "gzip"})
    plain_response, plain = fetch(served, "POST", "/api/v1/network/trace", WIDE_TRACE)
    assert zipped.status == plain_response.status == 200
    assert zipped.getheader("Content-Encoding") == "gzip"
    assert plain_response.getheader("Content-Encoding") is None
    assert gzip.decompress(compressed) == plain
    assert len(compressed) < len(plain) / 3, (len(compressed), len(plain))
    assert "accept-encoding" in vary(zipped) and "accept-encoding" in vary(plain_response)
    # the layers outside and inside compression still speak
    assert zipped.getheader("X-Request-ID")
    assert zipped.getheader("Content-Security-Policy")
    assert zipped.getheader("Cache-Control") == "no-store"


def test_a_script_is_gzipped_and_decompresses_to_the_file(served: tuple[str, int]) -> None:
    path = "/static/js/player/diagram.js"
    zipped, compressed = fetch(served, "GET", path, headers={"Accept-Encoding": "gzip, deflate, br"})
    plain_response, plain = fetch(served, "GET", path)
    assert zipped.getheader("Content-Encoding") == "gzip"
    assert plain_response.getheader("Content-Encoding") is None
    assert "javascript" in zipped.getheader("Content-Type")
    assert gzip.decompress(compressed) == plain
    assert len(compressed) < len(plain) / 2
    assert "accept-encoding" in vary(zipped)


def test_nothing_is_compressed_without_accept_encoding(served: tuple[str, int]) -> None:
    for method, path, body in [
        ("POST", "/api/v1/network/trace", WIDE_TRACE),
        ("GET", "/", None),
        ("GET", "/api/v1/presets", None),
    ]:
        response, raw = fetch(served, method, path, body)
        assert response.status == 200, path
        assert response.getheader("Content-Encoding") is None, path
        assert raw[:2] != b"\x1f\x8b", path  # no gzip magic number


def test_small_answers_stay_plain(served: tuple[str, int]) -> None:
    response, raw = fetch(served, "GET", "/healthz", headers={"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") is None
    assert json.loads(raw)


def test_the_body_cap_still_answers_413_to_a_gzip_caller(served: tuple[str, int]) -> None:
    connection = http.client.HTTPConnection(*served, timeout=30)
    connection.request(
        "POST",
        "/api/v1/network/trace",
        b"x" * (SMALL_BODY + 1),
        {"Content-Type": "application/json", "Accept-Encoding": "gzip"},
    )
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 413
    assert json.loads(body)["code"] == "body_too_large"
    assert response.getheader("X-Request-ID") and response.getheader("Content-Security-Policy")


def test_training_events_arrive_one_by_one_to_a_gzip_caller(served: tuple[str, int]) -> None:
    """Compressing an event stream would hold events back until the compressor's buffer fills."""
    host, port = served
    arrivals: list[tuple[float, bytes]] = []
    with httpx.Client(base_url=f"http://{host}:{port}", timeout=120) as client:
        start = time.monotonic()
        with client.stream(
            "POST",
            "/api/v1/network/train/stream",
            json=STREAMED_RUN,
            headers={"Accept-Encoding": "gzip", "Accept": "text/event-stream"},
        ) as response:
            assert response.status_code == 200
            assert response.headers.get("content-encoding") is None
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers.get("cache-control") == "no-cache"  # the route's own, kept
            for chunk in response.iter_raw():
                arrivals.append((time.monotonic() - start, chunk))
    text = b"".join(chunk for _, chunk in arrivals)
    assert text.count(b"event: progress") == STREAMED_RUN["steps"] // STREAMED_RUN["record_every"] + 1
    first_progress = next(t for t, chunk in arrivals if b"event: progress" in chunk)
    done = next(t for t, chunk in arrivals if b"event: done" in chunk)
    assert done > 0.5, "the run is too short to tell"
    assert first_progress < done / 3, (first_progress, done)
    assert len([t for t, _ in arrivals if t < done / 2]) >= 5


# ---------------------------------------------------------------------------------------------- Cache-Control
def test_post_answers_are_not_stored(client: TestClient) -> None:
    response = client.post("/api/v1/expression", json={"expression": "x^2", "variables": {"x": 3}})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    refused = client.post("/api/v1/expression", json={"expression": "x^^"})
    assert refused.status_code == 422
    assert refused.headers["cache-control"] == "no-store"


def test_pages_are_revalidated(client: TestClient) -> None:
    for path in ["/", "/train", "/lessons", "/lessons/backpropagation"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-cache", path


def test_catalogues_answer_304_when_unchanged(client: TestClient) -> None:
    for path in ["/api/v1/limits", "/api/v1/datasets", "/api/v1/presets"]:
        first = client.get(path)
        assert first.status_code == 200, path
        assert first.headers["cache-control"] == "no-cache", path
        etag = first.headers["etag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "no-cache"
        assert "content-security-policy" in again.headers
        changed = client.get(path, headers={"If-None-Match": 'W/"something-else"'})
        assert changed.status_code == 200 and changed.content == first.content, path


def test_the_etag_follows_the_answer(client: TestClient) -> None:
    """The page in another language is another answer, so it has another ETag and no 304 for the old one."""
    english = client.get("/", headers={"Accept-Language": "en"})
    chinese = client.get("/", headers={"Accept-Language": "zh-CN", "If-None-Match": english.headers["etag"]})
    assert chinese.status_code == 200
    assert chinese.headers["etag"] != english.headers["etag"]
    assert (
        client.get("/", headers={"Accept-Language": "en", "If-None-Match": english.headers["etag"]}).status_code == 304
    )


def test_files_served_outside_static_are_revalidated_and_their_304s_too(client: TestClient) -> None:
    """The API reference's own files (/docs/assets) answer 304 themselves; that 304 is as cacheable as the 200."""
    path = "/docs/assets/swagger-ui-bundle.js"
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == "no-cache"
