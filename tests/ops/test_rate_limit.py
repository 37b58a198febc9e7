"""The per-client rate limit of heavy requests, against a real ``python -m app`` with a small limit."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from app.middleware import TokenBuckets
from tests.ops.app_process import HOST, app_process

BODY = json.dumps({"expression": "x*y", "variables": {"x": 2, "y": 3}}).encode()
PER_MINUTE = 3


def call(port: int, method: str = "POST", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    path = "/api/v1/expression" if method == "POST" else "/api/v1/limits"
    request = urllib.request.Request(
        f"http://{HOST}:{port}{path}",
        data=BODY if method == "POST" else None,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def limited() -> Iterator[int]:
    with app_process({"BACKPROP_RATE_LIMIT_PER_MINUTE": str(PER_MINUTE)}) as port:
        yield port


def test_past_the_limit_heavy_requests_get_429_with_retry_after_and_json(limited: int) -> None:
    client = {"X-Forwarded-For": "198.51.100.1"}  # the peer, 127.0.0.1, is a trusted proxy by default
    for _ in range(PER_MINUTE):
        assert call(limited, headers=client)[0] == 200
    status, headers, body = call(limited, headers=client)
    assert status == 429
    retry_after = int(headers["retry-after"])
    assert 1 <= retry_after <= 60 / PER_MINUTE
    error = json.loads(body)
    assert error["code"] == "rate_limited"
    assert error["params"] == {"limit": PER_MINUTE, "retry_after": retry_after}
    assert f"{PER_MINUTE} a minute" in error["detail"]
    assert headers["content-type"] == "application/json"
    assert "x-request-id" in {name.lower() for name in headers}
    assert "content-security-policy" in {name.lower() for name in headers}
    # Reading is not limited, and another address has its own bucket.
    assert call(limited, method="GET", headers=client)[0] == 200
    assert call(limited, headers={"X-Forwarded-For": "198.51.100.2"})[0] == 200


def test_a_bucket_refills_with_time() -> None:
    with app_process({"BACKPROP_RATE_LIMIT_PER_MINUTE": "60"}) as port:  # one more request a second
        sent, status = 0, 200
        while status != 429 and sent < 200:
            status, headers, _ = call(port)
            sent += 1
        assert status == 429 and sent > 60  # a minute's worth at once, then what has refilled meanwhile
        assert headers["retry-after"] == "1"
        time.sleep(1.1)
        assert call(port)[0] == 200


def test_forwarded_for_counts_only_from_a_trusted_proxy() -> None:
    settings = {"BACKPROP_RATE_LIMIT_PER_MINUTE": str(PER_MINUTE), "BACKPROP_FORWARDED_ALLOW_IPS": "192.0.2.9"}
    with app_process(settings) as port:
        # The peer (127.0.0.1) is not trusted: whatever address it claims, it is one client.
        statuses = [call(port, headers={"X-Forwarded-For": f"203.0.113.{i}"})[0] for i in range(PER_MINUTE + 1)]
    assert statuses == [200] * PER_MINUTE + [429]


def test_zero_turns_the_limit_off() -> None:
    with app_process({"BACKPROP_RATE_LIMIT_PER_MINUTE": "0"}) as port:
        assert {call(port)[0] for _ in range(3 * PER_MINUTE)} == {200}


def test_the_buckets_keep_only_the_most_recently_seen_addresses() -> None:
    now = [0.0]
    buckets = TokenBuckets(per_minute=2, max_keys=3, clock=lambda: now[0])
    assert [buckets.take("a"), buckets.take("a")] == [0.0, 0.0]
    assert buckets.take("a") == pytest.approx(30.0)  # one token every 30 s
    for address in ["b", "c", "d"]:
        buckets.take(address)
    assert list(buckets.buckets) == ["b", "c", "d"]  # "a" was seen longest ago and is dropped
    now[0] = 15.0
    assert buckets.take("b") == pytest.approx(0.0)
