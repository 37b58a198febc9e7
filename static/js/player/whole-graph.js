// The whole pass as a graph of scalar operations (micrograd's draw_dot, live): every input, weight, bias,
// product wⱼₖ·aₖ, Σ, z, activation and loss op of every sample, each box with its value and ∇ = ∂L/∂(node).
// The server computes the graph (POST /api/v2/network/trace with include_graph, its nodes tagged with the
// steps they belong to); this view lays it out (whole-graph-layout.js), lights the nodes of the player's
// current step and brings them into view, reveals each number once the player reaches the step that
// computes it, and lets the learner pan (drag) and zoom (pinch, Ctrl + wheel or the wheel once the graph has
// focus, + and − buttons, + − 0 keys; the gestures are pan-zoom.js's). Clicking a node selects its neuron.
// Keyboard: the boxes are one tab stop with a roving focus (Tab lands on the current step's box); [ and ]
// move to the previous and next box (columns left to right, each top to bottom), Enter or Space selects the
// box's neuron; each box is announced with its label, value and gradient. Arrows and PageUp/PageDown keep
// stepping the player. Whether the panel is open is the store's (view.wholeGraph): it travels in links and
// to a live class. "Expand" asks the player (onExpand) to give the graph the page's width.
//
//   const whole = createWholeGraph({ store, shown: () => session.shown, select, onExpand: (on) => … });
//   side.append(whole.element);  …  whole.destroy();

