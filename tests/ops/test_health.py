"""/healthz says the process answers; /readyz that it can compute and render."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app import health


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"engine": "ok", "templates": "ok"}}


def test_readyz_fails_when_the_engine_does(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(x):  # type: ignore[no-untyped-def]
        raise FloatingPointError("broken build")

    monkeypatch.setattr(health.functions, "tanh", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"engine": "failed", "templates": "ok"}


def test_readyz_fails_without_templates(client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(health, "ROOT", tmp_path)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["templates"] == "failed"


def test_probes_are_in_the_openapi_spec(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/healthz", "/readyz"} <= set(paths)
