// The notation key: what wⱼₖ⁽ˡ⁾, a, z, δ, L, η, ŷ, N and a sample index [n] stand for, and which index of
// a weight is the target neuron and which the source. A button opens it as a modal <dialog>: the browser keeps focus
// inside, Esc closes it, and focus goes back to the button that opened it.

import { el } from "../core/dom.js";
import { t } from "../core/i18n.js";

/** Symbols in the order a pass meets them; each has playground.notation.<key> for its meaning. */
const SYMBOLS = [
  ["w", "wⱼₖ⁽ˡ⁾"],
  ["b", "bⱼ⁽ˡ⁾"],
  ["z", "zⱼ⁽ˡ⁾"],
  ["a", "aⱼ⁽ˡ⁾"],
  ["y_hat", "ŷ, y"],
  ["loss", "L"],
  ["n", "N"],
  ["sample", "δ[n], a[n]"],
  ["delta", "δⱼ⁽ˡ⁾"],
  ["eta", "η"],
];

function translated(tag, key, attrs = {}) {
  return el(tag, { ...attrs, "data-i18n": key, text: t(key) });
}

function createDialog() {
  const list = el(
    "dl",
    { class: "notation-list" },
    SYMBOLS.flatMap(([key, symbol]) => [
      el("dt", { class: "math", text: symbol }),
      translated("dd", `playground.notation.${key}`),
    ]),
  );
  const close = translated("button", "playground.notation.close", {
    type: "button",
    class: "notation-close",
    "data-testid": "notation-close",
  });
  const dialog = el(
    "dialog",
    { class: "notation-panel panel", "data-testid": "notation-panel", "aria-labelledby": "notation-title" },
    translated("h2", "playground.notation.title", { id: "notation-title" }),
    list,
    translated("h3", "playground.notation.indices_title"),
    translated("p", "playground.notation.indices"),
    translated("p", "playground.notation.torch"),
    translated("p", "playground.notation.course"),
    el("form", { method: "dialog", class: "notation-actions" }, close),
  );
  return dialog;
}

/**
 * A "Notation" button and the dialog it opens. `host` is where the dialog lives (once per page: the
 * first call makes it, later ones reuse it).
 */
export function createNotationButton(host = document.body) {
  let dialog = document.querySelector("[data-testid=notation-panel]");
  if (!dialog) {
    dialog = createDialog();
    host.append(dialog);
  }
  const button = translated("button", "playground.notation.open", {
    type: "button",
    class: "notation-open",
    "data-testid": "notation-open",
    "aria-haspopup": "dialog",
  });
  button.addEventListener("click", () => {
    if (dialog.open) return;
    dialog.showModal();
    dialog.querySelector(".notation-close").focus();
    dialog.addEventListener("close", () => button.focus(), { once: true });
  });
  return button;
}
