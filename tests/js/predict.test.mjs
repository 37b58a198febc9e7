// Predict, then reveal: which step asks what, how typed answers are judged, and the store's predict slice.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  awaitsAnswer,
  checkedPredict,
  displayUnit,
  INITIAL_PREDICT,
  judge,
  judgeNumber,
  parseTyped,
  predictForTravel,
  predictReducer,
  questionFor,
  targetStep,
} from "../../static/js/player/predict-state.js";
import { buildFrames } from "../../static/js/player/steps.js";
import { initialState, reducer } from "../../static/js/player/store.js";

const line = (lhs, value, result) => ({ lhs, symbolic: `f(${lhs})`, substituted: `f(${value})`, value, result });

/** A pass as passFrom gives it, reduced to what the questions read: steps with formula lines, params. */
function fakePass() {
  const steps = [
    { kind: "input", phase: "forward", layer: 0, formula: [line("x₁", 1, "1")] },
    {
      kind: "neuron_forward",
      phase: "forward",
      layer: 1,
      neuron: 0,
      formula: [line("z", 0.5194, "0.5194"), line("a", 0.47720446923, "0.4772")],
    },
    { kind: "loss", phase: "loss", layer: 1, formula: [line("L", 0.51718, "0.5172")] },
    {
      kind: "output_delta",
      phase: "backward",
      layer: 1,
      neuron: 0,
      formula: [line("∂L/∂ŷ", -1.677, "−1.677"), line("δ", -0.4038, "−0.4038")],
    },
    {
      kind: "weight_grads",
      phase: "backward",
      layer: 1,
      neuron: 0,
      formula: [line("∂L/∂w", -0.1927, "−0.1927"), line("∂L/∂b", -0.4038, "−0.4038")],
    },
    {
      kind: "update",
      phase: "update",
      layer: 1,
      neuron: 0,
      formula: [line("w", 0.1511, "0.1511"), line("b", 0.1252, "0.1252")],
    },
    { kind: "neuron_forward", phase: "forward", layer: 1, neuron: 1, formula: [line("a", null, "NaN")] },
  ];
  steps.forEach((step, index) => (step.index = index));
  return { steps, params: [{ layer: 1, weight: [[0.0259, 0.9869]] }] };
}

test("each kind of step asks its own question, with the server's number as the answer", () => {
  const pass = fakePass();
  assert.equal(questionFor(pass, 0), null, "inputs are given, not predicted");
  const forward = questionFor(pass, 1);
  assert.equal(forward.kind, "value");
  assert.equal(forward.lhs, "a", "the step's last line: the activation");
  assert.equal(forward.truth, 0.47720446923);
  assert.equal(forward.symbolic, "f(a)");
  assert.equal(questionFor(pass, 2).truth, 0.51718);
  assert.equal(questionFor(pass, 3).lhs, "δ");
  assert.deepEqual([questionFor(pass, 4).kind, questionFor(pass, 4).truth], ["sign", "negative"]);
  assert.deepEqual([questionFor(pass, 5).kind, questionFor(pass, 5).truth], ["direction", "up"]);
  assert.equal(questionFor(pass, 6), null, "a number that was not finite is not asked");
  assert.equal(questionFor(pass, 99), null);
});

test("a weight that the update leaves where it was stays; a smaller one goes down", () => {
  const pass = fakePass();
  pass.params[0].weight[0][0] = 0.1511;
  assert.equal(questionFor(pass, 5).truth, "stays");
  pass.params[0].weight[0][0] = 0.2;
  assert.equal(questionFor(pass, 5).truth, "down");
});

test("the step asked about is the first one with a question that next would show", () => {
  const pass = fakePass();
  const byNeuron = buildFrames(pass.steps, "neuron");
  assert.equal(targetStep(pass, byNeuron, 0), 1);
  assert.equal(targetStep(pass, byNeuron, 4), 5);
  assert.equal(targetStep(pass, byNeuron, 5), null, "the next step's number was not finite");
  assert.equal(targetStep(pass, byNeuron, 6), null, "nothing after the last step");
  const byPhase = buildFrames(pass.steps, "phase");
  assert.equal(targetStep(pass, byPhase, 0), 1, "the rest of the forward phase comes first");
  assert.equal(targetStep(pass, byPhase, 1), 2, "then next jumps to the loss: its step is asked");
  assert.equal(targetStep(pass, byPhase, 2), 3, "of the backward phase, its first step with a question");
});

