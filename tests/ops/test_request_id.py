"""X-Request-ID: a plain one from the caller is kept, anything else is replaced by a fresh one."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from app.middleware import accepted_request_id, request_id_var

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_one_is_generated_when_none_is_sent(client: TestClient) -> None:
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz").headers["x-request-id"]
    assert GENERATED.fullmatch(first)
    assert first != second


@pytest.mark.parametrize("sent", ["abc", "req-2024.01_a", "A" * 64, "0"])
def test_a_plain_one_is_echoed(client: TestClient, sent: str) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": sent}).headers["x-request-id"] == sent


@pytest.mark.parametrize(
    "sent",
    ["", "A" * 65, "has space", "<script>alert(1)</script>", "a\tb", "line\\nbreak", "ünïcode", "a;b", "a/b", '"q"'],
)
def test_anything_else_is_replaced(client: TestClient, sent: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": sent.encode("utf-8")})
    echoed = response.headers["x-request-id"]
    assert echoed != sent
    assert GENERATED.fullmatch(echoed)


def test_errors_carry_it_too(client: TestClient) -> None:
    response = client.get("/missing", headers={"X-Request-ID": "trace-me"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "trace-me"


def test_handlers_can_read_it(app: FastAPI) -> None:
    @app.get("/whoami")
    def whoami(request: Request) -> dict[str, str | None]:
        return {"state": request.state.request_id, "context": request_id_var.get()}

    with TestClient(app) as client:
        body = client.get("/whoami", headers={"X-Request-ID": "rid-1"}).json()
    assert body == {"state": "rid-1", "context": "rid-1"}


def test_the_validator_alone() -> None:
    assert accepted_request_id(b"ok-1") == "ok-1"
    assert GENERATED.fullmatch(accepted_request_id(None))
    assert GENERATED.fullmatch(accepted_request_id(b"bad\r\nX-Injected: 1"))
