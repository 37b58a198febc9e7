// The warning under the run bar when the server's reading of the loss history finds the run going wrong
// (oscillating, blowing up, saturated, stalled). The server decides; this only words it and offers the fix.

import { clear, el } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { currentLanguage, t } from "../core/i18n.js";

/** Codes whose cure is a smaller η and fresh weights (the current ones are wrecked or saturated). */
const NEEDS_RESET = new Set(["oscillating", "blowing_up", "saturated"]);

function messageKey(diagnosis) {
  if (diagnosis.code === "blowing_up" && diagnosis.evidence.non_finite) return "train.diagnosis.overflow";
  return `train.diagnosis.${diagnosis.code}`;
}

function messageParams(diagnosis) {
  const { evidence } = diagnosis;
  const number = (value) => formatNumber(value ?? null, 3);
  return {
    lr: formatNumber(diagnosis.learning_rate),
    suggested: formatNumber(diagnosis.suggested_learning_rate),
    low: number(evidence.low),
    high: number(evidence.high),
    first: number(evidence.first_loss),
    last: number(evidence.last_loss ?? evidence.last_finite_loss),
  };
}

/**
 * box: the warning element. actions.apply(lr, reset): set η (and start over when `reset`).
 * render(diagnosis, currentRate): show the diagnosis (null or healthy: hide).
 */
export function createDiagnosisBox(box, actions) {
  function action(diagnosis, currentRate) {
    const suggested = diagnosis.suggested_learning_rate;
    if (!NEEDS_RESET.has(diagnosis.code)) {
      if (suggested == null || currentRate === suggested) return null;
      return {
        key: "train.diagnosis.use",
        params: { suggested: formatNumber(suggested) },
        run: () => actions.apply(suggested, false),
      };
    }
    // η already lowered by hand: the weights are still the wrecked ones, so offer the fresh start directly.
    if (currentRate < diagnosis.learning_rate) {
      return {
        key: "train.diagnosis.reset",
        params: { lr: formatNumber(currentRate) },
        run: () => actions.apply(currentRate, true),
      };
    }
    if (suggested == null) return null;
    return {
      key: "train.diagnosis.use_and_reset",
      params: { suggested: formatNumber(suggested) },
      run: () => actions.apply(suggested, true),
    };
  }

  let shown = null; // what the box says: a streamed run brings the same reading many times a second

  return {
    render(diagnosis, currentRate) {
      const show = Boolean(diagnosis) && diagnosis.code !== "healthy";
      const key = JSON.stringify([show && diagnosis, currentRate, currentLanguage()]);
      if (key === shown) return;
      shown = key;
      box.hidden = !show;
      box.dataset.code = show ? diagnosis.code : "";
      if (!show) {
        clear(box);
        return;
      }
      const text = el("span", {
        class: "diagnosis-text",
        "data-testid": "diagnosis-text",
        text: t(messageKey(diagnosis), messageParams(diagnosis)),
      });
      const next = action(diagnosis, currentRate);
      const button =
        next &&
        el("button", {
          type: "button",
          class: "diagnosis-action",
          "data-testid": "diagnosis-action",
          text: t(next.key, next.params),
          onclick: next.run,
        });
      clear(box).append(text, button);
    },
  };
}
