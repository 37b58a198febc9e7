// The player's model: whatever a URL, a file or a caller hands over, normalizeModel() returns a valid,
// self-consistent network; the spec helpers translate between the player's names and the API's.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DEFAULT_MODEL,
  firstTraceRequest,
  modelFromExport,
  networkSpec,
  normalizeModel,
  specToModel,
  traceRequest,
  withTraceWeights,
} from "../../static/js/player/model.js";

test("garbage in gives the default model", () => {
  for (const input of [null, undefined, 42, "net", [], {}]) {
    assert.deepEqual(normalizeModel(input), { ...DEFAULT_MODEL });
  }
});

test("layer sizes go as asked, past the caps too (the server refuses them); only what is not a size falls back", () => {
  assert.deepEqual(normalizeModel({ layers: [2, 100, 1] }, { max_layers: 10, max_neurons: 64 }).layers, [2, 100, 1]);
  assert.deepEqual(normalizeModel({ layers: Array(12).fill(2) }).layers, Array(12).fill(2));
  for (const layers of [[2, 2.5, 1], [3], [0, 3, 1], [2, -3, 1]])
    assert.deepEqual(normalizeModel({ layers }).layers, DEFAULT_MODEL.layers, JSON.stringify(layers));
});

test("rows are fitted to the input layer only when the server could trace it", () => {
  const caps = { max_neurons: 64 };
  assert.deepEqual(normalizeModel({ layers: [3, 1], loss: "mse", inputs: [[1]] }, caps).inputs, [[1, 0.5, 0.5]]);
  assert.deepEqual(normalizeModel({ layers: [100, 1], loss: "mse", inputs: [[1]] }, caps).inputs, [[1]]);
  assert.equal(normalizeModel({ layers: [100, 1], loss: "mse", inputs: [[1]] }).inputs[0].length, 100);
  assert.deepEqual(normalizeModel({ layers: [5e6, 1], loss: "mse", inputs: [[1]] }).inputs, [[1]]);
});

test("a batch is kept whole: the server's max_batch decides", () => {
  const inputs = Array.from({ length: 200 }, (_, n) => [n, 0]);
  assert.equal(normalizeModel({ layers: [2, 1], loss: "mse", inputs }).inputs.length, 200);
});

test("one activation per hidden layer: a single name repeats, the last given fills the rest, unknowns read tanh", () => {
  assert.deepEqual(normalizeModel({ layers: [2, 3, 3, 3, 1], activation: "relu" }).activation, [
    "relu",
    "relu",
    "relu",
  ]);
  assert.deepEqual(normalizeModel({ layers: [2, 3, 3, 3, 1], activation: ["relu", "sigmoid"] }).activation, [
    "relu",
    "sigmoid",
    "sigmoid",
  ]);
  assert.deepEqual(normalizeModel({ layers: [2, 3, 1], activation: ["softmax"] }).activation, ["tanh"]);
  assert.deepEqual(normalizeModel({ layers: [2, 1], activation: "relu" }).activation, []);
});

test("the output activation goes as asked whatever the loss; unset, it is the one the loss takes", () => {
  assert.equal(normalizeModel({ loss: "bce", outputActivation: "relu" }).outputActivation, "relu");
  const ce = normalizeModel({ layers: [2, 3, 1], loss: "cross_entropy", outputActivation: "sigmoid" });
  assert.equal(ce.outputActivation, "sigmoid");
  assert.deepEqual(ce.layers, [2, 3, 1]);
  assert.equal(normalizeModel({ layers: [2, 3], loss: "cross_entropy" }).outputActivation, "identity");
  assert.equal(normalizeModel({ loss: "bce" }).outputActivation, "sigmoid");
  assert.equal(normalizeModel({ loss: "mse", outputActivation: "relu" }).outputActivation, "relu");
});

test("inputs are padded, cut and clipped to the input layer; non-numbers become 0.5", () => {
  const model = normalizeModel({ layers: [3, 1], loss: "mse", inputs: [[1, "x"], [NaN, Infinity, 2, 9], [-1e9]] });
  assert.deepEqual(model.inputs, [
    [1, 0.5, 0.5],
    [0.5, 0.5, 2],
    [-1e6, 0.5, 0.5],
  ]);
});

