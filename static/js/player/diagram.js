// The network diagram: neurons as circles in layers, weights as edges, a loss node L.
//
//   const diagram = renderDiagram(svgElement, trace, { step: 5, numbers: true });
//   diagram.setStep(9);            // reveal what steps 0…9 computed, light up step 9
//   diagram.setTrace(nextTrace);   // same shape: attributes change in place; new shape: rebuilt
//
// The SVG is built once per network shape, measured before it is filled and drawn in one pass; a step
// only changes attributes of existing elements, and only those whose value differs from what is already
// drawn. Colours and widths are classes (one per quantised look, see scales.js lookKey), so elements
// share computed styles. In a large diagram the edges are one compositor layer that is dimmed as a whole
// while a step is lit, and the step's edges are drawn again in a small layer above it: a step then
// repaints a few lines instead of re-rasterising a thousand. Edge colour and width show a weight's sign
// and size, negative weights are also dashed; a neuron's fill shows its activation; the bar under it
// shows δ = ∂L/∂z. Every number comes from the trace.

import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { adoptLookClasses, lookKey, maxAbs, niceMax, signedShare } from "./scales.js";
import { edgeId, indexTrace, LOSS_NODE, lossEdgeId, nodeId } from "./steps.js";

const FOCUSABLE_EDGES = 60; // beyond this many edges, edges are reached through their neurons
const HIT_EDGES = 1500; // beyond this many, no widened hit areas (the DOM would double)
const LARGE_EDGES = 400; // beyond this many: no transitions, and the edges are a layer of their own (see top)
const LABEL_POOL = 64;
const PULSE_LIMIT = 320;
const PULSE_RADIUS = 4.5;

/**
 * Positions of every neuron, the loss node and the header for a network of `sizes` in W × H px;
 * `headerLine`: the height of one of the header's three lines of text; `labelRoom`: the room under a
 * circle for its δ bar and δ text, kept free of the next circle.
 */
export function computeLayout(sizes, width, height, maxRadius = 30, headerLine = 15, labelRoom = 26) {
  const n = sizes.length;
  const lossGap = 0.9;
  const marginL = Math.max(36, Math.min(70, width * 0.06));
  // the loss box is as wide as a neuron: large circles (presenter mode) need the room on the right
  const marginR = Math.max(40, Math.min(60, width * 0.05), Math.min(maxRadius + 10, width * 0.08));
  const gap = (width - marginL - marginR) / (n - 1 + lossGap);
  const header = height < 260 ? 40 : Math.round(headerLine * 3.6);
  const top = header + 6;
  const bottom = height - 10;
  const maxSize = Math.max(...sizes);
  const row = Math.min((bottom - top) / maxSize, Math.max(130, 2 * maxRadius + labelRoom + 16));
  let radius = Math.min(gap * 0.18, (row - labelRoom) / 2, maxRadius);
  const compact = radius < 13;
  if (compact) radius = Math.max(3, Math.min(gap * 0.2, row * 0.4, 13));
  const middle = (top + bottom) / 2 - (compact ? 0 : 8);
  const columns = sizes.map((_, l) => marginL + l * gap);
  const nodes = sizes.map((size, l) =>
    Array.from({ length: size }, (_, i) => ({ x: columns[l], y: middle + (i - (size - 1) / 2) * row })),
  );
  return {
    width,
    height,
    radius,
    compact,
    gap,
    row,
    header,
    columns,
    nodes,
    loss: { x: marginL + (n - 1 + lossGap) * gap, y: middle },
  };
}

function setIfChanged(record, key, value, apply) {
  if (record[key] === value) return;
  record[key] = value;
  apply(value);
}

// Advance of one character of the monospaced value font, in ems (a little over most monospace fonts).
const MONO_ADVANCE = 0.62;

/**
 * Size a neuron's (or the loss's) value label to fit its shape: `record.valueSize` for short text,
 * smaller for long text ("−0.0467") so that it stays within `record.valueWidth`, yet never under
 * `record.valueMin` (presenter mode's minimum wins: read from the back row, a digit may touch the rim).
 */
function fitValueLabel(record) {
  const length = record.val.textContent.length;
  const fitting = length ? record.valueWidth / (length * MONO_ADVANCE) : record.valueSize;
  record.val.style.fontSize = `${Math.max(record.valueMin, Math.min(record.valueSize, fitting)).toFixed(1)}px`;
}

