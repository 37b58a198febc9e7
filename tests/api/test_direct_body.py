"""JSON routes validate a body in one step; FastAPI's own handler answers whatever that step refuses."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.api.cache import CachingRoute
from app.api.schemas.network import TraceRequest
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import API

BODIES = [
    ("/network/trace", {"layers": [2, 3, 1], "inputs": [[1, 0.5]], "targets": [[1]], "learning_rate": 0.5, "seed": 3}),
    ("/network/trace", {"layers": [3, 4, 2], "loss": "cross_entropy", "output_activation": "identity",
                        "inputs": [[1, 2, 3], [0, 0, 1]], "targets": [[0, 1], [1, 0]], "sample": 1}),
    ("/network/gradcheck", {"layers": [2, 2, 1], "seed": 1}),
    ("/expression", {"expression": "cos(x^2 - 1)", "variables": {"x": 3}}),
    ("/expression/limit", {"expression": "2x^2", "at": 1, "deltas": [1, 0.1, 0.01]}),
    ("/expression/partial", {"expression": "x^2 + 3y", "variable": "x", "at": {"x": 1, "y": 2}}),
    ("/expression/descent", {"expression": "x^2 + y^2", "start": {"x": 1, "y": 1}, "learning_rate": 0.1, "steps": 5}),
]  # fmt: skip
REFUSED = [
    b'{"layers": [2, 3, 1], "inputs": [[NaN, 1]], "targets": [[1]]}',
    b'{"layers": [2, 3, 1], "inputs": [[1, 1]], "targets": [[1]], "unknown": 1}',
    b'{"layers": [2, 3, 1], "inputs": [[1, 1]], "targets": [[1]]',
    b"",
    b"[]",
]


def _client(direct: bool, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    if not direct:
        monkeypatch.setattr(CachingRoute, "_direct_call", lambda self: None)
    client = TestClient(create_app(Settings(response_cache_bytes=0)))
    monkeypatch.undo()
    return client


@pytest.mark.parametrize(("path", "body"), BODIES)
def test_both_ways_of_reading_a_body_give_the_same_answer(path, body, monkeypatch):
    direct, fastapi = _client(True, monkeypatch), _client(False, monkeypatch)
    first, second = direct.post(API + path, json=body), fastapi.post(API + path, json=body)
    assert first.status_code == second.status_code == 200, first.text[:300]
    if path != "/network/gradcheck":  # gradcheck reports how long each method took
        assert first.content == second.content


@pytest.mark.parametrize("body", REFUSED)
def test_refusals_are_worded_by_fastapi_either_way(body, monkeypatch):
    direct, fastapi = _client(True, monkeypatch), _client(False, monkeypatch)
    headers = {"content-type": "application/json"}
    first = direct.post(API + "/network/trace", content=body, headers=headers)
    second = fastapi.post(API + "/network/trace", content=body, headers=headers)
    assert first.status_code == second.status_code == 422
    assert first.json()["detail"] == second.json()["detail"]


def test_the_one_step_validation_is_what_answers_a_good_body(monkeypatch):
    calls = []
    validate = TraceRequest.model_validate_json

    def counted(data, *args, **kwargs):
        calls.append(len(data))
        return validate(data, *args, **kwargs)

    monkeypatch.setattr(TraceRequest, "model_validate_json", counted)
    with TestClient(create_app(Settings(response_cache_bytes=0))) as client:
        response = client.post(API + "/network/trace", json=BODIES[0][1])
    assert response.status_code == 200
    assert len(calls) == 1


def test_another_content_type_goes_to_fastapi(monkeypatch):
    direct, fastapi = _client(True, monkeypatch), _client(False, monkeypatch)
    headers = {"content-type": "text/plain"}
    body = b'{"layers": [2, 3, 1]}'
    first = direct.post(API + "/network/trace", content=body, headers=headers)
    second = fastapi.post(API + "/network/trace", content=body, headers=headers)
    assert first.status_code == second.status_code
    assert first.content == second.content
