"""A real redis-server (Debian's package, installed by scripts/test.sh) on a free port, and app processes.

No Redis is mocked: the Redis backend runs against the server it will run against in production.
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """redis://127.0.0.1:<port>/0 of a redis-server started for this session (no persistence)."""
    if not Path(REDIS_SERVER).exists():
        pytest.fail("redis-server not found: install it with `apt-get install -y redis-server` (scripts/test.sh does)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


class AppProcess:
    """A uvicorn serving app.main:app with ``env`` added to the environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "BACKPROP_LOG_LEVEL": "warning", **env},
        )
        deadline = time.monotonic() + 90  # a loaded machine imports NumPy and the app slowly
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # an open event stream can hold a graceful shutdown
            self.process.kill()
            self.process.wait(timeout=10)


SERVER_ENV = {"BACKPROP_CLASSROOM_JOIN_PER_MINUTE": "20", "BACKPROP_RATE_LIMIT_PER_MINUTE": "0"}


@pytest.fixture(scope="session")
def memory_server() -> Iterator[str]:
    server = AppProcess(SERVER_ENV)
    yield server.base
    server.stop()


@pytest.fixture(scope="session")
def redis_servers(redis_url: str) -> Iterator[tuple[str, str]]:
    """Two app processes sharing one Redis: a class started on one is served by both."""
    servers = [AppProcess({**SERVER_ENV, "BACKPROP_REDIS_URL": redis_url}) for _ in range(2)]
    yield servers[0].base, servers[1].base
    for server in servers:
        server.stop()


_addresses = iter(range(1, 1 << 24))


def new_address() -> str:
    """A client address of its own (sent as X-Forwarded-For, which uvicorn trusts from 127.0.0.1)."""
    n = next(_addresses)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


class EventReader:
    """Reads a class's server-sent events in a thread; ``next()`` waits for the next one."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.status: int | None = None
        self.opened = threading.Event()
        self.client = httpx.Client(timeout=httpx.Timeout(5, read=60))
        self.thread = threading.Thread(target=self._read, args=(url, headers or {}), daemon=True)
        self.thread.start()
        assert self.opened.wait(10), "the stream did not open"

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                self.status = response.status_code
                self.opened.set()
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if not line:
                        if "data" in fields:
                            self.events.put({**orjson.loads(fields["data"]), "sse_id": fields.get("id")})
                        fields = {}
                    elif not line.startswith(":") and ":" in line:
                        name, _, value = line.partition(":")
                        fields[name] = value.removeprefix(" ")
        except (httpx.HTTPError, RuntimeError):
            pass
        finally:
            self.opened.set()

    def next(self, type: str | None = None, timeout: float = 5) -> dict[str, Any]:
        """The next event (of ``type``, skipping others)."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if type is None or event["type"] == type:
                return event

    def close(self) -> None:
        self.client.close()