/** A value's label with `digits` significant digits, one fewer when even the smallest font would not fit it. */
function valueLabel(record, value, digits) {
  const text = formatNumber(value, digits);
  return text.length * MONO_ADVANCE * record.valueMin > record.valueWidth ? formatNumber(value, digits - 1) : text;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** A detached SVG element with plain attributes (the hot path of build(); dom.js svg() does more). */
function make(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const name in attrs) node.setAttribute(name, attrs[name]);
  return node;
}

export class Diagram {
  constructor(svgEl, options = {}) {
    this.svg = svgEl;
    this.options = { numbers: true, interactive: true, ...options };
    this.trace = null;
    this.index = null;
    this.highlight = [];
    this.selected = null;
    this.shape = "";
    this.svg.classList.add("diagram");
    if (!this.svg.hasAttribute("data-testid")) this.svg.setAttribute("data-testid", "network-diagram");
    this.svg.setAttribute("role", "group");
    adoptLookClasses();
    this.onLanguage = () => this.relabel();
    document.addEventListener("langchange", this.onLanguage);
    this.resizeObserver = new ResizeObserver((entries) => this.scheduleLayout(entries[entries.length - 1].contentRect));
    this.resizeObserver.observe(this.svg);
    if (this.options.interactive) this.listen();
  }

  // ------------------------------------------------------------------------------------------- data
  /**
   * Show `trace` (`info`: its indexTrace, when the caller has it). `index` and `highlight` are those of
   * setStep, so that a new trace is drawn once, at the step it should show.
   */
  setTrace(trace, { info = null, index = this.index, highlight = null } = {}) {
    const shape = trace.layers.map((layer) => `${layer.size}`).join(",");
    this.trace = trace;
    this.info = info || indexTrace(trace);
    this.scales = this.computeScales(trace);
    this.index = index;
    const step = index == null ? null : trace.steps[index];
    this.highlight = highlight ?? (step ? [step] : []);
    if (shape !== this.shape) {
      this.shape = shape;
      this.build();
    }
    this.relabel({ paint: false });
    this.paintAll();
  }

  computeScales(trace) {
    const s = trace.sample ?? 0;
    // Inputs are data and may be large; the colour scale follows what the neurons compute.
    const computed = trace.layers.length > 1 ? trace.layers.slice(1) : trace.layers;
    const values = computed.flatMap((layer) => layer.a[s] || []);
    const grads = trace.layers.flatMap((layer) => (layer.grad_z ? layer.grad_z[s] || [] : []));
    const weights = trace.params.flatMap((p) => [...p.weight.flat(), ...p.updated_weight.flat()]);
    const edgeGrads = trace.params.flatMap((p) => p.grad_weight.flat());
    return {
      value: niceMax(maxAbs(values)),
      grad: niceMax(maxAbs(grads)),
      weight: niceMax(maxAbs(weights)),
      edgeGrad: niceMax(maxAbs(edgeGrads)),
    };
  }

  /** Show what steps 0…index computed and light up `highlight` (default: step `index`). null: all. */
  setStep(index, highlight = null) {
    this.index = index;
    if (!this.trace) return;
    const step = index == null ? null : this.trace.steps[index];
    this.highlight = highlight ?? (step ? [step] : []);
    this.paintAll();
  }

  /** Lay out again (e.g. after presenter mode changed the sizes the stylesheet asks for). */
  relayout() {
    if (!this.nodes) return;
    this.layoutNow();
    this.paintAll();
  }

  setOptions(options) {
    Object.assign(this.options, options);
    this.svg.classList.toggle("numbers-off", !this.options.numbers);
    if (this.trace) this.paintAll();
  }

  select(id) {
    if (this.selected === id) return;
    const previous = this.selected && this.nodeRecord(this.selected);
    previous?.g.classList.remove("selected");
    previous?.g.removeAttribute("aria-pressed");
    this.selected = id;
    const record = id && this.nodeRecord(id);
    record?.g.classList.add("selected");
    record?.g.setAttribute("aria-pressed", "true");
  }

  nodeRecord(id) {
    return id === LOSS_NODE ? this.lossNode : this.nodes.get(id);
  }

  edgeRecord(id) {
    return this.edges.get(id);
  }

  /** The element of a node or edge, e.g. to place a tooltip. */
  elementOf(kind, id) {
    if (kind === "node") return this.nodeRecord(id)?.g;
    return this.edgeRecord(id)?.line;
  }

  revealed(index) {
    return this.index == null || index <= this.index;
  }

