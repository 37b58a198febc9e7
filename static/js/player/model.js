// The player's model: the network, its data and learning rate, checked and kept consistent.
// Anything read from a URL, a file or a caller passes through normalizeModel(), so only well-typed,
// well-shaped values ever reach the server (which validates again).

export const ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu", "identity"];
export const LOSSES = ["mse", "bce", "cross_entropy"];
export const INITS = ["auto", "xavier", "he", "torch"];

/**
 * Input features as the server reads them: a list of expressions over x1 and x2 ("x1^2", "sin(x2)"). How
 * many, and how long, is the server's to say (max_features and max_expression_length of GET /api/v1/limits):
 * a list past them is sent as asked and the server's 422 names the cap.
 */
export const isFeatureList = (v) =>
  Array.isArray(v) && v.length >= 1 && v.every((f) => typeof f === "string" && f.length >= 1);

export const DEFAULT_MODEL = Object.freeze({
  layers: [2, 3, 1],
  activation: ["tanh"],
  outputActivation: "sigmoid",
  loss: "bce",
  seed: 1,
  init: "auto",
  weights: null,
  biases: null,
  inputs: [[1, 0.5]],
  targets: [[1]],
  learningRate: 0.5,
  sample: 0,
  features: null, // null: the input neurons hold the point itself
});

const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
const clampInt = (v, lo, hi, fallback) => (Number.isInteger(v) ? Math.max(lo, Math.min(hi, v)) : fallback);
const MAX_ABS_INPUT = 1e6;
const MAX_PADDED = 1024; // until the server's caps are known: the widest layer whose rows are padded

function numberRow(row, length, fill = 0) {
  const source = Array.isArray(row) ? row : [];
  return Array.from({ length }, (_, i) => {
    const v = source[i];
    return isNumber(v) ? Math.max(-MAX_ABS_INPUT, Math.min(MAX_ABS_INPUT, v)) : fill;
  });
}

function matrixOk(matrix, rows, cols) {
  return (
    Array.isArray(matrix) &&
    matrix.length === rows &&
    matrix.every((row) => Array.isArray(row) && row.length === cols && row.every(isNumber))
  );
}

function weightsFit(weights, layers) {
  return (
    Array.isArray(weights) &&
    weights.length === layers.length - 1 &&
    weights.every((matrix, l) => matrixOk(matrix, layers[l + 1], layers[l]))
  );
}

function biasesFit(biases, layers) {
  return (
    Array.isArray(biases) &&
    biases.length === layers.length - 1 &&
    biases.every((vector, l) => Array.isArray(vector) && vector.length === layers[l + 1] && vector.every(isNumber))
  );
}

/**
 * A model every field of which is well-typed and consistent in shape; bad parts fall back to defaults.
 * Nothing the server would take is changed: sizes, batch, activations, loss and targets go as asked, and
 * the server's 422 says what to fix. `limits` (GET /api/v1/limits, once known) only bounds what is padded:
 * rows of inputs and targets are fitted to the input and output layers when those could be traced.
 */
export function normalizeModel(input, limits = null) {
  const raw = input && typeof input === "object" ? input : {};
  const layers =
    Array.isArray(raw.layers) && raw.layers.length >= 2 && raw.layers.every((n) => Number.isInteger(n) && n >= 1)
      ? [...raw.layers]
      : [...DEFAULT_MODEL.layers];
  const hidden = layers.length - 2;
  const given = Array.isArray(raw.activation)
    ? raw.activation
    : typeof raw.activation === "string"
      ? [raw.activation]
      : [];
  const activation = Array.from({ length: hidden }, (_, i) => {
    const name = given[i] ?? given[given.length - 1];
    return ACTIVATIONS.includes(name) ? name : "tanh";
  });
  const loss = LOSSES.includes(raw.loss) ? raw.loss : DEFAULT_MODEL.loss;
  const outputActivation = ACTIVATIONS.includes(raw.outputActivation)
    ? raw.outputActivation
    : loss === "cross_entropy"
      ? "identity"
      : "sigmoid";
  const outputs = layers[layers.length - 1];
  const seed = clampInt(raw.seed, 0, 2 ** 32 - 1, DEFAULT_MODEL.seed);
  const init = INITS.includes(raw.init) ? raw.init : "auto";
  const weights = weightsFit(raw.weights, layers) ? raw.weights : null;
  const biases = weights && biasesFit(raw.biases, layers) ? raw.biases : null;
  const rows = Array.isArray(raw.inputs) && raw.inputs.length ? raw.inputs : DEFAULT_MODEL.inputs;
  // a link asking for a layer of a million neurons is sent as it is, for the server to refuse, not padded
  const fits = (size) => size <= (limits?.max_neurons ?? MAX_PADDED);
  const features = isFeatureList(raw.features) ? [...raw.features] : null;
  const width = features ? 2 : layers[0]; // with features, a sample is the point (x1, x2) they are computed from
  const inputs = fits(layers[0]) ? rows.map((row) => numberRow(row, width, 0.5)) : rows;
  const targetRows = Array.isArray(raw.targets) ? raw.targets : [];
  const targets = fits(outputs)
    ? inputs.map((_, n) => numberRow(targetRows[n], outputs, loss === "cross_entropy" ? 0 : 1))
    : targetRows;
  const learningRate =
    isNumber(raw.learningRate) && raw.learningRate >= 0 ? raw.learningRate : DEFAULT_MODEL.learningRate;
  const sample = clampInt(raw.sample, 0, inputs.length - 1, 0);
  return {
    layers,
    activation,
    outputActivation,
    loss,
    seed,
    init,
    weights,
    biases: weights ? biases : null,
    inputs,
    targets,
    learningRate,
    sample,
    features,
  };
}

