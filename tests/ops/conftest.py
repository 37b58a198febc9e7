"""Fixtures for the production layer: an app with small caps, in-process or behind a real uvicorn."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

SMALL_BODY = 4096


@pytest.fixture
def settings() -> Settings:
    return Settings(max_body_bytes=SMALL_BODY)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, int]]:
    """(host, port) of a uvicorn in a thread serving an app whose body cap is SMALL_BODY bytes."""
    config = uvicorn.Config(
        create_app(Settings(max_body_bytes=SMALL_BODY)),
        host="127.0.0.1",
        port=free_port(),
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield config.host, config.port
    server.should_exit = True
    thread.join(timeout=10)
