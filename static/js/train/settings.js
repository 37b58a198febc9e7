// What a training setup is: one declarative table of URL properties, and the request bodies built from it.
// A link carries the data, the network and the optimizer, plus the run so far (steps, or the log of
// segments when the run was paused and resumed), so opening it rebuilds the same weights.

import { urlState } from "../core/urlstate.js";

export const BUILT_IN = [
  "circle",
  "xor",
  "gauss",
  "spiral",
  "spiral3",
  "moons",
  "sine",
  "plane",
  "multigauss",
  "digits",
  "iris",
];
/** The Playground's input features, as the server's expression syntax writes them, and their symbols. */
export const FEATURES = [
  ["x1", "x₁"],
  ["x2", "x₂"],
  ["x1^2", "x₁²"],
  ["x2^2", "x₂²"],
  ["x1*x2", "x₁x₂"],
  ["sin(x1)", "sin x₁"],
  ["sin(x2)", "sin x₂"],
];
const FEATURE_NAMES = FEATURES.map(([name]) => name);
export const DEFAULT_FEATURES = ["x1", "x2"];
export const ACTIVATIONS = ["tanh", "relu", "leaky_relu", "sigmoid", "identity"];
export const OPTIMIZERS = ["sgd", "momentum", "adam"];
export const REGULARIZATIONS = ["none", "l1", "l2"];
export const KINDS = ["binary", "multiclass", "regression"];
export const POINTS_PER_DATASET = 300;
export const PLANE = [-1.5, 1.5]; // the input plane of the built-in 2-D sets and of drawn points
export const MAX_HIDDEN_LAYERS = 6;
export const MAX_NEURONS = 8;
/** Steps per second while playing. */
export const SPEEDS = { slow: 100, normal: 400, fast: 1500, max: Infinity };

const isRate = (v) => v >= 0 && v <= 10;
// A link's run may be any length here: what it may make the page replay is bounded by LINK_LIMITS.
const isRunLog = (v) =>
  Array.isArray(v) &&
  v.every(
    (s) =>
      Array.isArray(s) &&
      s.length === 7 &&
      Number.isInteger(s[0]) &&
      s[0] >= 0 &&
      s[0] <= 20000 &&
      isRate(s[1]) &&
      OPTIMIZERS.includes(s[2]) &&
      Number.isInteger(s[3]) &&
      s[3] >= 1 &&
      s[3] <= 256 &&
      REGULARIZATIONS.includes(s[4]) &&
      isRate(s[5]) &&
      Number.isSafeInteger(s[6]) &&
      s[6] >= 1,
  );
const isPoints = (v) =>
  Array.isArray(v) &&
  v.length <= 2000 &&
  v.every((row) => Array.isArray(row) && (row.length === 2 || row.length === 3) && row.every(Number.isFinite));

export const PROPERTIES = [
  { name: "data", type: "enum", values: [...BUILT_IN, "custom"], default: "circle" },
  { name: "noise", type: "number", default: 0.05, validate: (v) => v >= 0 && v <= 0.5 },
  { name: "seed", type: "int", default: 1, validate: (v) => v >= 0 && v <= 4294967295 },
  { name: "train", type: "number", default: 0.5, validate: (v) => v >= 0.1 && v <= 0.9 },
  { name: "batch", type: "int", default: 10, validate: (v) => v >= 1 && v <= 30 },
  { name: "lr", type: "number", default: 0.03, validate: (v) => v > 0 && v <= 10 },
  { name: "opt", type: "enum", values: OPTIMIZERS, default: "sgd" },
  { name: "reg", type: "enum", values: REGULARIZATIONS, default: "none" },
  { name: "rr", type: "number", default: 0, validate: isRate },
  { name: "act", type: "enum", values: ACTIVATIONS, default: "tanh" },
  {
    name: "hidden",
    type: "json",
    default: [4, 2],
    validate: (v) =>
      Array.isArray(v) &&
      v.length <= MAX_HIDDEN_LAYERS &&
      v.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_NEURONS),
  },
  { name: "speed", type: "enum", values: Object.keys(SPEEDS), default: "normal" },
  { name: "test", type: "bool", default: true },
  { name: "log", type: "bool", default: false },
  { name: "steps", type: "int", default: 0, validate: (v) => v >= 0 },
  { name: "run", type: "json", default: null, validate: isRunLog },
  { name: "pk", type: "enum", values: KINDS, default: "binary" },
  { name: "pts", type: "json", default: null, validate: isPoints },
  {
    name: "feat",
    type: "json",
    default: DEFAULT_FEATURES,
    validate: (v) =>
      Array.isArray(v) && v.length >= 1 && new Set(v).size === v.length && v.every((f) => FEATURE_NAMES.includes(f)),
  },
  { name: "disc", type: "bool", default: false },
];

