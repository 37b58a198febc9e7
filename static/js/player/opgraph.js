// One neuron's computation as a graph of ops, micrograd style, read from the trace's neuron_graphs:
//   wₖ·aₖ (one product per input) → Σ → + b → z → f → a
// Every op node shows its value and its gradient; every edge its local derivative and what flows
// back along it (upstream × local). Numbers appear as the player reaches the steps that compute them.
// Those gradients are the share that flows back through this one neuron for the focus sample; the
// totals the narration and the update use (over every neuron a value feeds, over the batch) are listed
// under the graph, each read from the trace once the step that computes it is reached.

import { svg, el } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";

const MAX_INPUTS_SHOWN = 4;
const BOX_HEIGHT = 50;
const COLUMN_WIDTHS = [78, 64, 72, 80, 96]; // leaves, products, Σ and b, z, f(z)
const COLUMN_GAP = 76; // room for "∂ local" and "∇ contribution" on each edge

let gapRead = null; // { look, gap }: the columns' gap, read once per look of the page
/** The gap between the graph's columns: presenter mode closes it (--opgraph-gap). Reading a computed style
 * forces a style update, so it is read again only when the theme or presenter mode changed. */
function columnGap() {
  const root = document.documentElement;
  const look = `${root.dataset.theme}|${root.dataset.presenter}`;
  if (gapRead?.look !== look) {
    const gap = parseFloat(getComputedStyle(root).getPropertyValue("--opgraph-gap")) || COLUMN_GAP;
    gapRead = { look, gap };
  }
  return gapRead.gap;
}
const ROW = 58;
const PAD = { x: 10, y: 14 };
const OP_SYMBOLS = { mul: "×", sum: "Σ", add: "+" };

function layoutGraph(graph, gap = COLUMN_GAP) {
  const inputs = graph.nodes.filter((n) => n.role === "product").length;
  const shown = Math.min(inputs, MAX_INPUTS_SHOWN);
  const position = new Map();
  const col = (c) => PAD.x + COLUMN_WIDTHS.slice(0, c).reduce((sum, w) => sum + w + gap, 0);
  const at = (c, y) => ({ x: col(c), y, w: COLUMN_WIDTHS[c] });
  const row = (r) => PAD.y + r * ROW;
  for (let k = 0; k < shown; k++) {
    position.set(`w${k}`, at(0, row(2 * k)));
    position.set(`a${k}`, at(0, row(2 * k + 1)));
    position.set(`p${k}`, at(1, row(2 * k + 0.5)));
  }
  const productsMid = shown ? row(shown - 0.5) : row(0);
  position.set("sum", at(2, productsMid - ROW * 0.5));
  position.set("b", at(2, productsMid + ROW * 0.5));
  position.set("z", at(3, productsMid));
  position.set("a", at(4, productsMid));
  const bottom = Math.max(row(2 * shown), productsMid + ROW * 1.5);
  return {
    position,
    shown,
    inputs,
    width: col(4) + COLUMN_WIDTHS[4] + PAD.x,
    height: bottom + PAD.y - (ROW - BOX_HEIGHT),
  };
}

/** Which of the neuron's numbers the player has reached, and how its current step flows; `inputs`: the
 * node ids of the layer that feeds it. */
function revealState(info, index, id, inputs) {
  const reached = (at) => index == null || at <= index;
  const steps = info.stepsOf(id);
  const current = index == null ? null : steps && Object.values(steps).find((s) => s.index === index);
  return {
    values: reached(info.valueAt(id)),
    inputValue: (k) => reached(info.valueAt(inputs[k])),
    grads: reached(info.deltaAt(id)),
    weightGrads: reached(info.gradAt(id)),
    flow: current ? current.kind : null,
  };
}

function nodeGrad(node, state) {
  return node.role === "weight" ? state.weightGrads : state.grads;
}

function nodeValueShown(node, state) {
  if (node.role === "weight" || node.role === "bias") return true;
  if (node.role === "input") return state.inputValue(node.input);
  return state.values;
}

/** How the current step flows along an edge: by what its source op is (`source`: that op). */
function edgeFlow(source, flow) {
  if (flow === "neuron_forward") return "forward";
  if (flow === "output_delta" || flow === "hidden_delta") return source?.role === "weight" ? null : "backward";
  if (flow === "weight_grads") return source?.role === "weight" || source?.role === "bias" ? "backward" : null;
  return null;
}

/** The total gradients of the drawn leaves, each once the player has reached the step that computes it:
 * a weight's and the bias's summed over the batch (its weight_grads step), an input's over every neuron
 * it feeds for the focus sample (that neuron's δ step, or for x the end of the backward pass). */
