// Trace contract v2 for the player: POST /api/v2/network/trace answers a pass's numbers and the id of its
// script (the steps, ids and formula templates of a network shape). Scripts are kept in memory by id, and the
// id of each shape's script is remembered across visits, so a page opened again asks for numbers only and
// reads the script with GET /api/v2/trace-scripts/{id}, which the browser's HTTP cache answers (immutable).
//
// passFrom(script, numbers) is the one place that reads a trace: it gives the diagram, narration, tooltips,
// legend and op graph the pass in the shape they draw (layers, params, steps with their formulas written by
// trace-render.js, neuron op graphs), and the facts other modules need (loss name, learning rate and its
// symbol, which step computes the loss, the symbol of each weight and bias). Nothing here computes a value:
// every number is one the server sent, put where the views look for it.

import { ApiError, api } from "../core/api.js";
import { biasSymbol, TraceRenderer, weightSymbol, zSymbol } from "../core/trace-render.js";
import { knownScriptId, remember, scriptIndex, shapeKey } from "./script-ids.js";

/** Asks for passes and keeps their scripts. One per player. */
export function createTraceClient(client = api) {
  const scripts = new Map();

  async function heldScript(id, signal) {
    if (!scripts.has(id)) scripts.set(id, await client.traceScript(id, { signal }));
    return scripts.get(id);
  }

  async function ask(body, known, signal) {
    return client.traceV2({ ...body, known_script_id: known }, { signal });
  }

  /**
   * One pass, { script, numbers }, for a request body (contract v2's field names). `answer` is a promise of
   * the answer to the same body already asked for (the page's early request).
   */
  async function fetchPass(body, { signal, answer = null } = {}) {
    const key = shapeKey(body);
    let result = await (answer ?? ask(body, knownScriptId(body), signal));
    if (result.script) scripts.set(result.script_id, result.script);
    let script;
    try {
      script = await heldScript(result.script_id, signal);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      result = await ask(body, null, signal); // the server keeps it no more: the answer brings it
      script = result.script;
      scripts.set(result.script_id, script);
    }
    remember(key, result.script_id);
    return { script, numbers: result.numbers };
  }

  return { fetchPass };
}

// ----------------------------------------------------------------------------------------- reading a pass
const row = (matrix, s) => (matrix ? matrix[s] : null);

/** The numbers each kind of step shows on the diagram and in tooltips, from the pass's arrays. */
function stepValues(step, numbers, depth, layers) {
  const s = numbers.sample;
  const l = step.layer;
  const j = step.neuron;
  const n = numbers;
  switch (step.kind) {
    case "input":
      return { a: n.a[0][s] };
    case "neuron_forward":
      return {
        terms: n.W[l][j].map((w, k) => [w, n.a[l - 1][s][k], n.w_times_a[l][j][k]]),
        bias: n.b[l][j],
        z: n.z[l][s][j],
        a: n.a[l][s][j],
      };
    case "loss":
      return { loss: n.loss, prediction: n.a[depth][s], target: n.y[s] };
    case "output_delta":
    case "hidden_delta": {
      const values = {
        upstream: n.grad_a[l][s][j],
        local: n.slope[l][s][j],
        delta: n.delta[l][s][j],
        derivative: layers[l].activation_derivative,
      };
      if (step.kind === "hidden_delta")
        values.terms = n.W[l + 1].map((weights, k) => [weights[j], n.delta[l + 1][s][k], n.delta_times_w[l + 1][k][j]]);
      return values;
    }
    case "weight_grads":
      return { grad_weight: n.grad_W[l][j], grad_bias: n.grad_b[l][j] };
    case "update":
      return { weight: n.updated_W[l][j], bias: n.updated_b[l][j] };
    default:
      return {};
  }
}

/** Give `object` a property `name` that is `make()`, made when first read and kept. */
function madeWhenRead(object, name, make) {
  Object.defineProperty(object, name, {
    enumerable: true,
    configurable: true,
    get() {
      const value = make();
      Object.defineProperty(object, name, { value, enumerable: true, writable: true });
      return value;
    },
  });
}

/** A step whose narration, formulas and values are written when first read (most are never shown). */
function lazyStep(scriptStep, renderer, numbers, depth, layers) {
  const step = { ...scriptStep };
  madeWhenRead(step, "narration", () => renderer.narration(scriptStep.narration));
  madeWhenRead(step, "formula", () => renderer.lines(scriptStep.formula));
  madeWhenRead(step, "values", () => stepValues(scriptStep, numbers, depth, layers));
  return step;
}

