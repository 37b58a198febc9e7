// The player's store: one plain state object, changed only by the reducer, and its travel format.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  applyState,
  createStore,
  initialState,
  parseState,
  reducer,
  serializeState,
} from "../../static/js/player/store.js";

const SPEC = {
  layers: [2, 3, 1],
  activation: ["tanh"],
  output_activation: "sigmoid",
  loss: "bce",
  seed: 1,
  inputs: [[1, 0.5]],
  targets: [[1]],
  learning_rate: 0.5,
};

const loaded = (state, steps = 20) =>
  reducer(state, { type: "trace/loaded", scriptId: "abc", steps, lossAt: 5, loss: 0.3, diverged: false });

test("the initial view takes well-typed options and defaults the rest", () => {
  const state = initialState({ spec: SPEC, view: { step: 4, granularity: "layer", speed: 3, numbers: "no" } });
  assert.deepEqual(state.view, {
    step: 4,
    granularity: "layer",
    speed: 1,
    numbers: true,
    selected: null,
    playing: false,
    wholeGraph: false,
  });
  assert.deepEqual(state.spec, SPEC);
  assert.notEqual(state.spec, SPEC, "the store keeps its own copy");
  assert.equal(state.trace.steps, 0);
});

test("the reducer never changes the state it is given", () => {
  const state = Object.freeze(initialState({ spec: SPEC }));
  const next = reducer(state, { type: "view/set", view: { granularity: "phase" } });
  assert.equal(state.view.granularity, "neuron");
  assert.equal(next.view.granularity, "phase");
  assert.equal(reducer(state, { type: "no such action" }), state);
});

test("a step is kept within the trace's steps once a trace has arrived", () => {
  let state = initialState({ spec: SPEC, view: { step: 50 } });
  assert.equal(state.view.step, 50, "before a trace the asked-for step is kept");
  state = loaded(state, 20);
  assert.equal(state.view.step, 19);
  assert.equal(reducer(state, { type: "view/step", step: -3 }).view.step, 0);
  assert.equal(reducer(state, { type: "view/step", step: 7 }).view.step, 7);
  assert.equal(reducer(state, { type: "view/step", step: 2.5 }), state);
  assert.deepEqual(state.trace, { scriptId: "abc", steps: 20, lossAt: 5, loss: 0.3, diverged: false });
});

test("a trace of another network can unpin a neuron it does not have", () => {
  let state = initialState({ spec: SPEC, view: { selected: "2-7" } });
  state = reducer(state, { type: "trace/loaded", steps: 10, unpin: true });
  assert.equal(state.view.selected, null);
});

test("a new spec forgets what the last training step did, unless asked to keep it", () => {
  const state = reducer(initialState({ spec: SPEC }), { type: "training/done", count: 1, before: 0.5, after: 0.4 });
  assert.deepEqual(state.training, { count: 1, before: 0.5, after: 0.4 });
  const trained = reducer(state, { type: "spec/set", spec: { ...SPEC, seed: 2 }, keepTraining: true });
  assert.deepEqual(trained.training, state.training);
  assert.equal(reducer(state, { type: "spec/set", spec: SPEC }).training, null);
});

test("subscribers hear each change once, with the state before it, and can unsubscribe", () => {
  const store = createStore(initialState({ spec: SPEC }));
  const heard = [];
  const unsubscribe = store.subscribe((state, previous, action) =>
    heard.push([previous.view.speed, state.view.speed, action.type]),
  );
  store.dispatch({ type: "view/set", view: { speed: 2 } });
  store.dispatch({ type: "unknown" }); // no change: nobody is told
  unsubscribe();
  store.dispatch({ type: "view/set", view: { speed: 4 } });
  assert.deepEqual(heard, [[1, 2, "view/set"]]);
  assert.equal(store.getState().view.speed, 4);
});

test("the travel format carries the spec, the view and the predictions, not playback or the trace", () => {
  let state = loaded(initialState({ spec: SPEC, view: { step: 6, selected: "1-2", playing: true } }));
  state = reducer(state, { type: "view/set", view: { numbers: false, speed: 2, wholeGraph: true } });
  state = reducer(state, { type: "predict/toggle", on: true });
  state = reducer(state, { type: "predict/answer", step: 7, given: -0.25, verdict: "close" });
  state = reducer(state, { type: "predict/hint", step: 8 });
  const travelled = JSON.parse(serializeState(state));
  assert.deepEqual(travelled, {
    format: "backprop-lab/player-state",
    version: 1,
    spec: SPEC,
    view: { step: 6, granularity: "neuron", speed: 2, numbers: false, selected: "1-2", wholeGraph: true },
    predict: {
      on: true,
      answers: { 7: { given: -0.25, verdict: "close" } },
      hints: { 8: 1 },
      score: { answered: 1, correct: 0, close: 1, wrong: 0, revealed: 0 },
    },
  });
  assert.equal(JSON.parse(serializeState(state, { predict: false })).predict, undefined, "a live class leaves it out");
});