function totalLines(trace, info, index, { id, layer, index: neuron }, graph, shown) {
  const reached = (at) => index == null || at <= index;
  const params = trace.params?.[layer - 1];
  const sample = trace.sample ?? 0;
  const ofRole = (role) => graph.nodes.filter((n) => n.role === role);
  const [weights, inputs, [bias]] = [ofRole("weight"), ofRole("input"), ofRole("bias")];
  const line = (key, node, value) =>
    el("li", {
      "data-op": node.id,
      text: t(`playground.opgraph.${key}`, {
        symbol: node.label,
        value: formatNumber(value, 4),
        sample: sample + 1,
      }),
    });
  const lines = [];
  if (params && reached(info.gradAt(id))) {
    for (let k = 0; k < shown; k++) lines.push(line("total_batch", weights[k], params.grad_weight[neuron][k]));
    lines.push(line("total_batch", bias, params.grad_bias[neuron]));
  }
  const gradA = trace.layers[layer - 1]?.grad_a?.[sample];
  const backwardDone = trace.steps.find((step) => step.phase === "update")?.index ?? Infinity;
  for (let k = 0; k < (gradA ? shown : 0); k++) {
    const computed = layer - 1 === 0 ? backwardDone : info.deltaAt(trace.layers[layer - 1].nodes[k]);
    if (reached(computed)) lines.push(line("total_paths", inputs[k], gradA[k]));
  }
  return lines;
}

