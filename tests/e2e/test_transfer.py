"""What opening the step player costs on the wire: scripts from versioned URLs, nothing missing, and gzip.

Bytes are counted by Chromium itself (DevTools protocol): ``encodedDataLength`` of each finished request is
what crossed the wire (headers included), the ``dataLength`` of its chunks what the page got after
decompression. The figures are printed (run with ``-s``) and compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import Page, Response

from benchmarks.frontend import network_fragment

DIAGRAM = "[data-testid=network-diagram]"
READY = f"{DIAGRAM}[data-ready]"
VERSIONED_SCRIPT = re.compile(r"^/static/v/[0-9a-f]{12}/js/")
TRACE = "/api/v2/network/trace"
OPEN_GOAL = 600_000  # bytes on the wire to open the player on 8 × 16 (benchmarks/README.md)
TRAIN_STEP_GOAL = 100_000  # bytes on the wire for one training step on it


@dataclass
class Transfer:
    """Per request id: bytes on the wire and bytes the page received, from Chromium's Network domain."""

    urls: dict[str, str] = field(default_factory=dict)
    encoded: dict[str, int] = field(default_factory=dict)
    decoded: dict[str, int] = field(default_factory=dict)
    from_cache: set[str] = field(default_factory=set)

    def watch(self, page: Page) -> None:
        session = page.context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        session.on("Network.dataReceived", self._received)
        session.on("Network.requestServedFromCache", lambda e: self.from_cache.add(e["requestId"]))
        session.on("Network.responseReceived", self._response)
        session.on(
            "Network.loadingFinished", lambda e: self.encoded.__setitem__(e["requestId"], e["encodedDataLength"])
        )
        session.send("Network.enable")

    def _received(self, event: dict) -> None:
        self.decoded[event["requestId"]] = self.decoded.get(event["requestId"], 0) + event["dataLength"]

    def _response(self, event: dict) -> None:
        if event["response"].get("fromDiskCache") or event["response"].get("fromMemoryCache"):
            self.from_cache.add(event["requestId"])

    def totals(self) -> tuple[int, int]:
        """(bytes on the wire, bytes after decompression) of every finished request so far."""
        return sum(self.encoded.values()), sum(self.decoded.get(key, 0) for key in self.encoded)

    def reset(self) -> None:
        self.urls.clear()
        self.encoded.clear()
        self.decoded.clear()
        self.from_cache.clear()


def settle(page: Page, transfer: Transfer) -> None:
    """Wait until every request the page started has finished and none started for a second (the player
    asks for the caps after its first trace)."""
    quiet_since, seen = 0, -1
    for _ in range(240):
        page.wait_for_timeout(250)  # lets Playwright deliver the DevTools events
        started = len(transfer.urls)
        busy = started == 0 or started != seen or set(transfer.urls) - set(transfer.encoded)
        quiet_since, seen = (0 if busy else quiet_since + 1), started
        if quiet_since >= 4:
            return
    raise AssertionError("the page kept loading")


def test_the_step_player_loads_versioned_scripts_and_gzipped_answers(page: Page, live_server: str) -> None:
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    transfer = Transfer()
    transfer.watch(page)

    page.goto(f"{live_server}/{network_fragment([16] * 8)}")
    page.wait_for_selector(READY, timeout=60_000)
    settle(page, transfer)

    failed = [(response.status, response.url) for response in responses if response.status >= 400]
    assert not failed, failed
    scripts = [r.url for r in responses if r.request.resource_type == "script"]
    assert len(scripts) > 10
    unversioned = [url for url in scripts if not VERSIONED_SCRIPT.match(url.removeprefix(live_server))]
    assert not unversioned, unversioned
    for response in responses:
        if VERSIONED_SCRIPT.match(response.url.removeprefix(live_server)):
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable", response.url
    traces = [r for r in responses if r.url.endswith(TRACE)]
    assert traces and all(r.headers.get("content-encoding") == "gzip" for r in traces)

    wire, plain = transfer.totals()
    print(f"\nopening the step player on 8 × 16 tanh: {wire:,} B on the wire, {plain:,} B uncompressed")
    assert plain > 500_000, "the script of this network is about half a megabyte; was it asked for?"
    assert wire <= OPEN_GOAL
    assert wire < plain / 3

    transfer.reset()
    with page.expect_response(lambda r: r.url.endswith(TRACE)) as trained:
        page.get_by_test_id("train-step").click()
    assert trained.value.ok and trained.value.headers.get("content-encoding") == "gzip"
    assert "script" not in trained.value.json(), "the script of a shape already held is not sent again"
    settle(page, transfer)
    wire, plain = transfer.totals()
    print(f"one training step on 8 × 16 tanh: {wire:,} B on the wire, {plain:,} B uncompressed")
    assert plain > 150_000, "a pass of this network is some 200 KB of numbers; were they asked for?"
    assert wire <= TRAIN_STEP_GOAL

    page.goto("about:blank")  # else the same address with its fragment would not load the page again
    transfer.reset()
    page.goto(f"{live_server}/{network_fragment([16] * 8)}")  # opened again: scripts come from the cache
    page.wait_for_selector(READY, timeout=60_000)
    settle(page, transfer)
    scripts = [key for key, url in transfer.urls.items() if VERSIONED_SCRIPT.match(url.removeprefix(live_server))]
    assert len(scripts) > 10
    fetched = [transfer.urls[key] for key in scripts if key not in transfer.from_cache]
    assert not fetched, fetched
    wire, plain = transfer.totals()
    print(f"opening it again: {wire:,} B on the wire, {plain:,} B uncompressed")
