// The playground's URL table: a link reproduces a view, and a crafted link can only produce a valid one.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fromUrl, state, toUrl } from "../../static/js/pages/playground-state.js";
import { DEFAULT_MODEL } from "../../static/js/player/model.js";

const view = (model = DEFAULT_MODEL) => ({
  model: { ...model },
  step: 0,
  granularity: "neuron",
  speed: 1,
  numbers: true,
  selected: null,
});

test("the default view has an empty hash", () => {
  assert.equal(state.encode(toUrl(view())), "");
});

test("a changed view round-trips through its hash", () => {
  const model = {
    ...DEFAULT_MODEL,
    layers: [2, 4, 4, 3],
    activation: ["relu", "leaky_relu"],
    outputActivation: "identity",
    loss: "cross_entropy",
    seed: 4294967295,
    learningRate: 0.001,
    inputs: [
      [1e-7, -2],
      [0, 3],
    ],
    targets: [
      [0, 0, 1],
      [1, 0, 0],
    ],
    sample: 1,
  };
  const url = toUrl({
    model,
    step: 12,
    granularity: "layer",
    speed: 0.25,
    numbers: false,
    selected: "2-3",
    wholeGraph: true,
  });
  const read = state.read(`#${state.encode(url)}`);
  assert.deepEqual(read, url);
});

test("crafted values each fall back to their default", () => {
  const hash = new URLSearchParams({
    layers: "[2]",
    act: '["tanh","<script>"]',
    out: "softmax",
    loss: "hinge",
    seed: "4294967296",
    init: "zeros",
    x: '[[1,"2"]]',
    y: "[[NaN]]",
    lr: "101",
    s: "-1",
    step: "1.5",
    g: "epoch",
    speed: "3",
    num: "maybe",
    sel: "1-2><img>",
  }).toString();
  const read = state.read(`#${hash}`);
  assert.deepEqual(read.layers, DEFAULT_MODEL.layers);
  assert.deepEqual(read.act, DEFAULT_MODEL.activation);
  assert.equal(read.out, DEFAULT_MODEL.outputActivation);
  assert.equal(read.loss, DEFAULT_MODEL.loss);
  assert.equal(read.seed, DEFAULT_MODEL.seed);
  assert.equal(read.init, DEFAULT_MODEL.init);
  assert.deepEqual(read.x, DEFAULT_MODEL.inputs);
  assert.deepEqual(read.y, DEFAULT_MODEL.targets);
  assert.equal(read.lr, DEFAULT_MODEL.learningRate);
  assert.equal(read.s, 0);
  assert.equal(read.step, 0);
  assert.equal(read.g, "neuron");
  assert.equal(read.speed, 1);
  assert.equal(read.num, true);
  assert.equal(read.sel, "");
});

test("layer sizes must be 2 to 64 positive integers", () => {
  assert.deepEqual(state.read("#layers=[3,1]").layers, [3, 1]);
  assert.deepEqual(state.read("#layers=[3,0,1]").layers, DEFAULT_MODEL.layers);
  assert.deepEqual(state.read(`#layers=${JSON.stringify(Array(65).fill(1))}`).layers, DEFAULT_MODEL.layers);
  assert.deepEqual(state.read("#layers={}").layers, DEFAULT_MODEL.layers);
});

test("weights accept a list of finite-number matrices and nothing else", () => {
  assert.deepEqual(state.read("#w=[[[0.5,-1]]]").w, [[[0.5, -1]]]);
  assert.equal(state.read('#w=[[["0.5"]]]').w, null);
  assert.equal(state.read("#w=[[[1e999]]]").w, null);
  assert.equal(state.read("#w=1").w, null);
});

test("a pinned neuron's id goes as written when it is made of an id's characters; what it names is the trace's", () => {
  assert.equal(state.read("#sel=1-2").sel, "1-2");
  assert.equal(state.read("#sel=120-4").sel, "120-4"); // no such layer: the player unpins it once traced
  for (const bad of ["1-2>L", "a-1", "1_2", "1-2-3-4-5-6-7-8-9"]) assert.equal(state.read(`#sel=${bad}`).sel, "", bad);
});

test("the Whole graph panel opens from a link with wg=1; a link from before it keeps it closed", () => {
  assert.equal(fromUrl("#step=3&wg=1").wholeGraph, true);
  assert.equal(fromUrl("#step=3").wholeGraph, false);
  assert.equal(fromUrl("#wg=maybe").wholeGraph, false);
});
