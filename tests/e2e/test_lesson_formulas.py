"""Lesson figures that write the calculus out: lesson 3's partial derivative as a formula with the point's
numbers (∂z/∂x = 2x = 2·1 = 2) for x² + y² and the course's z = 3x + 2y, in both languages."""

from __future__ import annotations

import json
import shutil
import statistics
from pathlib import Path

import pytest

from tests.e2e.conftest import checked_page, screenshot

SHOTS = Path("/tmp/shots/teach")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    path = screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def _open(page, base: str, slug: str, fragment: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/lessons/{slug}{fragment}")
    page.wait_for_selector("[data-lesson][data-ready=true]")


def _symbolic(page) -> str:  # type: ignore[no-untyped-def]
    page.wait_for_selector("[data-testid=symbolic-partial]:not([hidden])")
    return page.locator("[data-testid=symbolic-partial]").inner_text()


@pytest.mark.parametrize(("locale", "tag", "words"), [("en-US", "en", "As a formula"), ("zh-CN", "zh", "写成公式")])
def test_partial_is_written_symbolically_and_with_numbers(browser, live_server, locale, tag, words) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 900}, locale=locale) as page:
        _open(page, live_server, "partial-derivatives")
        page.wait_for_function(
            "() => document.querySelector('[data-testid=symbolic-partial]')?.textContent.includes('2·1')"
        )
        assert _symbolic(page) == f"{words}{': ' if tag == 'en' else '：'}∂z/∂x = 2x = 2·1 = 2"
        page.locator("button[data-expression='3x + 2y']").click()
        page.wait_for_function("() => location.hash.includes('f=')")
        page.wait_for_function(
            "() => document.querySelector('[data-testid=symbolic-partial]').textContent.endsWith('∂z/∂x = 3')"
        )
        assert page.locator("button[data-expression='3x + 2y']").get_attribute("aria-pressed") == "true"
        page.locator("[data-testid=vary-y]").check()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=symbolic-partial]').textContent.endsWith('∂z/∂y = 2')"
        )
        assert page.locator("[data-testid=narration]").get_attribute("data-value") == "2"
        page.locator(".lesson-figure").scroll_into_view_if_needed()
        _shot(page, f"lesson3-partial-3x2y-{tag}")


def test_a_typed_function_is_differentiated_and_kept_in_the_link(page, live_server) -> None:  # type: ignore[no-untyped-def]
    _open(page, live_server, "partial-derivatives", "#f=x*y")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=symbolic-partial]')?.textContent.includes('∂z/∂x = y')"
    )
    assert "0.5" in _symbolic(page)  # y = 0.5 at the first point of the tour


def _narration(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("[data-testid=narration]").inner_text()


@pytest.mark.parametrize(("locale", "tag"), [("en-US", "en"), ("zh-CN", "zh")])
def test_descent_writes_each_update_and_the_arrow_shrinks_with_the_gradient(browser, live_server, locale, tag) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 900}, locale=locale) as page:
        _open(page, live_server, "gradient")
        page.wait_for_selector(".gradient-arrow")
        first = float(page.locator("[data-testid=gradient-map]").get_attribute("data-arrow-pixels"))
        assert "|∇z| = 5" in _narration(page)  # ∇z = (4, 3) at the start (2, 1.5)
        page.locator("[data-testid=step-next]").click()
        page.wait_for_function("() => document.querySelector('[data-testid=narration]').textContent.includes('←')")
        text = _narration(page)
        assert "x ← 2 − 0.1·4 = 1.6" in text and "y ← 1.5 − 0.1·3 = 1.2" in text, text
        second = float(page.locator("[data-testid=gradient-map]").get_attribute("data-arrow-pixels"))
        assert second == pytest.approx(first * 0.8)  # |∇z| went from 5 to 4: the arrow is 4/5 as long
        page.locator(".lesson-figure").scroll_into_view_if_needed()
        _shot(page, f"lesson4-update-{tag}")


def test_a_diverging_path_stays_in_view(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1280, "height": 1000})
    _open(page, live_server, "gradient", "#lr=1.05&n=12")
    page.wait_for_selector(".gradient-arrow")
    for _ in range(12):
        page.locator("[data-testid=step-next]").click()
    page.wait_for_function("() => document.querySelectorAll('.path-point').length === 13")
    assert float(page.locator("[data-testid=gradient-map]").get_attribute("data-view")) > 3
    box = page.locator("[data-testid=gradient-map]").bounding_box()
    for point in page.locator(".path-point").all():
        at = point.bounding_box()
        assert box["x"] <= at["x"] and at["x"] + at["width"] <= box["x"] + box["width"]
        assert box["y"] <= at["y"] and at["y"] + at["height"] <= box["y"] + box["height"]
    page.locator(".lesson-figure").scroll_into_view_if_needed()
    _shot(page, "lesson4-diverging-en")


