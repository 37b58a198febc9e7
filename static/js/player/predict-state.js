// Predict, then reveal: the learner says what the next step will show before it shows it. This module is
// pure (no DOM): which question a step asks, how a typed answer is judged against the server's number, and
// the store's `predict` slice with its actions. The panel is predict.js; the classroom can ask the same
// questions, since a question is named by its step index and answered from the trace the server sent.
//
// A question is about one formula line of a step, written by the server:
//   neuron_forward, loss, output_delta, hidden_delta   type the number (the step's last line: a, L, δ)
//   node_forward, edge_backward (an expression's)      type the number (a node's value; df/du, the product)
//   weight_grads                                       pick the sign of the first weight's gradient
//   update                                             pick the way the first weight moves
// A figure whose steps are not a trace's (lessons 2–4) gives each step `ask: { kind, line, truth, unit? }`,
// `unit` being one unit of the last digit its figure shows (when that is not the formula's 4 digits).
// Nothing is re-derived: the true answer is the line's value as sent (for a move, the new weight compared
// with the old one, both as sent).

import { nextStop } from "./steps.js";

export const VERDICTS = ["correct", "close", "wrong"];
export const SIGNS = ["positive", "negative", "zero"];
export const DIRECTIONS = ["up", "down", "stays"];
export const HINT_LEVELS = 3; // formula → substituted → answer
const SIGNIFICANT = 4; // the digits a formula shows (core/trace-render.js num)
const CLOSE_RELATIVE = 0.05;
const MAX_TYPED = 40;

const VALUE_KINDS = new Set([
  "neuron_forward",
  "loss",
  "output_delta",
  "hidden_delta",
  "node_forward",
  "edge_backward",
]);

/** The question step `step` of `pass` asks, or null (input steps, and numbers that were not finite). */
export function questionFor(pass, step) {
  const s = pass?.steps?.[step];
  if (!s) return null;
  const lines = s.formula;
  if (!lines?.length && !s.ask) return null;
  const ask = (kind, line, truth, unit) =>
    truth == null
      ? null
      : {
          step,
          kind,
          lhs: line.lhs,
          symbolic: line.symbolic,
          substituted: line.substituted,
          result: line.result,
          truth,
          ...(Number.isFinite(unit) && unit > 0 ? { unit } : {}),
        };
  if (s.ask) {
    const { kind, line, truth, unit } = s.ask;
    return kind === "value" && !Number.isFinite(truth) ? null : ask(kind, line, truth, unit);
  }
  if (VALUE_KINDS.has(s.kind)) {
    const line = lines[lines.length - 1];
    return ask("value", line, Number.isFinite(line.value) ? line.value : null);
  }
  if (s.kind === "weight_grads") {
    const line = lines[0];
    return ask("sign", line, Number.isFinite(line.value) ? signOf(line.value) : null);
  }
  if (s.kind === "update") {
    const line = lines[0];
    const before = pass.params?.[s.layer - 1]?.weight?.[s.neuron]?.[0];
    if (!Number.isFinite(line.value) || !Number.isFinite(before)) return null;
    return ask("direction", line, line.value > before ? "up" : line.value < before ? "down" : "stays");
  }
  return null;
}

const signOf = (value) => (value > 0 ? "positive" : value < 0 ? "negative" : "zero");

/** The step asked about from view step `index`: the first step with a question that "next" would show. */
export function targetStep(pass, frames, index) {
  if (!pass?.steps?.length) return null;
  const stop = frames ? nextStop(frames, index) : Math.min(index + 1, pass.steps.length - 1);
  for (let step = index + 1; step <= stop; step++) if (questionFor(pass, step)) return step;
  return null;
}

/** One unit of the last digit `digits` significant digits show of `truth` (a formula shows 4); 1e-4 for zero. */
export function displayUnit(truth, digits = SIGNIFICANT) {
  // "1e-4" read as a number is exactly the double nearest 0.0001, which 10 ** -4 is not
  if (!Number.isFinite(truth) || truth === 0) return Number(`1e-${SIGNIFICANT}`);
  return Number(`1e${Math.floor(Math.log10(Math.abs(truth))) - (digits - 1)}`);
}

/**
 * A typed number's verdict: "correct" within one unit of the last digit shown (so an answer worked out by
 * hand from the rounded numbers on screen counts), "close" within 5 %, else "wrong". `unit` overrides the
 * last digit of a formula's 4 significant ones, for a figure that shows more (or whose inputs show fewer).
 */
export function judgeNumber(given, truth, unit = displayUnit(truth)) {
  if (!Number.isFinite(given) || !Number.isFinite(truth)) return "wrong";
  const error = Math.abs(given - truth);
  if (error <= unit * (1 + 1e-9)) return "correct";
  if (error <= Math.max(CLOSE_RELATIVE * Math.abs(truth), unit)) return "close";
  return "wrong";
}

/** The verdict on an answer to `question`: a number, or one of SIGNS / DIRECTIONS. */
export function judge(question, given) {
  if (question.kind === "value") return judgeNumber(given, question.truth, question.unit);
  return given === question.truth ? "correct" : "wrong";
}

/**
 * A typed number, read leniently: "−0,25", "-0.25", " .5 ", "1e-3" → a number; anything else → null. A
 * comma is a decimal mark only when there is no point.
 */
export function parseTyped(text) {
  if (typeof text !== "string" || text.length > MAX_TYPED) return null;
  let clean = text.trim().replace(/[−–]/g, "-").replace(/\s+/g, "");
  if (!clean.includes(".")) clean = clean.replace(",", ".");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(clean)) return null;
  const value = Number(clean);
  return Number.isFinite(value) ? value : null;
}

