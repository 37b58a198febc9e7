// "Pause and explain": the step player (/) opened on this network, its current weights and one training
// sample. The player keeps its state in the hash of /; this is the one place that knows its names.

const round = (v) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : 0);
const roundAll = (value) => (Array.isArray(value) ? value.map(roundAll) : round(value));

/** The sample the player should trace: the first training point, its input and its target row. */
export function pickSample(dataset) {
  const train = dataset?.train;
  if (!train?.points?.length) return null;
  return { input: train.points[0], target: train.targets[0], label: train.labels?.[0] ?? null };
}

/**
 * The link to the player, in the names of its URL table (static/js/pages/playground-state.js). model: {layers,
 * activations (per connection), loss, weights, biases, learningRate, seed, sample: {input, target}, and
 * features (null for the point itself; with features, the sample's input is the point they come from)}.
 */
export function explainLink(model) {
  const params = new URLSearchParams();
  params.set("layers", JSON.stringify(model.layers));
  params.set("act", JSON.stringify(model.activations.slice(0, -1)));
  params.set("out", model.activations.at(-1));
  params.set("loss", model.loss);
  params.set("seed", String(model.seed));
  params.set("w", JSON.stringify(roundAll(model.weights)));
  params.set("b", JSON.stringify(roundAll(model.biases)));
  params.set("x", JSON.stringify([roundAll(model.sample.input)]));
  params.set("y", JSON.stringify([roundAll(model.sample.target)]));
  params.set("lr", String(model.learningRate));
  params.set("s", "0");
  if (model.features) params.set("feat", JSON.stringify(model.features));
  return `/#${params.toString()}`;
}