test("a typed number is correct to the digits the formula shows, close within 5 %, else wrong", () => {
  const truth = 0.47720446923;
  assert.equal(displayUnit(truth), 1e-4);
  assert.equal(displayUnit(-1.677), 1e-3);
  assert.equal(displayUnit(0), 1e-4);
  assert.equal(judgeNumber(0.4772, truth), "correct");
  assert.equal(judgeNumber(0.4773, truth), "correct", "one unit of the last digit: worked out from rounded numbers");
  assert.equal(judgeNumber(0.4775, truth), "close");
  assert.equal(judgeNumber(0.48, truth), "close");
  assert.equal(judgeNumber(0.5, truth), "close", "4.8 % off");
  assert.equal(judgeNumber(0.51, truth), "wrong", "6.9 % off");
  assert.equal(judgeNumber(-0.4772, truth), "wrong", "the sign matters");
  assert.equal(judgeNumber(-1.68, -1.677), "close");
  assert.equal(judgeNumber(-1.677, -1.677), "correct");
  assert.equal(judgeNumber(1234.4, 1234.0), "correct");
  assert.equal(judgeNumber(1236, 1234.0), "close");
  assert.equal(judgeNumber(0.00005, 0), "correct");
  assert.equal(judgeNumber(0.01, 0), "wrong");
  assert.equal(judgeNumber(Number.NaN, 1), "wrong");
});

test("a sign or a direction is right or wrong, never close", () => {
  assert.equal(judge({ kind: "sign", truth: "negative" }, "negative"), "correct");
  assert.equal(judge({ kind: "sign", truth: "negative" }, "zero"), "wrong");
  assert.equal(judge({ kind: "direction", truth: "up" }, "down"), "wrong");
  assert.equal(judge({ kind: "value", truth: 2 }, 2.0001), "correct");
});

test("typed text is read leniently but only as a number", () => {
  assert.equal(parseTyped(" −0.25 "), -0.25);
  assert.equal(parseTyped("-0,25"), -0.25);
  assert.equal(parseTyped(".5"), 0.5);
  assert.equal(parseTyped("1e-3"), 0.001);
  assert.equal(parseTyped("+3"), 3);
  for (const bad of ["", "abc", "1,000.5,2", "0x10", "Infinity", "1/2", "2*3", "1".repeat(41), null])
    assert.equal(parseTyped(bad), null, String(bad));
});

test("answers score once each; hints climb to the answer, which gives the question up", () => {
  let p = predictReducer(INITIAL_PREDICT, { type: "predict/toggle" });
  assert.equal(p.on, true);
  p = predictReducer(p, { type: "predict/answer", step: 1, given: 0.3, verdict: "wrong" });
  assert.deepEqual(p.answers[1], { given: 0.3, verdict: "wrong" });
  assert.equal(predictReducer(p, { type: "predict/answer", step: 1, given: 0.4772, verdict: "correct" }), p);
  p = predictReducer(p, { type: "predict/answer", step: 2, given: 0.5172, verdict: "correct" });
  p = predictReducer(p, { type: "predict/answer", step: 3, given: "negative", verdict: "close" });
  assert.deepEqual(p.score, { answered: 3, correct: 1, close: 1, wrong: 1, revealed: 0 });
  for (let i = 0; i < 5; i++) p = predictReducer(p, { type: "predict/hint", step: 4 });
  assert.equal(p.hints[4], 3, "the ladder has three rungs");
  assert.equal(p.score.revealed, 1);
  assert.equal(predictReducer(p, { type: "predict/answer", step: 4, given: 1, verdict: "correct" }), p);
  assert.equal(predictReducer(p, { type: "predict/hint", step: 1 }), p, "no hint after an answer");
  for (const bad of [
    { type: "predict/answer", step: -1, given: 1, verdict: "correct" },
    { type: "predict/answer", step: 9, given: 1, verdict: "great" },
    { type: "predict/answer", step: 9, given: "<b>", verdict: "correct" },
    { type: "predict/answer", step: 9, given: Number.POSITIVE_INFINITY, verdict: "correct" },
    { type: "predict/hint", step: "x" },
  ])
    assert.equal(predictReducer(p, bad), p, JSON.stringify(bad));
  const forgotten = predictReducer(p, { type: "predict/forget" });
  assert.deepEqual([forgotten.answers, forgotten.hints], [{}, {}]);
  assert.equal(forgotten.score, p.score, "the score runs on across passes");
  const reset = predictReducer(p, { type: "predict/reset" });
  assert.deepEqual(reset, { ...INITIAL_PREDICT, on: true });
});

