// Hover, tap or focus a neuron or an edge: its numbers, and how its gradient was composed
// (upstream × local = contribution), read from the steps that computed them.

import { el } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { LOSS_NODE, nodeId } from "./steps.js";

const row = (label, value, cls = "") =>
  el("div", { class: `tip-row ${cls}` }, el("dt", { text: label }), el("dd", { class: "mono", text: value }));

function formulaText(line) {
  return [line.lhs, line.symbolic, line.substituted, line.result].filter(Boolean).join(" = ");
}

function pending(atIndex) {
  return el("p", { class: "tip-pending muted", text: t("playground.tooltip.pending", { n: atIndex + 1 }) });
}

function composition(upstream, local, result) {
  return el(
    "div",
    { class: "tip-chain" },
    el("p", { class: "tip-chain-title", text: t("playground.tooltip.chain") }),
    el(
      "p",
      { class: "mono" },
      el("span", { class: "chain-upstream", text: formatNumber(upstream, 4) }),
      " × ",
      el("span", { class: "chain-local", text: formatNumber(local, 4) }),
      " = ",
      el("span", { class: "chain-result", text: formatNumber(result, 4) }),
    ),
    el("p", { class: "tip-chain-legend muted", text: t("playground.tooltip.chain_legend") }),
  );
}

function nodeContent(trace, info, index, id) {
  const reached = (at) => index == null || at <= index;
  const s = trace.sample ?? 0;
  if (id === LOSS_NODE) {
    const step = trace.steps[info.lossAt];
    const parts = [el("p", { class: "tip-title", text: t("playground.tooltip.loss_title") })];
    if (!reached(info.lossAt)) return [...parts, pending(info.lossAt)];
    parts.push(el("dl", {}, row("L", formatNumber(trace.loss, 6))));
    if (step) parts.push(el("p", { class: "tip-formula mono", text: formulaText(step.formula[0]) }));
    return parts;
  }
  const { layer: l, index: i } = trace.facts.node(id);
  const layer = trace.layers[l];
  const symbol = layer.labels[i];
  const parts = [
    el(
      "p",
      { class: "tip-title" },
      el("span", { class: "math", text: symbol }),
      " · ",
      t(`playground.tooltip.kind_${layer.kind}`),
    ),
  ];
  const rows = [];
  if (!reached(info.valueAt(id))) return [...parts, pending(info.valueAt(id))];
  if (l > 0) rows.push(row("z", formatNumber(layer.z[s][i], 6)));
  rows.push(row(l === 0 ? symbol : "a", formatNumber(layer.a[s][i], 6)));
  if (l > 0) {
    const param = trace.params[l - 1];
    rows.push(row(t("playground.tooltip.bias"), formatNumber(param.bias[i], 6)));
  }
  const deltaAt = info.deltaAt(id);
  if (l > 0 && reached(deltaAt)) {
    rows.push(row("∂L/∂a", formatNumber(layer.grad_a?.[s]?.[i], 6), "grad"));
    rows.push(row("δ = ∂L/∂z", formatNumber(layer.grad_z[s][i], 6), "grad"));
    if (reached(info.gradAt(id))) rows.push(row("∂L/∂b", formatNumber(trace.params[l - 1].grad_bias[i], 6), "grad"));
  } else if (l === 0 && layer.grad_a && index == null) {
    rows.push(row("∂L/∂x", formatNumber(layer.grad_a[s][i], 6), "grad"));
  }
  parts.push(el("dl", {}, rows));
  if (l > 0 && reached(deltaAt)) {
    const step = trace.steps[deltaAt];
    const v = step.values;
    parts.push(composition(v.upstream, v.local, v.delta));
    parts.push(el("p", { class: "tip-formula mono", text: formulaText(step.formula[step.formula.length - 1]) }));
  } else if (l > 0 && Number.isFinite(deltaAt)) {
    parts.push(pending(deltaAt));
  }
  return parts;
}

