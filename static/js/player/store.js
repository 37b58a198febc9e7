// The step player's one state object and the one place it changes (the Elm architecture: model, update,
// view). Every module of the player reads getState() and asks for changes with dispatch(action); views
// subscribe and redraw from the state. The state is plain data, so it can be written to a URL, exported,
// or sent to another browser and applied there.
//
// The state:
//   spec   the network and its data, with the API's field names (POST /api/v2/network/trace's body):
//          { layers, activation, output_activation, loss, seed, init, weights, biases, inputs, targets,
//            learning_rate, sample }
//   view   what is shown of the trace: { step, granularity, speed, numbers, selected, playing, wholeGraph }
//          (wholeGraph: the Whole graph panel is open)
//   trace  what the last trace answered, by reference: { scriptId, steps, lossAt, loss, diverged }
//          (the numbers themselves stay with the player; the script is cached by id)
//   training  what the last training step(s) did: { count, before, after } or null
//   busy   a trace or training is on its way
//   predict  predict-then-reveal: { on, answers, hints, score } (predict-state.js; actions "predict/…")
//
// Travel format (serializeState / applyState): { format: "backprop-lab/player-state", version: 1, spec,
// view: { step, granularity, speed, numbers, selected, wholeGraph }, predict?: { on, answers, hints, score } }. A saved
// or shared state carries the learner's predictions; one without `predict` (older, or the live classroom's,
// where every student answers for themselves) leaves the player's as they are. A live classroom sends it
// from the teacher's browser and each student's player applies it; predict-then-reveal reads view.step.

import { checkedPredict, INITIAL_PREDICT, predictForTravel, predictReducer } from "./predict-state.js";
import { GRANULARITIES, SPEEDS } from "./steps.js";

export const TRAVEL_FORMAT = "backprop-lab/player-state";
export const TRAVEL_VERSION = 1;

export const INITIAL_VIEW = Object.freeze({
  step: 0,
  granularity: "neuron",
  speed: 1,
  numbers: true,
  selected: null,
  playing: false,
  wholeGraph: false,
});

const NO_TRACE = Object.freeze({ scriptId: null, steps: 0, lossAt: null, loss: null, diverged: false });

/** A state from a spec and a view; missing or ill-typed view fields take their defaults. */
export function initialState({ spec = {}, view = {} } = {}) {
  return {
    spec: { ...spec },
    view: checkedView(INITIAL_VIEW, view),
    trace: { ...NO_TRACE },
    training: null,
    busy: false,
    predict: INITIAL_PREDICT,
  };
}

/** `base` with the well-typed fields of `patch`; the others keep their value. */
function checkedView(base, patch = {}) {
  const view = { ...base };
  if (Number.isInteger(patch.step) && patch.step >= 0) view.step = patch.step;
  if (GRANULARITIES.includes(patch.granularity)) view.granularity = patch.granularity;
  if (SPEEDS.includes(patch.speed)) view.speed = patch.speed;
  if (typeof patch.numbers === "boolean") view.numbers = patch.numbers;
  if (patch.selected === null || typeof patch.selected === "string") view.selected = patch.selected;
  if (typeof patch.playing === "boolean") view.playing = patch.playing;
  if (typeof patch.wholeGraph === "boolean") view.wholeGraph = patch.wholeGraph;
  return view;
}

const clampStep = (step, steps) => (steps > 0 ? Math.max(0, Math.min(step, steps - 1)) : Math.max(0, step));

/** The predict slice for a spec about to be set: answers to another network's numbers are forgotten. */
const forgetIfNew = (state, spec) =>
  JSON.stringify(spec) === JSON.stringify(state.spec)
    ? state.predict
    : predictReducer(state.predict, { type: "predict/forget" });