test("a travelled state restores the predictions with its spec; one without them keeps the store's", () => {
  let saved = loaded(initialState({ spec: SPEC, view: { step: 2 } }));
  saved = reducer(saved, { type: "predict/toggle", on: true });
  saved = reducer(saved, { type: "predict/answer", step: 3, given: "negative", verdict: "correct" });
  const text = serializeState(saved);

  const other = createStore(loaded(initialState({ spec: { ...SPEC, seed: 7 } })));
  other.dispatch({ type: "predict/answer", step: 1, given: 2, verdict: "wrong" }); // another network's answer
  applyState(other, text);
  assert.deepEqual(other.getState().predict, saved.predict);

  // an export from before predictions travelled: the spec and view load, the predictions stay as they were
  const old = createStore(loaded(initialState({ spec: SPEC })));
  old.dispatch({ type: "predict/toggle", on: true });
  old.dispatch({ type: "predict/answer", step: 1, given: 2, verdict: "wrong" });
  const before = old.getState().predict;
  applyState(old, { format: "backprop-lab/player-state", version: 1, spec: SPEC, view: { step: 4 } });
  assert.equal(old.getState().predict, before);
  assert.equal(old.getState().view.step, 4);
});

test("applying a travelled state to another store reproduces its spec and view, and stops playback", () => {
  const teacher = createStore(loaded(initialState({ spec: SPEC, view: { step: 9, granularity: "layer" } })));
  const student = createStore(loaded(initialState({ spec: { ...SPEC, seed: 7 }, view: { playing: true } })));
  applyState(student, serializeState(teacher.getState()));
  assert.deepEqual(student.getState().spec, SPEC);
  assert.equal(student.getState().view.step, 9);
  assert.equal(student.getState().view.granularity, "layer");
  assert.equal(student.getState().view.playing, false);
});

test("a travelled view without a spec moves the view only", () => {
  const store = createStore(loaded(initialState({ spec: SPEC })));
  applyState(store, { format: "backprop-lab/player-state", version: 1, view: { step: 3, speed: 99 } });
  assert.deepEqual(store.getState().spec, SPEC);
  assert.equal(store.getState().view.step, 3);
  assert.equal(store.getState().view.speed, 1, "an unknown speed is not taken");
});

test("text that is not the travel format is refused with a message", () => {
  assert.throws(() => parseState("{}"), /not a backprop-lab\/player-state/);
  assert.throws(() => parseState({ format: "backprop-lab/player-state", version: 99 }), /version 99/);
  assert.throws(() => parseState("not json"), SyntaxError);
});

test("a step meant for the next trace is not bounded by the trace shown", () => {
  const state = loaded(initialState({ spec: SPEC }), 20);
  assert.equal(reducer(state, { type: "view/set", view: { step: 60 } }).view.step, 19);
  assert.equal(reducer(state, { type: "view/set", view: { step: 60 }, forNextTrace: true }).view.step, 60);
  const applied = reducer(state, { type: "state/apply", spec: { ...SPEC, layers: [2, 8, 1] }, view: { step: 60 } });
  assert.equal(applied.view.step, 60, "a travelled spec brings its own trace");
  assert.equal(reducer(state, { type: "state/apply", view: { step: 60 } }).view.step, 19);
});

test("the Whole graph panel's being open travels; a state from before it leaves the store's as it is", () => {
  const store = createStore(loaded(initialState({ spec: SPEC, view: { wholeGraph: "yes" } })));
  assert.equal(store.getState().view.wholeGraph, false, "an ill-typed value takes the default");
  applyState(store, { format: "backprop-lab/player-state", version: 1, spec: SPEC, view: { wholeGraph: true } });
  assert.equal(store.getState().view.wholeGraph, true);
  applyState(store, { format: "backprop-lab/player-state", version: 1, spec: SPEC, view: { step: 3 } });
  assert.equal(store.getState().view.wholeGraph, true);
  assert.equal(JSON.parse(serializeState(store.getState(), { predict: false })).view.wholeGraph, true);
});