  // ------------------------------------------------------------------------------------------- build
  build() {
    const { sizes, depth } = this.info;
    const edgeCount = sizes.slice(1).reduce((sum, n, l) => sum + n * sizes[l], 0) + sizes[depth];
    const interactive = this.options.interactive;
    this.focusableEdges = edgeCount <= FOCUSABLE_EDGES;
    this.large = edgeCount > LARGE_EDGES;
    // Measured first, while the SVG is still empty: filling it then costs one style and layout pass.
    this.svg.replaceChildren();
    const size = this.size();
    this.svg.classList.toggle("large", this.large);
    this.svg.classList.toggle("numbers-off", !this.options.numbers);
    this.svg.classList.remove("dim-edges", "has-active");
    const defs = make("defs", {});
    const headers = make("g", { class: "layer-headers" });
    const edgeGroup = make("g", { class: "edges" });
    const highlightGroup = make("g", { class: "edge-highlights", "aria-hidden": "true" });
    const hitGroup = make("g", { class: "edge-hits" });
    const labelGroup = make("g", { class: "edge-labels", "aria-hidden": "true" });
    const nodeGroup = make("g", { class: "nodes" });

    this.headers = sizes.map((_, l) => {
      const g = make("g", { class: `layer-header layer-${l === 0 ? "input" : l === depth ? "output" : "hidden"}` });
      const title = make("text", { class: "layer-title", "text-anchor": "middle" });
      const sub = make("text", { class: "layer-sub", "text-anchor": "middle" });
      const health = make("text", { class: "layer-health", "text-anchor": "middle" });
      const tip = make("title", {});
      g.append(tip, title, sub, health);
      headers.append(g);
      return { g, title, sub, health, tip };
    });
    const lossHeader = make("g", { class: "layer-header layer-loss" });
    const lossTitle = make("text", { class: "layer-title", "text-anchor": "middle" });
    const lossSub = make("text", { class: "layer-sub", "text-anchor": "middle" });
    lossHeader.append(lossTitle, lossSub);
    headers.append(lossHeader);
    this.lossHeader = { g: lossHeader, title: lossTitle, sub: lossSub };

    this.edges = new Map();
    this.edgeList = [];
    const withHits = edgeCount <= HIT_EDGES && interactive;
    const lineProto = make("line", { class: "edge" });
    const hitProto = make(
      "line",
      this.focusableEdges ? { class: "edge-hit", tabindex: "0", role: "button" } : { class: "edge-hit" },
    );
    const addEdge = (id, meta) => {
      const line = lineProto.cloneNode(false);
      line.setAttribute("data-edge", id);
      if (meta.loss) line.classList.add("loss-edge");
      edgeGroup.append(line);
      let hit = null;
      if (withHits) {
        hit = hitProto.cloneNode(false);
        hit.setAttribute("data-hit", id);
        hitGroup.append(hit);
      }
      const record = { id, line, hit, look: null, active: false, dimmed: false, ...meta };
      this.edges.set(id, record);
      this.edgeList.push(record);
    };
    for (let l = 1; l <= depth; l++) {
      for (let j = 0; j < sizes[l]; j++) {
        for (let k = 0; k < sizes[l - 1]; k++) addEdge(edgeId(l, j, k), { layer: l, to: j, from: k });
      }
    }
    for (let j = 0; j < sizes[depth]; j++) addEdge(lossEdgeId(depth, j), { loss: true, layer: depth, to: j });

    this.nodes = new Map();
    this.nodeList = [];
    const nodeProto = make("g", interactive ? { class: "node", tabindex: "0", role: "button" } : { class: "node" });
    nodeProto.append(
      make("circle", { class: "node-ring" }),
      make("circle", { class: "node-circle" }),
      make("text", { class: "node-symbol", "text-anchor": "middle" }),
      make("text", { class: "node-value", "text-anchor": "middle" }),
      make("rect", { class: "delta-bar", height: 4 }),
      make("text", { class: "delta-text", "text-anchor": "middle" }),
    );
    sizes.forEach((width, l) => {
      const kind = l === 0 ? "input" : l === depth ? "output" : "hidden";
      for (let i = 0; i < width; i++) {
        const id = nodeId(l, i);
        const g = nodeProto.cloneNode(true);
        g.setAttribute("class", `node node-${kind}`);
        g.setAttribute("data-node", id);
        g.setAttribute("data-layer", l);
        g.setAttribute("data-index", i);
        const [ring, circle, sym, val, bar, deltaText] = g.children;
        nodeGroup.append(g);
        const record = { id, kind, layer: l, index: i, g, ring, circle, sym, val, bar, deltaText };
        this.nodes.set(id, record);
        this.nodeList.push(record);
      }
    });
    const lossG = make(
      "g",
      interactive
        ? { class: "node node-loss", "data-node": LOSS_NODE, tabindex: "0", role: "button" }
        : { class: "node node-loss", "data-node": LOSS_NODE },
    );
    const lossRing = make("rect", { class: "node-ring" });
    const lossRect = make("rect", { class: "node-circle loss-box" });
    const lossSym = make("text", { class: "node-symbol", "text-anchor": "middle" });
    const lossVal = make("text", { class: "node-value", "text-anchor": "middle" });
    lossG.append(lossRing, lossRect, lossSym, lossVal);
    nodeGroup.append(lossG);
    this.lossNode = {
      id: LOSS_NODE,
      kind: "loss",
      g: lossG,
      ring: lossRing,
      circle: lossRect,
      sym: lossSym,
      val: lossVal,
    };

    this.targetLabels = Array.from({ length: sizes[depth] }, () => {
      const text = make("text", { class: "target-label", "text-anchor": "middle" });
      labelGroup.append(text);
      return { text };
    });
    this.labelPool = [];
    this.labelGroup = labelGroup;
    this.copies = [];
    this.highlightGroup = highlightGroup;
    this.active = { nodes: new Set(), edges: new Set() };
    this.layoutNow(size);
    this.svg.append(defs, headers, edgeGroup, highlightGroup, hitGroup, nodeGroup, labelGroup);
  }

