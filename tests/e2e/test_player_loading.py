"""The step player draws its first diagram from the few modules that draw it; its panels' modules and
stylesheets are fetched after that diagram is in the page, under versioned URLs kept for a year, and the
diagram keeps its place when they arrive."""

from __future__ import annotations

import re

import pytest

from app.static_assets import IMMUTABLE
from tests.e2e.conftest import checked_page

# Written by the page itself: the time the diagram was first marked ready (data-ready on the SVG).
READY_AT = """
new MutationObserver((_, observer) => {
  if (!document.querySelector("[data-testid=network-diagram][data-ready]")) return;
  observer.disconnect();
  window.__readyAt = performance.now();
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });
"""
PANELS = [
    "player/narration.js",
    "player/opgraph.js",
    "player/tooltip.js",
    "player/predict.js",
    "player/whole-graph.js",
    "player/editor.js",
    "player/exporters.js",
    "player/training.js",
    "player/weight-editor.js",
    "player/input-image.js",
    "css/predict.css",
]
# the legend is drawn with the first diagram: in presenter mode its row is part of the diagram's place
FIRST = ["player/player.js", "player/diagram.js", "player/diagram-build.js", "player/store.js", "player/legend.js"]
VERSIONED = re.compile(r"/static/v/[0-9a-f]{12}/(.+)$")


def test_the_panels_are_fetched_after_the_first_diagram_and_kept_for_a_year(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1920, "height": 1080}) as page:
        cached: dict[str, str] = {}
        page.on("response", lambda r: cached.__setitem__(r.url, r.headers.get("cache-control", "")))
        page.add_init_script(READY_AT)
        page.goto(f"{live_server}/")
        page.get_by_test_id("learning-rate").wait_for(timeout=30_000)
        page.get_by_test_id("narration").wait_for()
        # panels come in their own order (the input image only once the presets have answered): wait for all
        page.wait_for_function(
            """(names) => {
              const paths = performance.getEntriesByType("resource").map((r) => new URL(r.name).pathname);
              return names.every((name) => paths.some((path) => path.endsWith("/" + name)));
            }""",
            arg=PANELS,
            timeout=30_000,
        )
        ready_at = page.evaluate("window.__readyAt")
        started = page.evaluate(
            "() => performance.getEntriesByType('resource').map((r) => [new URL(r.name).pathname, r.startTime])"
        )
    fetched = {}
    for path, start in started:
        found = VERSIONED.search(path)
        if found:
            name = found.group(1).removeprefix("js/")
            fetched[name] = start
    for name in FIRST:
        assert name in fetched and fetched[name] < ready_at, f"{name} should be fetched before the diagram"
    for name in PANELS:
        assert name in fetched, f"{name} was never fetched"
        assert fetched[name] >= ready_at, f"{name} was fetched before the first diagram ({fetched[name]} < {ready_at})"
    static = {url: control for url, control in cached.items() if "/static/" in url}
    assert any("player/narration.js" in url for url in static)
    for url, control in static.items():
        assert VERSIONED.search(url.split("?")[0]), f"{url} is not under a versioned URL"
        assert control == IMMUTABLE, f"{url} is kept as {control!r}"


def test_the_page_marks_its_first_diagram_in_the_dom_and_then_drawn(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    """The playground's own performance marks, which a load timed with no automation attached reads
    afterwards (benchmarks/frontend.py): once each, the drawn mark in a later task than the ready one."""
    with checked_page(browser, viewport={"width": 1920, "height": 1080}) as page:
        page.add_init_script(READY_AT)
        page.goto(f"{live_server}/")
        page.wait_for_function("() => performance.getEntriesByName('diagram-drawn').length > 0")
        page.get_by_test_id("step-next").click()  # later passes and steps mark nothing more
        page.wait_for_timeout(300)
        marks = page.evaluate(
            "() => performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])"
            ".filter(([name]) => name.startsWith('diagram-'))"
        )
        ready_at = page.evaluate("window.__readyAt")
    assert [name for name, _ in marks] == ["diagram-ready", "diagram-drawn"]
    (_, ready), (_, drawn) = marks
    assert ready_at <= drawn and ready < drawn


DIAGRAM_BOX = """() => {
  const box = document.querySelector("[data-testid=network-diagram]").getBoundingClientRect();
  return [box.left, box.top, box.width, box.height];
}"""


@pytest.mark.parametrize(
    ("viewport", "query"),
    [((1920, 1080), "?present=1"), ((1600, 900), "?present=1"), ((1280, 1024), "?present=1"), ((1920, 1080), "")],
)
def test_the_diagram_keeps_its_place_when_the_panels_arrive(browser, live_server, viewport, query: str) -> None:  # type: ignore[no-untyped-def]
    """A class sees the first diagram at once: the panels arriving after it (held back here until it is
    drawn) must not move or resize it. In presenter mode the diagram fills what the legend's row leaves."""
    with checked_page(browser, viewport={"width": viewport[0], "height": viewport[1]}) as page:
        held = []
        for name in PANELS:
            if name.endswith(".js"):
                page.route(f"**/js/{name}*", lambda route: held.append(route))
        page.goto(f"{live_server}/{query}")
        page.wait_for_selector("[data-testid=network-diagram][data-ready]")
        page.wait_for_timeout(300)  # a layout the diagram asked for runs in a later frame
        first = page.evaluate(DIAGRAM_BOX)
        assert held, "no panel module was held back"
        assert page.get_by_test_id("narration").count() == 0, "the panels arrived before they were let through"
        for route in held:
            route.continue_()
        page.get_by_test_id("narration").wait_for()
        page.wait_for_timeout(300)
        after = page.evaluate(DIAGRAM_BOX)
    assert after == pytest.approx(first, abs=0.5), f"the diagram moved from {first} to {after} as the panels arrived"
