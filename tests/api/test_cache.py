"""The response cache: repeated bodies of deterministic endpoints get the same bytes, errors are not kept."""

from __future__ import annotations

from app.api.cache import ResponseCache
from tests.api.conftest import API

CLASSROOM = {"layers": [2, 3, 1], "inputs": [[1.0, 0.5]], "targets": [[1.0]], "seed": 4}


def test_a_repeated_trace_is_answered_with_the_same_bytes(client, app):
    cache = app.state.response_cache
    first = client.post(API + "/network/trace", json=CLASSROOM)
    assert len(cache) == 1
    second = client.post(API + "/network/trace", json=CLASSROOM)
    assert second.status_code == 200 and second.content == first.content
    assert second.headers["content-type"] == "application/json"
    assert len(cache) == 1
    client.post(API + "/network/trace", json={**CLASSROOM, "seed": 5})
    assert len(cache) == 2


def test_errors_streams_and_timed_answers_are_not_kept(client, app):
    cache = app.state.response_cache
    for _ in range(2):
        assert client.post(API + "/network/trace", json={**CLASSROOM, "layers": [2]}).status_code == 422
    client.post(API + "/network/gradcheck", json=CLASSROOM)
    client.post(API + "/network/train", json={"steps": 2, "loss": "bce"})
    assert len(cache) == 0


def test_every_expression_endpoint_is_kept(client, app):
    for path in ("/expression", "/expression/limit", "/expression/partial", "/expression/descent"):
        first = client.post(API + path, json={})
        assert client.post(API + path, json={}).content == first.content
    assert len(app.state.response_cache) == 4


def test_the_cache_can_be_turned_off(client_with):
    client = client_with(response_cache_bytes=0)
    first = client.post(API + "/network/trace", json=CLASSROOM)
    assert client.post(API + "/network/trace", json=CLASSROOM).content == first.content
    assert len(client.app.state.response_cache) == 0


def test_least_recently_used_bodies_leave_first():
    cache = ResponseCache(max_bytes=80)
    cache.put(b"a", b"1" * 9)
    cache.put(b"b", b"2" * 9)
    assert cache.get(b"a") == b"1" * 9  # a is now the most recently used
    for key in (b"c", b"d", b"e", b"f", b"g", b"h", b"i"):
        cache.put(key, b"3" * 9)
    assert cache.get(b"b") is None
    assert len(cache) == 8 and cache.get(b"i") is not None
    cache.put(b"big", b"x" * 11)  # over an eighth of the budget: not kept
    assert cache.get(b"big") is None
