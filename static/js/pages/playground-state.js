// The playground's whole view state, kept in the URL (#…) so a link reproduces the view exactly: one
// declarative table of properties, read by the page and by its early trace request.

import { urlState } from "../core/urlstate.js";
import { ACTIVATIONS, DEFAULT_MODEL, INITS, LOSSES, isFeatureList } from "../player/model.js";
import { GRANULARITIES, SPEEDS } from "../player/steps.js";

const isIntArray = (v) =>
  Array.isArray(v) && v.length >= 2 && v.length <= 64 && v.every((n) => Number.isInteger(n) && n >= 1);
const isNumberMatrix = (v) =>
  Array.isArray(v) &&
  v.every((row) => Array.isArray(row) && row.every((x) => typeof x === "number" && Number.isFinite(x)));
const isNestedNumbers = (v) =>
  Array.isArray(v) &&
  v.every(
    (m) => isNumberMatrix(m) || (Array.isArray(m) && m.every((x) => typeof x === "number" && Number.isFinite(x))),
  );

// The neuron pinned in a link: the link is anyone's to write, so only the characters of an id are let
// through; what it names is the trace's to say (a neuron the network lacks is unpinned by the player).
const isNeuronIdText = (v) => v.length <= 16 && [...v].every((c) => "0123456789-".includes(c));

export const state = urlState([
  { name: "layers", type: "json", default: DEFAULT_MODEL.layers, validate: isIntArray },
  {
    name: "act",
    type: "json",
    default: DEFAULT_MODEL.activation,
    validate: (v) => Array.isArray(v) && v.every((a) => ACTIVATIONS.includes(a)),
  },
  { name: "out", type: "enum", values: ACTIVATIONS, default: DEFAULT_MODEL.outputActivation },
  { name: "loss", type: "enum", values: LOSSES, default: DEFAULT_MODEL.loss },
  { name: "seed", type: "int", default: DEFAULT_MODEL.seed, validate: (v) => v >= 0 && v < 2 ** 32 },
  { name: "init", type: "enum", values: INITS, default: DEFAULT_MODEL.init },
  { name: "w", type: "json", default: null, validate: isNestedNumbers },
  { name: "b", type: "json", default: null, validate: isNumberMatrix },
  { name: "x", type: "json", default: DEFAULT_MODEL.inputs, validate: isNumberMatrix },
  { name: "y", type: "json", default: DEFAULT_MODEL.targets, validate: isNumberMatrix },
  { name: "lr", type: "number", default: DEFAULT_MODEL.learningRate, validate: (v) => v >= 0 && v <= 100 },
  { name: "s", type: "int", default: 0, validate: (v) => v >= 0 },
  { name: "step", type: "int", default: 0, validate: (v) => v >= 0 },
  { name: "g", type: "enum", values: GRANULARITIES, default: "neuron" },
  { name: "speed", type: "number", default: 1, validate: (v) => SPEEDS.includes(v) },
  { name: "num", type: "bool", default: true },
  { name: "sel", type: "string", default: "", validate: isNeuronIdText },
  { name: "pr", type: "bool", default: false }, // predict, then reveal
  { name: "feat", type: "json", default: null, validate: isFeatureList }, // input features, e.g. ["x1^2"]
  { name: "wg", type: "bool", default: false }, // the Whole graph panel is open (older links: closed)
]);

/** The player's options from a URL fragment: the address's own, or one a live class sends. */
export function fromUrl(hash = location.hash) {
  const s = state.read(hash);
  return {
    layers: s.layers,
    activation: s.act,
    outputActivation: s.out,
    loss: s.loss,
    seed: s.seed,
    init: s.init,
    weights: s.w,
    biases: s.b,
    inputs: s.x,
    targets: s.y,
    learningRate: s.lr,
    sample: s.s,
    features: s.feat,
    step: s.step,
    granularity: s.g,
    speed: s.speed,
    numbers: s.num,
    selected: s.sel || null,
    predict: s.pr,
    wholeGraph: s.wg,
  };
}

export function toUrl({ model, step, granularity, speed, numbers, selected, predict = false, wholeGraph = false }) {
  return {
    layers: model.layers,
    act: model.activation,
    out: model.outputActivation,
    loss: model.loss,
    seed: model.seed,
    init: model.init,
    w: model.weights,
    b: model.biases,
    x: model.inputs,
    y: model.targets,
    lr: model.learningRate,
    s: model.sample,
    feat: model.features ?? null,
    step,
    g: granularity,
    speed,
    num: numbers,
    sel: selected || "",
    pr: predict,
    wg: wholeGraph,
  };
}
