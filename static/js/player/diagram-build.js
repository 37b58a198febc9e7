// Building the diagram's SVG for a network shape: layer headers, an edge per weight (with a wider hit
// area when there are few enough), a group per neuron, the loss node and target labels, each kept in a
// record the layout and the painting change in place. Built once per shape, measured before it is filled.

import { layoutDiagram } from "./diagram-layout.js";
import { LOSS_NODE, edgeId, lossEdgeId, nodeId } from "./steps.js";

const FOCUSABLE_EDGES = 60; // beyond this many edges, edges are reached through their neurons
const HIT_EDGES = 1500; // beyond this many, no widened hit areas (the DOM would double)
const LARGE_EDGES = 400; // beyond this many: no transitions, and the edges are a layer of their own (see diagram.js)
const SVG_NS = "http://www.w3.org/2000/svg";

/** A detached SVG element with plain attributes (the hot path of buildDiagram; dom.js svg() does more). */
function make(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const name in attrs) node.setAttribute(name, attrs[name]);
  return node;
}

/** Build the SVG of `d`'s network shape (d.info.sizes) and lay it out at the SVG's size. */
export function buildDiagram(d) {
  const { sizes, depth } = d.info;
  const edgeCount = sizes.slice(1).reduce((sum, n, l) => sum + n * sizes[l], 0) + sizes[depth];
  const interactive = d.options.interactive;
  d.focusableEdges = edgeCount <= FOCUSABLE_EDGES;
  d.large = edgeCount > LARGE_EDGES;
  // Measured first, while the SVG is still empty: filling it then costs one style and layout pass.
  d.svg.replaceChildren();
  const size = d.size();
  d.svg.classList.toggle("large", d.large);
  d.svg.classList.toggle("numbers-off", !d.options.numbers);
  d.svg.classList.remove("dim-edges", "has-active");
  const defs = make("defs", {});
  const headers = make("g", { class: "layer-headers" });
  const edgeGroup = make("g", { class: "edges" });
  const highlightGroup = make("g", { class: "edge-highlights", "aria-hidden": "true" });
  const hitGroup = make("g", { class: "edge-hits" });
  const labelGroup = make("g", { class: "edge-labels", "aria-hidden": "true" });
  const nodeGroup = make("g", { class: "nodes" });

  d.headers = sizes.map((_, l) => {
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
  d.lossHeader = { g: lossHeader, title: lossTitle, sub: lossSub };

  d.edges = new Map();
  d.edgeList = [];
  const withHits = edgeCount <= HIT_EDGES && interactive;
  const lineProto = make("line", { class: "edge" });
  const hitProto = make(
    "line",
    d.focusableEdges ? { class: "edge-hit", tabindex: "0", role: "button" } : { class: "edge-hit" },
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
    d.edges.set(id, record);
    d.edgeList.push(record);
  };
  for (let l = 1; l <= depth; l++) {
    for (let j = 0; j < sizes[l]; j++) {
      for (let k = 0; k < sizes[l - 1]; k++) addEdge(edgeId(l, j, k), { layer: l, to: j, from: k });
    }
  }
  for (let j = 0; j < sizes[depth]; j++) addEdge(lossEdgeId(depth, j), { loss: true, layer: depth, to: j });

  d.nodes = new Map();
  d.nodeList = [];
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
      d.nodes.set(id, record);
      d.nodeList.push(record);
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
  d.lossNode = {
    id: LOSS_NODE,
    kind: "loss",
    g: lossG,
    ring: lossRing,
    circle: lossRect,
    sym: lossSym,
    val: lossVal,
  };

  d.targetLabels = Array.from({ length: sizes[depth] }, () => {
    const text = make("text", { class: "target-label", "text-anchor": "middle" });
    labelGroup.append(text);
    return { text };
  });
  d.labelPool = [];
  d.labelGroup = labelGroup;
  d.copies = [];
  d.highlightGroup = highlightGroup;
  d.active = { nodes: new Set(), edges: new Set() };
  layoutDiagram(d, size);
  d.svg.append(defs, headers, edgeGroup, highlightGroup, hitGroup, nodeGroup, labelGroup);
}

/** The i-th label of the edge label pool (see diagram-paint.js paintLabels). */
export function takeLabel(d, i) {
  while (d.labelPool.length <= i) {
    const text = make("text", { class: "edge-label", "text-anchor": "middle", visibility: "hidden" });
    d.labelGroup.append(text);
    d.labelPool.push({ text, shown: false });
  }
  return d.labelPool[i];
}

/** The i-th line of the highlight layer of a large diagram (see paintHighlights). */
export function takeCopy(d, i) {
  while (d.copies.length <= i) {
    const line = make("line", { class: "edge-copy", visibility: "hidden" });
    d.highlightGroup.append(line);
    d.copies.push({ line, shown: false, id: null, look: null });
  }
  return d.copies[i];
}
