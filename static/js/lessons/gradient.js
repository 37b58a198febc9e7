// Lesson 4: contours of f, the gradient arrow at the current point (steepest ascent) and the
// gradient-descent path walking the other way. Path, values, gradients and the contour grid all come
// from POST /expression/descent. The arrow's direction is ∇f and its length is proportional to |∇f|, on
// one scale for the whole walk (its steepest point gets ARROW_PIXELS). A path that diverges (η too large)
// stays in view: the map zooms out to the points walked so far.

import { api } from "../core/api.js";
import { el, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { sub } from "../core/trace-render.js";
import { urlState } from "../core/urlstate.js";
import { STEP_PROPERTY, latest, onLanguage, viewChanged, withStatus } from "./common.js";
import { arrow, axes, contourLevels, contours, frame, heat, onTheme, pathData, redrawOnResize } from "./plot.js";
import { mountLessonPredict } from "./lesson-predict.js";
import { createStepper } from "./stepper.js";

const RANGE = [-3, 3];
const ARROW_PIXELS = 64;
const MIN_ARROW_PIXELS = 3; // shorter than this, an arrowhead hides its own shaft

/** The symmetric view range that holds the contour grid and every finite point of `points`. */
export function viewRange(points, base = RANGE) {
  const reach = Math.max(base[1], ...points.flat().filter(Number.isFinite).map(Math.abs));
  const half = reach > base[1] ? reach * 1.1 : base[1];
  return [-half, half];
}

/** The arrow's length in pixels for gradient norm `norm` when the walk's largest norm is `largest`. */
export function arrowPixels(norm, largest) {
  if (!(norm > 0) || !Number.isFinite(norm) || !(largest > 0) || !Number.isFinite(largest)) return 0;
  return Math.max(MIN_ARROW_PIXELS, (norm / largest) * ARROW_PIXELS);
}

const grouped = (text) => (text.startsWith("−") ? `(${text})` : text);

const LINK = [
  { name: "f", type: "string", default: "x^2 + y^2", validate: (v) => v.length <= 200 },
  { name: "lr", type: "number", default: 0.1, validate: (v) => v > 0 && v <= 1.1 },
  { name: "n", type: "int", default: 20, validate: (v) => v >= 1 && v <= 100 },
  { name: "x", type: "number", default: 2, validate: (v) => Math.abs(v) <= 3 },
  { name: "y", type: "number", default: 1.5, validate: (v) => Math.abs(v) <= 3 },
  { name: "pr", type: "bool", default: false }, // predict, then reveal
];
const url = urlState(LINK);
const viewLink = urlState([...LINK, STEP_PROPERTY]); // the link and the descent step shown (a live class follows both)
const PATH_INPUTS = ["f", "lr", "n", "x", "y"]; // changing one asks the server for a new path

/**
 * The descent's steps as predict-then-reveal asks them: from step 1 on, the first variable's new value,
 * x₁ = x₀ − η·∂z/∂x = 2 − 0.1·4 = 1.6, with the server's point, gradient and new point.
 */
export function descentQuestions(data, lr) {
  const [name] = data.variables;
  return data.path.map((point, index) => {
    if (index === 0) return {};
    const before = data.path[index - 1];
    const line = {
      lhs: `${name}${sub(index - 1)}`,
      symbolic: `${name}${sub(index - 2)} − η·∂z/∂${name}`,
      substituted: `${grouped(formatNumber(before.point[name], 4))} − ${formatNumber(lr, 4)}·${grouped(formatNumber(before.gradient[name], 4))}`,
      result: formatNumber(point.point[name], 4),
    };
    return { ask: { kind: "value", line, truth: point.point[name] } };
  });
}

export async function mount(root) {
  const form = root.querySelector("[data-expression-form]");
  const input = form.elements.expression;
  const mapEl = root.querySelector(".gradient-plot");
  const lrInput = root.querySelector("[data-lr]");
  const lrOutput = root.querySelector("[data-lr-value]");
  const stepsInput = root.querySelector("[data-steps]");
  const narration = root.querySelector("[data-testid=narration]");
  const tbody = root.querySelector("[data-testid=descent-table] tbody");
  const descent = latest(api.descent);
  const state = { ...url.read(), data: null, grid: null, plot: null };
  const stepper = createStepper(root, { onStep: show, interval: 700 });
  // predict-then-reveal, as in the step player: before each step the learner types the new x
  const { store } = mountLessonPredict({
    stepper,
    on: state.pr,
    shown: () => (state.questions ? { pass: state.questions } : null),
    place: (element) => narration.after(element),
    onToggle: (on) => {
      state.pr = on;
      url.write(state);
      viewChanged();
    },
  });
  mapEl.dataset.ownKeys = "";

  input.value = state.f;
  lrInput.value = String(state.lr);
  stepsInput.value = String(state.n);
  lrOutput.textContent = formatNumber(state.lr, 3);

  const coords = (point) => state.data.variables.map((name) => point.point[name]);

  function draw(index) {
    const data = state.data;
    const names = data.variables;
    const shown = data.path.slice(0, index + 1).map(coords);
    const view = viewRange(shown);
    const plot = frame(mapEl, {
      x: view,
      y: view,
      equal: true,
    });
    state.plot = plot;
    mapEl.dataset.view = String(view[1]);
    const { xs, ys } = plot;
    if (state.grid) {
      heat(plot.data, state.grid, xs, ys);
      contours(plot.data, state.grid, xs, ys, contourLevels(state.grid, 10));
    }
    axes(plot, { xLabel: names[0] ?? "x", yLabel: names[1] ?? "y", xTicks: 6, yTicks: 6 });
    plot.data.append(svg("path", { class: "descent-path", d: pathData(shown, xs, ys) }));
    shown.forEach(([x, y], k) =>
      plot.data.append(
        svg("circle", {
          class: k === 0 ? "path-point is-start" : "path-point",
          cx: xs(x),
          cy: ys(y),
          r: k === 0 ? 6 : 3.5,
        }),
      ),
    );
    const current = data.path[index];
    const [cx, cy] = coords(current);
    const g = names.map((name) => current.gradient[name] ?? 0);
    const length = Math.hypot(g[0], g[1] ?? 0);
    const pixels = arrowPixels(length, state.largestGradient);
    mapEl.dataset.arrowPixels = String(pixels);
    if (pixels > 0) {
      // screen y grows downwards, so the arrow's y component flips
      const dx = (g[0] / length) * pixels;
      const dy = -((g[1] ?? 0) / length) * pixels;
      arrow(plot.front, xs(cx), ys(cy), xs(cx) + dx, ys(cy) + dy, "gradient-arrow");
    }
    plot.front.append(svg("circle", { class: "point point-main", cx: xs(cx), cy: ys(cy), r: 6 }));
  }

  function renderTable(index) {
    const names = state.data.variables;
    tbody.replaceChildren(
      ...state.data.path
        .slice(0, index + 1)
        .map((point, k) =>
          el(
            "tr",
            { class: k === index ? "is-current" : null },
            el("td", { class: "mono", text: String(point.step) }),
            el("td", { class: "mono", text: formatNumber(point.point[names[0]], 4) }),
            el("td", { class: "mono", text: names[1] ? formatNumber(point.point[names[1]], 4) : "—" }),
            el("td", { class: "mono path-value", "data-value": point.value, text: formatNumber(point.value, 6) }),
          ),
        ),
    );
  }

  function describe(index) {
    const data = state.data;
    const point = data.path[index];
    const names = data.variables;
    const [x, y] = names.map((name) => formatNumber(point.point[name], 4));
    if (index === 0) {
      const [gx, gy] = names.map((name) => formatNumber(point.gradient[name], 4));
      return t("lessons.gradient.narration_start", {
        x,
        y: y ?? "—",
        z: formatNumber(point.value, 5),
        gx,
        gy: gy ?? "—",
        norm: formatNumber(Math.hypot(...names.map((name) => point.gradient[name] ?? 0)), 4),
      });
    }
    // x ← 2 − 0.1·4 = 1.6: the step from the previous point, with the server's gradient and new point
    const before = data.path[index - 1];
    const lr = formatNumber(state.lr, 4);
    const updates = names.map(
      (name) =>
        `${name} ← ${grouped(formatNumber(before.point[name], 4))} − ${lr}·${grouped(formatNumber(before.gradient[name], 4))} = ${formatNumber(point.point[name], 4)}`,
    );
    return t("lessons.gradient.narration_update", {
      n: point.step,
      updates: updates.join(t("lessons.gradient.separator")),
      z: formatNumber(point.value, 5),
      norm: formatNumber(Math.hypot(...names.map((name) => point.gradient[name] ?? 0)), 4),
    });
  }

  function show(index) {
    if (!state.data) return;
    store.dispatch({ type: "view/step", step: index });
    draw(index);
    renderTable(index);
    narration.textContent = describe(index);
    viewChanged();
  }

  async function compute({ step = 0 } = {}) {
    const expression = input.value.trim();
    const body = {
      expression,
      start: { x: state.x, y: state.y },
      learning_rate: state.lr,
      steps: state.n,
      resolution: 64,
      x_range: RANGE,
      y_range: RANGE,
    };
    const data = await withStatus(root, () => descent(body));
    if (!data) return;
    state.f = expression;
    url.write(state);
    state.data = data;
    state.largestGradient = Math.max(
      0,
      ...data.path
        .map((p) => Math.hypot(...data.variables.map((name) => p.gradient[name] ?? 0)))
        .filter(Number.isFinite),
    );
    state.grid = data.grid ? { x: data.grid.xs, y: data.grid.ys, z: data.grid.values } : null;
    state.questions = { steps: descentQuestions(data, state.lr) }; // one object per path: the panel keeps its input
    store.dispatch({ type: "spec/set", spec: { ...body, n: data.path.length } }); // new numbers: new questions
    store.dispatch({ type: "trace/loaded", steps: data.path.length });
    stepper.reset(data.path.length, step === "end" ? data.path.length - 1 : step);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    compute();
  });
  lrInput.addEventListener("input", () => {
    lrOutput.textContent = formatNumber(Number(lrInput.value), 3);
  });
  lrInput.addEventListener("change", () => {
    state.lr = Number(lrInput.value);
    compute({ step: "end" });
  });
  stepsInput.addEventListener("change", () => {
    const n = stepsInput.valueAsNumber;
    if (Number.isInteger(n) && n >= 1 && n <= 100) {
      state.n = n;
      compute({ step: "end" });
    }
  });
  mapEl.addEventListener("click", (event) => {
    if (!state.plot) return;
    const box = mapEl.getBoundingClientRect();
    const [, , width, height] = mapEl.getAttribute("viewBox").split(/\s+/).map(Number);
    const px = ((event.clientX - box.left) / box.width) * width;
    const py = ((event.clientY - box.top) / box.height) * height;
    const clamp = (v) => Math.max(RANGE[0], Math.min(RANGE[1], Math.round(v * 20) / 20));
    state.x = clamp(state.plot.xs.invert(px));
    state.y = clamp(state.plot.ys.invert(py));
    compute();
  });
  mapEl.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [-0.25, 0], ArrowRight: [0.25, 0], ArrowUp: [0, 0.25], ArrowDown: [0, -0.25] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    state.x = Math.max(RANGE[0], Math.min(RANGE[1], state.x + move[0]));
    state.y = Math.max(RANGE[0], Math.min(RANGE[1], state.y + move[1]));
    compute();
  });
  onLanguage(() => state.data && show(stepper.index));
  onTheme(() => state.data && draw(stepper.index));
  redrawOnResize([mapEl], () => state.data && draw(stepper.index));
  await compute({ step: viewLink.read().s });
  return Object.assign(stepper, {
    view: {
      encode: () => viewLink.encode({ ...state, s: stepper.index }),
      async apply(text) {
        const wanted = viewLink.read(`#${text}`);
        stepper.stop();
        if (wanted.pr !== state.pr) store.dispatch({ type: "predict/toggle", on: wanted.pr });
        if (state.data && PATH_INPUTS.every((name) => wanted[name] === state[name])) {
          stepper.go(wanted.s);
          return;
        }
        Object.assign(state, { lr: wanted.lr, n: wanted.n, x: wanted.x, y: wanted.y });
        input.value = wanted.f;
        lrInput.value = String(wanted.lr);
        lrOutput.textContent = formatNumber(wanted.lr, 3);
        stepsInput.value = String(wanted.n);
        await compute({ step: wanted.s });
      },
    },
  });
}