function edgeContent(trace, info, index, id, editable) {
  const reached = (at) => index == null || at <= index;
  const edge = trace.facts.edge(id);
  if (!edge) return [];
  if (edge.loss) {
    const symbol = trace.layers[edge.layer].labels[edge.index];
    const parts = [el("p", { class: "tip-title", text: `${symbol} → L` })];
    const delta = info.stepsOf(nodeId(edge.layer, edge.index)).output_delta;
    if (delta && reached(delta.index)) {
      parts.push(el("dl", {}, row(delta.formula[0].lhs, formatNumber(delta.values.upstream, 6), "grad")));
      parts.push(el("p", { class: "tip-formula mono", text: formulaText(delta.formula[0]) }));
    } else if (delta) {
      parts.push(pending(delta.index));
    }
    return parts;
  }
  const target = nodeId(edge.layer, edge.to);
  const steps = info.stepsOf(target);
  const param = trace.params[edge.layer - 1];
  const symbol = trace.facts.weightSymbol(edge.layer, edge.to, edge.from);
  const from = trace.layers[edge.layer - 1].labels[edge.from];
  const to = trace.layers[edge.layer].labels[edge.to];
  const parts = [el("p", { class: "tip-title" }, el("span", { class: "math", text: symbol }), ` · ${from} → ${to}`)];
  const rows = [row(t("playground.tooltip.weight"), formatNumber(param.weight[edge.to][edge.from], 6))];
  const forward = steps.neuron_forward;
  if (forward && reached(forward.index)) {
    rows.push(row(t("playground.tooltip.carries"), formatNumber(forward.values.terms[edge.from][2], 6)));
  }
  const grads = steps.weight_grads;
  if (grads && reached(grads.index))
    rows.push(row(`∂L/∂${symbol}`, formatNumber(param.grad_weight[edge.to][edge.from], 6), "grad"));
  const update = steps.update;
  if (update && reached(update.index))
    rows.push(
      row(t("playground.tooltip.updated"), formatNumber(param.updated_weight[edge.to][edge.from], 6), "update"),
    );
  parts.push(el("dl", {}, rows));
  if (grads && reached(grads.index)) {
    const s = trace.sample ?? 0;
    const delta = trace.layers[edge.layer].grad_z[s][edge.to];
    const input = trace.layers[edge.layer - 1].a[s][edge.from];
    const batch = trace.layers[0].a.length;
    if (batch === 1) parts.push(composition(delta, input, param.grad_weight[edge.to][edge.from]));
    parts.push(el("p", { class: "tip-formula mono", text: formulaText(grads.formula[edge.from]) }));
  } else if (grads) {
    parts.push(pending(grads.index));
  }
  if (update && reached(update.index))
    parts.push(el("p", { class: "tip-formula mono", text: formulaText(update.formula[edge.from]) }));
  if (editable) parts.push(el("p", { class: "tip-hint muted", text: t("playground.tooltip.edit_hint") }));
  return parts;
}

let tooltips = 0;

export function createTooltip(host) {
  const tooltipId = `diagram-tooltip-${++tooltips}`;
  const element = el("div", {
    id: tooltipId,
    class: "diagram-tooltip",
    role: "tooltip",
    hidden: true,
    "data-testid": "tooltip",
  });
  host.append(element);
  let current = null;

  function show({ kind, id, element: anchor }, context) {
    const { trace, info, index, editable } = context;
    if (!trace) return;
    if (current?.anchor && current.anchor !== anchor) current.anchor.removeAttribute("aria-describedby");
    current = { kind, id, anchor, context };
    anchor.setAttribute("aria-describedby", element.id);
    const parts = kind === "node" ? nodeContent(trace, info, index, id) : edgeContent(trace, info, index, id, editable);
    element.replaceChildren(...parts);
    element.hidden = false;
    place(anchor);
  }

  function place(anchor) {
    const hostBox = host.getBoundingClientRect();
    const box = anchor.getBoundingClientRect();
    const tip = element.getBoundingClientRect();
    let left = box.right - hostBox.left + 10;
    if (left + tip.width > hostBox.width) left = box.left - hostBox.left - tip.width - 10;
    left = Math.max(4, Math.min(left, hostBox.width - tip.width - 4));
    let top = box.top - hostBox.top + box.height / 2 - tip.height / 2;
    top = Math.max(4, Math.min(top, Math.max(4, hostBox.height - tip.height - 4)));
    element.style.left = `${Math.round(left)}px`;
    element.style.top = `${Math.round(top)}px`;
  }

  function hide() {
    current?.anchor?.removeAttribute("aria-describedby");
    current = null;
    element.hidden = true;
  }

  function refresh(context) {
    if (current)
      show({ kind: current.kind, id: current.id, element: current.anchor }, { ...current.context, ...context });
  }

  return {
    element,
    show,
    hide,
    refresh,
    get current() {
      return current;
    },
  };
}
