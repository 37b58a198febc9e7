// Legends tie every colour, width and bar length of the diagram to a number, using the same scales.

import { el, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { healthFlags } from "./diagram.js";
import { edgeDash, edgeStroke, edgeWidth, nodeFill, symmetricTicks } from "./scales.js";
import { PHASES } from "./steps.js";

function colourBar(titleKey, scale, testid) {
  const bar = el("div", { class: "colour-bar", "aria-hidden": "true" });
  const stops = Array.from({ length: 41 }, (_, i) => {
    const v = ((i - 20) / 20) * scale;
    return `${nodeFill(v, scale)} ${(i * 2.5).toFixed(1)}%`;
  });
  bar.style.background = `linear-gradient(to right, ${stops.join(", ")})`;
  const ticks = symmetricTicks(scale).map((v, i) => {
    const text = formatNumber(v, 3);
    return i === 0 ? `≤ ${text}` : i === 4 ? `≥ ${text}` : text;
  });
  return el(
    "figure",
    { class: "legend-item legend-colour", "data-testid": testid },
    el("figcaption", { text: t(titleKey) }),
    bar,
    el(
      "div",
      { class: "colour-ticks mono" },
      ticks.map((text) => el("span", { text })),
    ),
  );
}

function deltaBar(scale) {
  const half = 40;
  // the bar stretches to the width its numbers need (a scale such as 0.0025, or presenter mode's type),
  // with 0 under its middle
  const drawing = svg(
    "svg",
    { class: "legend-delta", viewBox: `0 0 ${2 * half + 8} 14`, preserveAspectRatio: "none", "aria-hidden": "true" },
    svg("line", { class: "legend-axis", x1: half + 4, x2: half + 4, y1: 0, y2: 14 }),
    svg("rect", { class: "delta-bar negative", x: 4, y: 5, width: half, height: 4 }),
    svg("rect", { class: "delta-bar", x: half + 4, y: 5, width: half, height: 4 }),
  );
  return el(
    "figure",
    { class: "legend-item" },
    el("figcaption", { text: t("playground.legend.delta") }),
    el(
      "div",
      { class: "legend-delta-scale" },
      drawing,
      el(
        "div",
        { class: "colour-ticks delta-ticks mono" },
        el("span", { text: formatNumber(-scale, 3) }),
        el("span", { text: "0" }),
        el("span", { text: formatNumber(scale, 3) }),
      ),
    ),
  );
}

function widthLegend(scale) {
  const samples = [scale / 4, scale / 2, scale, -scale / 2];
  const rows = samples.map((w) => {
    const line = svg("line", { x1: 2, x2: 46, y1: 8, y2: 8 });
    line.style.stroke = edgeStroke(w, scale);
    line.style.strokeWidth = `${edgeWidth(w, scale)}px`;
    line.style.strokeDasharray = edgeDash(w);
    return el(
      "li",
      {},
      svg("svg", { viewBox: "0 0 48 16", width: 48, height: 16, "aria-hidden": "true" }, line),
      el("span", { class: "mono", text: `w = ${formatNumber(w, 3)}` }),
    );
  });
  return el(
    "figure",
    { class: "legend-item legend-width", "data-testid": "legend-width" },
    el("figcaption", { text: t("playground.legend.weight") }),
    el("ul", {}, rows),
  );
}

function phaseLegend() {
  return el(
    "figure",
    { class: "legend-item legend-phases" },
    el("figcaption", { text: t("playground.legend.phases") }),
    el(
      "ul",
      {},
      PHASES.map((phase) =>
        el(
          "li",
          {},
          el("span", { class: `swatch swatch-${phase}`, "aria-hidden": "true" }),
          t(`playground.phase_short.${phase}`),
        ),
      ),
    ),
  );
}

function healthLegend(trace) {
  const items = [];
  trace.layers.forEach((layer, l) => {
    for (const flag of healthFlags(layer.health)) {
      const name =
        l === trace.layers.length - 1
          ? t("playground.diagram.output_layer")
          : t("playground.diagram.hidden_layer", { n: l });
      items.push(el("li", { "data-flag": flag.key }, `${name}: ${flag.long}`));
    }
  });
  if (!items.length) return null;
  return el(
    "figure",
    { class: "legend-item legend-health", "data-testid": "legend-health" },
    el("figcaption", { text: t("playground.legend.health") }),
    el("ul", {}, items),
  );
}

export function createLegend() {
  const element = el("div", { class: "legend", "data-testid": "legend" });
  let last = null;

  function render(trace, scales) {
    last = { trace, scales };
    if (!trace || !scales) {
      element.replaceChildren();
      return;
    }
    element.replaceChildren(
      ...[
        colourBar("playground.legend.activation", scales.value, "legend-values"),
        deltaBar(scales.grad),
        widthLegend(scales.weight),
        phaseLegend(),
        healthLegend(trace),
      ].filter(Boolean),
    );
  }

  return { element, render, rerender: () => last && render(last.trace, last.scales) };
}
