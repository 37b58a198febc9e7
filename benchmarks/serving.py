"""The benchmarks' server: ``python -m app`` on a free port of 127.0.0.1, started, awaited and stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(
    port: int,
    settings: dict[str, str] | None = None,
    ready: Callable[[subprocess.Popen], bool] = lambda server: True,
    timeout: float = 60,
) -> subprocess.Popen:
    """Start the production server with these ``BACKPROP_*`` settings; return once ``/readyz`` answers 200
    and ``ready(server)`` holds (e.g. every worker is up)."""
    # Every request of a benchmark comes from one address: the per-client rate limit would measure itself.
    env = {
        **os.environ,
        "BACKPROP_HOST": HOST,
        "BACKPROP_PORT": str(port),
        "BACKPROP_RATE_LIMIT_PER_MINUTE": "0",
        **(settings or {}),
    }
    # The log goes to a file, not a pipe: a long run's log lines never block the server. The server keeps
    # its own handle to the file once this one is closed.
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/readyz", timeout=2) as response:
                    if response.status == 200 and ready(server):
                        return server
            except OSError:
                pass
            time.sleep(0.1)
        stop_server(server)
        log.seek(0)
        detail = log.read().decode(errors="replace")[-2000:]
    raise RuntimeError(f"the server did not become ready\n{detail}")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
