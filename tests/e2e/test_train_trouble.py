"""The training view when a run goes wrong: the server's diagnosis of the loss history is shown in the
reader's language with a fix one click away, a diverged run can still be explained, and the fitted curve
of a network that blew up keeps the data readable."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots/h11c")
TRAIN = "[data-testid=train]"
READY = f"{TRAIN}[data-state=ready]"
BOX = "[data-testid=diagnosis]"


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def play_until(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    page.click("[data-testid=play]")
    page.wait_for_selector(selector, timeout=30_000)
    if page.get_attribute("[data-testid=play]", "aria-pressed") == "true":
        page.click("[data-testid=play]")
    page.wait_for_selector(READY, timeout=30_000)


def test_sgd_at_ten_is_called_oscillating_in_both_languages_and_reset_is_offered(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/train#lr=10&opt=sgd&speed=fast")
    page.wait_for_selector(READY, timeout=30_000)
    assert page.is_hidden(BOX)
    play_until(page, f"{BOX}[data-code=oscillating]")
    text = page.text_content("[data-testid=diagnosis-text]")
    assert "oscillating" in text and "η = 10 is too large" in text and "try η = 0.1" in text
    assert page.text_content("[data-testid=diagnosis-action]") == "Use η = 0.1 and reset"
    assert page.is_enabled("[data-testid=explain]")
    shot(page, "train-oscillating-en")

    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=zh-CN]")
    text = page.text_content("[data-testid=diagnosis-text]")
    assert "损失在振荡" in text and "η = 10 太大了" in text and "η = 0.1" in text
    assert page.text_content("[data-testid=diagnosis-action]") == "改用 η = 0.1 并重置"
    shot(page, "train-oscillating-zh")

    # η lowered by hand: the weights are still the wrecked ones, so the warning offers a fresh start at once
    page.select_option("[data-testid=learning-rate]", "0.3")
    assert page.text_content("[data-testid=diagnosis-action]") == "用 η = 0.3 重置"
    page.click("[data-testid=diagnosis-action]")
    page.wait_for_selector(f"{READY}[data-step='0']", timeout=30_000)
    assert page.is_hidden(BOX)
    assert page.input_value("[data-testid=learning-rate]") == "0.3"


def test_the_suggested_rate_is_applied_with_a_reset(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/train#lr=10&opt=sgd&speed=fast")
    page.wait_for_selector(READY, timeout=30_000)
    play_until(page, f"{BOX}[data-code=oscillating]")
    page.click("[data-testid=diagnosis-action]")
    page.wait_for_selector(f"{READY}[data-step='0']", timeout=30_000)
    assert page.input_value("[data-testid=learning-rate]") == "0.1"
    assert "lr=0.1" in page.url


def test_a_regression_that_overflows_is_explained_and_its_plot_stays_readable(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/train#data=sine&lr=3&opt=sgd&speed=fast")
    page.wait_for_selector(READY, timeout=30_000)
    page.click("[data-testid=play]")
    page.wait_for_selector(f"{BOX}[data-code=blowing_up]", timeout=30_000)
    page.wait_for_selector(READY, timeout=30_000)
    assert "overflowed" in page.text_content("[data-testid=diagnosis-text]")
    assert page.is_disabled("[data-testid=play]")  # nothing left to train
    assert page.is_enabled("[data-testid=explain]")  # but the run can be taken apart
    ticks = [t.replace("−", "-") for t in page.locator("[data-testid=curve-plot] .chart-axis text").all_text_contents()]
    values = [float(t) for t in ticks]
    assert max(abs(v) for v in values) <= 10  # the sine's targets lie in [−1.2, 1.2]
    assert min(values) <= -1 <= 1 <= max(values)  # and the axis encloses them
    shot(page, "train-overflow-en")
    page.click("[data-testid=explain]")
    page.wait_for_url("**/#*", timeout=30_000)


def test_a_class_missing_from_one_side_of_the_split_is_named_in_both_languages(page, live_server) -> None:  # type: ignore[no-untyped-def]
    alternating = "[" + ",".join(f"[{k / 5},0,{k % 2}]" for k in range(6)) + "]"
    page.goto(f"{live_server}/train#data=custom&pk=binary&pts={quote(alternating)}")
    page.wait_for_selector(READY, timeout=30_000)
    assert page.is_hidden("[data-testid=split-warning]")  # three and three: both classes on both sides

    page.goto(f"{live_server}/train#data=custom&pk=binary&pts={quote('[[0,0,0],[0.5,0,1],[1,0,1]]')}")
    page.reload()
    page.wait_for_selector(READY, timeout=30_000)
    warning = "[data-testid=split-warning]"
    page.wait_for_selector(warning)
    assert "training set has no point of class 0" in page.text_content(warning)
    shot(page, "train-split-warning-en")
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=zh-CN]")
    assert "训练集中没有类别 0 的点" in page.text_content(warning)
    shot(page, "train-split-warning-zh")
