// Lesson 3: z = x² + y² as a contour map (grid from POST /expression/descent with no steps) and one
// slice through a point (POST /expression/partial): the curve, its tangent and ∂z/∂x or ∂z/∂y there.

import { api } from "../core/api.js";
import { svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { latest, onLanguage, withStatus } from "./common.js";
import { axes, contourLevels, contours, extent, frame, heat, lineThrough, onTheme, pathData } from "./plot.js";
import { createStepper } from "./stepper.js";

const EXPRESSION = "x^2 + y^2";
const RANGE = [-3, 3];
const TOUR = [
  { x: 1, y: 0.5, vary: "x" },
  { x: 1, y: 0.5, vary: "y" },
  { x: -1.5, y: 1, vary: "x" },
  { x: -1.5, y: 1, vary: "y" },
  { x: 0, y: 1.5, vary: "x" },
  { x: 0, y: 1.5, vary: "y" },
];
const clamp = (v) => Math.max(RANGE[0], Math.min(RANGE[1], v));
const round = (v) => Math.round(v * 20) / 20;

export function mount(root) {
  const mapEl = root.querySelector(".map-plot");
  const sliceEl = root.querySelector(".slice-plot");
  const narration = root.querySelector("[data-testid=narration]");
  const xInput = root.querySelector("[data-testid=px-input]");
  const yInput = root.querySelector("[data-testid=py-input]");
  const radios = [...root.querySelectorAll("input[name=vary]")];
  const partial = latest(api.partial);
  const state = { ...TOUR[0], grid: null, slice: null, map: null };
  const stepper = createStepper(root, { onStep: (i) => setPoint(TOUR[i]) });
  mapEl.dataset.ownKeys = "";

  function drawMap() {
    if (!state.grid) return;
    const plot = frame(mapEl, {
      x: RANGE,
      y: RANGE,
      margin: { top: 12, right: 12, bottom: 36, left: 40 },
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
      margin: { top: 12, right: 12, bottom: 36, left: 44 },
    });
    axes(plot, { xLabel: state.vary, yLabel: "z", xTicks: 6, yTicks: 5 });
    const { xs, ys } = plot;
    const points = data.slice.xs.map((x, i) => [x, data.slice.values[i]]);
    plot.data.append(svg("path", { class: "curve", d: pathData(points, xs, ys) }));
    const tangent = lineThrough(0, data.tangent.intercept, data.tangent.slope, xs);
    plot.data.append(svg("path", { class: "tangent-line", d: pathData(tangent, xs, ys) }));
    const at = data.at[state.vary];
    plot.data.append(svg("circle", { class: "point point-main", cx: xs(at), cy: ys(data.value), r: 6 }));
  }

  function describe() {
    const data = state.slice;
    if (!data) return;
    const key = state.vary === "x" ? "readout_x" : "readout_y";
    narration.textContent = t(`lessons.partial-derivatives.${key}`, {
      x: formatNumber(data.at.x, 3),
      y: formatNumber(data.at.y, 3),
      slope: formatNumber(data.partial, 6),
    });
    narration.dataset.value = String(data.partial);
    narration.dataset.x = String(data.at.x);
    narration.dataset.y = String(data.at.y);
    narration.dataset.vary = state.vary;
  }

  async function update() {
    xInput.value = String(state.x);
    yInput.value = String(state.y);
    for (const radio of radios) radio.checked = radio.value === state.vary;
    drawMap();
    const body = {
      expression: EXPRESSION,
      at: { x: state.x, y: state.y },
      variable: state.vary,
      range: RANGE,
      samples: 121,
    };
    const data = await withStatus(root, () => partial(body));
    if (!data) return;
    state.slice = data;
    drawSlice();
    describe();
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
  onLanguage(describe);
  onTheme(drawMap);

  (async () => {
    const body = {
      expression: EXPRESSION,
      start: { x: 0, y: 0 },
      steps: 0,
      resolution: 64,
      x_range: RANGE,
      y_range: RANGE,
    };
    const data = await withStatus(root, () => api.descent(body));
    if (data?.grid) state.grid = { x: data.grid.xs, y: data.grid.ys, z: data.grid.values };
    stepper.reset(TOUR.length, 0);
  })();
  return stepper;
}