  takeLabel(i) {
    while (this.labelPool.length <= i) {
      const text = make("text", { class: "edge-label", "text-anchor": "middle", visibility: "hidden" });
      this.labelGroup.append(text);
      this.labelPool.push({ text, shown: false });
    }
    return this.labelPool[i];
  }

  /** The i-th line of the highlight layer of a large diagram (see paintHighlights). */
  takeCopy(i) {
    while (this.copies.length <= i) {
      const line = make("line", { class: "edge-copy", visibility: "hidden" });
      this.highlightGroup.append(line);
      this.copies.push({ line, shown: false, id: null, look: null });
    }
    return this.copies[i];
  }

  /**
   * Pulses are drawn on a canvas laid over the SVG, in its own compositor layer: a moving dot then
   * repaints a few pixels of the canvas instead of every SVG tile a thousand edges pass through.
   */
  pulseCanvas() {
    if (this.canvas?.isConnected) return this.canvas;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "diagram-pulses";
    this.canvas.setAttribute("aria-hidden", "true");
    this.canvas.dataset.testid = "diagram-pulses";
    this.canvas.dataset.pulses = "0";
    this.svg.after(this.canvas);
    this.canvasSize = null;
    return this.canvas;
  }

  fitCanvas() {
    const canvas = this.pulseCanvas();
    const { width, height } = this.layout;
    const ratio = window.devicePixelRatio || 1;
    // the place is measured only when the size changed (layoutNow clears canvasSize): measuring every
    // frame would force a layout in the middle of the frame
    const key = `${width}x${height}@${ratio}`;
    if (this.canvasSize === key) return canvas;
    this.canvasSize = key;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const { left, top } = this.offsetInHost(canvas.offsetParent);
    canvas.style.left = `${left}px`;
    canvas.style.top = `${top}px`;
    canvas.getContext("2d").setTransform(ratio, 0, 0, ratio, 0, 0);
    return canvas;
  }

  /**
   * Where the SVG's top-left corner is in the coordinates an absolutely positioned child of `host` uses:
   * inside its border, and moving with its content when it scrolls. (An SVG element has no offsetTop.)
   */
  offsetInHost(host) {
    if (!host) return { left: 0, top: 0 };
    const box = this.svg.getBoundingClientRect();
    const hostBox = host.getBoundingClientRect();
    return {
      left: box.left - hostBox.left - host.clientLeft + host.scrollLeft,
      top: box.top - hostBox.top - host.clientTop + host.scrollTop,
    };
  }

  /** The phase colours of the page's theme, read once per theme (reading them forces a style update). */
  phaseColours() {
    const root = document.documentElement;
    const theme = `${root.dataset.theme}|${root.dataset.presenter}`;
    if (this.colours?.theme === theme) return this.colours;
    const style = getComputedStyle(this.svg);
    const read = (name) => style.getPropertyValue(name).trim() || "#888";
    this.colours = {
      theme,
      forward: read("--forward"),
      loss: read("--loss"),
      backward: read("--backward"),
      ring: read("--surface"),
    };
    return this.colours;
  }

