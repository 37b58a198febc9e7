// Lesson 2: the secant through (x₀, f(x₀)) and (x₀ + Δx, f(x₀ + Δx)) shrinking to the tangent.
// Every row (Δx, f(x₀ + Δx), Δy/Δx, the secant line) and the exact derivative come from
// POST /expression/limit; stepping walks through the server's rows. The derivative as a formula
// (f′(x) = 4x, then f′(3) = 4·3 = 12) comes from POST /expression's symbolic_derivatives. Predicting
// (lesson-predict.js), each row's Δy/Δx, and at the last row f′(x₀), stay hidden until answered or shown.

import { api } from "../core/api.js";
import { el, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { urlState } from "../core/urlstate.js";
import { STEP_PROPERTY, latest, onLanguage, viewChanged, withStatus } from "./common.js";
import { limitQuestions, mountLessonPredict } from "./lesson-predict.js";
import { axes, extent, frame, lineThrough, pathData, redrawOnResize } from "./plot.js";
import { createStepper } from "./stepper.js";

const LINK = [
  { name: "f", type: "string", default: "2x^2", validate: (v) => v.length <= 200 },
  { name: "x0", type: "number", default: 1, validate: (v) => Math.abs(v) <= 100 },
  { name: "pr", type: "bool", default: false }, // predict, then reveal
];
const url = urlState(LINK);
const viewLink = urlState([...LINK, STEP_PROPERTY]); // the link and the Δx shown (a live class follows both)

export async function mount(root) {
  const form = root.querySelector("[data-expression-form]");
  const input = form.elements.expression;
  const x0Input = form.elements.x0;
  const plotEl = root.querySelector(".derivative-plot");
  const slider = root.querySelector("[data-delta-slider]");
  const narration = root.querySelector("[data-testid=narration]");
  const exactEl = root.querySelector("[data-testid=exact-derivative]");
  const tbody = root.querySelector("[data-testid=limit-table] tbody");
  const presets = [...root.querySelectorAll("[data-expression]")];
  const limit = latest(api.limit);
  const trace = latest(api.expression);
  const symbolicEl = root.querySelector("[data-testid=symbolic-derivative]");
  const state = { ...url.read(), data: null, symbolic: null };
  const stepper = createStepper(root, { onStep: show, interval: 1300 });
  const predict = mountLessonPredict({
    stepper,
    on: state.pr,
    shown: () => (state.questions ? { pass: state.questions } : null),
    place: (panel) => narration.after(panel),
    onToggle: (on) => {
      state.pr = on;
      url.write(state);
      viewChanged();
    },
  });
  const limitHidden = () => predict.hides(state.data.rows.length - 1); // f′(x₀), and what gives it away
  predict.store.subscribe((now, before) => {
    if (now.predict !== before.predict && state.data) paint(stepper.index);
  });

  input.value = state.f;
  x0Input.value = String(state.x0);

  function draw(index) {
    const data = state.data;
    const row = data.rows[index];
    const points = data.curve.xs.map((x, i) => [x, data.curve.values[i]]);
    let [lo, hi] = extent(data.curve.values, 0.1);
    if (hi - lo > 1e4) [lo, hi] = [data.value - 50, data.value + 50];
    const plot = frame(plotEl, { x: data.curve.range, y: [lo, hi] });
    axes(plot, { xLabel: "x", yLabel: "y" });
    const { xs, ys, em } = plot;
    plot.data.append(svg("path", { class: "curve", d: pathData(points, xs, ys) }));
    if (!limitHidden()) {
      const tangent = lineThrough(0, data.tangent.intercept, data.tangent.slope, xs);
      plot.data.append(svg("path", { class: "tangent-line", d: pathData(tangent, xs, ys) }));
    }
    const secant = lineThrough(0, row.secant.intercept, row.secant.slope, xs);
    plot.data.append(svg("path", { class: "secant-line", d: pathData(secant, xs, ys) }));
    plot.data.append(svg("circle", { class: "point point-main", cx: xs(data.at), cy: ys(data.value), r: 6 }));
    if (row.f_x != null) {
      plot.data.append(svg("circle", { class: "point point-moving", cx: xs(row.x), cy: ys(row.f_x), r: 5 }));
      plot.data.append(
        svg("text", { class: "plot-note", x: xs(row.x) + 0.6 * em, y: ys(row.f_x) - 0.6 * em, text: `x₀ + Δx` }),
      );
    }
    plot.front.append(
      svg("text", {
        class: "plot-note secant-note",
        x: plot.inner.right - 0.6 * em,
        y: plot.inner.bottom - 2.2 * em,
        "text-anchor": "end",
        text: `━ ${t("lessons.derivative.secant")}`,
      }),
    );
    if (!limitHidden())
      plot.front.append(
        svg("text", {
          class: "plot-note tangent-note",
          x: plot.inner.right - 0.6 * em,
          y: plot.inner.bottom - 0.7 * em,
          "text-anchor": "end",
          text: `╍ ${t("lessons.derivative.tangent")}`,
        }),
      );
  }

  /** A number cell, or "?" while its value is a question not yet answered (predict mode). */
  const cell = (value, digits, hidden, className = "mono") =>
    hidden
      ? el("td", { class: `${className} is-hidden`, "data-hidden": "", text: "?" })
      : el("td", { class: className, "data-value": value, text: formatNumber(value, digits) });

  function renderTable(index) {
    const gapHidden = limitHidden();
    tbody.replaceChildren(
      ...state.data.rows.map((row, i) =>
        el(
          "tr",
          { class: i === index ? "is-current" : null, "aria-current": i === index ? "true" : null },
          cell(row.delta, 6, false),
          cell(row.f_x, 8, false),
          cell(row.quotient, 8, predict.hides(i), "mono quotient"),
          cell(row.error, 3, gapHidden),
        ),
      ),
    );
  }

  function show(index) {
    const data = state.data;
    if (!data) return;
    const row = data.rows[index];
    slider.value = String(index);
    slider.setAttribute("aria-valuetext", `Δx = ${formatNumber(row.delta, 6)}`);
    predict.show(index);
    paint(index);
    viewChanged();
  }

  /** The figure, table and sentences of row `index`, with what predict mode still hides as "?". */
  function paint(index) {
    const data = state.data;
    const row = data.rows[index];
    const hidden = limitHidden();
    draw(index);
    renderTable(index);
    exactEl.textContent = t("lessons.derivative.exact", { value: hidden ? "?" : formatNumber(data.derivative, 8) });
    if (hidden) delete exactEl.dataset.value;
    else exactEl.dataset.value = String(data.derivative);
    showSymbolic();
    narration.textContent = t(`lessons.derivative.${hidden ? "narration_predict" : "narration"}`, {
      dx: formatNumber(row.delta, 6),
      slope: formatNumber(row.quotient, 8),
      exact: formatNumber(data.derivative, 8),
      gap: formatNumber(Math.abs(row.abs_error ?? row.error), 3),
    });
  }

  // f′(x) = 4x, then f′(3) = 4·3 = 12: the server's formula, with x₀ put in, beside the backprop value
  function showSymbolic() {
    const derivative = limitHidden() ? null : state.symbolic;
    symbolicEl.hidden = !derivative;
    symbolicEl.dataset.formula = derivative?.text ?? "";
    if (!derivative) {
      symbolicEl.replaceChildren();
      return;
    }
    if (derivative.omitted) {
      symbolicEl.replaceChildren(t(`lessons.derivative.symbolic_${derivative.omitted}`));
      return;
    }
    const x0 = formatNumber(state.x0, 8);
    const value = formatNumber(state.data.derivative, 8);
    const worked = derivative.at_values === value ? value : `${derivative.at_values} = ${value}`;
    symbolicEl.replaceChildren(
      el("span", {
        class: "symbolic-formula",
        text: t("lessons.derivative.symbolic", { formula: derivative.typeset }),
      }),
      el("span", { class: "symbolic-at", text: t("lessons.derivative.symbolic_at", { x0, worked }) }),
    );
  }

  async function compute({ step = 0 } = {}) {
    const expression = input.value.trim();
    const at = Number(x0Input.value);
    if (!Number.isFinite(at)) return;
    for (const button of presets) {
      const pressed =
        button.dataset.expression === expression && (!button.dataset.x0 || Number(button.dataset.x0) === at);
      button.setAttribute("aria-pressed", String(pressed));
    }
    const both = await withStatus(root, () =>
      Promise.all([
        limit({ expression, variable: "x", at, samples: 241 }),
        trace({ expression, variables: { x: at } }),
      ]),
    );
    const [data, traced] = both ?? [];
    if (!data || !traced) return;
    state.symbolic = traced.symbolic_derivatives.x ?? null;
    state.f = expression;
    state.x0 = at;
    url.write(state);
    state.data = data;
    state.questions = limitQuestions(data, state.symbolic); // one object per answer: the panel asks anew
    predict.load({ expression, at }, data.rows.length); // the stepper shows the row asked for
    slider.max = String(data.rows.length - 1);
    stepper.reset(data.rows.length, step);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    compute();
  });
  x0Input.addEventListener("change", compute);
  for (const button of presets)
    button.addEventListener("click", () => {
      input.value = button.dataset.expression;
      if (button.dataset.x0) x0Input.value = button.dataset.x0;
      compute();
    });
  slider.addEventListener("input", () => stepper.go(Number(slider.value)));
  onLanguage(() => state.data && paint(stepper.index));
  redrawOnResize([plotEl], () => state.data && draw(stepper.index));
  await compute({ step: viewLink.read().s });
  return Object.assign(stepper, {
    view: {
      encode: () => viewLink.encode({ f: state.f, x0: state.x0, pr: state.pr, s: stepper.index }),
      async apply(text) {
        const wanted = viewLink.read(`#${text}`);
        stepper.stop();
        if (wanted.pr !== state.pr) predict.store.dispatch({ type: "predict/toggle", on: wanted.pr });
        if (state.data && wanted.f === state.f && wanted.x0 === state.x0) {
          stepper.go(wanted.s);
          return;
        }
        input.value = wanted.f;
        x0Input.value = String(wanted.x0);
        await compute({ step: wanted.s });
      },
    },
  });
}
