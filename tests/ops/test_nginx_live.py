"""deploy/nginx.conf run for real: Debian's nginx in front of a live ``python -m app``.

The configuration is the deployed one with two substitutions: the upstream `app:8000` becomes the live
app's 127.0.0.1 port, and `listen 80` a free port of 127.0.0.1. Everything else (timeouts, connection
and request limits, gzip, the unbuffered training stream) is tested as deployed.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.app_process import HOST, app_process, free_port, read_response

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
STREAM = "/api/v1/network/train/stream"
EXPRESSION = json.dumps({"expression": "x*y", "variables": {"x": 2, "y": 3}}).encode()
XOR_RUN = {
    "layers": [2, 8, 8, 1],
    "activation": "tanh",
    "output_activation": "sigmoid",
    "loss": "bce",
    "dataset": {"name": "xor", "n": 200, "noise": 0.05, "seed": 1},
    "optimizer": "adam",
    "learning_rate": 0.03,
    "batch_size": 10,
    "steps": 20_000,
    "record_every": 100,
    "seed": 1,
    "grid": {"resolution": 2, "neuron_resolution": 0},
}


def directive(name: str) -> str:
    """The value of a directive that appears once in the deployed configuration."""
    (value,) = re.findall(rf"^\s*{name}\s+([^;]+);", re.sub(r"#.*", "", CONF.read_text()), re.M)
    return value.strip()


def seconds(name: str) -> float:
    value = directive(name)
    assert value.endswith("s"), f"{name} {value}: write it in seconds"
    return float(value[:-1])


def derived_config(app_port: int, listen_port: int) -> str:
    text = CONF.read_text()
    substitutions = [
        (r"set \$app_upstream app:8000;", f"set $app_upstream {HOST}:{app_port};"),
        (r"listen 80;", f"listen {HOST}:{listen_port};"),
    ]
    for pattern, replacement in substitutions:
        text, count = re.subn(pattern, replacement, text)
        assert count == 1, f"deploy/nginx.conf no longer has exactly one `{pattern}`"
    return text


@pytest.fixture(scope="module")
def app_port() -> Iterator[int]:
    with app_process({}) as port:
        yield port


@pytest.fixture
def proxy(app_port: int) -> Iterator[int]:
    """A fresh nginx (fresh connection and rate-limit zones) in front of the app; yields its port.

    Fails (not skips) without nginx: a silently skipped deployment test hides breakage."""
    if not Path(NGINX).exists():
        pytest.fail(f"nginx not found at {NGINX}: install it with `apt-get install -y nginx-light`")
    prefix = tempfile.mkdtemp(prefix="nginx-")
    os.chmod(prefix, 0o755)  # as root, the workers run as nobody and keep their temporary files here
    port = free_port()
    conf = Path(prefix) / "nginx.conf"
    conf.write_text(derived_config(app_port, port))
    settings = f"daemon off; pid {prefix}/nginx.pid; error_log {prefix}/error.log warn;"
    with open(Path(prefix) / "output.log", "wb") as output:
        process = subprocess.Popen([NGINX, "-p", prefix, "-c", str(conf), "-g", settings], stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (Path(prefix) / "output.log").read_text() + (Path(prefix) / "error.log").read_text()
                    raise RuntimeError(f"nginx did not start:\n{log[-2000:]}") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


def closed_after(sock: socket.socket, limit: float, trickle: bytes = b"") -> float:
    """Seconds until the server closes ``sock``, sending ``trickle`` a byte every half second meanwhile."""
    start = time.monotonic()
    sock.settimeout(0.5)
    sent = 0
    while time.monotonic() - start < limit:
        try:
            data = sock.recv(4096)
        except TimeoutError:
            if sent < len(trickle):
                try:
                    sock.sendall(trickle[sent : sent + 1])
                except (BrokenPipeError, ConnectionResetError):
                    return time.monotonic() - start
                sent += 1
            continue
        except ConnectionResetError:
            return time.monotonic() - start
        if not data or data.startswith(b"HTTP/1.1 408"):
            return time.monotonic() - start
    return float("inf")


def test_slow_headers_and_a_stalled_body_are_cut_off_at_their_timeouts(proxy: int) -> None:
    header_timeout, body_timeout = seconds("client_header_timeout"), seconds("client_body_timeout")
    assert header_timeout <= 30 and body_timeout <= 30
    slow_headers = socket.create_connection((HOST, proxy))
    stalled_body = socket.create_connection((HOST, proxy))
    try:
        slow_headers.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
        stalled_body.sendall(
            b"POST /api/v1/expression HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(EXPRESSION) + EXPRESSION[:5]
        )
        # A byte every half second keeps each read short, but the header deadline is for all of them.
        headers_cut = closed_after(slow_headers, header_timeout + 5, trickle=b"X-Slow: " + b"a" * 200)
        body_cut = closed_after(stalled_body, body_timeout + 5 - headers_cut)
    finally:
        slow_headers.close()
        stalled_body.close()
    assert header_timeout - 1 <= headers_cut <= header_timeout + 2
    assert body_timeout - 1 <= headers_cut + body_cut <= body_timeout + 2


def test_connections_beyond_limit_conn_are_refused_with_429(proxy: int) -> None:
    (zone, limit) = directive("limit_conn").split()
    assert zone == "per_client"
    held = []
    try:
        for _ in range(int(limit)):
            sock = socket.create_connection((HOST, proxy))
            # A request whose body never comes is in progress until client_body_timeout: it is counted.
            sock.sendall(b"GET /api/v1/limits HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n{")
            held.append(sock)
        time.sleep(0.3)
        with socket.create_connection((HOST, proxy)) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            response = read_response(sock, 5)
        assert response.startswith(b"HTTP/1.1 429"), response[:200]
        assert json.loads(response.partition(b"\r\n\r\n")[2])["code"] == "rate_limited"
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    with urllib.request.urlopen(f"http://{HOST}:{proxy}/healthz", timeout=5) as response:
        assert response.status == 200


def test_heavy_requests_beyond_limit_req_get_429_and_reading_is_not_limited(proxy: int) -> None:
    text = CONF.read_text()
    api_block = re.search(r"location /api/ \{(.*?)\}", text, re.S)
    assert api_block, "no location /api/ in deploy/nginx.conf"
    (burst,) = (int(b) for b in re.findall(r"limit_req zone=heavy_api burst=(\d+)", api_block.group(1)))
    (rate,) = (float(r) for r in re.findall(r"zone=heavy_api:\w+ rate=(\d+)r/s", text))
    connection = http.client.HTTPConnection(HOST, proxy, timeout=10)
    start = time.monotonic()
    passed = 0
    status = 200
    while status == 200 and passed < 10 * burst:
        connection.request("POST", "/api/v1/expression", EXPRESSION, {"Content-Type": "application/json"})
        response = connection.getresponse()
        body = response.read()
        status = response.status
        passed += status == 200
    elapsed = time.monotonic() - start
    assert status == 429
    assert burst <= passed <= burst + 1 + rate * elapsed
    assert json.loads(body)["code"] == "rate_limited"
    assert response.getheader("Retry-After")
    connection.request("GET", "/api/v1/limits")
    assert connection.getresponse().status == 200
    connection.close()


def test_json_scripts_and_styles_are_gzipped(proxy: int) -> None:
    level = int(directive("gzip_comp_level"))
    assert 1 <= level <= 4
    for path, kind in [("/api/v1/presets", "application/json"), ("/static/js/pages/train.js", "javascript")]:
        request = urllib.request.Request(f"http://{HOST}:{proxy}{path}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Encoding"] == "gzip", path
            assert kind in response.headers["Content-Type"]
            compressed = response.read()
        with urllib.request.urlopen(f"http://{HOST}:{proxy}{path}", timeout=10) as response:
            assert response.headers["Content-Encoding"] is None
            plain = response.read()
        assert gzip.decompress(compressed) == plain
        assert len(compressed) < len(plain) / 2


def test_the_training_stream_is_passed_through_as_it_is_computed(proxy: int) -> None:
    connection = http.client.HTTPConnection(HOST, proxy, timeout=60)
    connection.request(
        "POST", STREAM, json.dumps(XOR_RUN), {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    )
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Encoding") is None  # compressing would hold events back
    start = time.monotonic()
    arrivals: list[tuple[float, bytes]] = []
    while chunk := response.read1(65536):
        arrivals.append((time.monotonic() - start, chunk))
    connection.close()
    text = b"".join(chunk for _, chunk in arrivals)
    assert text.count(b"event: progress") == XOR_RUN["steps"] // XOR_RUN["record_every"] + 1
    assert b"event: done" in text
    first_progress = next(t for t, chunk in arrivals if b"event: progress" in chunk)
    done = next(t for t, chunk in arrivals if b"event: done" in chunk)
    # Events arrive spread over the run, not in one piece at its end. (For a client that reads as fast as
    # events come, nginx passes them on even with proxy_buffering on; `off` matters for a client that
    # pauses: nginx then stops reading too, so the app waits instead of training ahead into a buffer.)
    assert done > 0.5, "the run is too short to tell"
    assert first_progress < done / 3
    assert len([t for t, _ in arrivals if t < done / 2]) >= 5


def test_a_class_s_live_channel_passes_each_event_at_once(proxy: int) -> None:
    """Through nginx, a student's stream carries the teacher's change as it happens, uncompressed."""
    api = http.client.HTTPConnection(HOST, proxy, timeout=10)
    api.request("POST", "/api/v1/classroom", json.dumps({}), {"Content-Type": "application/json"})
    answer = api.getresponse()
    body = answer.read()
    assert answer.status == 200, (answer.status, body[:300])
    started = json.loads(body)
    stream = http.client.HTTPConnection(HOST, proxy, timeout=10)
    stream.request("GET", f"/api/v1/classroom/{started['code']}/events", headers={"Accept-Encoding": "gzip"})
    response = stream.getresponse()
    assert response.status == 200 and response.getheader("Content-Encoding") is None
    received = b""
    while b"event: snapshot" not in received:
        received += response.read1(65536)
    sent = time.monotonic()
    api.request(
        "POST",
        f"/api/v1/classroom/{started['code']}/state",
        json.dumps({"path": "/", "view": "step=5"}),
        {"Content-Type": "application/json", "Authorization": f"Bearer {started['teacher_token']}"},
    )
    assert api.getresponse().status == 200
    while b"event: state" not in received:
        received += response.read1(65536)
    assert time.monotonic() - sent < 2, "the event waited in a buffer"
    assert b"step=5" in received
    stream.close()
    api.close()
