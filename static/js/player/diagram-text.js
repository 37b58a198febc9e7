// The diagram's words: layer headers (with the health warnings of each layer), neuron symbols and the
// labels screen readers announce, in the page's language; written again when the language changes.

import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { fitHeaderRow } from "./diagram-layout.js";
import { nodeId } from "./steps.js";

/** Write every header, symbol and accessible label of the built diagram `d` for its trace. */
export function writeLabels(d) {
  d.svg.setAttribute("aria-label", t("playground.diagram.label"));
  writeHeaders(d);
  d.trace.layers.forEach((layer, l) => {
    const title = layerTitle(d, l);
    layer.labels.forEach((label, i) => {
      const node = d.nodes.get(nodeId(l, i));
      node.sym.textContent = label;
      node.g.setAttribute("aria-label", t("playground.diagram.node_aria", { symbol: label, layer: title }));
    });
  });
  d.lossNode.sym.textContent = "L";
  d.lossNode.g.setAttribute("aria-label", t("playground.diagram.loss_aria"));
  if (d.focusableEdges) {
    for (const edge of d.edgeList) {
      edge.hit?.setAttribute("aria-label", t("playground.diagram.edge_aria", { symbol: edgeSymbol(d.trace, edge.id) }));
    }
  }
}

function layerTitle(d, l, short = false) {
  const suffix = short ? "_short" : "_layer";
  if (l === 0) return t(`playground.diagram.input${suffix}`);
  if (l === d.info.depth) return t(`playground.diagram.output${suffix}`);
  return t(`playground.diagram.hidden${suffix}`, { n: l });
}

/**
 * Write the layer headers in the words that fit the columns of the current layout: "Hidden 3 / tanh"
 * where there is room, "H3" and the activation's short name where many layers share a narrow diagram
 * (eight layers on a phone), and a bare ⚠ for a layer's warnings. The full words stay in each header's
 * tooltip. Written again when the layout changes (diagram.js) and when the language does.
 */
export function writeHeaders(d) {
  const { layout, trace } = d;
  if (!layout || !trace) return;
  const xs = [...layout.columns, layout.loss.x];
  // the hidden layers give way together; the input, the output and the loss each on their own
  const groups = xs.map((_, l) => (l > 0 && l < d.info.depth ? "hidden" : l));
  const row = (fontPx, choices) => fitHeaderRow(xs, layout.width, fontPx, choices, groups);
  const loss = trace.facts.loss;
  const flags = trace.layers.map((layer) => healthFlags(layer.health));
  const titles = row(layout.titlePx, [
    ...trace.layers.map((_, l) => [layerTitle(d, l), layerTitle(d, l, true)]),
    [t("playground.diagram.loss_layer"), t("playground.diagram.loss_short")],
  ]);
  const subs = row(layout.subPx, [
    ...trace.layers.map((layer) =>
      layer.activation
        ? ["activation", "activation_short", "activation_tiny"].map((set) => t(`playground.${set}.${layer.activation}`))
        : [t("playground.diagram.inputs_sub")],
    ),
    [t(`playground.loss_short.${loss}`), t(`playground.loss_tiny.${loss}`)],
  ]);
  const warnings = row(layout.subPx, [
    ...flags.map((list) => (list.length ? [list.map((f) => f.short).join(" · "), "⚠"] : [""])),
    [""],
  ]);
  trace.layers.forEach((_, l) => {
    const header = d.headers[l];
    header.title.textContent = titles[l];
    header.sub.textContent = subs[l];
    header.health.textContent = warnings[l];
    header.g.classList.toggle("unhealthy", flags[l].length > 0);
    header.tip.textContent = [layerTitle(d, l), ...flags[l].map((f) => f.long)].join("\n");
  });
  d.lossHeader.title.textContent = titles.at(-1);
  d.lossHeader.sub.textContent = subs.at(-1);
}

/** The symbol the lesson writes for an edge's weight (w₁₂⁽¹⁾), from the trace's facts: no formula is
 * written for it (a pass writes its formulas only for the steps shown). */
export function edgeSymbol(trace, id) {
  const edge = trace.facts.edge(id);
  if (!edge) return id;
  if (edge.loss) return `${trace.layers[edge.layer].labels[edge.index]} → L`;
  return trace.facts.weightSymbol(edge.layer, edge.to, edge.from);
}

/** The warnings a layer's health raises, short (for the header) and long (for the tooltip and legend). */
export function healthFlags(health) {
  if (!health) return [];
  const flags = [];
  const pct = (x) => Math.round(x * 100);
  if (health.dead_fraction > 0) {
    flags.push({
      key: "dead",
      short: t("playground.health.dead_short", { pct: pct(health.dead_fraction) }),
      long: t("playground.health.dead", { pct: pct(health.dead_fraction) }),
    });
  }
  if (health.saturated_fraction > 0) {
    flags.push({
      key: "saturated",
      short: t("playground.health.saturated_short", { pct: pct(health.saturated_fraction) }),
      long: t("playground.health.saturated", { pct: pct(health.saturated_fraction) }),
    });
  }
  const norm = formatNumber(health.grad_norm, 3);
  if (health.vanishing) {
    flags.push({
      key: "vanishing",
      short: t("playground.health.vanishing_short"),
      long: t("playground.health.vanishing", { norm }),
    });
  }
  if (health.exploding) {
    flags.push({
      key: "exploding",
      short: t("playground.health.exploding_short"),
      long: t("playground.health.exploding", { norm }),
    });
  }
  return flags;
}
