// Lesson 5: an expression as a computational graph, nodes laid out by depth. The steps of
// POST /expression (forward node by node, then backward edge by edge: upstream × local) are played one
// at a time; the last step sets backprop's gradient beside the central-difference one. Edges carry local
// derivatives (∂), nodes the total derivative of the output (d); an edge that skips a column goes around
// the boxes in between, and two edges between the same pair of nodes keep their labels apart.

import { api } from "../core/api.js";
import { el, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { urlState } from "../core/urlstate.js";
import { STEP_PROPERTY, latest, onLanguage, viewChanged, withStatus } from "./common.js";
import { mountLessonPredict } from "./lesson-predict.js";
import { createStepper } from "./stepper.js";

const NODE_W = 118;
const NODE_H = 50;
const COLUMN = 196;
const ROW = 104;
const MAX_RETRIES = 8;
const DETOUR = 30; // how far above the boxes it passes an edge that skips a column runs
const PAIR_OFFSET = 12; // how far apart two edges between the same two nodes run at their ends
const BELOW_BOX = 42; // a box's value and gradient lines under it (baselines 18 and 37 below it, and descent)
const LABEL_RISE = 18; // an edge label's height above its baseline
const MARGIN = 10;

/**
 * The path of an edge from (x1, y1) to (x2, y2), and where its label goes. `boxes` are the centres of
 * the nodes it would cross; if it would, it climbs above them all and comes down at its target.
 */
export function edgeRoute(x1, y1, x2, y2, boxes, nodeHeight = NODE_H) {
  const mid = (x1 + x2) / 2;
  const crossed = boxes.filter(([bx, by]) => bx > x1 && bx < x2 && Math.abs(by - (y1 + y2) / 2) < nodeHeight);
  if (!crossed.length) {
    return { d: `M${x1},${y1}C${mid},${y1} ${mid},${y2} ${x2},${y2}`, labelX: mid, labelY: (y1 + y2) / 2 - 6 };
  }
  // leave from the source's top and come down onto the target's top, clear of the edges at their sides
  const top = Math.min(...crossed.map(([, by]) => by - nodeHeight / 2), y1, y2) - DETOUR;
  const sx = x1 - NODE_W / 4;
  const ex = x2 + NODE_W / 4;
  const bend = 24;
  const d =
    `M${sx},${y1 - nodeHeight / 2}C${sx},${top} ${sx},${top} ${sx + bend},${top}` +
    `L${ex - bend},${top}C${ex},${top} ${ex},${top} ${ex},${y2 - nodeHeight / 2}`;
  return { d, labelX: mid, labelY: top - 6 };
}

const LINK = [
  { name: "f", type: "string", default: "cos(x^2 - 1)", validate: (v) => v.length <= 200 },
  {
    name: "v",
    type: "json",
    default: { x: 1.5 },
    validate: (v) => v && typeof v === "object" && Object.values(v).every((n) => Number.isFinite(n)),
  },
  { name: "pr", type: "bool", default: false }, // predict, then reveal
];
const url = urlState(LINK);
const viewLink = urlState([...LINK, STEP_PROPERTY]); // the link and the step shown (a live class follows both)

function shorten(text, length = 16) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/**
 * Columns by depth: each op one column past its deepest input; an input (variable or constant) sits one
 * column before the first op that uses it, so its edge stays short.
 */
function layout(graph) {
  const depth = new Map();
  for (const node of graph.nodes) {
    depth.set(node.id, node.inputs.length ? 1 + Math.max(...node.inputs.map((id) => depth.get(id) ?? 0)) : 0);
  }
  for (const node of graph.nodes) {
    if (node.inputs.length) continue;
    const users = graph.nodes.filter((n) => n.inputs.includes(node.id)).map((n) => depth.get(n.id));
    if (users.length) depth.set(node.id, Math.min(...users) - 1);
  }
  const columns = new Map();
  for (const node of graph.nodes) {
    const d = depth.get(node.id);
    if (!columns.has(d)) columns.set(d, []);
    columns.get(d).push(node.id);
  }
  const rows = Math.max(...[...columns.values()].map((c) => c.length));
  const width = Math.max(720, 40 + COLUMN * (columns.size - 1) + NODE_W + 40);
  const place = new Map();
  for (const [d, ids] of columns) {
    const top = (ROW * (rows - ids.length)) / 2; // each column centred on the tallest
    ids.forEach((id, k) => place.set(id, [40 + NODE_W / 2 + COLUMN * d, top + ROW * k]));
  }
  const routes = edgeRoutes(graph, place);
  // the view is what is drawn, and no more: the boxes, the value and gradient under each, and the edges
  // (with their labels) that climb above the boxes they would cross
  const rowsAt = [...place.values()].map(([, y]) => y);
  const top = Math.min(
    ...rowsAt.map((y) => y - NODE_H / 2),
    ...[...routes.values()].map(({ route }) => route.labelY - LABEL_RISE),
  );
  const bottom = Math.max(...rowsAt) + NODE_H / 2 + BELOW_BOX;
  return { place, routes, width, top: top - MARGIN, height: bottom - top + 2 * MARGIN };
}

/** Each edge's route from its source's right side to its target's left side, and whether it is one of two
 * edges between the same nodes (x·x), which run apart at their ends. */
function edgeRoutes(graph, place) {
  const centres = [...place.values()];
  return new Map(
    graph.edges.map((edge) => {
      const [sx, sy] = place.get(edge.source);
      const [tx, ty] = place.get(edge.target);
      const paired = graph.edges.some((e) => e !== edge && e.source === edge.source && e.target === edge.target);
      const offset = paired ? (edge.input_index ? PAIR_OFFSET : -PAIR_OFFSET) : 0;
      return [
        edge.id,
        { paired, route: edgeRoute(sx + NODE_W / 2, sy + offset, tx - NODE_W / 2, ty + offset, centres) },
      ];
    }),
  );
}

/**
 * Scroll `container` sideways (and only it, never the page) by as little as shows `boxes`; when they
 * are wider than it, their start is shown. A phone shows part of the graph, and the narrated node
 * must stay in sight as the steps move across it.
 */
function keepInView(container, boxes) {
  if (!boxes.length || container.scrollWidth <= container.clientWidth) return;
  const area = container.getBoundingClientRect();
  const rects = boxes.map((box) => box.getBoundingClientRect());
  const left = Math.min(...rects.map((r) => r.left)) - area.left;
  const right = Math.max(...rects.map((r) => r.right)) - area.left;
  const margin = 8;
  let shift = 0;
  if (right - left > area.width - 2 * margin || left < margin) shift = left - margin;
  else if (right > area.width - margin) shift = right - area.width + margin;
  if (shift) container.scrollLeft += shift;
}

export async function mount(root) {
  const form = root.querySelector("[data-expression-form]");
  const input = form.elements.expression;
  const variablesBox = root.querySelector("[data-variables]");
  const graphEl = root.querySelector(".chain-graph");
  const narration = root.querySelector("[data-testid=narration]");
  const formulaEl = root.querySelector("[data-formula]");
  const checkEl = root.querySelector("[data-check]");
  const expression = latest(api.expression);
  const state = { ...url.read(), data: null, layout: null, formulas: new Map() };
  const stepper = createStepper(root, { onStep: show, interval: 1400 });
  // predict-then-reveal, as in the step player: the panel asks the step that "next" shows, from the
  // expression's steps (their formula lines as the server wrote them), with its state in a store of its own
  const { store } = mountLessonPredict({
    stepper,
    on: state.pr,
    shown: () => (state.data ? { pass: state.data } : null),
    place: (element) => checkEl.after(element),
    onToggle: (on) => {
      state.pr = on;
      url.write(state);
      viewChanged();
    },
  });

  input.value = state.f;

  function renderVariables(names) {
    const inputs = names.map((name) =>
      el(
        "label",
        {},
        el("span", { class: "mono", text: name }),
        el("input", {
          type: "number",
          step: "0.1",
          class: "num",
          value: String(state.v[name] ?? 1),
          "data-variable": name,
          "data-testid": `variable-${name}`,
        }),
      ),
    );
    variablesBox.replaceChildren(variablesBox.querySelector("legend"), ...inputs);
  }

  function readVariables() {
    const values = {};
    for (const field of variablesBox.querySelectorAll("[data-variable]")) {
      const value = field.valueAsNumber;
      values[field.dataset.variable] = Number.isFinite(value) ? value : 1;
    }
    return values;
  }

  /** What the graph shows after step `index`: values, gradients, processed edges, highlights. */
  function progress(index) {
    const data = state.data;
    const valued = new Set(data.graph.nodes.filter((n) => n.kind === "constant").map((n) => n.id));
    const doneEdges = new Set();
    let seeded = false;
    for (const step of data.steps.slice(0, index + 1)) {
      if (step.phase === "forward") step.nodes.forEach((id) => valued.add(id));
      if (step.kind === "seed") seeded = true;
      if (step.kind === "edge_backward") step.edges.forEach((id) => doneEdges.add(id));
    }
    const backEdges = new Set(data.steps.filter((s) => s.kind === "edge_backward").flatMap((s) => s.edges));
    const graded = new Set();
    for (const node of data.graph.nodes) {
      const outgoing = data.graph.edges.filter((e) => e.source === node.id && backEdges.has(e.id));
      if (node.id === data.graph.output ? seeded : outgoing.length && outgoing.every((e) => doneEdges.has(e.id)))
        graded.add(node.id);
    }
    const step = data.steps[index];
    return { valued, graded, doneEdges, activeNodes: new Set(step.nodes), activeEdges: new Set(step.edges), step };
  }

  function draw(index) {
    const data = state.data;
    const { place, routes, width, top, height } = state.layout;
    const now = progress(index);
    graphEl.setAttribute("viewBox", `0 ${top} ${width} ${height}`);
    const edges = svg("g", { class: "graph-edges" });
    const nodes = svg("g", { class: "graph-nodes" });
    const labels = svg("g", { class: "graph-edge-labels" });
    graphEl.replaceChildren(edges, nodes, labels);
    for (const edge of data.graph.edges) {
      const { paired, route } = routes.get(edge.id);
      const classes = ["graph-edge"];
      if (now.activeEdges.has(edge.id)) classes.push("is-active");
      if (now.doneEdges.has(edge.id)) classes.push("is-done");
      edges.append(svg("path", { class: classes.join(" "), d: route.d, "data-edge": edge.id }));
      if (now.doneEdges.has(edge.id)) {
        labels.append(
          svg("text", {
            class: "edge-label mono",
            x: route.labelX,
            y: paired && edge.input_index ? route.labelY + 20 : route.labelY, // the second one below its edge
            "text-anchor": "middle",
            "data-edge": edge.id,
            text: `×${formatNumber(edge.local, 4)}`,
          }),
        );
      }
    }
    for (const node of data.graph.nodes) {
      const [cx, cy] = place.get(node.id);
      const classes = ["graph-node", `kind-${node.kind}`];
      if (now.activeNodes.has(node.id)) classes.push("is-active");
      const group = svg("g", { class: classes.join(" "), "data-node": node.id });
      group.append(svg("rect", { x: cx - NODE_W / 2, y: cy - NODE_H / 2, width: NODE_W, height: NODE_H, rx: 10 }));
      const title =
        node.kind === "op" ? `${node.symbol} = ${shorten(state.formulas.get(node.id) ?? node.label, 14)}` : node.symbol;
      group.append(svg("text", { class: "node-title", x: cx, y: cy + 6, "text-anchor": "middle", text: title }));
      if (now.valued.has(node.id)) {
        group.append(
          svg("text", {
            class: "node-value mono",
            x: cx,
            y: cy + NODE_H / 2 + 18,
            "text-anchor": "middle",
            text: `= ${formatNumber(node.value, 4)}`,
          }),
        );
      }
      if (now.graded.has(node.id)) {
        group.append(
          svg("text", {
            class: "node-grad mono",
            x: cx,
            y: cy + NODE_H / 2 + 37,
            "text-anchor": "middle",
            "data-grad": node.grad,
            text: `df/d${node.symbol} = ${formatNumber(node.grad, 4)}`,
          }),
        );
      }
      nodes.append(group);
    }
    keepInView(graphEl.parentElement, [...nodes.querySelectorAll(".is-active rect")]);
  }

  function describe(index) {
    const { step } = progress(index);
    const params = { ...step.narration.params };
    narration.textContent = t(`lessons.chain-rule.step_${step.kind}`, params);
    formulaEl.replaceChildren(
      ...step.formula.map((line) => {
        const parts = [line.lhs, line.symbolic, line.substituted, line.result].filter(
          (p, k, all) => p && all.indexOf(p) === k,
        );
        return el("li", { text: parts.join(" = ") });
      }),
    );
    const last = index === state.data.steps.length - 1;
    checkEl.hidden = !last;
    checkEl.replaceChildren(
      ...state.data.variables.map((name) =>
        el("span", {
          class: "check-line",
          "data-testid": `chain-result-${name}`,
          "data-value": state.data.gradient[name],
          text: t("lessons.chain-rule.result", {
            name,
            grad: formatNumber(state.data.gradient[name], 8),
            numerical: formatNumber(state.data.numerical_gradient[name], 8),
            error: formatNumber(state.data.gradient_error[name], 2),
          }),
        }),
      ),
    );
  }

  function show(index) {
    if (!state.data) return;
    store.dispatch({ type: "view/step", step: index });
    draw(index);
    describe(index);
    viewChanged();
  }

  async function compute({ start = 0 } = {}) {
    const text = input.value.trim();
    let values = readVariables();
    let data = null;
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const request = { expression: text, variables: values };
      try {
        data = await expression(request);
        break;
      } catch (error) {
        // a variable the form does not have yet: add it with a value of 1 and ask again
        if (error?.code === "missing_value" && error.body?.params?.name && !(error.body.params.name in values)) {
          values = { ...values, [error.body.params.name]: state.v[error.body.params.name] ?? 1 };
          continue;
        }
        await withStatus(root, () => Promise.reject(error));
        return;
      }
    }
    data = data && (await withStatus(root, async () => data));
    if (!data) return;
    state.data = data;
    state.f = text;
    state.v = Object.fromEntries(data.variables.map((name) => [name, values[name]]));
    url.write(state);
    renderVariables(data.variables);
    state.layout = layout(data.graph);
    state.formulas = new Map(
      data.steps
        .filter((step) => step.kind === "node_forward")
        .map((step) => [step.nodes[0], step.formula[0]?.symbolic]),
    );
    store.dispatch({ type: "spec/set", spec: { f: state.f, v: state.v } }); // a new expression: new questions
    store.dispatch({ type: "trace/loaded", steps: data.steps.length });
    stepper.reset(data.steps.length, start);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    compute();
  });
  variablesBox.addEventListener("change", () => compute());
  onLanguage(() => state.data && show(stepper.index));
  renderVariables(Object.keys(state.v));
  await compute({ start: viewLink.read().s });
  return Object.assign(stepper, {
    view: {
      encode: () => viewLink.encode({ f: state.f, v: state.v, pr: state.pr, s: stepper.index }),
      async apply(text) {
        const wanted = viewLink.read(`#${text}`);
        stepper.stop();
        if (wanted.pr !== state.pr) store.dispatch({ type: "predict/toggle", on: wanted.pr });
        if (state.data && wanted.f === state.f && JSON.stringify(wanted.v) === JSON.stringify(state.v)) {
          stepper.go(wanted.s);
          return;
        }
        input.value = wanted.f;
        state.v = wanted.v;
        renderVariables(Object.keys(wanted.v));
        await compute({ start: wanted.s });
      },
    },
  });
}
