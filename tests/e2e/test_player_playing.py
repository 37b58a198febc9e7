"""What the step player does in the frames of playback: a player that stops where it played keeps the
narration and op graph it wrote while playing (writing them again lays out a dozen formula blocks in one
frame), and op graph numbers that arrive during playback are drawn while it plays."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_until_asked
from tests.e2e.test_playground import open_player

# Mounts a player of `layers` at phase granularity and plays it to its end. Every change to the narration's
# body or the op graph is recorded with whether the player was still playing when it was delivered (a
# MutationObserver delivers after the script that changed the DOM: the pieces written while playing come
# while the store says playing, the stop's redraw after it).
PLAY_TO_THE_END = """async (layers) => {
  const src = document.querySelector("script[src*='/js/pages/playground.js']").src;
  const base = src.slice(0, src.indexOf("/js/pages/"));
  const { mountStepPlayer } = await import(`${base}/js/player/player.js`);
  const host = document.createElement("div");
  document.querySelector("main").append(host);
  const player = mountStepPlayer(host, {
    network: { layers, activation: "tanh", output_activation: "identity", loss: "mse", seed: 3 },
    inputs: [Array.from({ length: layers[0] }, (_, i) => 0.25 * i - 0.5)],
    targets: [Array(layers.at(-1)).fill(0.5)],
    granularity: "phase", speed: 2, keyboard: false,
  });
  await player.ready;
  player.setStep(0);
  const playing = () => player.store.getState().view.playing;
  const written = { whilePlaying: 0, afterStop: [] };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const where = record.target.closest?.("[data-testid]")?.dataset.testid ?? record.target.nodeName;
      if (playing()) written.whilePlaying++;
      else written.afterStop.push(where);
    }
  });
  const narration = host.querySelector("[data-testid=narration] .narration-body");
  const graph = host.querySelector("[data-testid=op-graph]");
  for (const target of [narration, graph])
    observer.observe(target, { childList: true, subtree: true, characterData: true, attributes: true });
  const stopped = new Promise((resolve) => {
    const unsubscribe = player.store.subscribe((state) => {
      if (!state.view.playing) { unsubscribe(); resolve(); }
    });
  });
  player.play();
  await stopped;
  await new Promise((resolve) => setTimeout(resolve, 400));
  observer.takeRecords();
  observer.disconnect();
  const state = player.getState();
  return {
    ...written,
    step: state.step,
    last: player.getTrace().steps.length - 1,
    shownSteps: [...narration.querySelectorAll(".narration-step")].map((block) => Number(block.dataset.step)),
    graphBoxes: graph.querySelectorAll(".op-node").length,
  };
}"""


def test_stopping_at_the_end_keeps_what_playing_wrote(page: Page, live_server: str) -> None:
    open_player(page, live_server)
    result = page.evaluate(PLAY_TO_THE_END, [2, 4, 3, 1])
    assert result["step"] == result["last"], result
    assert result["whilePlaying"] > 0, "the narration and op graph were written while playing"
    # the update phase of 4 + 3 + 1 neurons: all its steps, the last one at the bottom, each written once
    assert result["shownSteps"] == list(range(result["last"] - 7, result["last"] + 1)), result
    assert result["graphBoxes"] > 0, "the op graph of the last step's neuron is drawn"
    assert result["afterStop"] == [], f"the stop wrote again what was shown: {result['afterStop'][:8]}"


def test_op_graph_numbers_that_arrive_while_playing_are_drawn_within_the_step(page: Page, live_server: str) -> None:
    """A page opened at step 0 asks for its first pass without the op graphs' numbers; the first step about a
    neuron asks for them. Held back until that step's values are travelling (a slow move), once they arrive
    the op graph is drawn in a frame of the same step, not left for the next step to draw."""
    held: list = []

    def graphs_held(route) -> None:  # type: ignore[no-untyped-def]
        body = json.loads(route.request.post_data or "{}")
        if body.get("include_neuron_graphs"):
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/v2/network/trace", graphs_held)
    open_player(page, live_server, "#layers=%5B3%2C4%2C2%5D&g=layer&speed=0.25")
    nodes = page.get_by_test_id("op-graph").locator(".op-node")
    page.get_by_test_id("play").click()
    wait_until_asked(page, held, "the op graphs' numbers")
    step = page.get_by_test_id("timeline").input_value()
    assert nodes.count() == 0, "the op graph is drawn before its numbers came"
    held[0].continue_()
    expect(nodes.first).to_be_visible(timeout=2000)  # a move at 0.25× takes 3.8 s
    assert page.get_by_test_id("timeline").input_value() == step, "the graph waited for the next step"
    expect(page.get_by_test_id("play")).to_have_attribute("aria-pressed", "true")