/** The computation of neuron `j` of layer `l` as ops (see neuronGraphs). */
function neuronGraph(script, numbers, l, j) {
  const n = numbers;
  const s = n.sample;
  const { activation, activation_symbol: f } = script.layers[l];
  const delta = n.delta[l][s][j];
  const nodes = [];
  const edges = [];
  for (let k = 0; k < script.shape.sizes[l - 1]; k++) {
    const w = n.W[l][j][k];
    const a = n.a[l - 1][s][k];
    const wGrad = n.delta_times_a[l][j][k];
    const aGrad = n.delta_times_w[l][j][k];
    nodes.push(
      { id: `w${k}`, role: "weight", input: k, op: "leaf", label: weightSymbol(l, j, k), value: w, grad: wGrad },
      {
        id: `a${k}`,
        role: "input",
        input: k,
        op: "leaf",
        label: script.layers[l - 1].labels[k],
        value: a,
        grad: aGrad,
      },
      { id: `p${k}`, role: "product", input: k, op: "mul", label: "×", value: n.w_times_a[l][j][k], grad: delta },
    );
    edges.push(
      { source: `w${k}`, target: `p${k}`, local: a, contribution: wGrad },
      { source: `a${k}`, target: `p${k}`, local: w, contribution: aGrad },
      { source: `p${k}`, target: "sum", local: 1, contribution: delta },
    );
  }
  nodes.push(
    { id: "sum", role: "sum", op: "sum", label: "Σ", value: n.weighted_sum[l][j], grad: delta },
    { id: "b", role: "bias", op: "leaf", label: biasSymbol(l, j), value: n.b[l][j], grad: delta },
    { id: "z", role: "z", op: "add", label: zSymbol(l, j), value: n.z[l][s][j], grad: delta },
    { id: "a", role: "output", op: activation, label: f, value: n.a[l][s][j], grad: n.grad_a[l][s][j] },
  );
  edges.push(
    { source: "sum", target: "z", local: 1, contribution: delta },
    { source: "b", target: "z", local: 1, contribution: delta },
    { source: "z", target: "a", local: n.slope[l][s][j], contribution: delta },
  );
  return { nodes, edges, output: "a" };
}

/**
 * Neuron id → its computation as ops (wₖ·aₖ → Σ → + b → z → f), with the values and gradients sent. Each
 * op says what it is (`role`: weight, input, product, sum, bias, z or output) and a per-input op which
 * input (`input`: k), so that the op graph reads them rather than its ids. Each graph is built when first
 * read: the op graph shows one neuron at a time, and building all of a big network's is a frame's work.
 */
export function neuronGraphs(script, numbers) {
  const graphs = {};
  const sizes = script.shape.sizes;
  for (let l = 1; l < sizes.length; l++) {
    const ids = script.layers[l].nodes;
    for (let j = 0; j < sizes[l]; j++) madeWhenRead(graphs, ids[j], () => neuronGraph(script, numbers, l, j));
  }
  return graphs;
}

/**
 * A pass as the player's views read it: { loss, diverged, sample, layers, params, steps, neuron_graphs }
 * (the v1 trace's shape), plus `facts` (see traceFacts) and the script and numbers it came from.
 */
export function passFrom(script, numbers) {
  const renderer = new TraceRenderer(script, numbers);
  const depth = script.shape.sizes.length - 1;
  const s = numbers.sample;
  const layers = script.layers.map((layer, l) => ({
    ...layer,
    a: numbers.a[l],
    z: numbers.z[l],
    grad_a: numbers.grad_a[l],
    grad_z: numbers.delta[l],
    health: numbers.health[l],
  }));
  const params = [];
  for (let l = 1; l <= depth; l++) {
    params.push({
      layer: l,
      weight: numbers.W[l],
      bias: numbers.b[l],
      grad_weight: numbers.grad_W[l],
      grad_bias: numbers.grad_b[l],
      updated_weight: numbers.updated_W[l],
      updated_bias: numbers.updated_b[l],
    });
  }
  const steps = script.steps.map((step) => lazyStep(step, renderer, numbers, depth, script.layers));
  const pass = {
    scriptId: script.script_id,
    loss: numbers.loss,
    diverged: numbers.diverged,
    sample: s,
    layers,
    params,
    steps,
    neuron_graphs: numbers.delta_times_a ? neuronGraphs(script, numbers) : null,
    facts: traceFacts(script, numbers),
  };
  // the prediction row of the focus sample, for readers that want it without knowing the depth
  pass.prediction = row(numbers.a[depth], s);
  return pass;
}

/** The facts about a trace that modules outside the views need, read from its script and numbers. */
export function traceFacts(script, numbers) {
  const lossAt = script.steps.findIndex((step) => step.kind === "loss");
  const updateFrom = script.steps.findIndex((step) => step.kind === "update");
  const sizes = script.shape.sizes;
  return {
    loss: script.loss,
    learningRate: numbers.learning_rate,
    learningRateSymbol: script.learning_rate_symbol,
    sizes,
    lossAt: lossAt < 0 ? null : lossAt,
    updateFrom: updateFrom < 0 ? null : updateFrom,
    /** What an edge id names: a weight { layer, to, from }, an output's edge to the loss { loss, layer, index }, or null. */
    edge: (id) => scriptIndex(script).edge(id),
    /** The neuron a node id names, { layer, index }, or null. */
    node: (id) => scriptIndex(script).node(id),
    weightSymbol,
    biasSymbol,
  };
}