test("the store holds the predict slice: its actions change it alone, a new network forgets the answers", () => {
  const spec = { layers: [2, 1], seed: 1 };
  let state = initialState({ spec });
  assert.equal(state.predict.on, false);
  state = reducer(state, { type: "predict/toggle", on: true });
  state = reducer(state, { type: "predict/answer", step: 1, given: 0.5, verdict: "correct" });
  assert.equal(state.spec.seed, 1);
  assert.equal(reducer(state, { type: "predict/toggle", on: true }), state, "no change, same state");
  const same = reducer(state, { type: "spec/set", spec: { ...spec } });
  assert.deepEqual(same.predict.answers, { 1: { given: 0.5, verdict: "correct" } }, "the same network keeps them");
  const other = reducer(state, { type: "spec/set", spec: { ...spec, seed: 2 } });
  assert.deepEqual(other.predict.answers, {});
  assert.equal(other.predict.on, true);
  assert.equal(other.predict.score.correct, 1);
  const applied = reducer(state, { type: "state/apply", spec: { ...spec, seed: 3 }, view: {} });
  assert.deepEqual(applied.predict.answers, {});
});

test("an expression's steps ask a node's value and the chain-rule product, not the seed or the summary", () => {
  const steps = [
    { kind: "input", formula: [line("x", 1.5, "1.5")] },
    { kind: "node_forward", formula: [line("u₁", 2.25, "2.25")] },
    { kind: "seed", formula: [line("df/df", 1, "1")] },
    { kind: "edge_backward", formula: [line("∂f/∂u₁", -0.949, "−0.949"), line("df/du₁", -0.949, "−0.949")] },
    { kind: "gradient", formula: [line("df/dx", -2.847, "−2.847")] },
  ];
  const pass = { steps };
  assert.deepEqual(
    steps.map((_, i) => questionFor(pass, i)?.lhs ?? null),
    [null, "u₁", null, "df/du₁", null],
  );
  assert.equal(targetStep(pass, null, 1), null, "the seed is shown on the way");
  assert.equal(targetStep(pass, null, 2), 3);
});

test("lesson 4 asks each descent step's new x, written with the server's point, gradient and new point", async () => {
  // the lesson modules read the page's language when loaded: a bare document is enough for a pure helper
  globalThis.document ??= {
    documentElement: { lang: "en", dataset: {} },
    getElementById: () => null,
    querySelector: () => null,
    addEventListener: () => {},
  };
  const { descentQuestions } = await import("../../static/js/lessons/gradient.js");
  const data = {
    variables: ["x", "y"],
    path: [
      { step: 0, point: { x: 2, y: 1.5 }, gradient: { x: 4, y: 3 } },
      { step: 1, point: { x: 1.6, y: 1.2 }, gradient: { x: 3.2, y: 2.4 } },
    ],
  };
  const steps = descentQuestions(data, 0.1);
  assert.equal(questionFor({ steps }, 0), null, "the start is given");
  const q = questionFor({ steps }, 1);
  assert.deepEqual(
    [q.lhs, q.symbolic, q.substituted, q.result, q.truth],
    ["x₁", "x₀ − η·∂z/∂x", "2 − 0.1·4", "1.6", 1.6],
  );
  assert.equal(judge(q, 1.6), "correct");
});

