// Predict-then-reveal in lessons 2 and 3: the questions are the server's numbers and formulas, judged to the
// digits the figure shows, and a value stays hidden only while its question is open.
import assert from "node:assert/strict";
import { test } from "node:test";

globalThis.document = {
  documentElement: { lang: "en", dataset: {} },
  getElementById: () => null,
  querySelector: () => null,
  addEventListener: () => {},
};
const { hides, limitQuestions, partialQuestions, quotientUnit, shownUnit } =
  await import("../../static/js/lessons/lesson-predict.js");
const { INITIAL_PREDICT, judge, predictReducer, questionFor } = await import("../../static/js/player/predict-state.js");

// POST /expression/limit's answer for 2x² at x₀ = 3 (three of its rows), and POST /expression's f′
const LIMIT = {
  at: 3,
  value: 18,
  derivative: 12,
  rows: [
    { delta: 1, f_x: 32, quotient: 14 },
    { delta: 0.1, f_x: 19.220000000000002, quotient: 12.200000000000024 },
    { delta: 0.001, f_x: 18.012002, quotient: 12.001999999998958 },
    { delta: 1e-6, f_x: 18.000012000002002, quotient: 12.000002001855137 },
  ],
};
const SYMBOLIC = { text: "4*x", typeset: "4x", at_values: "4·3", omitted: null };

test("lesson 2 asks each row's quotient after the first, then the limit, with the server's numbers", () => {
  const pass = limitQuestions(LIMIT, SYMBOLIC);
  assert.equal(questionFor(pass, 0), null, "the figure opens on the first row");
  const q1 = questionFor(pass, 1);
  assert.equal(q1.truth, LIMIT.rows[1].quotient);
  assert.equal(q1.lhs, "Δy/Δx (Δx = 0.1)");
  assert.equal(q1.substituted, "[19.22 − 18] / 0.1");
  assert.equal(q1.result, "12.2");
  const last = questionFor(pass, 3);
  assert.equal(last.truth, 12);
  assert.equal(last.lhs, "f′(3)");
  assert.equal(last.substituted, "4·3");
  assert.equal(questionFor(limitQuestions(LIMIT, { omitted: "too_large" }), 3).substituted, undefined);
});

test("a quotient is judged to what the table's rounded numbers allow: 12 is only close to 12.002", () => {
  const q = questionFor(limitQuestions(LIMIT, SYMBOLIC), 2);
  assert.equal(judge(q, 12.002), "correct");
  assert.equal(judge(q, 12), "close");
  assert.equal(judge(q, 13), "wrong");
  // at Δx = 1e−6 the table's f(x₀ + Δx) (8 digits) gives the quotient to about ±1 only
  const tiny = LIMIT.rows[3];
  assert.ok(quotientUnit(tiny, LIMIT.value) >= 0.5 && quotientUnit(tiny, LIMIT.value) <= 1, quotientUnit(tiny, 18));
  assert.equal(shownUnit(0, 8), 0, "a zero shows exactly");
  assert.equal(shownUnit(1.23e-5, 8), 1e-7, "shown as 1.23e−5: three digits");
  assert.equal(shownUnit(18.012002, 8), 1e-6);
});

test("lesson 3 asks the partial at the point, with the server's formula; the tour's next point follows", () => {
  const slice = { at: { x: 1, y: 0.5 }, partial: 2 };
  const pass = partialQuestions(slice, { typeset: "2x", at_values: "2·1" }, "x", { more: true });
  assert.equal(pass.steps.length, 3);
  const q = questionFor(pass, 1);
  assert.equal(q.lhs, "∂z/∂x (x = 1, y = 0.5)");
  assert.equal([q.symbolic, q.substituted, q.result, q.truth].join(" "), "2x 2·1 2 2");
  assert.equal(partialQuestions(slice, null, "y").steps.length, 2, "the tour's last point");
  assert.equal(questionFor(partialQuestions(slice, { typeset: "3", at_values: "3" }, "x"), 1).substituted, undefined);
});

test("a value hides while predicting, not shown yet and its question open", () => {
  let predict = predictReducer(INITIAL_PREDICT, { type: "predict/toggle", on: true });
  assert.equal(hides(INITIAL_PREDICT, 0, 2), false, "predict mode off");
  assert.equal(hides(predict, 0, 2), true);
  assert.equal(hides(predict, 2, 2), false, "shown");
  predict = predictReducer(predict, { type: "predict/answer", step: 2, given: 12, verdict: "close" });
  assert.equal(hides(predict, 0, 2), false, "answered");
  for (let i = 0; i < 3; i++) predict = predictReducer(predict, { type: "predict/hint", step: 3 });
  assert.equal(hides(predict, 0, 3), false, "given up: the ladder showed it");
});