  // ------------------------------------------------------------------------------------------- layout
  /** Lay out again in the next frame for the size the ResizeObserver reported (no layout is read). */
  scheduleLayout(box) {
    this.pendingSize = Diagram.fit(box);
    if (this.layoutPending) return;
    this.layoutPending = true;
    requestAnimationFrame(() => {
      this.layoutPending = false;
      const { width, height } = this.pendingSize;
      if (!this.nodes || (this.layout && width === this.layout.width && height === this.layout.height)) return;
      this.layoutNow(this.pendingSize);
      this.paintAll();
    });
  }

  static fit(box) {
    return { width: Math.max(200, Math.round(box.width)), height: Math.max(160, Math.round(box.height)) };
  }

  size() {
    return Diagram.fit(this.svg.getBoundingClientRect());
  }

  layoutNow({ width, height } = this.size()) {
    const style = getComputedStyle(this.svg);
    const maxRadius = parseFloat(style.getPropertyValue("--diagram-max-radius")) || 30;
    // presenter mode asks for text that reads from the back of a room, whatever the circles' size
    const minFont = parseFloat(style.getPropertyValue("--diagram-min-font")) || 9;
    const headerLine = parseFloat(style.getPropertyValue("--diagram-header-line")) || 15;
    const layout = computeLayout(this.info.sizes, width, height, maxRadius, headerLine, Math.max(26, minFont * 2));
    this.layout = layout;
    const r = layout.radius;
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.canvasSize = null;
    this.svg.classList.toggle("compact", layout.compact);
    const symbolSize = Math.max(minFont, Math.min(22, r * 0.5));
    const valueSize = Math.max(minFont, Math.min(24, r * 0.55));
    // sizes are set as styles: a page's own stylesheet (a lesson's .node-value) must not override them
    this.headers.forEach((header, l) => {
      const x = layout.columns[l];
      header.title.setAttribute("x", x);
      header.title.setAttribute("y", headerLine + 1);
      header.sub.setAttribute("x", x);
      header.sub.setAttribute("y", 2 * headerLine + 1);
      header.health.setAttribute("x", x);
      header.health.setAttribute("y", 3 * headerLine + 1);
    });
    this.lossHeader.title.setAttribute("x", layout.loss.x);
    this.lossHeader.title.setAttribute("y", headerLine + 1);
    this.lossHeader.sub.setAttribute("x", layout.loss.x);
    this.lossHeader.sub.setAttribute("y", 2 * headerLine + 1);
    for (const node of this.nodeList) {
      const { x, y } = layout.nodes[node.layer][node.index];
      node.x = x;
      node.y = y;
      node.sx = x.toFixed(1);
      node.sy = y.toFixed(1);
      node.g.setAttribute("transform", `translate(${node.sx} ${node.sy})`);
      node.circle.setAttribute("r", r);
      node.ring.setAttribute("r", r + 4);
      node.sym.setAttribute("y", layout.compact ? 0 : -r * 0.18);
      node.sym.style.fontSize = `${symbolSize.toFixed(1)}px`;
      node.val.setAttribute("y", r * 0.5);
      Object.assign(node, { valueSize, valueMin: minFont, valueWidth: r * 1.6 });
      fitValueLabel(node);
      node.bar.setAttribute("y", r + 3);
      node.deltaText.setAttribute("y", r + 8 + Math.max(10, minFont * 0.6));
      node.barHalf = Math.max(r * 1.3, 16);
      node.barKey = null;
    }
    const loss = this.lossNode;
    const side = r * 2;
    loss.x = layout.loss.x;
    loss.y = layout.loss.y;
    loss.sx = loss.x.toFixed(1);
    loss.sy = loss.y.toFixed(1);
    loss.g.setAttribute("transform", `translate(${loss.sx} ${loss.sy})`);
    for (const [rect, pad] of [
      [loss.circle, 0],
      [loss.ring, 4],
    ]) {
      rect.setAttribute("x", -side / 2 - pad);
      rect.setAttribute("y", -side / 2 - pad);
      rect.setAttribute("width", side + 2 * pad);
      rect.setAttribute("height", side + 2 * pad);
      rect.setAttribute("rx", 6 + pad);
    }
    loss.sym.setAttribute("y", layout.compact ? 0 : -r * 0.18);
    loss.sym.style.fontSize = `${symbolSize.toFixed(1)}px`;
    loss.val.setAttribute("y", r * 0.5);
    Object.assign(loss, { valueSize, valueMin: minFont, valueWidth: side * 0.85 });
    fitValueLabel(loss);
    for (const edge of this.edgeList) {
      const source = edge.loss
        ? this.nodes.get(nodeId(edge.layer, edge.to))
        : this.nodes.get(nodeId(edge.layer - 1, edge.from));
      const target = edge.loss ? loss : this.nodes.get(nodeId(edge.layer, edge.to));
      edge.x1 = source.x;
      edge.y1 = source.y;
      edge.x2 = target.x;
      edge.y2 = target.y;
      for (const line of edge.hit ? [edge.line, edge.hit] : [edge.line]) {
        line.setAttribute("x1", source.sx);
        line.setAttribute("y1", source.sy);
        line.setAttribute("x2", target.sx);
        line.setAttribute("y2", target.sy);
      }
    }
    const depth = this.info.depth;
    this.targetLabels.forEach((label, j) => {
      const out = this.nodes.get(nodeId(depth, j));
      const x = out.x + (loss.x - out.x) * 0.45;
      const y = out.y + (loss.y - out.y) * 0.45 + Math.max(13, minFont * 0.8);
      label.text.setAttribute("x", x.toFixed(1));
      label.text.setAttribute("y", y.toFixed(1));
    });
    for (const copy of this.copies) copy.id = null; // their ends moved with the edges
  }