test("a figure's own unit sets the tolerance: a table of 8 digits judges the digits it shows", () => {
  // 12.002 is the quotient at Δx = 0.001; at 4 digits 12 would pass, at the table's digits it is only close
  assert.equal(judgeNumber(12, 12.002), "correct");
  assert.equal(judgeNumber(12, 12.002, 0.001), "close");
  assert.equal(judgeNumber(12.002, 12.001999999999, 0.001), "correct");
  assert.equal(displayUnit(12.002, 8), 1e-6);
  const pass = {
    steps: [{}, { ask: { kind: "value", line: line("q", 12.002, "12.002"), truth: 12.002, unit: 0.001 } }],
  };
  const question = questionFor(pass, 1);
  assert.equal(question.unit, 0.001);
  assert.equal(judge(question, 12), "close");
  assert.equal(
    questionFor({ steps: [{}, { ask: { kind: "value", line: line("q", 1, "1"), truth: 1 } }] }, 1).unit,
    undefined,
  );
});

test("Play waits at an open question while predicting, and not once it is answered or given up", () => {
  const pass = fakePass();
  let predict = predictReducer(INITIAL_PREDICT, { type: "predict/toggle", on: true });
  assert.equal(awaitsAnswer(INITIAL_PREDICT, pass, null, 0), null, "predict mode off: Play never waits");
  assert.equal(awaitsAnswer(predict, pass, null, 0), 1);
  predict = predictReducer(predict, { type: "predict/answer", step: 1, given: 0.4772, verdict: "correct" });
  assert.equal(awaitsAnswer(predict, pass, null, 0), null);
  assert.equal(awaitsAnswer(predict, pass, null, 1), 2);
  for (let i = 0; i < 3; i++) predict = predictReducer(predict, { type: "predict/hint", step: 2 });
  assert.equal(awaitsAnswer(predict, pass, null, 1), null, "the ladder showed the answer");
  assert.equal(awaitsAnswer(predict, pass, null, 5), null, "a step without a question (not finite) lets it on");
  // with frames, the question is any step up to the next stop
  const frames = buildFrames(pass.steps, "layer");
  assert.equal(awaitsAnswer(predict, pass, frames, 2), 3);
});

test("a saved predict slice comes back as it was; anything malformed in it is dropped", () => {
  let predict = predictReducer(INITIAL_PREDICT, { type: "predict/toggle", on: true });
  predict = predictReducer(predict, { type: "predict/answer", step: 4, given: "up", verdict: "wrong" });
  predict = predictReducer(predict, { type: "predict/hint", step: 5 });
  const travelled = JSON.parse(JSON.stringify(predictForTravel(predict)));
  assert.deepEqual(checkedPredict(travelled), predictForTravel(predict));
  assert.deepEqual(
    predictReducer(INITIAL_PREDICT, { type: "predict/restore", predict: travelled }),
    predictForTravel(predict),
  );

  assert.equal(checkedPredict(null), null);
  assert.equal(checkedPredict({ answers: {} }), null, "no mode: not a slice");
  assert.equal(predictReducer(predict, { type: "predict/restore", predict: [] }), predict);
  const hostile = checkedPredict({
    on: true,
    answers: {
      1: { given: "<img>", verdict: "correct" },
      "-2": { given: 1, verdict: "correct" },
      x: { given: 1, verdict: "correct" },
      3: { given: 1, verdict: "lucky" },
      6: { given: 0.5, verdict: "close", extra: "dropped" },
    },
    hints: { 1: 9, 2: 2, 3: "3" },
    score: { answered: -1, correct: 2.5, close: 4, wrong: "1", revealed: 1 },
  });
  assert.deepEqual(hostile, {
    on: true,
    answers: { 6: { given: 0.5, verdict: "close" } },
    hints: { 2: 2 },
    score: { answered: 0, correct: 0, close: 4, wrong: 0, revealed: 1 },
  });
  const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [i, { given: 1, verdict: "correct" }]));
  assert.ok(Object.keys(checkedPredict({ on: false, answers: many }).answers).length <= 2000, "capped");
});
