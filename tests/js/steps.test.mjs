// Reading a trace's steps: element ids, when each number appears, and how steps group into frames.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  buildFrames,
  edgeId,
  frameSteps,
  indexTrace,
  lossEdgeId,
  nextStop,
  nodeId,
  previousStop,
} from "../../static/js/player/steps.js";

test("node and edge ids are written as the server writes them", () => {
  assert.equal(nodeId(3, 12), "3-12");
  assert.equal(edgeId(2, 4, 1), "1-1>2-4");
  assert.equal(lossEdgeId(3, 0), "3-0>L");
});

// A 2-1 network's trace: inputs, one neuron forward, the loss, its delta, its weight gradients, its update.
const TRACE = {
  layers: [{ size: 2 }, { size: 1 }],
  steps: [
    { index: 0, kind: "input", phase: "forward", layer: 0, neuron: null, nodes: ["0-0", "0-1"] },
    { index: 1, kind: "neuron_forward", phase: "forward", layer: 1, neuron: 0 },
    { index: 2, kind: "loss", phase: "loss", layer: 1, neuron: null },
    { index: 3, kind: "output_delta", phase: "backward", layer: 1, neuron: 0 },
    { index: 4, kind: "weight_grads", phase: "backward", layer: 1, neuron: 0 },
    { index: 5, kind: "update", phase: "update", layer: 1, neuron: 0 },
  ],
};

test("indexTrace finds the step that first shows each number", () => {
  const info = indexTrace(TRACE);
  assert.deepEqual(info.sizes, [2, 1]);
  assert.equal(info.depth, 1);
  assert.equal(info.valueAt("0-1"), 0);
  assert.equal(info.valueAt("1-0"), 1);
  assert.equal(info.valueAt("L"), 2);
  assert.equal(info.lossAt, 2);
  assert.equal(info.deltaAt("1-0"), 3);
  assert.equal(info.gradAt("1-0"), 4);
  assert.equal(info.updateAt("1-0"), 5);
  assert.equal(info.stepsOf("1-0").update, TRACE.steps[5]);
  assert.deepEqual(info.stepsOf("0-0"), {});
});

test("a number no step shows is never reached", () => {
  const info = indexTrace(TRACE);
  assert.equal(info.deltaAt("0-0"), Infinity);
  assert.equal(info.valueAt("9-9"), Infinity);
  assert.equal(indexTrace({ layers: [{ size: 1 }], steps: [] }).lossAt, Infinity);
});

test("frames: one per step, per run of phase and layer, or per phase", () => {
  const spans = (granularity) => buildFrames(TRACE.steps, granularity).frames.map((f) => [f.start, f.end]);
  assert.deepEqual(spans("neuron"), [
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
    [5, 5],
  ]);
  assert.deepEqual(spans("layer"), [
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 4],
    [5, 5],
  ]);
  assert.deepEqual(spans("phase"), [
    [0, 1],
    [2, 2],
    [3, 4],
    [5, 5],
  ]);
  assert.deepEqual([...buildFrames(TRACE.steps, "phase").frameOf], [0, 0, 1, 2, 2, 3]);
});

test("next goes to the end of the current frame, then to the end of the next; it stops at the last step", () => {
  const frames = buildFrames(TRACE.steps, "phase");
  assert.equal(nextStop(frames, 0), 1);
  assert.equal(nextStop(frames, 1), 2);
  assert.equal(nextStop(frames, 2), 4);
  assert.equal(nextStop(frames, 3), 4);
  assert.equal(nextStop(frames, 5), 5);
});

test("previous goes to the end of the frame before, and never below 0", () => {
  const frames = buildFrames(TRACE.steps, "phase");
  assert.equal(previousStop(frames, 5), 4);
  assert.equal(previousStop(frames, 4), 2);
  assert.equal(previousStop(frames, 3), 2);
  assert.equal(previousStop(frames, 1), 0);
  assert.equal(previousStop(frames, 0), 0);
  assert.equal(previousStop(frames, -3), 0);
});

test("an empty trace has no frames, and every control stays at step 0", () => {
  const frames = buildFrames([], "layer");
  assert.deepEqual(frames.frames, []);
  assert.equal(nextStop(frames, 0), 0);
  assert.equal(previousStop(frames, 0), 0);
  assert.deepEqual(frameSteps({ steps: [] }, frames, 0), []);
});

test("frameSteps gives the steps of the frame up to the current one", () => {
  const frames = buildFrames(TRACE.steps, "phase");
  assert.deepEqual(
    frameSteps(TRACE, frames, 4).map((s) => s.index),
    [3, 4],
  );
  assert.deepEqual(
    frameSteps(TRACE, frames, 3).map((s) => s.index),
    [3],
  );
});
