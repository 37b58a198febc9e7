"""The diagram's edges show each weight, and its updated value once the player reaches that neuron's update:
moving along the timeline (forwards, backwards, into the middle of the updates) draws the edges exactly as a
page opened at that step does. The player skips repainting edges when no update boundary moved, so this is
what catches a skip that leaves stale looks behind."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from tests.e2e.conftest import checked_page

DIAGRAM = "[data-testid=network-diagram]"
# a large learning rate: the updated weights land in other colour and width bands than the old ones
FRAGMENT = "#" + urlencode(
    {
        "layers": json.dumps([2, 3, 1]),
        "act": json.dumps(["tanh"]),
        "out": "identity",
        "loss": "mse",
        "seed": 1,
        "x": json.dumps([[1.5, -2]]),
        "y": json.dumps([[3]]),
        "lr": 2,
    }
)

LOOKS = """() => [...document.querySelectorAll('[data-testid=network-diagram] line.edge')].map(
  (line) => line.dataset.edge + ' ' + [...line.classList].filter((c) => c.startsWith('w-')).join(' '))"""

SEEK = """(step) => {
  const timeline = document.querySelector('[data-testid=timeline]');
  timeline.value = String(step);
  timeline.dispatchEvent(new Event('input', { bubbles: true }));
}"""


def open_at(page, base: str, step: int) -> int:  # type: ignore[no-untyped-def]
    """Open the player at `step` in a fresh document; returns how many steps the pass has."""
    page.goto("about:blank")  # a link differing only after its # would be followed in place, not opened anew
    page.goto(f"{base}/{FRAGMENT}&step={step}")
    page.wait_for_selector(f"{DIAGRAM}[data-ready]")
    return int(page.get_attribute(DIAGRAM, "data-ready"))


def seek(page, step: int) -> None:  # type: ignore[no-untyped-def]
    page.evaluate(SEEK, step)
    page.wait_for_function(
        "(step) => document.querySelector('[data-testid=timeline]').value === String(step)", arg=step
    )
    page.wait_for_timeout(50)  # the diagram is painted in the same task; one frame for good measure


def test_edges_follow_the_updates_when_moving_along_the_timeline(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 800}, locale="en-US") as page:
        total = open_at(page, live_server, 0)
        last = total - 1
        fresh = {}
        # the end, the first update only (the output neuron's, last but three), and the start
        for step in (last, last - 3, 0):
            open_at(page, live_server, step)
            fresh[step] = page.evaluate(LOOKS)
        assert fresh[last] != fresh[0], "the learning rate should move some edge into another band"
        assert fresh[last - 3] != fresh[0] and fresh[last - 3] != fresh[last]

        for step in (last, 0, last - 3, last, last - 3, 0):
            seek(page, step)
            assert page.evaluate(LOOKS) == fresh[step], f"edges at step {step} differ from a page opened there"
