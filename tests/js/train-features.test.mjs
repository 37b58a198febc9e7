// The training page's input features and real data in its request bodies: a plain run's body is what it
// always was; features, and the confusion matrix of many-input data, are sent only when they apply.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DEFAULT_FEATURES,
  featureSymbols,
  featuresFor,
  layersFor,
  trainBody,
  url,
} from "../../static/js/train/settings.js";

const SETTINGS = url.read("");
const PLANE = { kind: "binary", inputDim: 2, classes: 2 };
const RUN = { seed: 1, steps: 10, recordEvery: 10 };

test("the default features send the point itself, as before", () => {
  const settings = { ...SETTINGS, feat: [...DEFAULT_FEATURES].reverse() };
  assert.equal(featuresFor(settings, PLANE), null);
  const body = trainBody(settings, PLANE, RUN);
  assert.equal("features" in body, false);
  assert.equal("report_confusion" in body, false);
  assert.deepEqual(body.layers, [2, 4, 2, 1]);
  assert.equal(Object.keys(body)[0], "layers"); // the same body, key for key
});

test("chosen features go in the Playground's order and size the input layer", () => {
  const settings = { ...SETTINGS, feat: ["sin(x2)", "x1^2", "x1"] };
  const body = trainBody(settings, PLANE, RUN);
  assert.deepEqual(body.features, ["x1", "x1^2", "sin(x2)"]);
  assert.deepEqual(body.layers, [3, 4, 2, 1]);
  assert.deepEqual(featureSymbols(settings, PLANE), ["x₁", "x₁²", "sin x₂"]);
});

test("features apply to 2-D points only", () => {
  const settings = { ...SETTINGS, feat: ["x1^2"] };
  const sine = { kind: "regression", inputDim: 1, classes: 0 };
  assert.equal(featuresFor(settings, sine), null);
  assert.deepEqual(layersFor(settings, sine), [1, 4, 2, 1]);
});

test("digits come whole, with a confusion matrix and no features", () => {
  const digits = { kind: "multiclass", inputDim: 64, classes: 10, image: [8, 8] };
  const settings = { ...SETTINGS, data: "digits", feat: ["x1^2"], hidden: [8] };
  const body = trainBody(settings, digits, RUN);
  assert.equal(body.report_confusion, true);
  assert.equal("features" in body, false);
  assert.deepEqual(body.layers, [64, 8, 10]);
  assert.equal(body.dataset.n, 2000);
  assert.equal(body.loss, "cross_entropy");
});

test("a link's features are checked: known names, no repeats, at least one", () => {
  const read = (feat) => url.read(new URLSearchParams({ feat }).toString()).feat;
  assert.deepEqual(read('["x1^2","sin(x1)"]'), ["x1^2", "sin(x1)"]);
  assert.deepEqual(read('["x1","x1"]'), DEFAULT_FEATURES);
  assert.deepEqual(read('["__proto__"]'), DEFAULT_FEATURES);
  assert.deepEqual(read("[]"), DEFAULT_FEATURES);
});
