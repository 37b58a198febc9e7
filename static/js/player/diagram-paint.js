// Painting a built diagram for the step shown: each neuron's fill (its activation), value and δ bar, each
// edge's look (its weight, or the updated one once the update step is reached), the lit step's nodes and
// edges and the numbers on them. Only attributes whose value differs from what is drawn are written.

import { formatNumber } from "../core/format.js";
import { fitValueLabel, valueLabel } from "./diagram-layout.js";
import { takeCopy, takeLabel } from "./diagram-build.js";
import { lookKey, signedShare } from "./scales.js";
import { nodeId } from "./steps.js";

const LABEL_POOL = 64;

function setIfChanged(record, key, value, apply) {
  if (record[key] === value) return;
  record[key] = value;
  apply(value);
}

/** Paint everything a step changes: nodes, edges, the lit step and its edge labels. */
export function paintAll(d) {
  paintNodes(d);
  paintEdges(d);
  paintActive(d);
  paintLabels(d);
}

export function paintNodes(d) {
  const { trace, info, scales } = d;
  const s = trace.sample ?? 0;
  const numbers = d.options.numbers && !d.layout.compact;
  for (const node of d.nodeList) {
    const layer = trace.layers[node.layer];
    const shown = d.revealed(info.valueAt(node.id));
    const a = shown ? layer.a[s][node.index] : null;
    setIfChanged(node, "fillKey", shown ? `f-${lookKey(a, scales.value)}` : "pending", (fill) => {
      node.g.classList.toggle("pending", fill === "pending");
      node.circle.setAttribute("class", fill === "pending" ? "node-circle" : `node-circle ${fill}`);
    });
    setIfChanged(node, "valueKey", shown && numbers ? valueLabel(node, a, 3) : "", (text) => {
      node.val.textContent = text;
      fitValueLabel(node);
    });
    const deltaShown = node.layer > 0 && d.revealed(info.deltaAt(node.id));
    const delta = deltaShown ? layer.grad_z[s][node.index] : null;
    const share = deltaShown ? signedShare(delta, scales.grad) : 0;
    const barKey = deltaShown ? share.toFixed(3) : "";
    setIfChanged(node, "barKey", barKey, () => {
      const length = Math.abs(share) * node.barHalf;
      node.bar.setAttribute("x", share < 0 ? (-length).toFixed(1) : "0");
      node.bar.setAttribute("width", length.toFixed(1));
      node.bar.classList.toggle("negative", share < 0);
      node.bar.setAttribute("visibility", deltaShown ? "visible" : "hidden");
    });
    setIfChanged(node, "deltaKey", deltaShown && numbers ? `δ ${formatNumber(delta, 3)}` : "", (text) => {
      node.deltaText.textContent = text;
    });
  }
  const loss = d.lossNode;
  const lossShown = d.revealed(info.lossAt);
  setIfChanged(loss, "valueKey", lossShown && numbers ? valueLabel(loss, trace.loss, 4) : "", (text) => {
    loss.val.textContent = text;
    fitValueLabel(loss);
  });
  setIfChanged(loss, "fillKey", lossShown ? "shown" : "pending", (key) => {
    loss.g.classList.toggle("pending", key === "pending");
  });
  const lossStep = trace.steps[info.lossAt];
  d.targetLabels.forEach((label, j) => {
    const target = lossStep?.values?.target?.[j];
    const symbol = trace.layers[info.depth].size === 1 ? "y" : `y${subscript(j + 1)}`;
    const text =
      d.options.numbers && target != null && !d.layout.compact ? `${symbol} = ${formatNumber(target, 3)}` : "";
    setIfChanged(label, "key", text, () => {
      label.text.textContent = text;
    });
  });
}

export function paintEdges(d) {
  const { trace, info, scales } = d;
  // An edge's look changes only with the trace, its scale, or when its neuron's update is reached or
  // left: a step that moves no update boundary leaves all of them as they are (a thousand edges of a
  // big network otherwise work out their look twice a step).
  let updated = 0;
  for (const node of d.nodeList) if (node.layer > 0 && d.revealed(info.updateAt(node.id))) updated++;
  const painted = d.edgesPainted;
  if (
    painted?.edges === d.edgeList &&
    painted.trace === trace &&
    painted.scale === scales.weight &&
    painted.updated === updated
  )
    return;
  d.edgesPainted = { edges: d.edgeList, trace, scale: scales.weight, updated };
  let layer = 0;
  let to = -1;
  let weights = null;
  for (const edge of d.edgeList) {
    if (edge.loss) continue;
    if (edge.layer !== layer || edge.to !== to) {
      // edges come grouped by their target neuron: one lookup per neuron
      layer = edge.layer;
      to = edge.to;
      const param = trace.params[layer - 1];
      weights = (d.revealed(info.updateAt(nodeId(layer, to))) ? param.updated_weight : param.weight)[to];
    }
    const look = `w-${lookKey(weights[edge.from], scales.weight)}`;
    if (edge.look === look) continue;
    if (edge.look) edge.line.classList.replace(edge.look, look);
    else edge.line.setAttribute("class", `edge ${look}`); // first paint of a new build: no other class yet
    edge.look = look;
  }
}