export const url = urlState(PROPERTIES);

/** The settings that shape the data or the network: changing one starts the run over. */
export const STRUCTURAL = ["data", "noise", "seed", "train", "act", "hidden", "pts", "pk", "feat"];
/** The optimizer's settings: changing one keeps the weights and continues from them. */
export const HYPER = ["lr", "opt", "batch", "reg", "rr"];

/** Custom data as the settings hold it: rows [x1, x2, label] or [x, target], and its kind. */
export function customData(settings) {
  const rows = settings.pts || [];
  const inputDim = rows.length ? rows[0].length - 1 : 2;
  return {
    kind: settings.pk,
    inputDim,
    rows,
    classes: settings.pk === "regression" ? 0 : Math.max(2, ...rows.map((r) => r.at(-1) + 1)),
  };
}

/** What the network needs to know about the data: kind, input width and class count. */
export function dataShape(settings, catalogue) {
  if (settings.data === "custom") return customData(settings);
  const info = catalogue.get(settings.data);
  return {
    kind: info.kind,
    inputDim: info.input_dim,
    classes: info.classes,
    image: info.image ?? null,
    classNames: info.class_names ?? null,
  };
}

/** The features the network sees, in the Playground's order: only 2-D points have them; null means the point. */
export function featuresFor(settings, shape) {
  if (shape.inputDim !== 2) return null;
  const chosen = FEATURE_NAMES.filter((name) => settings.feat.includes(name));
  const plain = chosen.length === DEFAULT_FEATURES.length && DEFAULT_FEATURES.every((f) => chosen.includes(f));
  return plain ? null : chosen;
}

/** What the input neurons hold, as the diagram names them (null: x₁, x₂ as usual). */
export function featureSymbols(settings, shape) {
  const features = featuresFor(settings, shape);
  return features && features.map((name) => FEATURES.find(([f]) => f === name)[1]);
}

/** The output layer and loss that fit the data: sigmoid + BCE, logits + cross-entropy, or identity + MSE. */
export function outputFor(shape) {
  if (shape.kind === "multiclass")
    return { units: shape.classes, output_activation: "identity", loss: "cross_entropy" };
  if (shape.kind === "regression") return { units: 1, output_activation: "identity", loss: "mse" };
  return { units: 1, output_activation: "sigmoid", loss: "bce" };
}

export function layersFor(settings, shape) {
  const inputs = featuresFor(settings, shape)?.length ?? shape.inputDim;
  return [inputs, ...settings.hidden, outputFor(shape).units];
}

/** Real datasets come whole (their size is in the catalogue); generated ones with POINTS_PER_DATASET points. */
export const REAL_POINTS = 2000;

function datasetSpec(settings, shape) {
  if (settings.data !== "custom") {
    const n = shape.inputDim > 2 ? REAL_POINTS : POINTS_PER_DATASET;
    return { name: settings.data, n, noise: settings.noise, seed: settings.seed };
  }
  const { rows, kind } = customData(settings);
  const points = rows.map((r) => r.slice(0, -1));
  const values = rows.map((r) => r.at(-1));
  return kind === "regression"
    ? { points, targets: values, seed: settings.seed }
    : { points, labels: values, seed: settings.seed };
}

