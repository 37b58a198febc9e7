"""Every response, whatever produced it, carries the security headers; the CSP allows no inline code."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.middleware import CONTENT_SECURITY_POLICY, SECURITY_HEADERS

VALID_TRACE = {"layers": [2, 3, 1], "inputs": [[0.5, -1.0]], "targets": [[1.0]]}


def assert_secured(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{name} missing on {response.request.url}"


@pytest.mark.parametrize(
    "path",
    ["/", "/docs", "/docs/init.js", "/docs/assets/swagger-ui.css", "/openapi.json", "/healthz", "/readyz"],
)
def test_pages_and_assets_are_secured(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert_secured(response)


def test_static_files_are_secured(client: TestClient) -> None:
    response = client.get("/static/img/favicon.svg")
    assert response.status_code == 200
    assert_secured(response)


def test_api_responses_are_secured(client: TestClient) -> None:
    assert_secured(client.get("/api/v1/limits"))
    assert_secured(client.post("/api/v1/network/trace", json=VALID_TRACE))


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/no/such/page", None, 404),
        ("GET", "/static/no-such-file.js", None, 404),
        ("DELETE", "/api/v1/limits", None, 405),
        ("POST", "/api/v1/network/trace", b"{not json", 422),
        ("POST", "/api/v1/network/trace", b"x" * 10_000, 413),
    ],
)
def test_error_responses_are_secured(
    client: TestClient, method: str, path: str, body: bytes | None, status: int
) -> None:
    response = client.request(method, path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert_secured(response)


def test_an_unhandled_exception_is_a_secured_json_500(app: FastAPI) -> None:
    @app.get("/raise")
    async def fail() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/raise")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "boom" not in response.text
    assert_secured(response)
    assert response.headers["x-request-id"]


def test_csp_forbids_inline_code_and_eval() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "*" not in CONTENT_SECURITY_POLICY


def test_a_route_may_set_its_own_header(app: FastAPI) -> None:
    from fastapi.responses import PlainTextResponse

    @app.get("/framed")
    async def framed() -> PlainTextResponse:
        return PlainTextResponse("ok", headers={"X-Frame-Options": "SAMEORIGIN"})

    with TestClient(app) as client:
        response = client.get("/framed")
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
