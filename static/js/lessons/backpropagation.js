// Lesson 6: the full step player (forward → loss → backward → update → again) on the classroom network.
// The page's keyboard handler drives it, so the player's own key handling is off.

import { attachPlayer, playerChanged } from "../classroom/bridge.js";
import { api } from "../core/api.js";
import { t } from "../core/i18n.js";
import { urlState } from "../core/urlstate.js";
import { setStatus } from "./common.js";

const FALLBACK = {
  network: { layers: [2, 3, 1], activation: "tanh", output_activation: "sigmoid", loss: "bce", seed: 1 },
  inputs: [[1, 0.5]],
  targets: [[1]],
  learningRate: 0.5,
};

// predict-then-reveal is kept in the link (#pr=1), as on the playground
const link = urlState([{ name: "pr", type: "bool", default: false }]);

async function classroomNetwork() {
  try {
    const { presets } = await api.presets();
    return presets.find((preset) => preset.id === "classroom")?.request ?? FALLBACK;
  } catch {
    return FALLBACK;
  }
}

export async function mount(root) {
  const host = root.querySelector("[data-player]");
  let player;
  try {
    const [{ mountStepPlayer }, spec] = await Promise.all([import("../player/player.js"), classroomNetwork()]);
    player = mountStepPlayer(host, {
      ...spec,
      showEditor: false,
      showOpGraph: true,
      showLegend: true,
      showTraining: true,
      granularity: "neuron",
      keyboard: false,
      predict: link.read().pr,
      onChange: (snapshot) => {
        if (snapshot.predict !== link.read().pr) link.write({ pr: snapshot.predict });
        playerChanged(snapshot);
      },
    });
    attachPlayer(player); // a live class leads from this player, or drives it, as on the playground
    await player.ready;
  } catch {
    setStatus(root, t("lessons.backpropagation.player_missing"), { error: true });
    return null;
  }
  const moved = (action) => {
    const before = player.getState().step;
    action();
    return player.getState().step !== before;
  };
  return { next: () => moved(player.next), prev: () => moved(player.prev) };
}