export function paintActive(d) {
  // A move lights the same steps twice (while its values travel, then once they are shown), and a phase
  // of a big network is a few hundred steps: the lit sets are gathered again only when the steps differ.
  const first = d.highlight[0];
  const last = d.highlight[d.highlight.length - 1];
  const key = first ? `${first.index}:${last.index}:${d.highlight.length}` : "";
  if (d.active.trace !== d.trace || d.active.key !== key) {
    const nodes = new Set();
    const edges = new Set();
    for (const step of d.highlight) {
      for (const id of step.nodes) nodes.add(id);
      for (const id of step.edges) edges.add(id);
    }
    const swap = (previous, next, lookup) => {
      for (const id of previous) {
        if (!next.has(id)) lookup(id)?.classList.remove("active");
      }
      for (const id of next) {
        if (!previous.has(id)) lookup(id)?.classList.add("active");
      }
    };
    swap(d.active.nodes, nodes, (id) => d.nodeRecord(id)?.g);
    // a large diagram lights its edges by layer (paintHighlights): a class on each of a phase's
    // two thousand edges would be restyled for nothing, at every phase
    if (!d.large) swap(d.active.edges, edges, (id) => d.edges.get(id)?.line);
    d.active = { nodes, edges, key, trace: d.trace };
  }
  const phase = last?.phase || "";
  if (d.svg.dataset.phase !== phase) d.svg.dataset.phase = phase;
  if (d.large) paintHighlights(d, d.active.edges);
  else d.svg.classList.toggle("has-active", d.active.edges.size > 0);
}

/**
 * A large diagram lights a step's edges without restyling the edge layer: while few edges are lit the
 * whole layer is dimmed (one opacity on a composited layer) and the lit ones are drawn again above it;
 * while most are lit, only the others are dimmed, one by one. Either way the look matches a small
 * diagram's, where each unlit edge is dimmed.
 */
export function paintHighlights(d, edges) {
  const copies = edges.size > 0 && edges.size * 2 <= d.edgeList.length;
  d.svg.classList.toggle("dim-edges", copies);
  let used = 0;
  if (copies) {
    for (const id of edges) {
      const edge = d.edges.get(id);
      if (!edge) continue;
      const copy = takeCopy(d, used++);
      if (copy.id !== id) {
        copy.id = id;
        for (const name of ["x1", "y1", "x2", "y2"]) copy.line.setAttribute(name, edge.line.getAttribute(name));
      }
      const look = edge.loss ? "loss-edge" : edge.look;
      setIfChanged(copy, "look", look, () => copy.line.setAttribute("class", `edge-copy ${look}`));
      setIfChanged(copy, "shown", true, () => copy.line.setAttribute("visibility", "visible"));
    }
  }
  for (let i = used; i < d.copies.length; i++) {
    const copy = d.copies[i];
    setIfChanged(copy, "shown", false, () => copy.line.setAttribute("visibility", "hidden"));
  }
  const dimRest = edges.size > 0 && !copies;
  for (const edge of d.edgeList) {
    const dimmed = dimRest && !edges.has(edge.id);
    if (edge.dimmed !== dimmed) {
      edge.dimmed = dimmed;
      edge.line.classList.toggle("dimmed", dimmed);
    }
  }
}

/** Numbers on the edges of the current step: w (forward), w·δ (hidden δ), ∂L/∂w, new w (update). */
export function paintLabels(d) {
  const step = d.highlight[d.highlight.length - 1];
  const items = step && d.options.numbers ? edgeLabelItems(step) : [];
  const shareTarget = step && ["neuron_forward", "weight_grads", "update"].includes(step.kind);
  const tAlong = shareTarget ? 0.3 : 0.68;
  let used = 0;
  for (const { id, value, kind } of items.slice(0, LABEL_POOL)) {
    const edge = d.edges.get(id);
    if (!edge) continue;
    const label = takeLabel(d, used++);
    const x = (edge.x1 + (edge.x2 - edge.x1) * tAlong).toFixed(1);
    const y = (edge.y1 + (edge.y2 - edge.y1) * tAlong - 4).toFixed(1);
    setIfChanged(label, "x", x, () => label.text.setAttribute("x", x));
    setIfChanged(label, "y", y, () => label.text.setAttribute("y", y));
    setIfChanged(label, "value", formatNumber(value, 3), (text) => {
      label.text.textContent = text;
    });
    setIfChanged(label, "kind", kind, () => label.text.setAttribute("class", `edge-label label-${kind}`));
    setIfChanged(label, "shown", true, () => label.text.setAttribute("visibility", "visible"));
  }
  for (let i = used; i < d.labelPool.length; i++) {
    const label = d.labelPool[i];
    setIfChanged(label, "shown", false, () => label.text.setAttribute("visibility", "hidden"));
  }
}

/** The values each edge of a step carries, as the server computed them. */
export function edgeLabelItems(step) {
  const v = step.values || {};
  switch (step.kind) {
    case "neuron_forward":
      return step.edges.map((id, k) => ({ id, value: v.terms?.[k]?.[0], kind: "forward" }));
    case "hidden_delta":
      return step.edges.map((id, k) => ({ id, value: v.terms?.[k]?.[2], kind: "backward" }));
    case "weight_grads":
      return step.edges.map((id, k) => ({ id, value: v.grad_weight?.[k], kind: "backward" }));
    case "update":
      return step.edges.map((id, k) => ({ id, value: v.weight?.[k], kind: "update" }));
    case "output_delta":
      return step.edges.map((id) => ({ id, value: v.upstream, kind: "backward" }));
    default:
      return [];
  }
}

const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
function subscript(n) {
  return String(n)
    .split("")
    .map((d) => SUBSCRIPTS[Number(d)])
    .join("");
}