test("targets go as given (the server checks them against the loss); missing ones are filled", () => {
  const bce = normalizeModel({
    loss: "bce",
    inputs: [
      [0, 0],
      [1, 1],
    ],
    targets: [[3], [-0.5]],
  });
  assert.deepEqual(bce.targets, [[3], [-0.5]]);
  const ce = normalizeModel({ layers: [2, 3], loss: "cross_entropy", inputs: [[0, 0]], targets: [[0.1, 0.7, 0.2]] });
  assert.deepEqual(ce.targets, [[0.1, 0.7, 0.2]]);
  const missing = normalizeModel({
    loss: "mse",
    layers: [2, 2],
    inputs: [
      [0, 0],
      [1, 1],
    ],
    targets: [[5, 6]],
  });
  assert.deepEqual(missing.targets, [
    [5, 6],
    [1, 1],
  ]);
});

test("weights are kept only when every matrix has its layers' shape; biases only with weights", () => {
  const weights = [[[0.1, 0.2]], [[0.3]]];
  const biases = [[0], [0]];
  const fit = normalizeModel({ layers: [2, 1, 1], weights, biases });
  assert.deepEqual(fit.weights, weights);
  assert.deepEqual(fit.biases, biases);
  assert.equal(normalizeModel({ layers: [2, 1, 1], weights: [[[0.1]], [[0.3]]], biases }).weights, null);
  assert.equal(normalizeModel({ layers: [2, 1, 1], weights: [[[0.1, NaN]], [[0.3]]] }).weights, null);
  assert.equal(normalizeModel({ layers: [2, 1, 1], biases }).biases, null);
  assert.equal(normalizeModel({ layers: [2, 1, 1], weights, biases: [[0]] }).biases, null);
});

test("seed and sample stay inside their ranges; a learning rate must be a number ≥ 0", () => {
  assert.equal(normalizeModel({ seed: -5 }).seed, 0);
  assert.equal(normalizeModel({ seed: 2 ** 40 }).seed, 2 ** 32 - 1);
  assert.equal(normalizeModel({ seed: 1.5 }).seed, DEFAULT_MODEL.seed);
  assert.equal(normalizeModel({ learningRate: 1e-7 }).learningRate, 1e-7);
  assert.equal(normalizeModel({ learningRate: -0.1 }).learningRate, DEFAULT_MODEL.learningRate);
  assert.equal(normalizeModel({ learningRate: NaN }).learningRate, DEFAULT_MODEL.learningRate);
  assert.equal(normalizeModel({ learningRate: 101 }).learningRate, 101, "the server sets no upper bound");
  assert.equal(
    normalizeModel({
      inputs: [
        [0, 0],
        [1, 1],
      ],
      sample: 9,
    }).sample,
    1,
  );
});

test("a normalized model normalizes to itself", () => {
  const once = normalizeModel({ layers: [3, 5, 2], activation: "relu", loss: "cross_entropy", inputs: [[1, 2, 3]] });
  assert.deepEqual(normalizeModel(once), once);
});

test("specToModel reads the API's names and the player's, the network block first", () => {
  const model = specToModel({
    network: { layers: [2, 2], output_activation: "identity", loss: "mse" },
    layers: [9, 9],
    learning_rate: 0.1,
    inputs: [[1, 2]],
  });
  assert.deepEqual(model, {
    layers: [2, 2],
    outputActivation: "identity",
    loss: "mse",
    inputs: [[1, 2]],
    learningRate: 0.1,
  });
  assert.deepEqual(specToModel(), {});
});

test("traceRequest speaks the API's names; weights go only when the model has them", () => {
  const body = traceRequest(normalizeModel({ layers: [2, 1], loss: "mse", outputActivation: "identity" }));
  assert.deepEqual(body, {
    layers: [2, 1],
    activation: "tanh",
    output_activation: "identity",
    loss: "mse",
    seed: 1,
    init: "auto",
    inputs: [[1, 0.5]],
    targets: [[1]],
    learning_rate: 0.5,
    sample: 0,
    include_neuron_graphs: true,
  });
  const weighted = traceRequest({ ...DEFAULT_MODEL, weights: [[[1, 2]]], biases: [[0]] }, { graphs: false });
  assert.deepEqual(weighted.weights, [[[1, 2]]]);
  assert.equal(weighted.include_neuron_graphs, false);
});

