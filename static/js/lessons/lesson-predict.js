// Predict-then-reveal in the lesson figures whose values are not a trace's steps: lesson 2 (the difference
// quotient as Δx shrinks, then f′(x₀)) and lesson 3 (the partial derivative at the point). The questions
// are built from the server's answer (its numbers, its formulas); the panel, the judging and the score are
// the step player's (player/predict.js, player/predict-state.js), in a store of the figure's own.
//
//   const predict = mountLessonPredict({ stepper, on: state.pr, shown, place, onToggle });
//   predict.store.getState().predict …  predict.hides(step) …

import { formatNumber } from "../core/format.js";
import { createPredict } from "../player/predict.js";
import { awaitsAnswer, displayUnit, isOpen } from "../player/predict-state.js";
import { createStore, initialState } from "../player/store.js";

export const QUOTIENT_DIGITS = 8; // the limit table's digits (derivative.js)
export const PARTIAL_DIGITS = 6; // lesson 3's readout

const grouped = (text) => (text.startsWith("−") ? `(${text})` : text);

/** Digits formatNumber shows of `value` when asked for `digits` (very large or small: 3, as 1.23e−5). */
function shownDigits(value, digits) {
  const abs = Math.abs(value);
  return abs >= 1e5 || abs < 1e-4 ? 3 : digits;
}

/** One unit of the last digit the table shows of `value`; 0 for a 0, which it shows exactly. */
export function shownUnit(value, digits) {
  return value === 0 ? 0 : displayUnit(value, shownDigits(value, digits));
}

/**
 * How far from the true quotient an answer worked out from the table's rounded numbers can be:
 * (f(x₀ + Δx) − f(x₀)) / Δx, each f rounded to the digits shown, so half a unit of each over Δx; never
 * finer than the last digit the table shows of the quotient itself.
 */
export function quotientUnit(row, valueAtPoint) {
  const inputs = (shownUnit(row.f_x, QUOTIENT_DIGITS) + shownUnit(valueAtPoint, QUOTIENT_DIGITS)) / 2;
  return Math.max(shownUnit(row.quotient, QUOTIENT_DIGITS), inputs / Math.abs(row.delta));
}

/**
 * Lesson 2's questions, one per row after the first (the figure opens on it): Δy/Δx at that row's Δx,
 * judged to the table's digits; the last row asks the limit itself, f′(x₀), with the server's formula put
 * in (f′(3) = lim Δy/Δx = 4·3 = 12). `symbolic` is POST /expression's symbolic_derivatives.x (or null).
 */
export function limitQuestions(data, symbolic) {
  const last = data.rows.length - 1;
  const f0 = formatNumber(data.value, QUOTIENT_DIGITS);
  return {
    steps: data.rows.map((row, index) => {
      if (index === 0) return {};
      if (index === last) {
        const worked = symbolic && !symbolic.omitted ? symbolic.at_values : undefined;
        const line = {
          lhs: `f′(${formatNumber(data.at, QUOTIENT_DIGITS)})`,
          symbolic: "lim Δx→0 Δy/Δx",
          substituted: worked,
          result: formatNumber(data.derivative, QUOTIENT_DIGITS),
        };
        return { ask: { kind: "value", line, truth: data.derivative } };
      }
      const dx = formatNumber(row.delta, 6);
      const line = {
        lhs: `Δy/Δx (Δx = ${dx})`,
        symbolic: "[f(x₀ + Δx) − f(x₀)] / Δx",
        substituted: `[${formatNumber(row.f_x, QUOTIENT_DIGITS)} − ${grouped(f0)}] / ${dx}`,
        result: formatNumber(row.quotient, QUOTIENT_DIGITS),
      };
      return { ask: { kind: "value", line, truth: row.quotient, unit: quotientUnit(row, data.value) } };
    }),
  };
}

/**
 * Lesson 3's question about the point shown: step 0 has the slice drawn and ∂z/∂x (or ∂z/∂y) hidden,
 * step 1 shows it; a third, empty step stands for the tour's next point, when there is one. `slice` is
 * POST /expression/partial's answer, `symbolic` POST /expression's symbolic_derivatives[variable].
 */
export function partialQuestions(slice, symbolic, variable, { more = false } = {}) {
  const formula = symbolic && !symbolic.omitted ? symbolic : null;
  const at = `x = ${formatNumber(slice.at.x, 3)}, y = ${formatNumber(slice.at.y, 3)}`;
  const line = {
    lhs: `∂z/∂${variable} (${at})`,
    symbolic: formula?.typeset,
    substituted: formula && formula.at_values !== formula.typeset ? formula.at_values : undefined,
    result: formatNumber(slice.partial, PARTIAL_DIGITS),
  };
  const steps = [{}, { ask: { kind: "value", line, truth: slice.partial } }];
  if (more) steps.push({});
  return { steps };
}

/** Whether step `step`'s value stays hidden: predicting, not shown yet, and neither answered nor given up. */
export function hides(predict, shownStep, step) {
  return Boolean(predict?.on) && step > shownStep && isOpen(predict, step);
}

/**
 * Play (the figure's stepper) waits at each open question of `pass()` (its steps, as above), and the panel
 * in `store` knows while it plays, to say so and give its question the keys.
 */
export function waitForAnswers(stepper, store, pass) {
  stepper.watchPlaying((playing) => store.dispatch({ type: "view/set", view: { playing } }));
  stepper.setHold((index) => {
    const steps = pass();
    return steps != null && awaitsAnswer(store.getState().predict, steps, null, index) != null;
  });
}

/**
 * The predict panel of a lesson figure, in a store of its own: `shown()` gives { pass } (its steps, see
 * above) or null, `place(element)` puts the panel in the page, `onToggle(on)` keeps the mode in the link.
 * Play waits at an open question (stepper.setHold); Reveal shows the step (`reveal`, else stepper.reveal).
 */
export function mountLessonPredict({ stepper, on, shown, place, onToggle, reveal }) {
  const store = createStore(initialState());
  const panel = createPredict({
    store,
    shown: () => {
      const now = shown();
      return now ? { pass: now.pass, frames: null } : null;
    },
    reveal: reveal ?? (() => stepper.reveal()),
    place,
  });
  store.dispatch({ type: "predict/toggle", on: Boolean(on) });
  store.subscribe((now, before) => {
    if (now.predict.on !== before.predict.on) onToggle?.(now.predict.on);
  });
  waitForAnswers(stepper, store, () => shown()?.pass);

  return {
    store,
    panel,
    /** A new pass (new numbers): its questions are new, and the view is at `step` of its `count` steps. */
    load(spec, count, step = 0) {
      store.dispatch({ type: "spec/set", spec });
      store.dispatch({ type: "trace/loaded", steps: count });
      store.dispatch({ type: "view/step", step });
    },
    /** The figure shows step `step`. */
    show(step) {
      store.dispatch({ type: "view/step", step });
    },
    /** Whether `step`'s value is still hidden from the figure. */
    hides(step) {
      const { predict, view } = store.getState();
      return hides(predict, view.step, step);
    },
  };
}
