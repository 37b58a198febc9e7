"""Suite-wide ordering (browser tests run last) and the real server the browser and client tests talk to.

Playwright's sync API keeps an event loop running in the main thread for the rest of the session
once a browser is open, so tests that call asyncio.run must come before it; fast feedback first, too.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

E2E = Path(__file__).parent / "e2e"
# The per-client rate limit is off unless a test turns it on: the suite sends many requests from one address.
os.environ.setdefault("BACKPROP_RATE_LIMIT_PER_MINUTE", "0")
ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: Path(str(item.fspath)).is_relative_to(E2E))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Base URL of the production server (``python -m app``: its HTTP protocol, event loop and limits) serving
    app.main:app, started for this test session."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "BACKPROP_HOST": "127.0.0.1",
        "BACKPROP_PORT": str(port),
        "BACKPROP_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("python -m app did not start") from None
            time.sleep(0.1)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
