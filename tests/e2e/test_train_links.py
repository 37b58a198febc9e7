"""Shared training links are bounded: a crafted link cannot make the page send millions of requests.

A link rebuilds its run by replaying the logged segments, one request each. A link that asks for more
than a link may rebuild gets the longest start of its run that fits, and the page says so. A link followed
from the training view itself is shown as opening it shows it.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.e2e.conftest import checked_page

pytestmark = pytest.mark.e2e

TRAIN = "[data-testid=train]"
READY = f"{TRAIN}[data-state=ready]"
COUNTER = "[data-testid=step-counter]"
NOTICE = "[data-testid=link-notice]"
MAX_LINK_REQUESTS = 200  # static/js/train/settings.js LINK_LIMITS
MAX_LINK_STEPS = 100_000
SETUP = "data=xor&hidden=[3]&seed=3"


def entry(steps: int, repeat: int, lr: float = 0.03) -> list[object]:
    return [steps, lr, "sgd", 10, "none", 0, repeat]


def run_link(base: str, log: list[list[object]], extra: str = "") -> str:
    return f"{base}/train#{SETUP}{extra}&run={quote(json.dumps(log, separators=(',', ':')))}"


def open_counting(page, link: str, timeout_ms: float = 60_000) -> list[object]:  # type: ignore[no-untyped-def]
    """Open `link`, wait until the page is ready and two more seconds, and return every /api/ request sent."""
    requests: list[object] = []
    page.on("request", lambda request: requests.append(request) if "/api/" in request.url else None)
    page.goto(link)
    page.wait_for_selector(READY, timeout=timeout_ms)
    page.wait_for_timeout(2000)
    return requests


def replayed_segments(requests: list[object]) -> int:
    """Training requests that train (steps > 0): the replayed segments; the others fetch data and start weights."""
    bodies = [json.loads(r.post_data or "{}") for r in requests if r.url.endswith("/network/train")]  # type: ignore[attr-defined]
    return sum(1 for body in bodies if body.get("steps", 0) > 0)


def steps_shown(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.get_attribute(COUNTER, "data-step") or 0)


def test_a_link_with_a_huge_run_log_replays_a_bounded_prefix_and_says_so(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    # 500 entries of 10,000 one-step segments each: five million requests if replayed as asked.
    huge = [entry(1, 10_000, lr=0.03 if i % 2 else 0.1) for i in range(500)]
    with checked_page(browser, viewport={"width": 1280, "height": 800}, locale="en-US") as page:
        requests = open_counting(page, run_link(live_server, huge))
        assert replayed_segments(requests) == MAX_LINK_REQUESTS
        # besides: the catalogue, the limits, the dataset thumbnails and the seed's weights
        assert len(requests) <= MAX_LINK_REQUESTS + 15
        notice = page.locator(NOTICE)
        assert notice.is_visible()
        text = notice.text_content() or ""
        assert "5,000,000" in text and f"{MAX_LINK_REQUESTS}" in text
        rebuilt = steps_shown(page)
        assert rebuilt == MAX_LINK_REQUESTS  # the first 200 one-step segments
        loss = page.get_attribute("[data-testid=test-loss]", "data-value")

        page.click("[data-testid=lang-switch]")
        page.wait_for_selector("html[lang=zh-CN]")
        chinese = notice.text_content() or ""
        assert chinese != text and "链接" in chinese and "5,000,000" in chinese
    # The prefix that was rebuilt is exactly the run's start: a link of just that prefix gives the same weights.
    prefix = [entry(1, MAX_LINK_REQUESTS, lr=0.1)]  # all within the first entry
    with checked_page(browser, viewport={"width": 1280, "height": 800}, locale="en-US") as page:
        open_counting(page, run_link(live_server, prefix))
        assert steps_shown(page) == rebuilt
        assert page.get_attribute("[data-testid=test-loss]", "data-value") == loss
        assert page.locator(NOTICE).is_hidden()


def test_a_single_entry_repeated_a_billion_times_is_bounded_and_says_so(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 800}, locale="en-US") as page:
        requests = open_counting(page, run_link(live_server, [entry(1, 1_000_000_000)]))
        assert replayed_segments(requests) == MAX_LINK_REQUESTS
        assert "1,000,000,000" in (page.locator(NOTICE).text_content() or "")


def test_a_link_asking_for_too_many_steps_is_bounded_and_says_so(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 800}, locale="en-US") as page:
        # At the fastest speed a segment is 10,000 steps: five hundred of them asked, ten rebuilt.
        requests = open_counting(page, f"{live_server}/train#{SETUP}&speed=max&steps=5000000")
        assert replayed_segments(requests) == MAX_LINK_STEPS // 10_000
        assert steps_shown(page) == MAX_LINK_STEPS
        assert page.locator(NOTICE).is_visible()
        assert "5,000,000" in (page.locator(NOTICE).text_content() or "")


def test_a_normal_shared_link_replays_every_segment_without_a_notice(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    log = [entry(50, 3), entry(20, 1, lr=0.1), entry(7, 2)]
    with checked_page(browser, viewport={"width": 1280, "height": 800}, locale="en-US") as page:
        requests = open_counting(page, run_link(live_server, log))
        assert steps_shown(page) == 50 * 3 + 20 + 7 * 2
        assert replayed_segments(requests) == 3 + 1 + 2
        assert page.locator(NOTICE).is_hidden()
        assert json.loads(page.evaluate("new URLSearchParams(location.hash.slice(1)).get('run')")) == log


LINKED = "data=xor&hidden=[4,2]&lr=0.1&act=relu&seed=5&steps=50"
VIEW = """() => ({
  step: document.querySelector("[data-testid=step-counter]").dataset.step,
  loss: document.querySelector("[data-testid=test-loss]").dataset.value,
  lr: document.querySelector("select[name=lr]").value,
  act: document.querySelector("select[name=act]").value,
  notice: !document.querySelector("[data-testid=link-notice]").hidden,
})"""


@pytest.mark.parametrize("playing", [False, True])
def test_a_link_followed_from_the_training_view_shows_what_opening_it_shows(browser, live_server, playing) -> None:  # type: ignore[no-untyped-def]
    """A link to /train followed from /train changes only the address's fragment: the page must show the
    link's setup and run as a fresh load of it does, also when it was training at that moment."""
    with checked_page(browser, viewport={"width": 1280, "height": 800}, locale="en-US") as page:
        page.goto(f"{live_server}/train#{LINKED}")
        page.wait_for_selector(READY)
        opened = page.evaluate(VIEW)
    assert opened["step"] == "50" and opened["lr"] == "0.1" and opened["act"] == "relu"
    with checked_page(browser, viewport={"width": 1280, "height": 800}, locale="en-US") as page:
        page.goto(f"{live_server}/train#data=circle&hidden=[3]&steps=120")
        page.wait_for_selector(READY)
        if playing:
            page.get_by_test_id("play").click()
            page.wait_for_selector(f"{TRAIN}[data-state=playing]")
        page.evaluate("(fragment) => { location.hash = fragment; }", LINKED)
        page.wait_for_function(
            "() => document.querySelector('[data-testid=step-counter]').dataset.step === '50'"
            " && document.querySelector('[data-testid=train]').dataset.state === 'ready'"
        )
        page.wait_for_timeout(500)  # nothing more comes
        followed = page.evaluate(VIEW)
        assert followed == opened
        # and a link whose run is longer than a link may rebuild says so, as on opening it
        huge = [entry(1, 10_000)] * 30
        page.evaluate(
            "(fragment) => { location.hash = fragment; }",
            f"{SETUP}&run={quote(json.dumps(huge, separators=(',', ':')))}",
        )
        page.wait_for_selector(f"{NOTICE}:not([hidden])")
        page.wait_for_selector(READY)
        assert steps_shown(page) == MAX_LINK_REQUESTS