import { ApiError, api } from "../core/api.js";
import { el, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { createPanZoom } from "./pan-zoom.js";
import { frameSteps, nodeId } from "./steps.js";
import { layoutGraph, litNodes, nodeTitle, revealed } from "./whole-graph-layout.js";

const ZOOM_STEP = 1.25;
const PRESENTER_ZOOM = 1.45; // 15-unit labels at ≥ 20 px on a projector

let panels = 0; // ids for aria-controls when a page holds several players

const isPresenter = () => document.documentElement.dataset.presenter === "on";

export function createWholeGraph({ store, shown, select, onExpand = null, client = api }) {
  const bodyId = `whole-graph-${++panels}`;
  const toggle = el("button", {
    type: "button",
    class: "whole-graph-toggle",
    "aria-expanded": "false",
    "aria-controls": bodyId,
    "data-testid": "whole-graph-toggle",
  });
  const hint = el("p", { class: "whole-graph-hint muted" });
  const status = el("p", { class: "whole-graph-status", role: "status", "data-testid": "whole-graph-status" });
  const zoomOut = el("button", { type: "button", class: "icon-button", "data-testid": "whole-graph-zoom-out" });
  const zoomIn = el("button", { type: "button", class: "icon-button", "data-testid": "whole-graph-zoom-in" });
  const fit = el("button", { type: "button", class: "icon-button", "data-testid": "whole-graph-fit" });
  const actual = el("button", { type: "button", class: "icon-button", "data-testid": "whole-graph-actual" });
  const expand = el("button", {
    type: "button",
    class: "whole-graph-expand",
    "aria-pressed": "false",
    hidden: !onExpand,
    "data-testid": "whole-graph-expand",
  });
  const tools = el("div", { class: "whole-graph-tools" }, zoomOut, zoomIn, fit, actual, expand);
  const viewport = svg("g", { class: "wg-viewport", "data-testid": "whole-graph-viewport" });
  // a group of buttons (the boxes), not an image, whose contents would be presentational
  const canvas = svg("svg", { class: "whole-graph-svg", role: "group", "data-testid": "whole-graph" }, viewport);
  // the boxes are the tab stop; the view takes focus from a click, so that the wheel and keys zoom it
  const view = el("div", { class: "whole-graph-view", tabindex: "-1", role: "group" }, canvas);
  const body = el("div", { class: "whole-graph-body", id: bodyId, hidden: true }, hint, tools, view, status);
  const element = el(
    "section",
    { class: "panel whole-graph", "data-testid": "whole-graph-panel" },
    el("h2", { class: "whole-graph-title" }, toggle),
    body,
  );

  const model = {
    open: false,
    expanded: false,
    active: null, // the id of the box that is the tab stop
    order: [], // the node ids in keyboard order
    graph: null, // the server's graph of the pass shown
    layout: null,
    boxes: new Map(), // node id → its <g>
    edges: [], // [edge, <path>]
    lit: new Set(),
    abort: null,
    error: null,
    loading: false,
  };

  // ----------------------------------------------------------------------------------------- words
  function translate() {
    toggle.textContent = t("playground.wholegraph.title");
    hint.textContent = t("playground.wholegraph.hint");
    for (const [button, key, text] of [
      [zoomOut, "zoom_out", "−"],
      [zoomIn, "zoom_in", "+"],
      [fit, "fit", "⤢"],
      [actual, "actual", "1:1"],
    ]) {
      button.textContent = text;
      button.setAttribute("aria-label", t(`playground.wholegraph.${key}`));
      button.title = t(`playground.wholegraph.${key}`);
    }
    view.setAttribute("aria-label", t("playground.wholegraph.view_label"));
    expand.textContent = t(model.expanded ? "playground.wholegraph.collapse" : "playground.wholegraph.expand");
    expand.title = t("playground.wholegraph.expand_label");
    renderStatus();
    if (model.graph) follow();
    if (model.graph)
      canvas.setAttribute("aria-label", t("playground.wholegraph.aria", { count: model.graph.nodes.length }));
  }

  function renderStatus() {
    if (model.loading) status.textContent = t("common.loading");
    else if (model.error) status.textContent = model.error;
    else if (model.graph)
      status.textContent = t("playground.wholegraph.count", {
        nodes: model.graph.nodes.length,
        edges: model.graph.edges.length,
        samples: model.graph.batch,
      });
    else status.textContent = "";
    status.classList.toggle("error", Boolean(model.error));
  }

  // ----------------------------------------------------------------------------------------- data
  async function load() {
    model.abort?.abort();
    const abort = new AbortController();
    model.abort = abort;
    const { spec, trace } = store.getState();
    const request = { ...spec, include_graph: true };
    if (trace.scriptId) request.known_script_id = trace.scriptId; // the steps are held already
    model.loading = true;
    model.error = null;
    renderStatus();
    try {
      const answer = await client.traceV2(request, { signal: abort.signal });
      if (abort.signal.aborted) return;
      model.graph = answer.graph;
      draw();
    } catch (error) {
      if (error?.name === "AbortError" || abort.signal.aborted) return;
      model.graph = null;
      draw();
      model.error =
        error instanceof ApiError
          ? t("playground.wholegraph.refused", { detail: error.message })
          : t("common.error.network");
    } finally {
      if (model.abort === abort) {
        model.loading = false;
        renderStatus();
      }
    }
  }

  // ----------------------------------------------------------------------------------------- drawing
  function draw() {
    const hadFocus = view.contains(document.activeElement) && document.activeElement !== view;
    viewport.replaceChildren();
    model.boxes.clear();
    model.edges = [];
    model.lit = new Set();
    const graph = model.graph;
    canvas.classList.toggle("empty", !graph);
    if (!graph) return;
    const layout = layoutGraph(graph);
    model.layout = layout;
    const edgeLayer = svg("g", { class: "wg-edges" });
    const nodeLayer = svg("g", { class: "wg-nodes" });
    for (const edge of graph.edges) {
      const from = layout.position.get(edge.source);
      const to = layout.position.get(edge.target);
      const x1 = from.x + from.w;
      const y1 = from.y + from.h / 2;
      const x2 = to.x;
      const y2 = to.y + to.h / 2;
      const bend = (x2 - x1) / 2;
      const path = svg("path", {
        class: "wg-edge",
        d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
        "data-source": edge.source,
        "data-target": edge.target,
      });
      edgeLayer.append(path);
      model.edges.push([edge, path]);
    }
    for (const node of graph.nodes) {
      const at = layout.position.get(node.id);
      const box = svg(
        "g",
        {
          class: `wg-node wg-${node.kind}`,
          transform: `translate(${at.x},${at.y})`,
          "data-node": node.id,
          "data-kind": node.kind,
          tabindex: "-1",
          role: "button",
          "aria-disabled": node.layer == null || node.neuron == null ? "true" : null,
        },
        svg("rect", { width: at.w, height: at.h, rx: 7 }),
        svg("text", { class: "wg-title", x: 10, y: 20, text: nodeTitle(node, graph.batch) }),
        svg("text", { class: "wg-value", x: 10, y: 41, "data-testid": "whole-graph-value" }),
        svg("text", { class: "wg-grad", x: at.w - 10, y: 41, "text-anchor": "end", "data-testid": "whole-graph-grad" }),
      );
      nodeLayer.append(box);
      model.boxes.set(node.id, box);
    }
    viewport.append(edgeLayer, nodeLayer);
    canvas.setAttribute("aria-label", t("playground.wholegraph.aria", { count: graph.nodes.length }));
    const at = (id) => layout.position.get(id);
    model.order = graph.nodes.map((n) => n.id).sort((a, b) => at(a).x - at(b).x || at(a).y - at(b).y);
    model.active = null;
    resetZoom();
    follow({ bringIntoView: true });
    if (hadFocus) model.boxes.get(model.active)?.focus({ preventScroll: true }); // a new pass: its step's box
  }

  // ----------------------------------------------------------------------------------------- keyboard
  const focusInside = () => view.contains(document.activeElement);

  /** Make box `id` the graph's one tab stop. */
  function setActive(id) {
    if (model.active === id || !model.boxes.has(id)) return;
    model.boxes.get(model.active)?.setAttribute("tabindex", "-1");
    model.active = id;
    model.boxes.get(id).setAttribute("tabindex", "0");
  }

  /** Focus the box `delta` places from the active one in keyboard order, and bring it into view. */
  function moveFocus(delta) {
    if (!model.order.length) return;
    const here = model.order.indexOf(model.active);
    const next = model.order[Math.max(0, Math.min(model.order.length - 1, here + delta))];
    setActive(next);
    model.boxes.get(next).focus({ preventScroll: true });
  }

  function nodeLabel(node, reached, numbers) {
    const title = nodeTitle(node, model.graph.batch);
    if (!numbers) return t("playground.wholegraph.node_hidden", { title });
    const notYet = t("playground.wholegraph.not_yet");
    const value = reached.value ? formatNumber(node.value, 4) : notYet;
    if (node.grad_step == null) return t("playground.wholegraph.node_no_grad", { title, value });
    return t("playground.wholegraph.node", { title, value, grad: reached.grad ? formatNumber(node.grad, 4) : notYet });
  }

  /** The steps the player highlights now: the frame's steps up to the current one. */
  function currentFrame() {
    const current = shown();
    if (!current) return { index: 0, steps: [] };
    const index = store.getState().view.step;
    return { index, steps: frameSteps(current.pass, current.frames, index) };
  }

  /** Light the current step's nodes, reveal the numbers reached, mark the selected neuron. */
  function follow({ bringIntoView = false } = {}) {
    const graph = model.graph;
    if (!graph) return;
    const { index, steps } = currentFrame();
    const shownView = store.getState().view;
    const lit = litNodes(graph, steps);
    const changed = lit.size !== model.lit.size || [...lit].some((id) => !model.lit.has(id));
    model.lit = lit;
    const phase = steps.length ? steps[steps.length - 1].phase : "forward";
    canvas.dataset.phase = phase;
    canvas.dataset.step = String(index);
    canvas.classList.toggle("no-numbers", !shownView.numbers);
    for (const node of graph.nodes) {
      const box = model.boxes.get(node.id);
      const reached = revealed(node, index);
      box.classList.toggle("lit", lit.has(node.id));
      box.classList.toggle(
        "selected",
        node.layer != null && node.neuron != null && shownView.selected === nodeId(node.layer, node.neuron),
      );
      const [valueText, gradText] = box.querySelectorAll("text.wg-value, text.wg-grad");
      valueText.textContent = reached.value ? formatNumber(node.value, 4) : "?";
      gradText.textContent = node.grad_step == null ? "" : `∇ ${reached.grad ? formatNumber(node.grad, 4) : "?"}`;
      valueText.classList.toggle("unreached", !reached.value);
      gradText.classList.toggle("unreached", !reached.grad);
      box.setAttribute("aria-label", nodeLabel(node, reached, shownView.numbers));
    }
    // the tab stop waits on the current step's first box, unless the learner is moving among the boxes
    if (!focusInside() || !model.active) setActive(model.order.find((id) => lit.has(id)) ?? model.order[0]);
    for (const [edge, path] of model.edges) path.classList.toggle("lit", lit.has(edge.source) && lit.has(edge.target));
    if (bringIntoView || changed) bringLitIntoView();
  }

  // ----------------------------------------------------------------------------------------- pan and zoom
  // The wheel scrolls the page past the graph; it zooms with Ctrl/⌘ (a trackpad's pinch) or once the
  // graph has focus (a click or Tab into it). A tap on a box selects its neuron.
  const panZoom = createPanZoom({
    view,
    viewport,
    canvas,
    wheelZooms: (event) => Boolean(model.graph) && (event.ctrlKey || event.metaKey || focusInside()),
    onTap: (target) => {
      const box = target instanceof Element ? target.closest("[data-node]") : null;
      if (box) chooseNode(box.dataset.node);
    },
  });
  const zoomBy = panZoom.zoomBy;

  /** The default zoom: labels at full size (larger in presenter mode), the graph's top left in view. */
  function resetZoom() {
    panZoom.reset(isPresenter() ? PRESENTER_ZOOM : 1);
  }

  function fitAll() {
    if (model.layout) panZoom.fit(model.layout.width, model.layout.height);
  }

  function showBox(id) {
    const at = model.layout?.position.get(id);
    if (at) panZoom.showBox(at);
  }

  function bringLitIntoView() {
    if (model.layout) panZoom.bringIntoView([...model.lit].map((id) => model.layout.position.get(id)));
  }

  // + − 0 zoom, [ ] move among the boxes, Enter and Space select a box's neuron; the arrows and
  // PageUp/PageDown are left to the player, which steps on them
  view.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const box = event.target instanceof Element ? event.target.closest("[data-node]") : null;
    const action = {
      "+": () => zoomBy(ZOOM_STEP),
      "=": () => zoomBy(ZOOM_STEP),
      "-": () => zoomBy(1 / ZOOM_STEP),
      0: fitAll,
      "]": () => moveFocus(1),
      "[": () => moveFocus(-1),
      Enter: box ? () => chooseNode(box.dataset.node) : null,
      " ": box ? () => chooseNode(box.dataset.node) : null,
      Escape: model.expanded ? () => setExpanded(false) : null,
    }[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
  zoomIn.addEventListener("click", () => zoomBy(ZOOM_STEP));
  zoomOut.addEventListener("click", () => zoomBy(1 / ZOOM_STEP));
  fit.addEventListener("click", fitAll);
  view.addEventListener("focusin", (event) => {
    const box = event.target instanceof Element ? event.target.closest("[data-node]") : null;
    if (!box) return;
    setActive(box.dataset.node);
    if (!panZoom.dragging()) showBox(box.dataset.node); // a box clicked is in view already
  });
  actual.addEventListener("click", () => {
    resetZoom();
    bringLitIntoView();
  });

  function chooseNode(id) {
    const node = model.graph?.nodes.find((n) => n.id === id);
    if (!node || node.layer == null || node.neuron == null) return;
    select(nodeId(node.layer, node.neuron));
  }

  // ----------------------------------------------------------------------------------------- wiring
  /** Show or hide the panel's body (the store says which: view.wholeGraph). */
  function setOpen(open) {
    model.open = open;
    toggle.setAttribute("aria-expanded", String(open));
    body.hidden = !open;
    element.classList.toggle("open", open);
    if (!open) setExpanded(false);
    // the graph is asked for with the pass's steps known: a link that opens the panel waits for its trace
    const traced = store.getState().trace.steps > 0;
    if (open && !model.graph && !model.loading && traced) load();
    else if (open) requestAnimationFrame(() => follow({ bringIntoView: true }));
  }
  toggle.addEventListener("click", () =>
    store.dispatch({ type: "view/set", view: { wholeGraph: !store.getState().view.wholeGraph } }),
  );

  /** The graph across the page (the player moves the panel) or back in its column. */
  function setExpanded(on) {
    if (!onExpand || model.expanded === on) return;
    // the player moves the panel, which takes the focus away from whatever in it had it: given back
    const focused = element.contains(document.activeElement) ? document.activeElement : null;
    model.expanded = on;
    element.classList.toggle("expanded", on);
    expand.setAttribute("aria-pressed", String(on));
    expand.textContent = t(on ? "playground.wholegraph.collapse" : "playground.wholegraph.expand");
    onExpand(on);
    focused?.focus({ preventScroll: true });
    element.scrollIntoView({ block: "nearest" });
    requestAnimationFrame(() => follow({ bringIntoView: true }));
  }
  expand.addEventListener("click", () => setExpanded(!model.expanded));
  body.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !model.expanded || view.contains(event.target)) return;
    event.preventDefault();
    setExpanded(false);
  });

  const unsubscribe = store.subscribe((now, before) => {
    if (now.trace !== before.trace) {
      model.graph = null; // another pass: its graph is asked for when shown
      model.abort?.abort();
      model.loading = false;
      if (now.view.wholeGraph !== model.open) setOpen(now.view.wholeGraph);
      else if (model.open) load();
      else draw();
      return;
    }
    if (now.view.wholeGraph !== model.open) setOpen(now.view.wholeGraph);
    const moved =
      now.view.step !== before.view.step ||
      now.view.granularity !== before.view.granularity ||
      now.view.numbers !== before.view.numbers ||
      now.view.selected !== before.view.selected;
    if (moved && model.open) follow();
  });
  const onLanguage = () => translate();
  const onPresenter = () =>
    requestAnimationFrame(() => {
      resetZoom();
      follow({ bringIntoView: true });
    });
  document.addEventListener("langchange", onLanguage);
  document.addEventListener("presenterchange", onPresenter);
  translate();
  if (store.getState().view.wholeGraph) setOpen(true);

  return {
    element,
    open: () => setOpen(true),
    destroy() {
      unsubscribe();
      model.abort?.abort();
      document.removeEventListener("langchange", onLanguage);
      document.removeEventListener("presenterchange", onPresenter);
    },
  };
}
