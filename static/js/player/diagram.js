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
//
// This file is the diagram's state and its entry points; the work is in diagram-build.js (the SVG of a
// shape), diagram-layout.js (geometry), diagram-paint.js (a step's look), diagram-text.js (words) and
// diagram-pulses.js (values travelling along the edges).

import { buildDiagram } from "./diagram-build.js";
import { fitSize, layoutDiagram } from "./diagram-layout.js";
import { paintAll } from "./diagram-paint.js";
import { PulseLayer } from "./diagram-pulses.js";
import { edgeSymbol, writeHeaders, writeLabels } from "./diagram-text.js";
import { adoptLookClasses, maxAbs, niceMax } from "./scales.js";
import { indexTrace, LOSS_NODE } from "./steps.js";

export { computeLayout } from "./diagram-layout.js";
export { edgeLabelItems } from "./diagram-paint.js";
export { healthFlags } from "./diagram-text.js";

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
    this.pulses = new PulseLayer(svgEl);
    adoptLookClasses();
    this.onLanguage = () => this.relabel();
    document.addEventListener("langchange", this.onLanguage);
    this.resizeObserver = new ResizeObserver((entries) => this.scheduleLayout(entries[entries.length - 1].contentRect));
    this.resizeObserver.observe(this.svg);
    if (this.options.interactive) this.listen();
  }

  // ------------------------------------------------------------------------------------------- data
  /**
   * Show `trace` (`info`: its indexTrace, `scales`: its computeScales, when the caller has them). `index`
   * and `highlight` are those of setStep, so that a new trace is drawn once, at the step it should show.
   */
  setTrace(trace, { info = null, scales = null, index = this.index, highlight = null } = {}) {
    const shape = trace.layers.map((layer) => `${layer.size}`).join(",");
    this.trace = trace;
    this.info = info || indexTrace(trace);
    this.scales = scales || this.computeScales(trace);
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
    buildDiagram(this);
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
    return fitSize(box);
  }

  size() {
    return Diagram.fit(this.svg.getBoundingClientRect());
  }

  layoutNow(size = this.size()) {
    layoutDiagram(this, size);
    writeHeaders(this); // a narrower diagram may need the headers' short words
  }

  // ------------------------------------------------------------------------------------------- text
  relabel({ paint = true } = {}) {
    if (!this.trace) return;
    writeLabels(this);
    if (!paint) return;
    for (const node of this.nodeList) node.valueKey = null;
    this.paintAll();
  }

  lossName() {
    return this.trace.facts.loss;
  }

  edgeSymbol(id) {
    return edgeSymbol(this.trace, id);
  }

  // ------------------------------------------------------------------------------------------- paint
  paintAll() {
    if (!this.trace || !this.nodes) return;
    paintAll(this);
  }

  // ------------------------------------------------------------------------------------------- motion
  /** Dots travelling along the edges of `steps` at progress 0…1: forwards for values, backwards for δ. */
  showPulses(steps, progress) {
    if (!this.layout) return;
    this.pulses.show(steps, progress, this.layout, this.edges);
  }

  clearPulses() {
    this.pulses.clear();
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
    this.pulses.remove();
    this.svg.replaceChildren();
  }
}

/** Draw `trace` into `svgEl`; returns the Diagram to drive (setStep, setTrace, setOptions, destroy). */
export function renderDiagram(svgEl, trace, options = {}) {
  const diagram = new Diagram(svgEl, options);
  diagram.setTrace(trace, { index: options.step ?? null });
  return diagram;
}
