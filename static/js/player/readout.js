// The loss readout in the player's toolbar, a function of the store's state and the pass shown:
//   before the pass reaches its loss step   L = ?
//   from the loss step on                   L = 0.1234 (was 0.2345 when training took the last pass)
//   from the first update step on           … · what one training step does to the weights and biases
//                                           (in short; its title says it in a sentence)

import { el } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";

/**
 * The readout's text for a view step of a pass, and a longer explanation for its title (or ""). `training`
 * is the store's { count, before, after } or null.
 */
export function readoutText(pass, step, training) {
  const { lossAt, updateFrom, learningRate, learningRateSymbol } = pass.facts;
  if (lossAt == null || step < lossAt) return { text: t("playground.toolbar.loss_pending"), title: "" };
  const loss = formatNumber(pass.loss, 4);
  let text =
    training == null
      ? t("playground.toolbar.loss", { loss })
      : t("playground.toolbar.loss_was", { loss, previous: formatNumber(training.before, 4) });
  let title = "";
  if (pass.diverged) text += ` · ${t("playground.toolbar.diverged")}`;
  else if (updateFrom != null && step >= updateFrom) {
    const count = pass.params.reduce((sum, p) => sum + p.bias.length * (p.weight[0]?.length ?? 0) + p.bias.length, 0);
    const params = { count, symbol: learningRateSymbol, rate: formatNumber(learningRate, 4) };
    text += ` · ${t("playground.toolbar.updated", params)}`;
    title = t("playground.toolbar.updated_title", params);
  }
  return { text, title };
}

export function createReadout() {
  const element = el("span", { class: "loss-readout mono", "data-testid": "loss-readout" });
  return {
    element,
    render(pass, step, training) {
      if (!pass) return;
      const { text, title } = readoutText(pass, step, training);
      // every step asks; the text changes only once the loss is reached
      if (element.textContent !== text) element.textContent = text;
      if (element.title !== title) element.title = title;
      element.classList.toggle("diverged", Boolean(pass.diverged));
    },
  };
}
