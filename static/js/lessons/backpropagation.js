// Lesson 6: the full step player (forward → loss → backward → update) on a small network.

import { t } from "../core/i18n.js";
import { setStatus } from "./common.js";

export async function mount(root) {
  const host = root.querySelector("[data-player]");
  try {
    const { mountStepPlayer } = await import("../player/player.js");
    return mountStepPlayer(host, {});
  } catch {
    setStatus(root, t("lessons.backpropagation.player_missing"), { error: true });
    return null;
  }
}
