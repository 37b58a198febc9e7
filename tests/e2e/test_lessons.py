"""The lessons in a real browser: every figure's interaction against the API's numbers, both languages,
presenter mode and the keyboard (a presentation clicker sends PageDown/PageUp)."""

from __future__ import annotations

import itertools
import json
import math
import re
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from app.pages import LESSONS
from tests.e2e.conftest import checked_page, screenshot

SLUGS = [lesson.slug for lesson in LESSONS]
CJK = re.compile(r"[\u4e00-\u9fff]")


def open_lesson(page, base: str, slug: str, query: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/lessons/{slug}{query}")
    page.wait_for_selector("[data-lesson][data-ready=true]")


def values(page, selector: str) -> list[float]:  # type: ignore[no-untyped-def]
    return [float(v) for v in page.eval_on_selector_all(selector, "cells => cells.map(c => c.dataset.value)")]


def post(base: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def fresh_page(browser, viewport: dict, locale: str = "en-US"):  # type: ignore[no-untyped-def]
    """A page in its own context that fails the test on console errors, like conftest's `page`."""
    return checked_page(browser, viewport=viewport, locale=locale)


def step_to_end(page) -> None:  # type: ignore[no-untyped-def]
    nxt = page.locator("[data-testid=step-next]")
    for _ in range(200):
        if nxt.is_disabled():
            return
        nxt.click()
    raise AssertionError("the figure never reached its last step")


# ----------------------------------------------------------------------------------------- index and frame
def test_index_lists_the_seven_lessons_in_order(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/lessons")
    links = page.locator("[data-testid=lesson-list] a")
    assert links.count() == 7
    assert [links.nth(i).get_attribute("href") for i in range(7)] == [f"/lessons/{s}" for s in SLUGS]
    for i in range(7):
        summary = links.nth(i).locator(".lesson-card-summary").inner_text()
        assert len(summary) > 20
    screenshot(page, "lessons-index-en")


@pytest.mark.parametrize("index", range(len(SLUGS)))
def test_each_lesson_has_text_figure_try_this_and_links(page, live_server, index: int) -> None:  # type: ignore[no-untyped-def]
    slug = SLUGS[index]
    open_lesson(page, live_server, slug)
    assert page.locator("[data-testid=lesson-text] p").count() >= 2
    assert page.locator("#figure-caption").inner_text()
    assert page.locator("[data-testid=try-this] p").inner_text()
    assert page.locator("[data-testid=lesson-progress]").inner_text() == f"Lesson {index + 1} of 7"
    following = page.locator("[data-testid=next-lesson]")
    if index + 1 < len(SLUGS):
        assert following.get_attribute("href") == f"/lessons/{SLUGS[index + 1]}"
    else:
        assert following.count() == 0
    if index:
        assert page.locator("[data-testid=previous-lesson]").get_attribute("href") == f"/lessons/{SLUGS[index - 1]}"
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=figure-status].is-error").count() == 0


# ----------------------------------------------------------------------------------------- figures
def test_feed_forward_fills_the_network_layer_by_layer(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_lesson(page, live_server, "feed-forward")
    page.wait_for_selector(".ff-node")
    narration = page.locator("[data-testid=narration]")
    assert page.locator(".ff-value").count() == 0
    shown = []
    for _ in range(3):
        page.locator("[data-testid=step-next]").click()
        shown.append(page.locator(".ff-value").count())
    assert shown == [5, 9, 12]
    assert "ŷ" in narration.inner_text()
    assert page.locator("[data-testid=step-counter]").inner_text() == "Step 4 of 4"
    before = page.eval_on_selector_all(".ff-value", "els => els.map(e => e.textContent)")
    page.locator("[data-testid=ff-new-weights]").click()
    page.wait_for_function(
        "b => [...document.querySelectorAll('.ff-value')].map(e => e.textContent).join() !== b", arg=",".join(before)
    )


def test_derivative_table_converges_to_the_exact_value(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_lesson(page, live_server, "derivative")
    page.wait_for_selector("[data-testid=limit-table] tbody tr")
    exact = float(page.locator("[data-testid=exact-derivative]").get_attribute("data-value"))
    assert exact == pytest.approx(4.0)  # 2x² at x₀ = 1
    quotients = values(page, "[data-testid=limit-table] tbody td.quotient")
    gaps = [abs(q - exact) for q in quotients]
    assert len(quotients) >= 5
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < 1e-4 < gaps[0]
    # the narration follows the slider down the rows
    page.locator("[data-testid=step-next]").click()
    assert "0.5" in page.locator("[data-testid=narration]").inner_text()

    page.get_by_role("button", name="3x", exact=True).click()
    page.wait_for_function("() => document.querySelector('[data-testid=exact-derivative]').dataset.value === '3'")
    assert all(q == pytest.approx(3.0) for q in values(page, "[data-testid=limit-table] tbody td.quotient"))

    page.locator("[data-testid=expression-input]").fill("x^3")
    page.locator("[data-testid=x0-input]").fill("2")
    page.locator("[data-testid=expression-apply]").click()
    page.wait_for_function("() => document.querySelector('[data-testid=exact-derivative]').dataset.value === '12'")
    assert "#" in page.url and "x0=2" in page.url


def test_derivative_shows_the_formula_then_the_worked_value(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_lesson(page, live_server, "derivative")
    symbolic = page.locator("[data-testid=symbolic-derivative]")
    formula_is = "f => document.querySelector('[data-testid=symbolic-derivative]').dataset.formula === f"
    page.wait_for_function(formula_is, arg="4*x")
    assert symbolic.inner_text().split("\n") == ["As a formula: f′(x) = 4x", "At x₀ = 1: f′(1) = 4·1 = 4"]

    # the course's presets come with its point x₀ = 3
    seeded = page.locator(".presets [data-expression='2x^2']")
    page.locator("[data-testid=x0-input]").fill("-2")
    seeded.click()
    page.wait_for_function("() => document.querySelector('[data-testid=exact-derivative]').dataset.value === '12'")
    assert page.locator("[data-testid=x0-input]").input_value() == "3"
    assert seeded.get_attribute("aria-pressed") == "true"
    assert symbolic.inner_text().split("\n") == ["As a formula: f′(x) = 4x", "At x₀ = 3: f′(3) = 4·3 = 12"]
    screenshot(page, "lesson-derivative-symbolic-en")

    page.get_by_role("button", name="3x", exact=True).click()
    page.wait_for_function(formula_is, arg="3")
    assert symbolic.inner_text().split("\n") == ["As a formula: f′(x) = 3", "At x₀ = 3: f′(3) = 3"]

    page.locator("[data-testid=expression-input]").fill("cos(x^2 - 1)")
    page.locator("[data-testid=expression-apply]").click()
    page.wait_for_function(formula_is, arg="-2*x*sin(x^2 - 1)")
    assert symbolic.inner_text().split("\n")[0] == "As a formula: f′(x) = −2x·sin(x² − 1)"
    assert symbolic.inner_text().split("\n")[1].startswith("At x₀ = 3: f′(3) = −2·3·sin(3² − 1) = ")

    page.locator("[data-testid=lang-switch]").click()
    page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    lines = symbolic.inner_text().split("\n")
    assert lines[0] == "写成公式：f′(x) = −2x·sin(x² − 1)" and lines[1].startswith(
        "代入 x₀ = 3：f′(3) = −2·3·sin(3² − 1) = "
    )
    screenshot(page, "lesson-derivative-symbolic-zh")


def test_derivative_reports_a_bad_expression_in_words(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_lesson(page, live_server, "derivative")
    page.locator("[data-testid=expression-input]").fill("2x^")
    page.locator("[data-testid=expression-apply]").click()
    status = page.locator("[data-testid=figure-status]")
    status.wait_for(state="visible")
    assert "column" in status.inner_text()
    # the browser logs the API's 422 answer; that answer is the point of this test
    page.console_errors[:] = [e for e in page.console_errors if "422" not in e]


@pytest.mark.parametrize("slug", ["derivative", "partial-derivatives", "gradient", "chain-rule"])
@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_a_bad_expression_is_answered_beside_the_field_it_was_typed_in(browser, live_server, slug, viewport) -> None:  # type: ignore[no-untyped-def]
    """The message is seen where the learner is looking: in view, just under the expression's field, without
    scrolling down past the plots (it used to be written under them, 700-900 px further down)."""
    with checked_page(browser, viewport={"width": viewport[0], "height": viewport[1]}) as page:
        open_lesson(page, live_server, slug)
        field = page.get_by_test_id("expression-input")
        field.fill("2x^")
        field.press("Enter")
        status = page.get_by_test_id("figure-status")
        expect(status).to_contain_text("column")
        expect(status).to_be_in_viewport(ratio=0.99)  # less a fraction of a pixel
        expect(field).to_be_in_viewport(ratio=0.99)
        typed_in, message = field.bounding_box(), status.bounding_box()
        # under the form, whose other fields (x₀, the chain rule's variables) may stand between
        assert 0 <= message["y"] - (typed_in["y"] + typed_in["height"]) <= 160, (typed_in, message)
        page.console_errors[:] = [e for e in page.console_errors if "422" not in e]


def partial_reading(page) -> tuple[float, float, float, str]:  # type: ignore[no-untyped-def]
    data = page.locator("[data-testid=narration]").evaluate("n => ({...n.dataset})")
    return float(data["value"]), float(data["x"]), float(data["y"]), data["vary"]


def test_partial_slope_is_2x_and_2y(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_lesson(page, live_server, "partial-derivatives")
    page.wait_for_function("() => document.querySelector('[data-testid=narration]').dataset.value")
    slope, x, _, vary = partial_reading(page)
    assert vary == "x" and slope == pytest.approx(2 * x)
    # click on the map: the point moves and the slope is 2x there
    page.locator("[data-testid=partial-map]").scroll_into_view_if_needed()
    box = page.locator("[data-testid=partial-map]").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.3)
    page.wait_for_function(f"() => Number(document.querySelector('[data-testid=narration]').dataset.x) !== {x}")
    slope, x, _, _ = partial_reading(page)
    assert x < 0 and slope == pytest.approx(2 * x)
    page.locator("[data-testid=vary-y]").check()
    page.wait_for_function("() => document.querySelector('[data-testid=narration]').dataset.vary === 'y'")
    slope, _, y, _ = partial_reading(page)
    assert slope == pytest.approx(2 * y)
    assert "∂z/∂y" in page.locator("[data-testid=narration]").inner_text()


def test_descent_path_walks_downhill(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_lesson(page, live_server, "gradient")
    page.wait_for_selector("[data-testid=descent-table] tbody tr")
    assert page.locator(".gradient-arrow").count() == 1
    step_to_end(page)
    z = values(page, "[data-testid=descent-table] tbody td.path-value")
    assert len(z) == 21
    assert all(b < a for a, b in itertools.pairwise(z))
    assert z[-1] < 0.01 * z[0]
    # a click on the map starts the walk from there
    page.locator("[data-testid=gradient-map]").scroll_into_view_if_needed()
    box = page.locator("[data-testid=gradient-map]").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8)
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-testid=descent-table] tbody td.path-value')?.dataset.value)"
        f" !== {z[0]}"
    )
    assert "x=" in page.url


def test_chain_rule_gradient_equals_the_api(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_lesson(page, live_server, "chain-rule")
    page.wait_for_selector("[data-testid=chain-graph] .graph-node")
    expected = post(live_server, "/expression", {"expression": "cos(x^2 - 1)", "variables": {"x": 1.5}})
    assert page.locator("[data-testid=step-counter]").inner_text() == f"Step 1 of {len(expected['steps'])}"
    assert page.locator(".node-grad").count() == 0
    step_to_end(page)
    shown = float(page.locator("[data-testid=chain-result-x]").get_attribute("data-value"))
    assert shown == expected["gradient"]["x"]
    assert shown == pytest.approx(-math.sin(1.5**2 - 1) * 2 * 1.5)
    assert page.locator(".node-grad").count() >= 3
    text = page.locator("[data-testid=chain-result-x]").inner_text()
    assert "df/dx" in text  # the total derivative: d (∂ is an op's local one)

    # a second variable gets its own field, and the gradient is the API's again
    page.locator("[data-testid=expression-input]").fill("x*y + y")
    page.locator("[data-testid=expression-apply]").click()
    page.wait_for_selector("[data-testid=variable-y]")
    # the first answer, 422 "give y a value", is how the figure learns about y; the browser logs it
    page.console_errors[:] = [e for e in page.console_errors if "422" not in e]
    expected = post(live_server, "/expression", {"expression": "x*y + y", "variables": {"x": 1.5, "y": 1}})
    step_to_end(page)
    assert float(page.locator("[data-testid=chain-result-y]").get_attribute("data-value")) == expected["gradient"]["y"]
    assert page.locator("[data-testid=narration]").inner_text()


def test_backprop_lesson_plays_the_step_player(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_lesson(page, live_server, "backpropagation")
    host = page.locator("[data-testid=lesson-player]")
    host.locator("svg").first.wait_for()
    before = host.inner_text()
    page.keyboard.press("PageDown")
    page.wait_for_function("b => document.querySelector('[data-testid=lesson-player]').innerText !== b", arg=before)


def test_gradcheck_table_shows_matching_numbers_and_growing_cost(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_lesson(page, live_server, "beyond-backprop")
    page.wait_for_selector("[data-testid=gradcheck-table] tbody tr")
    backprop = values(page, "[data-testid=gradcheck-table] td[data-role=backprop]")
    numerical = values(page, "[data-testid=gradcheck-table] td[data-role=numerical]")
    assert len(backprop) == 3 * 4 + 4 + 4 * 2 + 2
    for b, n in zip(backprop, numerical, strict=True):
        assert b == pytest.approx(n, rel=1e-5, abs=1e-8)
    page.wait_for_selector("[data-lesson] figure[data-costs-ready=true]")
    rows = page.locator("[data-testid=cost-table] tbody tr")
    assert rows.count() == 6
    passes = values(page, "[data-testid=cost-table] tbody td[data-value]")
    params = [int(rows.nth(i).locator("td").first.inner_text()) for i in range(rows.count())]
    assert passes == [2 * p for p in params]
    assert passes == sorted(passes)
    assert page.locator("[data-testid=cost-chart] .marker-numerical").count() == 6
    assert page.locator("[data-testid=alternatives] li").count() >= 5


# ----------------------------------------------------------------------------------------- languages
def test_language_switch_retranslates_in_place(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_lesson(page, live_server, "chain-rule")
    page.wait_for_selector("[data-testid=chain-graph] .graph-node")
    page.locator("[data-testid=step-next]").click()
    heading = page.locator("[data-testid=lesson-title]")
    narration = page.locator("[data-testid=narration]")
    english = (heading.inner_text(), narration.inner_text())
    assert not CJK.search(english[0]) and not CJK.search(english[1])
    page.locator("[data-testid=lang-switch]").click()
    page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    assert CJK.search(heading.inner_text())
    assert CJK.search(narration.inner_text())
    assert page.locator("[data-testid=step-counter]").inner_text() == "第 2 / 9 步"
    assert CJK.search(page.title())
    page.locator("[data-testid=lang-switch]").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert (heading.inner_text(), narration.inner_text()) == english


def test_chinese_browsers_get_chinese_lessons(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with fresh_page(browser, {"width": 1280, "height": 800}, locale="zh-CN") as page:
        page.goto(f"{live_server}/lessons")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert CJK.search(page.locator("h1").inner_text())
        screenshot(page, "lessons-index-zh")


# ----------------------------------------------------------------------------------------- keyboard and presenter
def test_page_down_steps_the_figure_then_moves_to_the_next_lesson(page, live_server) -> None:  # type: ignore[no-untyped-def]
    open_lesson(page, live_server, "feed-forward")
    page.wait_for_selector(".ff-node")
    counter = page.locator("[data-testid=step-counter]")
    page.keyboard.press("PageDown")
    assert counter.inner_text() == "Step 2 of 4"
    page.keyboard.press("ArrowRight")
    assert counter.inner_text() == "Step 3 of 4"
    page.keyboard.press("PageUp")
    assert counter.inner_text() == "Step 2 of 4"
    for _ in range(12):
        page.keyboard.press("PageDown")
        if "/lessons/derivative" in page.url:
            break
    page.wait_for_url("**/lessons/derivative")
    page.wait_for_selector("[data-lesson][data-ready=true]")


@pytest.mark.parametrize("slug", SLUGS)
def test_presenter_mode_is_large_and_reduced(browser, live_server, slug: str) -> None:  # type: ignore[no-untyped-def]
    with fresh_page(browser, {"width": 1920, "height": 1080}) as page:
        open_lesson(page, live_server, slug, "?present=1")
        assert page.evaluate("document.documentElement.dataset.presenter") == "on"
        size = page.eval_on_selector("[data-testid=lesson-text] p", "p => parseFloat(getComputedStyle(p).fontSize)")
        assert size >= 28
        narration = page.locator("[data-testid=narration]")
        if narration.count():
            assert narration.evaluate("n => parseFloat(getComputedStyle(n).fontSize)") >= 28
        for hidden in page.locator(".editor, .secondary-panel, .keys-hint").all():
            assert not hidden.is_visible()
        controls = "[data-testid=step-next], [data-testid=lesson-player], [data-testid=gradcheck-table]"
        assert page.locator(controls).first.is_visible()
        page.wait_for_load_state("networkidle")
        screenshot(page, f"lesson-{slug}-present")


# The labels of every plot drawn by plot.js: the CSS pixels each is read at (its font size through the SVG's
# scale), and whether two of them collide or one sticks out of its plot.
PLOT_LABELS = """() => {
  const labels = [...document.querySelectorAll('.lesson-figure svg :is(.tick-label, .axis-label)')];
  const rows = labels.map((text) => ({
    cls: text.getAttribute('class'),
    text: text.textContent,
    px: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
    box: text.getBoundingClientRect().toJSON(),
    plot: text.ownerSVGElement.getBoundingClientRect().toJSON(),
    owner: text.ownerSVGElement,
  }));
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const collisions = [];
  rows.forEach((a, i) => rows.slice(i + 1).forEach((b) => {
    if (a.owner === b.owner && overlap(a.box, b.box)) collisions.push([a.text, b.text]);
  }));
  const outside = rows.filter(({ box, plot }) => box.left < plot.left - 1 || box.right > plot.right + 1 ||
    box.top < plot.top - 1 || box.bottom > plot.bottom + 1).map((row) => row.text);
  return { sizes: rows.map(({ cls, text, px }) => ({ cls, text, px })), collisions, outside };
}"""
PLOTTED = {  # the lessons whose figures plot.js draws, and how many plots each has
    "derivative": 1,
    "partial-derivatives": 2,
    "gradient": 1,
    "beyond-backprop": 1,
}


def plot_labels(page, plots: int) -> dict:  # type: ignore[no-untyped-def]
    page.wait_for_function(f"() => document.querySelectorAll('.lesson-figure svg:has(.tick-label)').length === {plots}")
    return page.evaluate(PLOT_LABELS)


@pytest.mark.parametrize("slug", PLOTTED)
@pytest.mark.parametrize(
    ("viewport", "query", "tick_px"),
    [
        ((1366, 768), "?present=1", 18),
        ((1920, 1080), "?present=1", 18),
        ((1280, 800), "", 12),
        ((390, 844), "", 12),
        ((390, 844), "?present=1", 12),  # a phone is no projector: its small plots keep room for their data
    ],
    ids=["projector-1366", "projector-1920", "laptop", "phone", "phone-presenting"],
)
def test_plot_labels_read_at_one_size_on_every_screen(browser, live_server, slug, viewport, query, tick_px) -> None:  # type: ignore[no-untyped-def]
    """A plot's labels are sized in screen pixels, not in its drawing's units: projected, its ticks read at
    18 px whether the figure is drawn at 340 px or 900 px (they were 11-14 px at 1280×800 and 1366×768), on
    a laptop or phone at 12 px; none collides with another or leaves its plot."""
    with fresh_page(browser, {"width": viewport[0], "height": viewport[1]}, locale="zh-CN") as page:
        open_lesson(page, live_server, slug, query)
        found = plot_labels(page, PLOTTED[slug])
        ticks = [row["px"] for row in found["sizes"] if row["cls"] == "tick-label"]
        names = [row["px"] for row in found["sizes"] if row["cls"] == "axis-label"]
        assert len(ticks) >= 6 * PLOTTED[slug] and len(names) == 2 * PLOTTED[slug], found["sizes"]
        assert min(ticks) >= tick_px - 0.1 and max(ticks) <= tick_px + 1, found["sizes"]
        assert min(names) >= tick_px, found["sizes"]
        assert found["collisions"] == [], found["collisions"]
        assert found["outside"] == [], found["outside"]


@pytest.mark.parametrize("slug", ["feed-forward", "chain-rule"])
@pytest.mark.parametrize("viewport", [(1366, 768), (1280, 800)], ids=lambda v: f"{v[0]}x{v[1]}")
def test_projected_diagrams_are_drawn_across_the_screen(browser, live_server, slug, viewport) -> None:  # type: ignore[no-untyped-def]
    """Lesson 1's network and the chain rule's graph draw their text as part of the drawing: projected,
    they come first and span the screen, so every name and number in them reads at 18 px or more (beside
    the text they were drawn at 12-14 px)."""
    with fresh_page(browser, {"width": viewport[0], "height": viewport[1]}) as page:
        open_lesson(page, live_server, slug, "?present=1")
        page.get_by_test_id("step-next").click()  # the first values and their labels
        figure = page.locator("figure.lesson-figure")
        page.wait_for_function("() => document.querySelector('figure.lesson-figure svg .mono')?.textContent")
        sizes = figure.locator("svg.plot").evaluate(
            "svg => [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map("
            "t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"
        )
        assert len(sizes) >= 4 and min(sizes) >= 18, sizes
        text = page.get_by_test_id("lesson-text").bounding_box()
        assert figure.bounding_box()["y"] < text["y"]  # the figure first


@pytest.mark.parametrize("expression", ["cos(x^2 - 1)", "x*sin(x) + x", "x*x + exp(x*y)"])
def test_the_chain_rules_view_is_what_its_graph_draws(page, live_server, expression: str) -> None:  # type: ignore[no-untyped-def]
    """The graph's view box holds its boxes, the numbers under them and the edges that climb over boxes, with
    no empty band: 90 of its 330 units were empty above the boxes, which pushed the narration off a projector."""
    variables = {"x": 1.5, "y": 0.5} if "y" in expression else {"x": 1.5}
    fragment = urllib.parse.urlencode({"f": expression, "v": json.dumps(variables), "s": 99})  # the last step
    open_lesson(page, live_server, "chain-rule", f"#{fragment}")
    expect(page.get_by_test_id("step-next")).to_be_disabled()  # every value and gradient is drawn
    view, drawn = page.locator("[data-testid=chain-graph]").evaluate(
        "svg => { const v = svg.viewBox.baseVal, b = svg.getBBox();"
        " return [[v.y, v.y + v.height], [b.y, b.y + b.height]]; }"
    )
    assert view[0] <= drawn[0] and drawn[1] <= view[1], (view, drawn)  # nothing cut off
    assert drawn[0] - view[0] <= 15, (view, drawn)  # a margin above, not 90 units of nothing
    assert view[1] - drawn[1] <= 40, (view, drawn)  # a margin, and a constant's missing gradient line


def test_plot_labels_follow_presenter_mode_and_the_window(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    """Turning presenter mode on (key P) or narrowing the window redraws the plots' labels at their size,
    without a reload and keeping the step shown."""
    with fresh_page(browser, {"width": 1280, "height": 800}) as page:
        open_lesson(page, live_server, "partial-derivatives")
        page.get_by_test_id("step-next").click()
        expect(page.get_by_test_id("step-counter")).to_have_text(re.compile(r"^Step 2 of"))

        def ticks() -> list[float]:
            return [row["px"] for row in plot_labels(page, 2)["sizes"] if row["cls"] == "tick-label"]

        assert min(ticks()) == pytest.approx(12, abs=0.1)
        page.locator("body").press("p")
        page.wait_for_function("() => document.documentElement.dataset.presenter === 'on'")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.lesson-figure .tick-label')].every("
            "t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a > 18)"
        )
        found = plot_labels(page, 2)
        assert found["collisions"] == [] and found["outside"] == []
        page.locator("body").press("p")
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_function(
            "() => [...document.querySelectorAll('.lesson-figure .tick-label')].every("
            "t => Math.abs(parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a - 12) < 0.1)"
        )
        found = plot_labels(page, 2)
        assert found["collisions"] == [] and found["outside"] == []
        expect(page.get_by_test_id("step-counter")).to_have_text(re.compile(r"^Step 2 of"))


@pytest.mark.parametrize("slug", SLUGS)
def test_screenshots_in_both_languages(browser, live_server, slug: str) -> None:  # type: ignore[no-untyped-def]
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh")):
        with fresh_page(browser, {"width": 1920, "height": 1080}, locale=locale) as page:
            open_lesson(page, live_server, slug)
            page.wait_for_load_state("networkidle")
            if page.locator("[data-testid=step-next]").count():
                page.locator("[data-testid=step-next]").click()
            screenshot(page, f"lesson-{slug}-{tag}")


@pytest.mark.parametrize("slug", ["feed-forward", "derivative", "gradient", "chain-rule"])
def test_phone_width_has_no_sideways_scroll(browser, live_server, slug: str) -> None:  # type: ignore[no-untyped-def]
    with fresh_page(browser, {"width": 390, "height": 844}, locale="zh-CN") as page:
        open_lesson(page, live_server, slug)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1
        page.locator("figure.lesson-figure").scroll_into_view_if_needed()
        screenshot(page, f"lesson-{slug}-phone")
