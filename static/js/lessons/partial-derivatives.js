// Lesson 3: z = x² + y² (or the course's z = 3x + 2y, or any z(x, y) typed in) as a contour map (grid from
// POST /expression/descent with no steps) and one slice through a point (POST /expression/partial): the
// curve, its tangent and ∂z/∂x or ∂z/∂y there, also as a formula with the point's numbers put in
// (∂z/∂x = 2x = 2·1 = 2, from POST /expression's symbolic_derivatives). Predicting (lesson-predict.js),
// the partial at each point stays hidden, with its tangent and formula, until answered or shown.

import { api } from "../core/api.js";
import { el, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { urlState } from "../core/urlstate.js";
import { STEP_PROPERTY, latest, onLanguage, viewChanged, withStatus } from "./common.js";
import { mountLessonPredict, partialQuestions } from "./lesson-predict.js";
import {
  axes,
  contourLevels,
  contours,
  extent,
  frame,
  heat,
  lineThrough,
  onTheme,
  pathData,
  redrawOnResize,
} from "./plot.js";
import { createStepper } from "./stepper.js";

const EXPRESSION = { name: "f", type: "string", default: "x^2 + y^2", validate: (v) => v.length <= 200 };
const PREDICT = { name: "pr", type: "bool", default: false }; // predict, then reveal
const url = urlState([EXPRESSION, PREDICT]);
const RANGE = [-3, 3];
const TOUR = [
  { x: 1, y: 0.5, vary: "x" },
  { x: 1, y: 0.5, vary: "y" },
  { x: -1.5, y: 1, vary: "x" },
  { x: -1.5, y: 1, vary: "y" },
  { x: 0, y: 1.5, vary: "x" },
  { x: 0, y: 1.5, vary: "y" },
];
const onMap = (v) => v >= RANGE[0] && v <= RANGE[1];
// the expression, the tour's step and the point (a click moves it off the tour): what a live class follows
const viewLink = urlState([
  EXPRESSION,
  PREDICT,
  STEP_PROPERTY,
  { name: "x", type: "number", default: TOUR[0].x, validate: onMap },
  { name: "y", type: "number", default: TOUR[0].y, validate: onMap },
  { name: "vary", type: "enum", values: ["x", "y"], default: TOUR[0].vary },
]);
const clamp = (v) => Math.max(RANGE[0], Math.min(RANGE[1], v));
const round = (v) => Math.round(v * 20) / 20;

export async function mount(root) {
  const mapEl = root.querySelector(".map-plot");
  const sliceEl = root.querySelector(".slice-plot");
  const narration = root.querySelector("[data-testid=narration]");
  const xInput = root.querySelector("[data-testid=px-input]");
  const yInput = root.querySelector("[data-testid=py-input]");
  const radios = [...root.querySelectorAll("input[name=vary]")];
  const form = root.querySelector("[data-expression-form]");
  const input = form.elements.expression;
  const presets = [...root.querySelectorAll("[data-expression]")];
  const symbolicEl = root.querySelector("[data-testid=symbolic-partial]");
  const partial = latest(api.partial);
  const traced = latest(api.expression);
  const gridOf = latest(api.descent);
  const state = { ...TOUR[0], grid: null, slice: null, map: null, symbolic: null, expression: url.read().f };
  input.value = state.expression;
  const stepper = createStepper(root, { onStep: (i) => setPoint(TOUR[i]) });
  state.pr = url.read().pr;
  const predict = mountLessonPredict({
    stepper,
    on: state.pr,
    shown: () => (state.questions ? { pass: state.questions } : null),
    place: (panel) => symbolicEl.after(panel),
    onToggle: (on) => {
      state.pr = on;
      url.write({ f: state.expression, pr: on });
      viewChanged();
    },
    // Reveal shows this point's partial while it is hidden, and otherwise goes on to the tour's next point
    reveal: () => (partialHidden() ? predict.show(1) : stepper.next()),
  });
  const partialHidden = () => predict.hides(1);
  predict.store.subscribe((now, before) => {
    if (now.predict === before.predict && now.view.step === before.view.step) return;
    drawSlice();
    describe();
    showSymbolic();
  });
  mapEl.dataset.ownKeys = "";

  function drawMap() {
    if (!state.grid) return;
    const plot = frame(mapEl, {
      x: RANGE,
      y: RANGE,
      equal: true,
    });
    state.map = plot;
    const { xs, ys } = plot;
    heat(plot.data, state.grid, xs, ys);
    contours(plot.data, state.grid, xs, ys, contourLevels(state.grid, 9));
    axes(plot, { xLabel: "x", yLabel: "y", xTicks: 6, yTicks: 6 });
    const slice =
      state.vary === "x"
        ? { x1: xs(RANGE[0]), x2: xs(RANGE[1]), y1: ys(state.y), y2: ys(state.y) }
        : { x1: xs(state.x), x2: xs(state.x), y1: ys(RANGE[0]), y2: ys(RANGE[1]) };
    plot.data.append(svg("line", { class: "slice-line", ...slice }));
    plot.data.append(svg("circle", { class: "point point-main", cx: xs(state.x), cy: ys(state.y), r: 7 }));
  }

  function drawSlice() {
    const data = state.slice;
    if (!data) return;
    const [lo, hi] = extent(data.slice.values, 0.08);
    const plot = frame(sliceEl, {
      x: data.slice.range,
      y: [Math.min(lo, -0.5), hi],
    });
    axes(plot, { xLabel: state.vary, yLabel: "z", xTicks: 6, yTicks: 5 });
    const { xs, ys } = plot;
    const points = data.slice.xs.map((x, i) => [x, data.slice.values[i]]);
    plot.data.append(svg("path", { class: "curve", d: pathData(points, xs, ys) }));
    if (!partialHidden()) {
      const tangent = lineThrough(0, data.tangent.intercept, data.tangent.slope, xs);
      plot.data.append(svg("path", { class: "tangent-line", d: pathData(tangent, xs, ys) }));
    }
    const at = data.at[state.vary];
    plot.data.append(svg("circle", { class: "point point-main", cx: xs(at), cy: ys(data.value), r: 6 }));
  }

  function describe() {
    const data = state.slice;
    if (!data) return;
    const key = state.vary === "x" ? "readout_x" : "readout_y";
    const hidden = partialHidden();
    narration.textContent = t(`lessons.partial-derivatives.${key}`, {
      x: formatNumber(data.at.x, 3),
      y: formatNumber(data.at.y, 3),
      slope: hidden ? "?" : formatNumber(data.partial, 6),
    });
    if (hidden) delete narration.dataset.value;
    else narration.dataset.value = String(data.partial);
    narration.dataset.x = String(data.at.x);
    narration.dataset.y = String(data.at.y);
    narration.dataset.vary = state.vary;
  }

  // ∂z/∂x = 2x = 2·1 = 2: the server's formula, then with the point put in, then the backprop value
  function showSymbolic() {
    const derivative = state.symbolic;
    symbolicEl.hidden = !derivative || !state.slice || partialHidden();
    symbolicEl.dataset.formula = derivative?.text ?? "";
    if (symbolicEl.hidden) return;
    if (derivative.omitted) {
      symbolicEl.textContent = t(`lessons.derivative.symbolic_${derivative.omitted}`);
      return;
    }
    const value = formatNumber(state.slice.partial, 6);
    const parts = [derivative.typeset, derivative.at_values, value].filter((p, i, all) => p && p !== all[i - 1]);
    symbolicEl.replaceChildren(
      el("span", {
        class: "symbolic-formula",
        text: t("lessons.partial-derivatives.symbolic", { variable: state.vary, worked: parts.join(" = ") }),
      }),
    );
  }

  async function update() {
    viewChanged();
    xInput.value = String(state.x);
    yInput.value = String(state.y);
    for (const radio of radios) radio.checked = radio.value === state.vary;
    drawMap();
    const body = {
      expression: state.expression,
      at: { x: state.x, y: state.y },
      variable: state.vary,
      range: RANGE,
      samples: 121,
    };
    const both = await withStatus(root, () =>
      Promise.all([partial(body), traced({ expression: state.expression, variables: { x: state.x, y: state.y } })]),
    );
    const [data, formula] = both ?? [];
    if (!data || !formula) return;
    state.slice = data;
    state.symbolic = formula.symbolic_derivatives[state.vary] ?? null;
    const more = stepper.index < TOUR.length - 1;
    state.questions = partialQuestions(data, state.symbolic, state.vary, { more }); // a new question
    predict.load({ f: state.expression, ...data.at, vary: state.vary }, state.questions.steps.length);
    drawSlice();
    describe();
    showSymbolic();
  }

  async function loadGrid() {
    for (const button of presets)
      button.setAttribute("aria-pressed", String(button.dataset.expression === state.expression));
    const body = {
      expression: state.expression,
      start: { x: 0, y: 0 },
      steps: 0,
      resolution: 64,
      x_range: RANGE,
      y_range: RANGE,
    };
    const data = await withStatus(root, () => gridOf(body));
    if (!data?.grid) return false;
    state.grid = { x: data.grid.xs, y: data.grid.ys, z: data.grid.values };
    return true;
  }

  async function setExpression(text) {
    const previous = state.expression;
    state.expression = text.trim();
    if (!(await loadGrid())) {
      state.expression = previous;
      return;
    }
    url.write({ f: state.expression, pr: state.pr });
    update();
  }

  function setPoint({ x = state.x, y = state.y, vary = state.vary }) {
    Object.assign(state, { x: clamp(round(x)), y: clamp(round(y)), vary });
    update();
  }

  mapEl.addEventListener("click", (event) => {
    if (!state.map) return;
    const box = mapEl.getBoundingClientRect();
    const [, , width, height] = mapEl.getAttribute("viewBox").split(/\s+/).map(Number);
    const px = ((event.clientX - box.left) / box.width) * width;
    const py = ((event.clientY - box.top) / box.height) * height;
    setPoint({ x: state.map.xs.invert(px), y: state.map.ys.invert(py) });
  });
  mapEl.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [-0.25, 0], ArrowRight: [0.25, 0], ArrowUp: [0, 0.25], ArrowDown: [0, -0.25] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    setPoint({ x: state.x + move[0], y: state.y + move[1] });
  });
  for (const radio of radios) radio.addEventListener("change", () => radio.checked && setPoint({ vary: radio.value }));
  xInput.addEventListener(
    "change",
    () => Number.isFinite(xInput.valueAsNumber) && setPoint({ x: xInput.valueAsNumber }),
  );
  yInput.addEventListener(
    "change",
    () => Number.isFinite(yInput.valueAsNumber) && setPoint({ y: yInput.valueAsNumber }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setExpression(input.value);
  });
  for (const button of presets)
    button.addEventListener("click", () => {
      input.value = button.dataset.expression;
      setExpression(input.value);
    });
  onLanguage(() => {
    describe();
    showSymbolic();
  });
  onTheme(drawMap);
  redrawOnResize([mapEl, sliceEl], () => {
    drawMap();
    drawSlice();
  });

  const encode = () =>
    viewLink.encode({ f: state.expression, pr: state.pr, s: stepper.index, x: state.x, y: state.y, vary: state.vary });

  const samePoint = (wanted) => wanted.x === state.x && wanted.y === state.y && wanted.vary === state.vary;

  /** The tour's step, then the point (a click may have moved it off the tour), drawn anew. */
  function showView(wanted) {
    if (wanted.s !== stepper.index) stepper.go(wanted.s);
    Object.assign(state, { x: wanted.x, y: wanted.y, vary: wanted.vary });
    return update();
  }

  // Ready once the map is in: a live class's state applied before then would be undone by this start.
  const opened = viewLink.read();
  await loadGrid();
  stepper.reset(TOUR.length, opened.s);
  if (!samePoint(opened)) setPoint(opened);
  return Object.assign(stepper, {
    view: {
      encode,
      async apply(text) {
        const wanted = viewLink.read(`#${text}`);
        stepper.stop();
        if (wanted.pr !== state.pr) predict.store.dispatch({ type: "predict/toggle", on: wanted.pr });
        if (wanted.f !== state.expression) {
          input.value = wanted.f;
          state.expression = wanted.f;
          if (!(await loadGrid())) return;
        } else if (wanted.s === stepper.index && samePoint(wanted) && state.slice) return;
        await showView(wanted);
      },
    },
  });
}