/** Write `text` only if it differs: rewriting the same words still lays the line out again. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

export function createOpGraph({ onSelectInput } = {}) {
  const title = el("h2", { class: "opgraph-title" });
  const hint = el("p", { class: "opgraph-hint muted" });
  // a group, not an image: an image's contents are presentational, and its input boxes are buttons
  const canvas = svg("svg", { class: "opgraph-svg", role: "group", "data-testid": "op-graph" });
  const more = el("p", { class: "opgraph-more muted" });
  const totals = el("ul", { class: "opgraph-totals", "data-testid": "op-graph-totals" });
  const legend = el("p", { class: "opgraph-legend muted" });
  const scroller = el("div", { class: "opgraph-scroll" }, canvas);
  const element = el(
    "section",
    { class: "panel opgraph", "data-testid": "op-graph-panel" },
    title,
    hint,
    scroller,
    totals,
    more,
    legend,
  );
  let last = null;
  let totalsKey = "";

  /**
   * Draw the graph of neuron `id` at step `index`. With `deferScroll` (a player that is playing), bringing
   * the current boxes into view is returned as a function for the next frame, where reading the scroller's
   * size costs nothing: read right after the graph was replaced, it would lay the page out mid-frame.
   */
  function render(trace, info, index, id, { deferScroll = false, again = false } = {}) {
    const graph = id && trace?.neuron_graphs?.[id];
    // a player that stops where it played draws the same graph again: it is already there
    if (
      !again &&
      last?.trace === trace &&
      last.info === info &&
      last.index === index &&
      last.id === id &&
      last.graph === graph
    )
      return null;
    last = { trace, info, index, id, graph };
    const neuron = id ? trace?.facts.node(id) : null;
    setText(legend, t("playground.opgraph.legend"));
    if (!graph || !neuron) {
      setText(title, t("playground.opgraph.title"));
      setText(hint, t(neuron?.layer === 0 ? "playground.opgraph.input_hint" : "playground.opgraph.hint"));
      canvas.replaceChildren();
      canvas.setAttribute("viewBox", "0 0 10 10");
      canvas.classList.add("empty");
      setText(more, "");
      totals.replaceChildren();
      totalsKey = "";
      return null;
    }
    canvas.classList.remove("empty");
    const { layer } = neuron;
    const feeding = trace.layers[layer - 1].nodes; // the ids of the neurons that feed this one
    const symbol = trace.layers[layer].labels[neuron.index];
    const sample = (trace.sample ?? 0) + 1;
    setText(title, t("playground.opgraph.title_for", { neuron: symbol, sample }));
    setText(hint, t("playground.opgraph.explain", { sample }));
    const state = revealState(info, index, id, feeding);
    // presenter mode hides the edge labels and closes the gaps they need, so the boxes can be drawn larger
    const gap = columnGap();
    const { position, shown, inputs, width, height } = layoutGraph(graph, gap);
    canvas.setAttribute("viewBox", `0 0 ${width} ${height}`);
    canvas.style.setProperty("--natural-width", `${width}px`);
    canvas.setAttribute("aria-label", t("playground.opgraph.aria", { neuron: symbol }));
    setText(more, inputs > shown ? t("playground.opgraph.more", { count: inputs - shown }) : "");
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const edges = svg("g", { class: "op-edges" });
    const labels = svg("g", { class: "op-edge-labels" });
    for (const edge of graph.edges) {
      const from = position.get(edge.source);
      const to = position.get(edge.target);
      if (!from || !to) continue;
      const x1 = from.x + from.w;
      const y1 = from.y + BOX_HEIGHT / 2;
      const x2 = to.x;
      const y2 = to.y + BOX_HEIGHT / 2;
      const mid = (x1 + x2) / 2;
      const flow = edgeFlow(byId.get(edge.source), state.flow);
      edges.append(
        svg("path", {
          class: `op-edge${flow ? ` flow-${flow}` : ""}`,
          d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`,
        }),
      );
      const lx = x1 + (x2 - x1) * 0.5;
      const ly = y1 + (y2 - y1) * 0.5;
      const text = svg("text", { class: "op-edge-label", x: lx, y: ly - 4, "text-anchor": "middle" });
      text.append(svg("tspan", { class: "op-local", text: `∂ ${formatNumber(edge.local, 3)}` }));
      text.append(svg("title", { text: t("playground.opgraph.edge_title") }));
      const sourceNode = byId.get(edge.source);
      if (sourceNode && nodeGrad(sourceNode, state)) {
        text.append(
          svg("tspan", { class: "op-contribution", x: lx, dy: 13, text: `∇ ${formatNumber(edge.contribution, 3)}` }),
        );
      }
      labels.append(text);
    }
    const nodes = svg("g", { class: "op-nodes" });
    for (const node of graph.nodes) {
      const at = position.get(node.id);
      if (!at) continue;
      const leaf = node.op === "leaf";
      const label = node.id === "a" ? `${node.label} → ${symbol}` : node.label;
      const opSymbol = node.id === "z" ? OP_SYMBOLS.add : null;
      const g = svg("g", {
        class: `op-node op-${leaf ? "leaf" : "op"}${state.flow && node.id === "a" ? " current" : ""}`,
        "data-op": node.id,
        transform: `translate(${at.x} ${at.y})`,
      });
      const middle = at.w / 2;
      g.append(svg("rect", { width: at.w, height: BOX_HEIGHT, rx: leaf ? 4 : 12 }));
      g.append(
        svg("text", {
          class: "op-label",
          x: middle,
          y: 15,
          "text-anchor": "middle",
          text: opSymbol ? `${opSymbol} → ${label}` : label,
        }),
      );
      const valueText = nodeValueShown(node, state) ? formatNumber(node.value, 4) : "?";
      g.append(svg("text", { class: "op-value", x: middle, y: 30, "text-anchor": "middle", text: valueText }));
      const gradText = nodeGrad(node, state) ? `∇ ${formatNumber(node.grad, 4)}` : "∇ ?";
      g.append(svg("text", { class: "op-grad", x: middle, y: 44, "text-anchor": "middle", text: gradText }));
      if (node.role === "input" && onSelectInput) {
        g.classList.add("op-link");
        g.setAttribute("tabindex", "0");
        g.setAttribute("role", "button");
        g.setAttribute("aria-label", t("playground.opgraph.go_to", { neuron: node.label }));
        g.dataset.target = feeding[node.input];
      }
      nodes.append(g);
    }
    canvas.replaceChildren(edges, nodes, labels);
    // the totals change only when a gradient is reached: the same lines are not written again
    const lines = totalLines(trace, info, index, { id, ...neuron }, graph, shown);
    const key = lines.map((line) => `${line.dataset.op}:${line.textContent}`).join("\n");
    if (key !== totalsKey) {
      totalsKey = key;
      totals.replaceChildren(...lines);
    }
    if (deferScroll) return () => followFlow(state.flow, position, width);
    followFlow(state.flow, position, width);
    return null;
  }

  // A panel narrower than the graph scrolls it (text stays at its natural size): bring the boxes the
  // current step fills in into view, without moving the page.
  function followFlow(flow, position, width) {
    const ids = {
      neuron_forward: ["z", "a"],
      output_delta: ["z", "a"],
      hidden_delta: ["z", "a"],
      weight_grads: ["w0", "a0"],
    }[flow];
    if (!ids || scroller.scrollWidth <= scroller.clientWidth) return;
    const scale = canvas.clientWidth / width;
    const boxes = ids.map((id) => position.get(id)).filter(Boolean);
    if (!boxes.length) return;
    const left = Math.min(...boxes.map((b) => b.x)) * scale;
    const right = Math.max(...boxes.map((b) => b.x + b.w)) * scale;
    const view = scroller.clientWidth;
    if (left < scroller.scrollLeft || right - left > view) scroller.scrollLeft = left - 8;
    else if (right > scroller.scrollLeft + view) scroller.scrollLeft = right - view + 8;
  }

  canvas.addEventListener("click", (event) => {
    const target = event.target.closest?.("[data-target]");
    if (target) onSelectInput?.(target.dataset.target);
  });
  canvas.addEventListener("keydown", (event) => {
    const target = event.target.closest?.("[data-target]");
    if (target && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      event.stopPropagation();
      onSelectInput?.(target.dataset.target);
    }
  });

  function rerender() {
    if (last) render(last.trace, last.info, last.index, last.id, { again: true });
  }

  return { element, render, rerender };
}
