"""The step player's picture exports with the step's narration and the legend, and its JSON import refusing
files that are not a network."""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots/h11c")
DIAGRAM = "[data-testid=network-diagram]"
READY = f"{DIAGRAM}[data-ready]"


def open_player(page: Page, base: str, fragment: str = "") -> None:
    page.goto(f"{base}/{fragment}")
    page.wait_for_selector(READY)


def download_text(page: Page, testid: str) -> str:
    with page.expect_download() as download:
        page.get_by_test_id(testid).click()
    return Path(download.value.path()).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_svg_export_can_carry_the_narration_and_the_legend(page: Page, live_server: str, lang: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    open_player(page, live_server, "#step=5")
    assert page.get_attribute("html", "lang") == lang
    sentence = page.locator("[data-testid=narration] [data-testid=narration-sentence]").last.inner_text()
    captions = page.locator("[data-testid=legend] figcaption").all_inner_texts()
    assert sentence and len(captions) >= 3

    plain = download_text(page, "export-svg")
    assert sentence not in plain

    page.get_by_test_id("export-caption").check()
    text = download_text(page, "export-svg")
    assert text.startswith("<?xml") and "style=" not in text
    # the caption's lines, with the breaks of the wrapping taken out
    written = "".join(html.unescape(line) for line in re.findall(r"<text[^>]*>([^<]*)</text>", text))
    assert re.sub(r"\s+", "", sentence) in re.sub(r"\s+", "", written)
    for caption in captions:
        assert f">{html.escape(caption, quote=False)}</text>" in text
    assert "w = " in written  # the entries of the weight legend, not only its title

    SHOTS.mkdir(parents=True, exist_ok=True)
    svg_path = SHOTS / f"export-caption-{lang}.svg"
    svg_path.write_text(text, encoding="utf-8")
    encoded = base64.b64encode(text.encode()).decode()
    page.goto("about:blank")
    page.set_content(f'<img alt="export" src="data:image/svg+xml;base64,{encoded}">')
    page.wait_for_function("document.images[0].complete")
    page.locator("img").screenshot(path=str(SHOTS / f"export-caption-{lang}.png"))


def test_png_export_with_the_caption_is_taller(page: Page, live_server: str) -> None:
    open_player(page, live_server, "#step=5")

    def png_height() -> int:
        with page.expect_download() as download:
            page.get_by_test_id("export-png").click()
        data = Path(download.value.path()).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        return int.from_bytes(data[20:24], "big")  # IHDR height

    plain = png_height()
    page.get_by_test_id("export-caption").check()
    assert png_height() > plain + 40


@pytest.mark.parametrize(
    "document",
    [
        {"format": "backprop-lab/network", "version": 1},
        {"format": "backprop-lab/network", "network": {"layers": "2,3,1"}},
        {"format": "backprop-lab/network", "network": {"layers": [2, 3, 1], "weights": "heavy"}},
        {"loss": 0.25, "steps": []},
    ],
    ids=["no-network", "layers-not-a-list", "weights-not-a-list", "other-json"],
)
def test_importing_json_that_is_not_a_network_says_so(page: Page, live_server: str, tmp_path, document) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "not-a-network.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    open_player(page, live_server, "#layers=[2,4,1]")
    before = page.locator(f"{DIAGRAM} [data-node]").count()
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("import-json").click()
    chooser.value.set_files(str(path))
    expect(page.get_by_test_id("player-error")).to_contain_text("not a Backprop Lab network")
    page.wait_for_timeout(300)
    assert (
        not page.get_by_test_id("toast").is_visible()
        or "Network loaded" not in page.get_by_test_id("toast").inner_text()
    )
    assert page.locator(f"{DIAGRAM} [data-node]").count() == before