CROSSINGS = """() => {
  const svg = document.querySelector('[data-testid=chain-graph]');
  const boxes = [...svg.querySelectorAll('.graph-node')].map(g => ({id: g.dataset.node, r: g.querySelector('rect').getBBox()}));
  const hits = [];
  for (const path of svg.querySelectorAll('path.graph-edge')) {
    const [source, target] = path.dataset.edge.replace(/#\\d+$/, '').split('>');
    const length = path.getTotalLength();
    for (let s = 0; s <= length; s += 2) {
      const p = path.getPointAtLength(s);
      for (const {id, r} of boxes) {
        if (id === source || id === target) continue;
        if (p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height) hits.push([path.dataset.edge, id]);
      }
    }
  }
  return hits;
}"""

OVERLAPS = """() => {
  const labels = [...document.querySelectorAll('[data-testid=chain-graph] .edge-label')].map(l => l.getBBox());
  let count = 0;
  for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
    const a = labels[i], b = labels[j];
    if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) count++;
  }
  return [labels.length, count];
}"""


@pytest.mark.parametrize(("locale", "tag"), [("en-US", "en"), ("zh-CN", "zh")])
def test_chain_rule_draws_three_paths_and_names_each_product(browser, live_server, locale, tag) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 1000}, locale=locale) as page:
        _open(page, live_server, "chain-rule", "#f=x*x%20%2B%20x")
        page.wait_for_selector("[data-testid=chain-graph] .graph-node")
        assert page.locator("path.graph-edge").count() == 4  # x→u₁ twice, u₁→f, x→f
        assert page.evaluate(CROSSINGS) == []  # the direct edge x→f goes around the u₁ box
        next_button = page.locator("[data-testid=step-next]")
        lines: list[str] = []
        while not next_button.is_disabled():
            next_button.click()
            lines += page.locator("[data-testid=chain-formula] li").all_inner_texts()
        assert "(df/dx)₁ = df/du₁ · ∂u₁/∂x = 1 × 1.5 = 1.5" in lines
        assert "(df/dx)₃ = df/df · ∂f/∂x = 1 × 1 = 1" in lines
        assert "∂f/∂x = 1" in lines and "df/dx = (df/dx)₁ + (df/dx)₂ + (df/dx)₃ = 1.5 + 1.5 + 1 = 4" in lines
        assert page.locator("[data-node=x] .node-grad").text_content() == "df/dx = 4"
        labels, overlapping = page.evaluate(OVERLAPS)
        assert labels == 4 and overlapping == 0
        page.locator(".lesson-figure").scroll_into_view_if_needed()
        _shot(page, f"lesson5-three-paths-{tag}")


def test_power_rule_prints_2x_not_2x_to_the_1(page, live_server) -> None:  # type: ignore[no-untyped-def]
    _open(page, live_server, "chain-rule")
    page.wait_for_selector("[data-testid=chain-graph] .graph-node")
    next_button = page.locator("[data-testid=step-next]")
    lines: list[str] = []
    while not next_button.is_disabled():
        next_button.click()
        lines += page.locator("[data-testid=chain-formula] li").all_inner_texts()
    assert "∂u₁/∂x = 2·x = 2·1.5 = 3" in lines
    assert not any("^1" in line for line in lines)


def test_cost_table_gives_pass_counts_and_median_times(page, live_server) -> None:  # type: ignore[no-untyped-def]
    runs: dict[str, list[dict]] = {}

    def keep(response) -> None:  # type: ignore[no-untyped-def]
        if response.url.endswith("/network/gradcheck") and response.ok:
            layers = "-".join(str(n) for n in json.loads(response.request.post_data)["layers"])
            runs.setdefault(layers, []).append(response.json()["timings_ms"])

    page.on("response", keep)
    _open(page, live_server, "beyond-backprop")
    page.wait_for_selector("[data-lesson-figure-ready], [data-costs-ready=true]", timeout=120_000)
    rows = page.locator("[data-testid=cost-table] tbody tr")
    assert rows.count() == 6
    for row in rows.all():
        layers = row.locator("th").inner_text()
        assert len(runs[layers]) >= 3
        for role, name in (("ms-backprop", "backprop"), ("ms-numerical", "numerical")):
            shown = float(row.locator(f"[data-role={role}]").inner_text().replace("−", "-"))
            expected = statistics.median(run[name] for run in runs[layers][-3:])
            assert shown == pytest.approx(expected, rel=0.01), (layers, role)
    assert "median" in page.locator("[data-testid=cost-table]").inner_text()