/** The plotted ranges: the fixed plane for built-in 2-D data and drawn points, else fitted by the server. */
function gridRanges(settings, shape) {
  if (shape.inputDim !== 2) return {};
  if (settings.data === "custom") {
    const inside = (settings.pts || []).every((r) => Math.abs(r[0]) <= PLANE[1] && Math.abs(r[1]) <= PLANE[1]);
    if (!inside) return {};
  }
  return { x_range: PLANE, y_range: PLANE };
}

/**
 * A /network/train body. run: {weights, biases, seed, steps, recordEvery, hyper?, grid?} where `hyper`
 * overrides the optimizer settings (replaying a logged segment) and `grid` sets the pictures' detail.
 */
export function trainBody(settings, shape, run) {
  const hyper = run.hyper || settings;
  const output = outputFor(shape);
  const grid = run.grid ?? {};
  const features = featuresFor(settings, shape);
  // Only what differs from a plain run is sent, so a plain run's request stays as it always was.
  const extra = {
    ...(features ? { features } : {}),
    ...(shape.inputDim > 2 && shape.kind !== "regression" ? { report_confusion: true } : {}),
  };
  return {
    ...extra,
    layers: layersFor(settings, shape),
    activation: settings.act,
    output_activation: output.output_activation,
    loss: output.loss,
    weights: run.weights ?? null,
    biases: run.biases ?? null,
    seed: run.seed,
    dataset: datasetSpec(settings, shape),
    optimizer: hyper.opt,
    learning_rate: hyper.lr,
    batch_size: hyper.batch,
    steps: run.steps,
    record_every: run.recordEvery,
    regularization: hyper.reg,
    regularization_rate: hyper.rr,
    test_fraction: Number((1 - settings.train).toFixed(2)),
    grid: { ...grid, ...gridRanges(settings, shape) },
  };
}

/** A run segment's optimizer settings as one log entry [steps, lr, opt, batch, reg, rr, repeat]. */
export function segmentEntry(steps, settings) {
  return [steps, settings.lr, settings.opt, settings.batch, settings.reg, settings.rr, 1];
}

export function entryHyper(entry) {
  const [, lr, opt, batch, reg, rr] = entry;
  return { lr, opt, batch, reg, rr };
}

/** Append a segment to a run log, folding it into the last entry when both are identical. */
export function appendSegment(log, entry) {
  const last = log.at(-1);
  if (last && last.slice(0, 6).every((v, i) => v === entry[i])) {
    return [...log.slice(0, -1), [...last.slice(0, 6), last[6] + entry[6]]];
  }
  return [...log, entry];
}

/** Each segment of a log in order, with the repeats unfolded. */
export function* segments(log) {
  for (const entry of log) for (let i = 0; i < entry[6]; i++) yield entry;
}

export const totalSteps = (log) => log.reduce((sum, entry) => sum + entry[0] * entry[6], 0);

const totalSegments = (log) => log.reduce((sum, entry) => sum + entry[6], 0);

/** What opening a link may rebuild: segments replayed (one request each) and training steps in all. */
export const LINK_LIMITS = { segments: 200, steps: 100_000 };

/**
 * The longest start of `log` a link may replay within `limits`, and whether that is all of it:
 * {log, cut, asked: {segments, steps}}. Repeats are cut inside an entry, so nothing past the bound
 * is ever unfolded.
 */
export function boundRun(log, limits = LINK_LIMITS) {
  const asked = { segments: totalSegments(log), steps: totalSteps(log) };
  const kept = [];
  let segmentsLeft = limits.segments;
  let stepsLeft = limits.steps;
  for (const entry of log) {
    const [steps, , , , , , repeat] = entry;
    const fitting = Math.min(repeat, segmentsLeft, steps ? Math.floor(stepsLeft / steps) : repeat);
    if (fitting > 0) kept.push([...entry.slice(0, 6), fitting]);
    segmentsLeft -= fitting;
    stepsLeft -= steps * fitting;
    if (fitting < repeat) break;
  }
  const cut = asked.segments > totalSegments(kept);
  return { log: kept, cut, asked };
}

/**
 * The seed of the segment that starts at `step`: the network's seed for the first, then shifted so each
 * segment walks the training set in a fresh order (the test split depends on the data seed only).
 */
export const segmentSeed = (seed, step) => (seed + step) % 4294967296;
