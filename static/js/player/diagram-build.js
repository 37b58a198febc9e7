// Building the diagram's SVG for a network shape: layer headers, an edge per weight (with a wider hit
// area when there are few enough), a group per neuron, the loss node and target labels, each kept in a
// record the layout and the painting change in place. Built once per shape, measured before it is filled;
// the edges and neurons are written as markup (an 8 × 16 network has 1,800 edges) and parsed in one pass.

import { layoutDiagram } from "./diagram-layout.js";
import { LOSS_NODE, edgeId, lossEdgeId, nodeId } from "./steps.js";

const FOCUSABLE_EDGES = 60; // beyond this many edges, edges are reached through their neurons
const HIT_EDGES = 1500; // beyond this many, no widened hit areas (the DOM would double)
const LARGE_EDGES = 400; // beyond this many: no transitions, and the edges are a layer of their own (see diagram.js)
const SVG_NS = "http://www.w3.org/2000/svg";
// a neuron's parts: ring (lit, selected), circle (its activation), symbol, value, δ bar and δ text
const NODE =
  '<circle class="node-ring"/><circle class="node-circle"/>' +
  '<text class="node-symbol" text-anchor="middle"/><text class="node-value" text-anchor="middle"/>' +
  '<rect class="delta-bar" height="4"/><text class="delta-text" text-anchor="middle"/>';

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

  // The edges are records first: laid out with the rest, then written as markup with their ends, parsed
  // in one pass (far cheaper than an element, a clone and five attributes per edge from script).
  d.edges = new Map();
  d.edgeList = [];
  const withHits = edgeCount <= HIT_EDGES && interactive;
  const addEdge = (id, meta) => {
    const record = { id, line: null, hit: null, look: null, active: false, dimmed: false, ...meta };
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
  const focus = interactive ? ' tabindex="0" role="button"' : "";
  const parts = [];
  sizes.forEach((width, l) => {
    const kind = l === 0 ? "input" : l === depth ? "output" : "hidden";
    for (let i = 0; i < width; i++) {
      const id = nodeId(l, i);
      parts.push(
        `<g class="node node-${kind}"${focus} data-node="${id}" data-layer="${l}" data-index="${i}">${NODE}</g>`,
      );
      d.nodeList.push({ id, kind, layer: l, index: i });
    }
  });
  nodeGroup.innerHTML = parts.join("");
  let g = nodeGroup.firstElementChild;
  for (const record of d.nodeList) {
    const [ring, circle, sym, val, bar, deltaText] = g.children;
    Object.assign(record, { g, ring, circle, sym, val, bar, deltaText });
    d.nodes.set(record.id, record);
    g = g.nextElementSibling;
  }
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
  writeEdges(d, edgeGroup, withHits ? hitGroup : null);
  d.svg.append(defs, headers, edgeGroup, highlightGroup, hitGroup, nodeGroup, labelGroup);
}

/** The ends of a laid-out edge record as line attributes. */
function ends(edge) {
  const { source, target } = edge;
  return `x1="${source.sx}" y1="${source.sy}" x2="${target.sx}" y2="${target.sy}"`;
}

/** Write every edge record of `d` (laid out) as a line of `edgeGroup`, and its hit line into `hitGroup`. */
function writeEdges(d, edgeGroup, hitGroup) {
  // ids are formatted from integers (steps.js edgeId, "0-1>1-2", "3-0>L"): nothing in them to escape
  edgeGroup.innerHTML = d.edgeList
    .map((edge) => `<line class="edge${edge.loss ? " loss-edge" : ""}" data-edge="${edge.id}" ${ends(edge)}/>`)
    .join("");
  let line = edgeGroup.firstElementChild;
  for (const edge of d.edgeList) {
    edge.line = line;
    line = line.nextElementSibling;
  }
  if (!hitGroup) return;
  const focus = d.focusableEdges ? ' tabindex="0" role="button"' : "";
  hitGroup.innerHTML = d.edgeList
    .map((edge) => `<line class="edge-hit"${focus} data-hit="${edge.id}" ${ends(edge)}/>`)
    .join("");
  let hit = hitGroup.firstElementChild;
  for (const edge of d.edgeList) {
    edge.hit = hit;
    hit = hit.nextElementSibling;
  }
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
