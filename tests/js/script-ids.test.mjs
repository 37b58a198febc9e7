// What a trace script's ids name is read from the script's own lists, not parsed from the ids.
import assert from "node:assert/strict";
import { test } from "node:test";

import { scriptIndex } from "../../static/js/player/script-ids.js";

// A 2-1 network's script as the server writes it (app/tracing/contract.py), trimmed to what the index reads.
const SCRIPT = {
  layers: [
    { index: 0, nodes: ["0-0", "0-1"] },
    { index: 1, nodes: ["1-0"] },
  ],
  steps: [
    { kind: "input", layer: 0, neuron: null, edges: [] },
    { kind: "neuron_forward", layer: 1, neuron: 0, edges: ["0-0>1-0", "0-1>1-0"] },
    { kind: "loss", layer: 1, neuron: null, edges: ["1-0>L"] },
    { kind: "hidden_delta", layer: 1, neuron: 0, edges: ["1-0>2-0"] }, // only forward steps name weights
  ],
};

test("a node id names the neuron at its place in its layer's list", () => {
  const index = scriptIndex(SCRIPT);
  assert.deepEqual(index.node("0-1"), { layer: 0, index: 1 });
  assert.deepEqual(index.node("1-0"), { layer: 1, index: 0 });
});

test("an edge id names the weight of the forward step that lists it, or an output's edge to the loss", () => {
  const index = scriptIndex(SCRIPT);
  assert.deepEqual(index.edge("0-1>1-0"), { layer: 1, to: 0, from: 1 });
  assert.deepEqual(index.edge("1-0>L"), { loss: true, layer: 1, index: 0 });
});

test("ids the script does not hold name nothing, however they look", () => {
  const index = scriptIndex(SCRIPT);
  for (const id of ["", "1-1", "2-0", "0-0>1-1", "1-0>2-0", "L", "0-1\n", null, undefined, "__proto__"]) {
    assert.equal(index.node(id), null, `node ${JSON.stringify(id)}`);
    assert.equal(index.edge(id), null, `edge ${JSON.stringify(id)}`);
  }
});

test("ids are named by the script that holds them: another script's lists give other answers", () => {
  const renamed = structuredClone(SCRIPT);
  renamed.layers[0].nodes = ["in-a", "in-b"];
  assert.deepEqual(scriptIndex(renamed).node("in-b"), { layer: 0, index: 1 });
  assert.equal(scriptIndex(renamed).node("0-1"), null);
  assert.deepEqual(scriptIndex(SCRIPT).node("0-1"), { layer: 0, index: 1 });
});
