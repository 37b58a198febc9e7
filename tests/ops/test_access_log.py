"""One JSON line per request on the "backprop.access" logger."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.middleware import ACCESS_LOGGER, configure_logging
from app.settings import Settings

FIELDS = {"ts", "method", "path", "status", "duration_ms", "request_id", "client", "bytes"}


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    return [json.loads(record.getMessage()) for record in caplog.records if record.name == ACCESS_LOGGER]


def test_each_request_logs_one_json_line(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    client.get("/healthz?secret=1", headers={"X-Request-ID": "log-me"})
    client.post("/api/v1/network/trace", content=b"{", headers={"content-type": "application/json"})
    first, second = access_lines(caplog)
    assert set(first) == FIELDS
    assert first["method"] == "GET"
    assert first["path"] == "/healthz"  # the query string is left out
    assert first["status"] == 200
    assert first["request_id"] == "log-me"
    assert first["client"] == "testclient"
    assert first["bytes"] == len(b'{"status":"ok"}')
    assert isinstance(first["duration_ms"], float)
    assert 0 <= first["duration_ms"] < 5000
    assert (second["method"], second["status"]) == ("POST", 422)
    assert all("\n" not in record.getMessage() for record in caplog.records)


def test_a_crash_is_logged_as_500(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(Settings())

    @app.get("/raise")
    async def fail() -> None:
        raise RuntimeError("boom")

    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.get("/raise")
    (line,) = access_lines(caplog)
    assert line["status"] == 500


def test_the_level_comes_from_settings(caplog: pytest.LogCaptureFixture) -> None:
    try:
        with TestClient(create_app(Settings(log_level="WARNING"))) as client:
            client.get("/healthz")
        assert not access_lines(caplog)
        assert logging.getLogger("backprop").level == logging.WARNING
    finally:
        configure_logging("info")


def test_lines_reach_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    configure_logging("info")
    configure_logging("info")  # idempotent: still one handler, one line
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    logging.getLogger(ACCESS_LOGGER).info("%s", json.dumps({"path": "/x"}))
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [{"path": "/x"}]