/** Accept the API's field names (output_activation, learning_rate) as well as the player's. */
export function specToModel(spec = {}) {
  const network = spec.network || {};
  const pick = (...values) => values.find((v) => v !== undefined);
  const out = {
    layers: pick(network.layers, spec.layers),
    activation: pick(network.activation, spec.activation),
    outputActivation: pick(
      network.output_activation,
      network.outputActivation,
      spec.outputActivation,
      spec.output_activation,
    ),
    loss: pick(network.loss, spec.loss),
    seed: pick(network.seed, spec.seed),
    init: pick(network.init, spec.init),
    weights: pick(network.weights, spec.weights),
    biases: pick(network.biases, spec.biases),
    inputs: spec.inputs,
    targets: spec.targets,
    learningRate: pick(spec.learningRate, spec.learning_rate),
    sample: spec.sample,
    features: pick(network.features, spec.features),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** The body of POST /network/trace for a model. */
export function traceRequest(model, { graphs = true } = {}) {
  const body = {
    layers: model.layers,
    activation: model.activation.length ? model.activation : "tanh",
    output_activation: model.outputActivation,
    loss: model.loss,
    seed: model.seed,
    init: model.init,
    inputs: model.inputs,
    targets: model.targets,
    learning_rate: model.learningRate,
    sample: model.sample,
    include_neuron_graphs: graphs,
  };
  if (model.weights) body.weights = model.weights;
  if (model.biases) body.biases = model.biases;
  if (model.features) body.features = model.features;
  return body;
}

/**
 * The body of a view's first trace. A view that opens at step 0 with no neuron pinned shows no op graph,
 * so it asks without the neuron op graphs (a third of the answer, and of the time to read it); the
 * player asks for them once the diagram has been drawn.
 */
export function firstTraceRequest(model, { step = 0, selected = null } = {}) {
  return traceRequest(model, { graphs: step > 0 || Boolean(selected) });
}

/** The network part of a model as the API names it (for exports and the train endpoint). */
export function networkSpec(model, trace) {
  return {
    layers: model.layers,
    activation: model.activation.length ? model.activation : "tanh",
    output_activation: model.outputActivation,
    loss: model.loss,
    weights: trace ? trace.params.map((p) => p.weight) : model.weights,
    biases: trace ? trace.params.map((p) => p.bias) : model.biases,
  };
}

/** The model with the weights and biases a trace used (so edits keep every other weight as it is). */
export function withTraceWeights(model, trace, which = "current") {
  const weights = trace.params.map((p) => structuredClone(which === "updated" ? p.updated_weight : p.weight));
  const biases = trace.params.map((p) => structuredClone(which === "updated" ? p.updated_bias : p.bias));
  return { ...model, weights, biases };
}

/** Parse an exported network file (see exporters.js); throws with a readable message. */
const isNumberArray = (value) =>
  Array.isArray(value) && value.every((v) => (Array.isArray(v) ? isNumberArray(v) : typeof v === "number"));

/**
 * Why a parsed file is not a network this page exported (null: it is). Only what the file gives is
 * checked: a missing optional field takes its default, a field of the wrong kind refuses the file rather
 * than quietly loading the defaults in its place.
 */
function exportProblem(data) {
  if (!data || typeof data !== "object" || Array.isArray(data)) return "not a JSON object";
  if (data.format !== "backprop-lab/network") return "no backprop-lab/network format";
  const net = data.network;
  if (!net || typeof net !== "object" || Array.isArray(net)) return "no network";
  if (!Array.isArray(net.layers) || net.layers.length < 2 || !net.layers.every((n) => Number.isInteger(n) && n >= 1)) {
    return "no layer sizes";
  }
  for (const name of ["weights", "biases"])
    if (net[name] != null && !isNumberArray(net[name])) return `${name} are not numbers`;
  for (const name of ["inputs", "targets"])
    if (data[name] != null && !isNumberArray(data[name])) return `${name} are not numbers`;
  return null;
}

export function modelFromExport(data) {
  const problem = exportProblem(data);
  if (problem) throw new Error(`not a Backprop Lab network file: ${problem}`);
  const net = data.network;
  const layers = net.layers;
  const activation = Array.isArray(net.activation)
    ? net.activation
    : Array(Math.max(0, (layers?.length ?? 2) - 2)).fill(net.activation);
  return {
    layers,
    activation,
    outputActivation: net.output_activation,
    loss: net.loss,
    seed: net.seed,
    init: net.init,
    weights: net.weights,
    biases: net.biases,
    inputs: data.inputs,
    targets: data.targets,
    learningRate: data.learning_rate,
    sample: data.sample,
  };
}

let limitsPromise = null;

/** The server's caps and choices (GET /api/v1/limits), fetched once; null when they cannot be had. */
export function loadLimits(api) {
  if (!limitsPromise) limitsPromise = api.limits().catch(() => null);
  return limitsPromise;
}

/** A model's network, data and η with the API's field names: the player store's `spec`. */
export function specFromModel(model) {
  const spec = traceRequest(model);
  delete spec.include_neuron_graphs;
  return spec;
}

/** The model of a spec (API or player field names), checked. */
export function modelFromSpec(spec, limits = null) {
  return normalizeModel({ ...DEFAULT_MODEL, ...specToModel(spec) }, limits);
}
