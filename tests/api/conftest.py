"""Fixtures for the REST API: an app built with caps a test can override, and strict JSON readers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

API = "/api/v1"


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


@pytest.fixture
def client_with() -> Iterator[Callable[..., TestClient]]:
    """``client_with(max_neurons=4, ...)``: a client of an app with those caps."""
    clients: list[TestClient] = []

    def make(**caps: Any) -> TestClient:
        client = TestClient(create_app(Settings(**caps)))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _refuse_constant(token: str) -> Any:
    pytest.fail(f"the response holds the non-JSON token {token}")


def strict_json(body: bytes | str) -> Any:
    """Parse a body as strict JSON: NaN, Infinity and -Infinity tokens fail the test."""
    return json.loads(body, parse_constant=_refuse_constant)


def server_sent_events(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The events of a text/event-stream body, framed as the training stream's description says: an `event:`
    line, a `data:` line of strict JSON and a blank line, read as ``{"event": name, "data": parsed}``. Comment
    lines (``:``) are skipped, and an event cut off before its blank line is not yielded."""
    name: str | None = None
    data: list[str] = []
    for line in lines:
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        elif not line and name is not None:
            yield {"event": name, "data": strict_json("\n".join(data))}
            name, data = None, []


def ok(client: TestClient, path: str, body: dict[str, Any]) -> Any:
    """POST ``body`` and return the parsed 200 response."""
    response = client.post(API + path, json=body)
    assert response.status_code == 200, response.text[:500]
    return strict_json(response.content)


def refused(client: TestClient, path: str, body: Any, status: int, *words: str) -> dict[str, Any]:
    """POST ``body``; expect ``status`` and a ``detail`` mentioning every one of ``words``."""
    response = (
        client.post(API + path, json=body)
        if not isinstance(body, bytes)
        else client.post(API + path, content=body, headers={"content-type": "application/json"})
    )
    assert response.status_code == status, response.text[:500]
    error = strict_json(response.content)
    assert isinstance(error["detail"], str) and error["detail"]
    for word in words:
        assert word in error["detail"], f"{word!r} not in {error['detail']!r}"
    return error
