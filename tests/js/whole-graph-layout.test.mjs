// Laying out a pass's whole graph: columns follow the edges, leaves stand beside their consumers, boxes
// never overlap; the lit nodes and revealed numbers follow the player's step.
import assert from "node:assert/strict";
import { test } from "node:test";

import { layoutGraph, litNodes, nodeTitle, revealed } from "../../static/js/player/whole-graph-layout.js";

/** A two-layer, one-neuron-per-layer pass shaped as the server sends it (ops after their inputs). */
function chain() {
  const node = (id, kind, symbol, label, steps, extra = {}) => ({
    id,
    kind,
    op: symbol ? "op" : "leaf",
    symbol,
    label,
    steps,
    value: 0.5,
    grad: -0.25,
    value_step: null,
    grad_step: null,
    ...extra,
  });
  const nodes = [
    node("w1.0.0", "weight", "", "w₁₁⁽¹⁾", [1, 5], { grad_step: 5 }),
    node("b1.0", "bias", "", "b₁⁽¹⁾", [1, 5], { grad_step: 5 }),
    node("w2.0.0", "weight", "", "w₁₁⁽²⁾", [2, 4], { grad_step: 4 }),
    node("b2.0", "bias", "", "b₁⁽²⁾", [2, 4], { grad_step: 4 }),
    node("a0.0@0", "input", "", "x₁", [0], { value_step: 0, grad_step: 5 }),
    node("p1.0.0@0", "product", "×", "w₁₁⁽¹⁾·x₁", [1, 4], { value_step: 1, grad_step: 4 }),
    node("s1.0@0", "sum", "Σ", "Σₖ wₖ·aₖ", [1, 4], { value_step: 1, grad_step: 4 }),
    node("z1.0@0", "pre_activation", "+", "z₁⁽¹⁾", [1, 4], { value_step: 1, grad_step: 4 }),
    node("a1.0@0", "activation", "tanh", "a₁⁽¹⁾", [1, 4], { value_step: 1, grad_step: 4 }),
    node("p2.0.0@0", "product", "×", "w₁₁⁽²⁾·a₁⁽¹⁾", [2, 3], { value_step: 2, grad_step: 3 }),
    node("L", "loss", "mean", "L", [2, 3], { value_step: 2, grad_step: 3 }),
  ];
  const edge = (source, target, operand = 0) => ({ source, target, operand });
  const edges = [
    edge("w1.0.0", "p1.0.0@0"),
    edge("a0.0@0", "p1.0.0@0", 1),
    edge("p1.0.0@0", "s1.0@0"),
    edge("s1.0@0", "z1.0@0"),
    edge("b1.0", "z1.0@0", 1),
    edge("z1.0@0", "a1.0@0"),
    edge("w2.0.0", "p2.0.0@0"),
    edge("a1.0@0", "p2.0.0@0", 1),
    edge("p2.0.0@0", "L"),
  ];
  return { nodes, edges, output: "L", batch: 1, diverged: false };
}

test("every edge runs left to right, and a leaf stands one column before its consumer", () => {
  const graph = chain();
  const { position } = layoutGraph(graph);
  for (const { source, target } of graph.edges) {
    const from = position.get(source);
    const to = position.get(target);
    assert.ok(from.x + from.w < to.x, `${source} → ${target}`);
  }
  // w⁽²⁾ shares the activations' column, not the inputs'
  assert.equal(position.get("w2.0.0").x, position.get("a1.0@0").x);
  assert.equal(position.get("b1.0").x, position.get("s1.0@0").x);
  assert.equal(position.get("w1.0.0").x, position.get("a0.0@0").x);
});

test("no two boxes overlap and the drawing holds them all", () => {
  const graph = chain();
  const { position, width, height } = layoutGraph(graph);
  const boxes = [...position.values()];
  for (const [i, a] of boxes.entries())
    for (const b of boxes.slice(i + 1)) {
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      assert.ok(apart, JSON.stringify([a, b]));
    }
  for (const box of boxes) assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.w <= width && box.y + box.h <= height);
});

test("the lit nodes are those of the frame's steps", () => {
  const graph = chain();
  assert.deepEqual([...litNodes(graph, [{ index: 0 }])], ["a0.0@0"]);
  assert.deepEqual([...litNodes(graph, [{ index: 3 }])].sort(), ["L", "p2.0.0@0"]);
  assert.equal(litNodes(graph, [{ index: 1 }, { index: 2 }]).size, 10);
  assert.equal(litNodes(graph, []).size, 0);
});

test("a number shows from the step that computes it; a weight's value from the start", () => {
  const [weight, , , , input] = chain().nodes;
  assert.deepEqual(revealed(weight, 0), { value: true, grad: false });
  assert.deepEqual(revealed(weight, 5), { value: true, grad: true });
  assert.deepEqual(revealed(input, 0), { value: true, grad: false });
  assert.deepEqual(revealed({ ...input, value_step: 2 }, 1), { value: false, grad: false });
  assert.deepEqual(revealed({ ...input, grad_step: null }, 99), { value: true, grad: false });
});

test("a box's title writes the op and what it holds, once", () => {
  const nodes = chain().nodes;
  assert.equal(nodeTitle(nodes[0]), "w₁₁⁽¹⁾");
  assert.equal(nodeTitle(nodes[5]), "×  w₁₁⁽¹⁾·x₁");
  assert.equal(nodeTitle(nodes[6]), "Σₖ wₖ·aₖ");
  assert.equal(nodeTitle({ ...nodes[5], sample: 1 }, 2), "×  w₁₁⁽¹⁾·x₁ [2]"); // samples of a batch told apart
  assert.equal(nodeTitle({ ...nodes[0], sample: null }, 2), "w₁₁⁽¹⁾"); // a weight is every sample's
});