test("the first trace asks for neuron graphs only past step 0 or with a neuron pinned", () => {
  assert.equal(firstTraceRequest(DEFAULT_MODEL).include_neuron_graphs, false);
  assert.equal(firstTraceRequest(DEFAULT_MODEL, { step: 3 }).include_neuron_graphs, true);
  assert.equal(firstTraceRequest(DEFAULT_MODEL, { selected: "1-0" }).include_neuron_graphs, true);
});

const TRACE = {
  params: [
    { weight: [[1, 2]], bias: [0.5], updated_weight: [[0.9, 1.9]], updated_bias: [0.4] },
    { weight: [[3]], bias: [-1], updated_weight: [[2.9]], updated_bias: [-1.1] },
  ],
};

test("withTraceWeights copies the trace's weights, current or updated, into a new model", () => {
  const model = normalizeModel({ layers: [2, 1, 1] });
  const current = withTraceWeights(model, TRACE);
  assert.deepEqual(current.weights, [[[1, 2]], [[3]]]);
  assert.deepEqual(current.biases, [[0.5], [-1]]);
  assert.deepEqual(withTraceWeights(model, TRACE, "updated").biases, [[0.4], [-1.1]]);
  current.weights[0][0][0] = 99;
  assert.equal(TRACE.params[0].weight[0][0], 1, "editing the copy leaves the trace alone");
});

test("networkSpec takes the trace's weights when there is a trace, the model's otherwise", () => {
  const model = { ...normalizeModel({ layers: [2, 1, 1] }), weights: [[[7, 7]], [[7]]], biases: [[7], [7]] };
  assert.deepEqual(networkSpec(model, TRACE).weights, [[[1, 2]], [[3]]]);
  assert.deepEqual(networkSpec(model, null).weights, [[[7, 7]], [[7]]]);
  assert.equal(networkSpec({ ...model, activation: [] }, null).activation, "tanh");
});

test("modelFromExport reads an exported file and refuses anything else with a reason", () => {
  const file = {
    format: "backprop-lab/network",
    network: { layers: [2, 3, 3, 1], activation: "relu", output_activation: "sigmoid", loss: "bce", seed: 3 },
    inputs: [[1, 2]],
    targets: [[1]],
    learning_rate: 0.1,
  };
  const model = modelFromExport(file);
  assert.deepEqual(model.activation, ["relu", "relu"]);
  assert.equal(model.learningRate, 0.1);
  assert.throws(() => modelFromExport(null), /not a JSON object/);
  assert.throws(() => modelFromExport([]), /not a JSON object/);
  assert.throws(() => modelFromExport({ ...file, format: "other" }), /format/);
  assert.throws(() => modelFromExport({ ...file, network: { layers: [2] } }), /layer sizes/);
  assert.throws(() => modelFromExport({ ...file, network: { ...file.network, weights: [["1"]] } }), /weights/);
  assert.throws(() => modelFromExport({ ...file, inputs: "1,2" }), /inputs/);
});

test("input features travel to the trace request, with each sample the point they are computed from", () => {
  const model = normalizeModel({
    layers: [3, 2, 1],
    features: ["x1^2", "sin(x2)", "x1*x2"],
    inputs: [[0.5], [1, -2, 7]],
  });
  assert.deepEqual(model.features, ["x1^2", "sin(x2)", "x1*x2"]);
  assert.deepEqual(model.inputs, [
    [0.5, 0.5],
    [1, -2],
  ]);
  assert.deepEqual(traceRequest(model).features, ["x1^2", "sin(x2)", "x1*x2"]);
  assert.deepEqual(specToModel({ features: ["x1"] }).features, ["x1"]);
  const plain = normalizeModel({ layers: [3, 2, 1], features: [], inputs: [[1, 2, 3]] });
  assert.equal(plain.features, null);
  assert.equal("features" in traceRequest(plain), false);
  for (const bad of ["x1", [1, 2], ["x1", ""], [["x1"]]]) {
    assert.equal(normalizeModel({ features: bad }).features, null);
  }
});

test("a feature list past the server's caps is sent as asked: the server's 422 names the cap", () => {
  const many = Array(17).fill("x1");
  assert.deepEqual(
    traceRequest(normalizeModel({ layers: [17, 1], features: many }, { max_features: 16 })).features,
    many,
  );
  const long = ["x1 + ".repeat(100) + "x2"];
  assert.deepEqual(normalizeModel({ layers: [1, 1], features: long }).features, long);
});