/** Whether step `step` is still a question: asked, not answered, not given up on the hint ladder. */
export function isOpen(predict, step) {
  return !predict.answers[step] && (predict.hints[step] ?? 0) < HINT_LEVELS;
}

/**
 * The step whose question playing on from view step `index` has to wait for (predict mode on, and the learner
 * has not answered it yet), or null: Play stops at a question and goes on once its answer is shown.
 */
export function awaitsAnswer(predict, pass, frames, index) {
  if (!predict?.on) return null;
  const step = targetStep(pass, frames, index);
  return step != null && questionFor(pass, step) && isOpen(predict, step) ? step : null;
}

// ----------------------------------------------------------------------------------------- the store's slice
/**
 * state.predict: { on, answers: { [step]: { given, verdict } }, hints: { [step]: 1..3 },
 * score: { answered, correct, close, wrong, revealed } }. Answers and hints belong to the pass shown and
 * are forgotten with it; the score runs on across passes.
 */
export const INITIAL_PREDICT = Object.freeze({
  on: false,
  answers: Object.freeze({}),
  hints: Object.freeze({}),
  score: Object.freeze({ answered: 0, correct: 0, close: 0, wrong: 0, revealed: 0 }),
});

const isStep = (step) => Number.isInteger(step) && step >= 0;
const isGiven = (given) =>
  (typeof given === "number" && Number.isFinite(given)) || SIGNS.includes(given) || DIRECTIONS.includes(given);

/** The predict slice's update. Pure; an action it cannot take returns the slice as it is. */
export function predictReducer(predict, action) {
  predict ??= INITIAL_PREDICT;
  switch (action?.type) {
    case "predict/toggle": {
      const on = typeof action.on === "boolean" ? action.on : !predict.on;
      return on === predict.on ? predict : { ...predict, on };
    }
    case "predict/hint": {
      const { step } = action;
      const level = predict.hints[step] ?? 0;
      if (!isStep(step) || predict.answers[step] || level >= HINT_LEVELS) return predict;
      const hints = { ...predict.hints, [step]: level + 1 };
      // the last rung shows the answer: the question is given up, and counted so
      const score =
        level + 1 === HINT_LEVELS ? { ...predict.score, revealed: predict.score.revealed + 1 } : predict.score;
      return { ...predict, hints, score };
    }
    case "predict/answer": {
      const { step, given, verdict } = action;
      if (!isStep(step) || !isGiven(given) || !VERDICTS.includes(verdict)) return predict;
      if (predict.answers[step] || (predict.hints[step] ?? 0) >= HINT_LEVELS) return predict;
      const score = { ...predict.score, answered: predict.score.answered + 1 };
      score[verdict] += 1;
      return { ...predict, answers: { ...predict.answers, [step]: { given, verdict } }, score };
    }
    case "predict/forget": // a new pass: its numbers are new questions
      return isEmpty(predict.answers) && isEmpty(predict.hints)
        ? predict
        : { ...predict, answers: INITIAL_PREDICT.answers, hints: INITIAL_PREDICT.hints };
    case "predict/reset":
      return { ...INITIAL_PREDICT, on: predict.on };
    case "predict/restore": {
      // a saved or shared slice (travel format, network file); one that is not one changes nothing
      const restored = checkedPredict(action.predict);
      return restored ?? predict;
    }
    default:
      return predict;
  }
}

const isEmpty = (object) => Object.keys(object).length === 0;

// ----------------------------------------------------------------------------------------- travel
const MAX_SAVED = 2000; // answers or hints a saved slice may hold (a pass has fewer steps than that)
const SCORE_FIELDS = Object.keys(INITIAL_PREDICT.score);
const isCount = (n) => Number.isSafeInteger(n) && n >= 0;
const isPlainObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** The slice as plain data for a saved or shared state: { on, answers, hints, score }. */
export function predictForTravel(predict) {
  const { on, answers, hints, score } = predict ?? INITIAL_PREDICT;
  return { on, answers: { ...answers }, hints: { ...hints }, score: { ...score } };
}

/**
 * A slice read from a saved or shared state (which anyone can edit): the well-formed answers, hints and
 * counts are kept and the rest is dropped; null when it is not an object with a boolean `on`.
 */
export function checkedPredict(data) {
  if (!isPlainObject(data) || typeof data.on !== "boolean") return null;
  const entries = (object) => (isPlainObject(object) ? Object.entries(object).slice(0, MAX_SAVED) : []);
  const steps = (key) => (/^\d{1,6}$/.test(key) ? Number(key) : null);
  const answers = {};
  for (const [key, answer] of entries(data.answers)) {
    const step = steps(key);
    if (step === null || !isPlainObject(answer)) continue;
    if (isGiven(answer.given) && VERDICTS.includes(answer.verdict))
      answers[step] = { given: answer.given, verdict: answer.verdict };
  }
  const hints = {};
  for (const [key, level] of entries(data.hints)) {
    const step = steps(key);
    if (step !== null && Number.isInteger(level) && level >= 1 && level <= HINT_LEVELS) hints[step] = level;
  }
  const score = { ...INITIAL_PREDICT.score };
  if (isPlainObject(data.score))
    for (const field of SCORE_FIELDS) if (isCount(data.score[field])) score[field] = data.score[field];
  return { on: data.on, answers, hints, score };
}
