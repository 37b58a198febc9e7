"""The training view while a run streams at Fastest: the loss chart and the diagram are updated in place (the
same elements, new values), the numbers keep moving, and a link's tooltip tells the weight shown now."""

from __future__ import annotations

import pytest

from tests.e2e.test_train import open_train, pause, steps_shown, wait_for_steps

pytestmark = pytest.mark.e2e

DIGITS = "data=digits&hidden=[8]&opt=adam&lr=0.01&speed=max"

# Marks the chart's line, a link and a weight image, and counts what changes in them, frame by frame.
WATCH = """() => {
  const line = document.querySelector("[data-testid=loss-chart] .line-train");
  const link = document.querySelector("[data-testid=network] .link");
  const image = document.querySelector("[data-testid=weight-image-0]");
  const counts = { line: 0, counter: 0 };
  let lastLine = line.getAttribute("d");
  let lastCounter = document.querySelector("[data-testid=step-counter]").textContent;
  const frame = () => {
    const d = line.getAttribute("d");
    if (d !== lastLine) counts.line += 1;
    lastLine = d;
    const counter = document.querySelector("[data-testid=step-counter]").textContent;
    if (counter !== lastCounter) counts.counter += 1;
    lastCounter = counter;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  window.__marked = { line, link, image, counts };
}"""


def test_a_streaming_run_updates_its_views_in_place(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server, DIGITS)
    page.click("[data-testid=play]")
    wait_for_steps(page, 20, timeout=60)
    page.evaluate(WATCH)
    start = steps_shown(page)
    page.wait_for_timeout(2000)
    # the same nodes are still on the page: updated, not rebuilt
    kept = page.evaluate(
        "() => ['line', 'link', 'image'].filter((k) => window.__marked[k].isConnected && "
        "document.contains(window.__marked[k]))"
    )
    assert kept == ["line", "link", "image"]
    counts = page.evaluate("window.__marked.counts")
    assert steps_shown(page) > start
    # a reader sees the numbers and the chart move several times a second, never only at the end
    assert counts["counter"] >= 4 and counts["line"] >= 4, counts
    pause(page)


def test_a_links_tooltip_tells_the_weight_shown_when_pointed_at(browser, page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_train(page, live_server, "speed=max")
    page.click("[data-testid=play]")
    wait_for_steps(page, 200, timeout=60)
    pause(page)
    link = page.locator("[data-testid=network] .link").first
    link.dispatch_event("pointerover")
    pointed = link.locator("title").text_content() or ""
    assert pointed.startswith("w = ")
    # the same run rebuilt from the page's link draws its links afresh: the tooltip must say the same
    fresh = browser.new_page()
    try:
        fresh.goto(page.url)
        fresh.wait_for_selector("[data-testid=train][data-state=ready]", timeout=60_000)
        assert steps_shown(fresh) == steps_shown(page)
        assert fresh.locator("[data-testid=network] .link title").first.text_content() == pointed
    finally:
        fresh.close()


@pytest.mark.parametrize(("speed", "every"), [("max", 100), ("normal", 10)])
def test_a_stream_records_every_so_many_steps_for_its_speed(page, live_server, speed: str, every: int) -> None:  # type: ignore[no-untyped-def]
    # At Fastest a record every 10 steps would be a thousand a second, each an evaluation of every point
    open_train(page, live_server, f"speed={speed}")
    with page.expect_request("**/api/v1/network/train/stream") as asked:
        page.click("[data-testid=play]")
    assert asked.value.post_data_json["record_every"] == every
    wait_for_steps(page, 2 * every)
    pause(page)
    shown = steps_shown(page)
    assert shown >= 2 * every
    if speed == "max":  # paused between records, the run stands at a step a record showed
        assert shown % every == 0, shown


def test_pausing_far_into_a_fast_segment_settles_within_the_servers_budget(page, live_server) -> None:  # type: ignore[no-untyped-def]
    # Pausing repeats the segment up to the step shown. Repeated with a record every 10 steps, 5,000 steps of
    # the digits (2,000 points to evaluate at each record) cost more than the server allows: a 413, no settling.
    open_train(page, live_server, DIGITS)
    page.click("[data-testid=play]")
    wait_for_steps(page, 5000, timeout=90)
    with page.expect_request("**/api/v1/network/train") as settled:
        pause(page)
    assert settled.value.post_data_json["steps"] >= 5000
    assert settled.value.post_data_json["record_every"] == 100  # as sparse as the stream it repeats
    response = settled.value.response()
    assert response is not None and response.status == 200
    assert steps_shown(page) == settled.value.post_data_json["steps"]
