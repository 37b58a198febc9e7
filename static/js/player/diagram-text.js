// The diagram's words: layer headers (with the health warnings of each layer), neuron symbols and the
// labels screen readers announce, in the page's language; written again when the language changes.

import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { nodeId } from "./steps.js";

/** Write every header, symbol and accessible label of the built diagram `d` for its trace. */
export function writeLabels(d) {
  const { depth } = d.info;
  d.svg.setAttribute("aria-label", t("playground.diagram.label"));
  d.trace.layers.forEach((layer, l) => {
    const header = d.headers[l];
    const title =
      l === 0
        ? t("playground.diagram.input_layer")
        : l === depth
          ? t("playground.diagram.output_layer")
          : t("playground.diagram.hidden_layer", { n: l });
    header.title.textContent = title;
    header.sub.textContent = layer.activation
      ? t(`playground.activation.${layer.activation}`)
      : t("playground.diagram.inputs_sub");
    const flags = healthFlags(layer.health);
    header.health.textContent = flags.map((f) => f.short).join(" · ");
    header.g.classList.toggle("unhealthy", flags.length > 0);
    header.tip.textContent = [title, ...flags.map((f) => f.long)].join("\n");
    layer.labels.forEach((label, i) => {
      const node = d.nodes.get(nodeId(l, i));
      node.sym.textContent = label;
      node.g.setAttribute("aria-label", t("playground.diagram.node_aria", { symbol: label, layer: title }));
    });
  });
  d.lossHeader.title.textContent = t("playground.diagram.loss_layer");
  d.lossHeader.sub.textContent = t(`playground.loss_short.${d.trace.facts.loss}`);
  d.lossNode.sym.textContent = "L";
  d.lossNode.g.setAttribute("aria-label", t("playground.diagram.loss_aria"));
  if (d.focusableEdges) {
    for (const edge of d.edgeList) {
      edge.hit?.setAttribute("aria-label", t("playground.diagram.edge_aria", { symbol: edgeSymbol(d.trace, edge.id) }));
    }
  }
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
