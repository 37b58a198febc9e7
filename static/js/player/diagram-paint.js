// Painting a built diagram for the step shown: each neuron's fill (its activation), value and δ bar, each
// edge's look (its weight, or the updated one once the update step is reached), the lit step's nodes and
// edges and the numbers on them. Only attributes whose value differs from what is drawn are written.

import { formatNumber } from "../core/format.js";
import { boxAround, fitValueLabel, labelPlace, monoWidth, valueLabel } from "./diagram-layout.js";
import { takeCopy, takeLabel } from "./diagram-build.js";
import { lookKey, signedShare } from "./scales.js";
import { nodeId } from "./steps.js";

const LABEL_POOL = 64;
const CROWD = 16; // the most numbers on a step's edges that keep clear of one another
const DELTA_BAR_HEIGHT = 4; // px: a δ's bar under its circle (diagram-build.js)

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
    const out = d.nodes.get(nodeId(info.depth, j));
    // placed again when its text or the output's δ label below it changes
    const placedFor = `${text}|${out.deltaKey}`;
    if (label.placedFor !== placedFor) placeTargetLabel(d, label, out, placedFor);
  });
}

/** The target's label below the line from the output `out` to the loss, clear of both and of out's δ. */
function placeTargetLabel(d, label, out, placedFor) {
  const { layout } = d;
  const size = layout.labelFont;
  const text = label.text.textContent;
  const place = labelPlace(
    { x1: out.x, y1: out.y, x2: d.lossNode.x, y2: d.lossNode.y },
    {
      width: monoWidth(text.length, size),
      height: lineHeight(size),
      along: 0.45,
      reach: layout.labelReach,
      endReach: 0, // the loss is a square: lossBox
      lift: -Math.max(13, size * 0.8),
      boxes: [deltaBox(d, out), lossBox(d)].filter(Boolean),
    },
  );
  label.placedFor = placedFor;
  label.box = text ? boxAround(place, monoWidth(text.length, size), lineHeight(size)) : null;
  label.text.setAttribute("x", place.x.toFixed(1));
  label.text.setAttribute("y", place.y.toFixed(1));
}

/** The height a line of text of `size` px takes: the room kept around a label. */
const lineHeight = (size) => size * 1.25;

/** The box of a neuron's δ bar and label under its circle, or null when it shows neither. */
function deltaBox(d, node) {
  if (!node.barKey) return null; // the loss, an input, or a δ not computed yet
  const { deltaFont, deltaMiddle, radius } = d.layout;
  const half = Math.max(node.barHalf, monoWidth(node.deltaKey?.length || 0, deltaFont) / 2);
  return {
    left: node.x - half,
    right: node.x + half,
    top: node.y + radius + 1,
    // the bar alone where the δ's number is not written (numbers off, or circles too small for text)
    bottom: node.y + (node.deltaKey ? deltaMiddle + lineHeight(deltaFont) / 2 : radius + 3 + DELTA_BAR_HEIGHT),
  };
}

/** The loss's square, with the gap a label keeps from a circle, as a box no label may cover. */
function lossBox(d) {
  const side = 2 * d.layout.labelReach;
  return boxAround(d.lossNode, side, side);
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
  const { labelFont, labelReach } = d.layout;
  // what a label must not cover besides the circles: the δ labels and the labels placed before it near
  // its edge, and beside the loss the target's label
  const taken = items.length ? d.nodeList.map((node) => deltaBox(d, node)).filter(Boolean) : [];
  const room = monoWidth(6, labelFont); // how far beside its edge a number may be moved
  const obstacles = (edge) => {
    const left = Math.min(edge.x1, edge.x2) - room;
    const right = Math.max(edge.x1, edge.x2) + room;
    const boxes = taken.filter((box) => box.right > left && box.left < right);
    if (!edge.loss) return boxes;
    return [...boxes, lossBox(d), d.targetLabels[edge.to]?.box].filter(Boolean);
  };
  let used = 0;
  for (const { id, value, kind } of items.slice(0, LABEL_POOL)) {
    const edge = d.edges.get(id);
    if (!edge) continue;
    const label = takeLabel(d, used++);
    const text = formatNumber(value, 3);
    const width = monoWidth(text.length, labelFont);
    // near the end that shares the step's edges, yet clear of both circles
    const place = labelPlace(edge, {
      width,
      height: lineHeight(labelFont),
      along: tAlong,
      reach: labelReach,
      endReach: edge.loss ? 0 : labelReach, // the loss is a square: among the obstacles
      lift: 4,
      boxes: obstacles(edge),
    });
    // a step with more numbers than can stand clear of one another (a layer's update on a large network)
    // keeps them off the circles and the δ labels only
    if (items.length <= CROWD) taken.push(boxAround(place, width, lineHeight(labelFont)));
    const x = place.x.toFixed(1);
    const y = place.y.toFixed(1);
    setIfChanged(label, "x", x, () => label.text.setAttribute("x", x));
    setIfChanged(label, "y", y, () => label.text.setAttribute("y", y));
    setIfChanged(label, "value", text, () => {
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