/** The one update: (state, action) → the next state. Pure; an unknown action returns the state as it is. */
export function reducer(state, action) {
  if (typeof action?.type === "string" && action.type.startsWith("predict/")) {
    const predict = predictReducer(state.predict, action);
    return predict === state.predict ? state : { ...state, predict };
  }
  switch (action?.type) {
    case "spec/set":
      return {
        ...state,
        spec: { ...action.spec },
        training: action.keepTraining ? state.training : null,
        predict: forgetIfNew(state, action.spec),
      };
    case "view/set": {
      // `forNextTrace`: the step is meant for a trace on its way, so the one shown does not bound it
      const view = checkedView(state.view, action.view);
      if (!action.forNextTrace) view.step = clampStep(view.step, state.trace.steps);
      return { ...state, view };
    }
    case "view/step": // a new state even for the same step: the player redraws it (e.g. after pulses)
      if (!Number.isInteger(action.step)) return state;
      return { ...state, view: { ...state.view, step: clampStep(action.step, state.trace.steps) } };
    case "busy":
      return { ...state, busy: Boolean(action.busy) };
    case "trace/loaded": {
      const trace = {
        scriptId: action.scriptId ?? null,
        steps: action.steps,
        lossAt: action.lossAt ?? null,
        loss: action.loss ?? null,
        diverged: Boolean(action.diverged),
      };
      const view = { ...state.view, step: clampStep(state.view.step, trace.steps) };
      if (action.unpin) view.selected = null;
      return { ...state, trace, view };
    }
    case "training/done":
      return { ...state, training: { count: action.count, before: action.before, after: action.after } };
    case "training/forget":
      return state.training ? { ...state, training: null } : state;
    case "state/apply": {
      // with a spec, a new trace comes and bounds the step; without one, the trace shown does
      const view = checkedView(state.view, { ...action.view, playing: false });
      if (!action.spec) view.step = clampStep(view.step, state.trace.steps);
      // the predictions travelled with their spec, so they replace what another network's answers left
      const predict = action.spec ? forgetIfNew(state, action.spec) : state.predict;
      return {
        ...state,
        spec: action.spec ? { ...action.spec } : state.spec,
        view,
        training: action.spec ? null : state.training,
        predict: checkedPredict(action.predict) ?? predict,
      };
    }
    default:
      return state;
  }
}

/** A store: getState(), dispatch(action), subscribe(listener) → unsubscribe. Listeners get (state, previous, action). */
export function createStore(initial, update = reducer) {
  let state = initial;
  const listeners = new Set();
  return {
    getState: () => state,
    dispatch(action) {
      const previous = state;
      state = update(state, action);
      if (state !== previous) for (const listener of [...listeners]) listener(state, previous, action);
      return action;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The travel format of a state as JSON text (see the top of this file); `predict: false` leaves it out. */
export function serializeState(state, { predict = true } = {}) {
  const { step, granularity, speed, numbers, selected, wholeGraph } = state.view;
  return JSON.stringify({
    format: TRAVEL_FORMAT,
    version: TRAVEL_VERSION,
    spec: state.spec,
    view: { step, granularity, speed, numbers, selected, wholeGraph },
    ...(predict ? { predict: predictForTravel(state.predict) } : {}),
  });
}

/** Parse the travel format (text or object); throws with a readable message when it is not one. */
export function parseState(json) {
  const data = typeof json === "string" ? JSON.parse(json) : json;
  if (!data || typeof data !== "object" || data.format !== TRAVEL_FORMAT) throw new Error(`not a ${TRAVEL_FORMAT}`);
  if (data.version !== TRAVEL_VERSION) throw new Error(`unknown ${TRAVEL_FORMAT} version ${data.version}`);
  const spec = data.spec && typeof data.spec === "object" && !Array.isArray(data.spec) ? data.spec : null;
  const view = data.view && typeof data.view === "object" ? data.view : {};
  return { spec, view, predict: checkedPredict(data.predict) };
}

/** Apply the travel format to a store: its spec (when given), view and predictions (when given). Playback stops. */
export function applyState(store, json) {
  const { spec, view, predict } = parseState(json);
  return store.dispatch({ type: "state/apply", spec, view, predict });
}
