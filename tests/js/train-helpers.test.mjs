// The training page's pure helpers: its URL table and request bodies, run logs, colour domains, and the
// "pause and explain" link that must open the step player on the same network.
import assert from "node:assert/strict";
import { test } from "node:test";

import { state as playerUrl } from "../../static/js/pages/playground-state.js";
import { explainLink, pickSample } from "../../static/js/train/explain.js";
import { domainFor } from "../../static/js/train/palette.js";
import {
  LINK_LIMITS,
  appendSegment,
  boundRun,
  outputFor,
  segmentEntry,
  segmentSeed,
  segments,
  totalSteps,
  trainBody,
  url,
} from "../../static/js/train/settings.js";

const MODEL = {
  layers: [2, 3, 1],
  activations: ["relu", "sigmoid"],
  loss: "bce",
  seed: 7,
  weights: [
    [
      [0.123456789, -2],
      [1e-9, 3],
      [NaN, 4],
    ],
    [[1, 2, 3]],
  ],
  biases: [[0, 0, 0], [0.5]],
  learningRate: 0.03,
  sample: { input: [1.5, -0.25], target: [1] },
};

test("the explain link opens the player on the same network, with weights to six significant digits", () => {
  const link = explainLink(MODEL);
  assert.ok(link.startsWith("/#"));
  const read = playerUrl.read(link.slice(1));
  assert.deepEqual(read.layers, [2, 3, 1]);
  assert.deepEqual(read.act, ["relu"]);
  assert.equal(read.out, "sigmoid");
  assert.equal(read.loss, "bce");
  assert.equal(read.seed, 7);
  assert.deepEqual(read.w, [
    [
      [0.123457, -2],
      [1e-9, 3],
      [0, 4],
    ],
    [[1, 2, 3]],
  ]);
  assert.deepEqual(read.x, [[1.5, -0.25]]);
  assert.deepEqual(read.y, [[1]]);
  assert.equal(read.lr, 0.03);
  assert.equal(read.s, 0);
});

test("pickSample takes the first training point, or nothing from an empty set", () => {
  assert.deepEqual(pickSample({ train: { points: [[1, 2]], targets: [[0]], labels: [0] } }), {
    input: [1, 2],
    target: [0],
    label: 0,
  });
  assert.equal(pickSample({ train: { points: [] } }), null);
  assert.equal(pickSample(undefined), null);
});

test("colour domains: fixed for sigmoid and tanh, else the largest finite magnitude rounded up", () => {
  assert.deepEqual(domainFor("sigmoid", [[9]]), [0, 0.5, 1]);
  assert.deepEqual(domainFor("tanh", [[9]]), [-1, 0, 1]);
  assert.deepEqual(domainFor("relu", [[0.5, -1.96]]), [-2, 0, 2]);
  assert.deepEqual(domainFor("relu", [[2.04]]), [-2.04, 0, 2.04]);
  assert.deepEqual(domainFor("relu", [[NaN, Infinity, 0.3]]), [-0.3, 0, 0.3]);
  assert.deepEqual(domainFor("identity", []), [-1, 0, 1]);
  assert.deepEqual(domainFor("identity", [3], 5), [-5, 0, 5]);
});

test("the training URL reads its defaults, and crafted values fall back", () => {
  const defaults = url.read("");
  assert.equal(defaults.data, "circle");
  assert.deepEqual(defaults.hidden, [4, 2]);
  const crafted = url.read('#data=evil&lr=0&hidden=[9]&batch=31&run=[[1,0.1,"sgd",10,"none",0,0]]&pts=[[1,2,3,4]]');
  assert.equal(crafted.data, "circle");
  assert.equal(crafted.lr, 0.03);
  assert.deepEqual(crafted.hidden, [4, 2]);
  assert.equal(crafted.batch, 10);
  assert.equal(crafted.run, null);
  assert.equal(crafted.pts, null);
});

test("the output layer follows the data's kind", () => {
  assert.deepEqual(outputFor({ kind: "binary" }), { units: 1, output_activation: "sigmoid", loss: "bce" });
  assert.deepEqual(outputFor({ kind: "multiclass", classes: 3 }), {
    units: 3,
    output_activation: "identity",
    loss: "cross_entropy",
  });
  assert.deepEqual(outputFor({ kind: "regression" }), { units: 1, output_activation: "identity", loss: "mse" });
});

test("a train body for built-in data names the set; for drawn points it carries them", () => {
  const settings = url.read("#train=0.7&hidden=[3]");
  const body = trainBody(settings, { kind: "binary", inputDim: 2, classes: 2 }, { seed: 5, steps: 10, recordEvery: 5 });
  assert.deepEqual(body.layers, [2, 3, 1]);
  assert.deepEqual(body.dataset, { name: "circle", n: 300, noise: 0.05, seed: 1 });
  assert.equal(body.test_fraction, 0.3);
  assert.deepEqual(body.grid, { x_range: [-1.5, 1.5], y_range: [-1.5, 1.5] });
  const drawn = url.read("#data=custom&pk=regression&pts=[[0.5,1],[2,3]]");
  const custom = trainBody(
    drawn,
    { kind: "regression", inputDim: 1, classes: 0 },
    { seed: 1, steps: 1, recordEvery: 1 },
  );
  assert.deepEqual(custom.dataset, { points: [[0.5], [2]], targets: [1, 3], seed: 1 });
  assert.deepEqual(custom.grid, {});
});

test("run logs fold identical segments, unfold in order, and count their steps", () => {
  const settings = url.read("");
  const a = segmentEntry(20, settings);
  const b = segmentEntry(20, { ...settings, lr: 0.1 });
  let log = appendSegment([], a);
  log = appendSegment(log, a);
  log = appendSegment(log, b);
  assert.deepEqual(
    log.map((entry) => entry[6]),
    [2, 1],
  );
  assert.equal([...segments(log)].length, 3);
  assert.equal(totalSteps(log), 60);
});

test("a link's run is cut at the link limits, inside an entry if need be", () => {
  const entry = [1000, 0.03, "sgd", 10, "none", 0, 500];
  const bounded = boundRun([entry]);
  assert.equal(bounded.cut, true);
  assert.deepEqual(bounded.asked, { segments: 500, steps: 500000 });
  assert.equal(totalSteps(bounded.log), LINK_LIMITS.steps);
  const small = boundRun([[10, 0.03, "sgd", 10, "none", 0, 3]]);
  assert.equal(small.cut, false);
  assert.equal(totalSteps(small.log), 30);
  const zeroSteps = boundRun([[0, 0.03, "sgd", 10, "none", 0, 1000]]);
  assert.equal(zeroSteps.log[0][6], LINK_LIMITS.segments);
});

test("segment seeds wrap at 2³²", () => {
  assert.equal(segmentSeed(1, 10), 11);
  assert.equal(segmentSeed(4294967295, 1), 0);
});

test("the explain link carries the network's input features, and none without them", () => {
  const features = ["x1", "x2", "x1^2"];
  const read = playerUrl.read(explainLink({ ...MODEL, layers: [3, 3, 1], features }).slice(1));
  assert.deepEqual(read.feat, features);
  assert.deepEqual(read.x, [[1.5, -0.25]]);
  assert.equal(playerUrl.read(explainLink(MODEL).slice(1)).feat, null);
});