  // ------------------------------------------------------------------------------------------- text
  relabel({ paint = true } = {}) {
    if (!this.trace) return;
    const { depth } = this.info;
    this.svg.setAttribute("aria-label", t("playground.diagram.label"));
    this.trace.layers.forEach((layer, l) => {
      const header = this.headers[l];
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
        const node = this.nodes.get(nodeId(l, i));
        node.sym.textContent = label;
        node.g.setAttribute("aria-label", t("playground.diagram.node_aria", { symbol: label, layer: title }));
      });
    });
    this.lossHeader.title.textContent = t("playground.diagram.loss_layer");
    this.lossHeader.sub.textContent = t(`playground.loss_short.${this.lossName()}`);
    this.lossNode.sym.textContent = "L";
    this.lossNode.g.setAttribute("aria-label", t("playground.diagram.loss_aria"));
    if (this.focusableEdges) {
      for (const edge of this.edgeList) {
        edge.hit?.setAttribute("aria-label", t("playground.diagram.edge_aria", { symbol: this.edgeSymbol(edge.id) }));
      }
    }
    if (!paint) return;
    for (const node of this.nodeList) node.valueKey = null;
    this.paintAll();
  }

  lossName() {
    return this.trace.facts.loss;
  }

  /** The symbol the lesson writes for an edge's weight (w₁₂⁽¹⁾), from the trace's facts: no formula is
   * written for it (a pass writes its formulas only for the steps shown). */
  edgeSymbol(id) {
    const edge = this.trace.facts.edge(id);
    if (!edge) return id;
    if (edge.loss) return `${this.trace.layers[edge.layer].labels[edge.index]} → L`;
    return this.trace.facts.weightSymbol(edge.layer, edge.to, edge.from);
  }

  // ------------------------------------------------------------------------------------------- paint
  paintAll() {
    if (!this.trace || !this.nodes) return;
    this.paintNodes();
    this.paintEdges();
    this.paintActive();
    this.paintLabels();
  }

  paintNodes() {
    const { trace, info, scales } = this;
    const s = trace.sample ?? 0;
    const numbers = this.options.numbers && !this.layout.compact;
    for (const node of this.nodeList) {
      const layer = trace.layers[node.layer];
      const shown = this.revealed(info.valueAt(node.id));
      const a = shown ? layer.a[s][node.index] : null;
      setIfChanged(node, "fillKey", shown ? `f-${lookKey(a, scales.value)}` : "pending", (fill) => {
        node.g.classList.toggle("pending", fill === "pending");
        node.circle.setAttribute("class", fill === "pending" ? "node-circle" : `node-circle ${fill}`);
      });
      setIfChanged(node, "valueKey", shown && numbers ? valueLabel(node, a, 3) : "", (text) => {
        node.val.textContent = text;
        fitValueLabel(node);
      });
      const deltaShown = node.layer > 0 && this.revealed(info.deltaAt(node.id));
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
    const loss = this.lossNode;
    const lossShown = this.revealed(info.lossAt);
    setIfChanged(loss, "valueKey", lossShown && numbers ? valueLabel(loss, trace.loss, 4) : "", (text) => {
      loss.val.textContent = text;
      fitValueLabel(loss);
    });
    setIfChanged(loss, "fillKey", lossShown ? "shown" : "pending", (key) => {
      loss.g.classList.toggle("pending", key === "pending");
    });
    const lossStep = trace.steps[info.lossAt];
    this.targetLabels.forEach((label, j) => {
      const target = lossStep?.values?.target?.[j];
      const symbol = trace.layers[info.depth].size === 1 ? "y" : `y${subscript(j + 1)}`;
      const text =
        this.options.numbers && target != null && !this.layout.compact ? `${symbol} = ${formatNumber(target, 3)}` : "";
      setIfChanged(label, "key", text, () => {
        label.text.textContent = text;
      });
    });
  }

  paintEdges() {
    const { trace, info, scales } = this;
    let layer = 0;
    let to = -1;
    let weights = null;
    for (const edge of this.edgeList) {
      if (edge.loss) continue;
      if (edge.layer !== layer || edge.to !== to) {
        // edges come grouped by their target neuron: one lookup per neuron
        layer = edge.layer;
        to = edge.to;
        const param = trace.params[layer - 1];
        weights = (this.revealed(info.updateAt(nodeId(layer, to))) ? param.updated_weight : param.weight)[to];
      }
      const look = `w-${lookKey(weights[edge.from], scales.weight)}`;
      if (edge.look === look) continue;
      if (edge.look) edge.line.classList.replace(edge.look, look);
      else edge.line.setAttribute("class", `edge ${look}`); // first paint of a new build: no other class yet
      edge.look = look;
    }
  }

  paintActive() {
    const nodes = new Set();
    const edges = new Set();
    let phase = null;
    for (const step of this.highlight) {
      for (const id of step.nodes) nodes.add(id);
      for (const id of step.edges) edges.add(id);
      phase = step.phase;
    }
    if (this.svg.dataset.phase !== (phase || "")) this.svg.dataset.phase = phase || "";
    const swap = (previous, next, lookup) => {
      for (const id of previous) {
        if (!next.has(id)) lookup(id)?.classList.remove("active");
      }
      for (const id of next) {
        if (!previous.has(id)) lookup(id)?.classList.add("active");
      }
    };
    swap(this.active.nodes, nodes, (id) => this.nodeRecord(id)?.g);
    swap(this.active.edges, edges, (id) => this.edges.get(id)?.line);
    this.active = { nodes, edges };
    if (this.large) this.paintHighlights(edges);
    else this.svg.classList.toggle("has-active", edges.size > 0);
  }

  /**
   * A large diagram lights a step's edges without restyling the edge layer: while few edges are lit the
   * whole layer is dimmed (one opacity on a composited layer) and the lit ones are drawn again above it;
   * while most are lit, only the others are dimmed, one by one. Either way the look matches a small
   * diagram's, where each unlit edge is dimmed.
   */
  paintHighlights(edges) {
    const copies = edges.size > 0 && edges.size * 2 <= this.edgeList.length;
    this.svg.classList.toggle("dim-edges", copies);
    let used = 0;
    if (copies) {
      for (const id of edges) {
        const edge = this.edges.get(id);
        if (!edge) continue;
        const copy = this.takeCopy(used++);
        if (copy.id !== id) {
          copy.id = id;
          for (const name of ["x1", "y1", "x2", "y2"]) copy.line.setAttribute(name, edge.line.getAttribute(name));
        }
        const look = edge.loss ? "loss-edge" : edge.look;
        setIfChanged(copy, "look", look, () => copy.line.setAttribute("class", `edge-copy ${look}`));
        setIfChanged(copy, "shown", true, () => copy.line.setAttribute("visibility", "visible"));
      }
    }
    for (let i = used; i < this.copies.length; i++) {
      const copy = this.copies[i];
      setIfChanged(copy, "shown", false, () => copy.line.setAttribute("visibility", "hidden"));
    }
    const dimRest = edges.size > 0 && !copies;
    for (const edge of this.edgeList) {
      const dimmed = dimRest && !edges.has(edge.id);
      if (edge.dimmed !== dimmed) {
        edge.dimmed = dimmed;
        edge.line.classList.toggle("dimmed", dimmed);
      }
    }
  }

  /** Numbers on the edges of the current step: w (forward), w·δ (hidden δ), ∂L/∂w, new w (update). */
  paintLabels() {
    const step = this.highlight[this.highlight.length - 1];
    const items = step && this.options.numbers ? edgeLabelItems(step) : [];
    const shareTarget = step && ["neuron_forward", "weight_grads", "update"].includes(step.kind);
    const tAlong = shareTarget ? 0.3 : 0.68;
    let used = 0;
    for (const { id, value, kind } of items.slice(0, LABEL_POOL)) {
      const edge = this.edges.get(id);
      if (!edge) continue;
      const label = this.takeLabel(used++);
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
    for (let i = used; i < this.labelPool.length; i++) {
      const label = this.labelPool[i];
      setIfChanged(label, "shown", false, () => label.text.setAttribute("visibility", "hidden"));
    }
  }

  // ------------------------------------------------------------------------------------------- motion
  /** Dots travelling along the edges of `steps` at progress 0…1: forwards for values, backwards for δ. */
  showPulses(steps, progress) {
    if (!this.layout) return;
    const canvas = this.fitCanvas();
    const context = canvas.getContext("2d");
    const colours = this.phaseColours();
    this.pulsing = true;
    context.clearRect(0, 0, this.layout.width, this.layout.height);
    const eased = progress < 0.5 ? 2 * progress * progress : 1 - (-2 * progress + 2) ** 2 / 2;
    // dots grow with the circles, so that they still show on a projector (presenter mode)
    const radius = this.layout.compact ? 3 : Math.max(PULSE_RADIUS, this.layout.radius * 0.15);
    let drawn = 0;
    context.lineWidth = 1.5;
    context.strokeStyle = colours.ring;
    for (const step of steps) {
      if (step.phase === "update") continue;
      const f = step.phase === "backward" ? 1 - eased : eased;
      context.fillStyle = colours[step.phase] || colours.forward;
      context.beginPath();
      for (const id of step.edges) {
        if (drawn >= PULSE_LIMIT) break;
        const edge = this.edges.get(id);
        if (!edge) continue;
        const x = edge.x1 + (edge.x2 - edge.x1) * f;
        const y = edge.y1 + (edge.y2 - edge.y1) * f;
        context.moveTo(x + radius, y);
        context.arc(x, y, radius, 0, 2 * Math.PI);
        drawn++;
      }
      context.fill();
      context.stroke();
    }
    if (canvas.dataset.pulses !== String(drawn)) canvas.dataset.pulses = String(drawn);
  }

  clearPulses() {
    if (!this.pulsing || !this.canvas) return;
    this.pulsing = false;
    this.canvas.getContext("2d").clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.canvas.dataset.pulses = "0";
  }

  // ------------------------------------------------------------------------------------------- events
  listen() {
    const target = (event) => {
      const node = event.target.closest?.("[data-node]");
      if (node && this.svg.contains(node)) return { kind: "node", id: node.dataset.node, element: node };
      const edge = event.target.closest?.("[data-hit],[data-edge]");
      if (edge && this.svg.contains(edge)) {
        const id = edge.dataset.hit || edge.dataset.edge;
        return { kind: "edge", id, element: this.edges.get(id)?.line || edge };
      }
      return null;
    };
    const emit = (name, detail) => this.options[name]?.(detail);
    this.handlers = {
      pointerover: (event) => {
        const found = target(event);
        if (found) emit("onHover", { ...found, pointer: event });
      },
      pointerout: (event) => {
        const found = target(event);
        const to = event.relatedTarget?.closest?.("[data-node],[data-hit],[data-edge]");
        if (found && (!to || !found.element.contains(to))) emit("onHover", null);
      },
      focusin: (event) => {
        const found = target(event);
        if (found) emit("onHover", { ...found, focus: true });
      },
      focusout: () => emit("onHover", null),
      click: (event) => {
        const found = target(event);
        if (found) emit(found.kind === "node" ? "onNodeClick" : "onEdgeClick", { ...found, pointer: event });
      },
      keydown: (event) => {
        if (event.key !== "Enter" && event.key !== " ") return;
        const found = target(event);
        if (!found) return;
        event.preventDefault();
        event.stopPropagation();
        emit(found.kind === "node" ? "onNodeClick" : "onEdgeClick", { ...found, keyboard: true });
      },
    };
    for (const [name, handler] of Object.entries(this.handlers)) this.svg.addEventListener(name, handler);
  }

  destroy() {
    document.removeEventListener("langchange", this.onLanguage);
    this.resizeObserver.disconnect();
    for (const [name, handler] of Object.entries(this.handlers || {})) this.svg.removeEventListener(name, handler);
    this.canvas?.remove();
    this.svg.replaceChildren();
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

/** Draw `trace` into `svgEl`; returns the Diagram to drive (setStep, setTrace, setOptions, destroy). */
export function renderDiagram(svgEl, trace, options = {}) {
  const diagram = new Diagram(svgEl, options);
  diagram.setTrace(trace, { index: options.step ?? null });
  return diagram;
}
