"""Several workers and no Redis: starting a class is refused however the workers were asked for.

The parser is checked on command lines of uvicorn and gunicorn; real uvicorn processes started with
``--workers 2`` and with ``WEB_CONCURRENCY=2`` refuse, and one worker does not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from app.classroom.workers import worker_processes
from tests.classroom.conftest import ROOT, free_port

UVICORN = "/usr/lib/python3/dist-packages/uvicorn/__main__.py"


@pytest.mark.parametrize(
    ("argv", "environ", "count", "source"),
    [
        (["/usr/bin/uvicorn", "app.main:app", "--workers", "3"], {}, 3, "uvicorn --workers 3"),
        ([UVICORN, "app.main:app", "--workers=2", "--port", "8000"], {}, 2, "uvicorn --workers 2"),
        (["/usr/bin/uvicorn", "app.main:app"], {"WEB_CONCURRENCY": "4"}, 4, "WEB_CONCURRENCY=4"),
        (["/usr/bin/uvicorn", "app.main:app", "--workers", "1"], {"WEB_CONCURRENCY": "4"}, 1, "BACKPROP_WORKERS=1"),
        (["/usr/bin/uvicorn", "app.main:app", "--reload"], {"WEB_CONCURRENCY": "4"}, 1, "BACKPROP_WORKERS=1"),
        (["/usr/local/bin/gunicorn", "-w", "4", "-k", "uvicorn.workers.UvicornWorker"], {}, 4, "gunicorn --workers 4"),
        (["/usr/local/bin/gunicorn", "-w5", "app.main:app"], {}, 5, "gunicorn --workers 5"),
        (
            ["gunicorn", "app.main:app"],
            {"GUNICORN_CMD_ARGS": "--bind :80 --workers 3"},
            3,
            "GUNICORN_CMD_ARGS --workers 3",
        ),
        (["gunicorn", "app.main:app"], {"WEB_CONCURRENCY": "2"}, 2, "WEB_CONCURRENCY=2"),
        # python -m app reads BACKPROP_WORKERS only; WEB_CONCURRENCY means nothing to it
        (["/srv/app/__main__.py"], {"WEB_CONCURRENCY": "8"}, 1, "BACKPROP_WORKERS=1"),
        (["/usr/bin/uvicorn", "app.main:app", "--workers", "many"], {}, 1, "BACKPROP_WORKERS=1"),
    ],
)
def test_worker_counts_are_read_from_the_command_that_started_the_server(
    argv: list[str], environ: dict[str, str], count: int, source: str
) -> None:
    found = worker_processes(1, argv, environ)
    assert (found.count, found.source) == (count, source)


def test_backprop_workers_counts_too() -> None:
    assert worker_processes(3, ["/srv/app/__main__.py"], {}).count == 3


@contextmanager
def uvicorn(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k not in ("BACKPROP_REDIS_URL", "BACKPROP_WORKERS")}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port), *args],
        cwd=ROOT,
        env={**environ, "BACKPROP_LOG_LEVEL": "warning", **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def start_class(base: str) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/classroom", json={"state": {"path": "/", "view": ""}}, timeout=10)


@pytest.mark.parametrize(
    ("args", "env", "source"),
    [(("--workers", "2"), {}, "uvicorn --workers 2"), ((), {"WEB_CONCURRENCY": "2"}, "WEB_CONCURRENCY=2")],
)
def test_uvicorn_with_two_workers_and_no_redis_refuses_to_start_a_class(
    args: tuple[str, ...], env: dict[str, str], source: str
) -> None:
    with uvicorn(*args, env=env) as base:
        response = start_class(base)
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["code"] == "classroom_needs_redis"
    assert "BACKPROP_REDIS_URL" in body["detail"] and source in body["detail"]


def test_uvicorn_with_one_worker_starts_a_class() -> None:
    with uvicorn("--workers", "1", env={"WEB_CONCURRENCY": "2"}) as base:
        assert start_class(base).status_code == 200
