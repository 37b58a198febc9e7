"""CORS headers appear only for the origins configured in BACKPROP_CORS_ORIGINS."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

ORIGIN = "https://teach.example.org"


def test_no_cors_by_default(client: TestClient) -> None:
    response = client.get("/api/v1/limits", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in response.headers


def test_configured_origins_are_allowed() -> None:
    with TestClient(create_app(Settings(cors_origins=[ORIGIN]))) as client:
        simple = client.get("/api/v1/limits", headers={"Origin": ORIGIN})
        preflight = client.options(
            "/api/v1/network/trace",
            headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
        )
        other = client.get("/api/v1/limits", headers={"Origin": "https://elsewhere.example"})
    assert simple.headers["access-control-allow-origin"] == ORIGIN
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert preflight.headers["content-security-policy"]
    assert "access-control-allow-origin" not in other.headers
