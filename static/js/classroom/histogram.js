// The class's answers as bars: one per option (or range of numbers), the right one marked once revealed.

import { el } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { optionLabel } from "./questions.js";

function fill(fraction) {
  const bar = el("span", { class: "bar-fill" });
  bar.style.width = `${Math.round(100 * fraction)}%`; // CSSOM, not a style attribute: the CSP allows no inline styles
  return bar;
}

export function renderHistogram(node, question, { testid } = {}) {
  const bins = question?.histogram || [];
  const most = Math.max(1, ...bins.map((bin) => bin.count));
  const revealed = question?.stage === "revealed" && question.answer != null;
  node.replaceChildren(
    ...bins.map((bin) => {
      const right =
        revealed &&
        (question.kind === "value"
          ? Number(question.answer) >= bin.low - (question.tolerance ?? 0) &&
            Number(question.answer) <= bin.high + (question.tolerance ?? 0)
          : bin.label === question.answer);
      return el(
        "div",
        { class: `bar${right ? " right" : ""}`, "data-testid": "histogram-bar" },
        el("span", {
          class: "bar-label",
          text: question.kind === "value" ? bin.label : optionLabel(question, bin.label),
        }),
        el("span", { class: "bar-track" }, fill(bin.count / most)),
        el("span", { class: "bar-count", text: String(bin.count) }),
      );
    }),
  );
  node.setAttribute("aria-label", t("common.classroom.histogram"));
  if (testid) node.dataset.testid = testid;
}
