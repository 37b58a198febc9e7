// A trace script's ids. Which script this browser holds for a network shape: remembered across visits
// (localStorage), so that a page opened again can name it (known_script_id) and be sent the numbers only.
// And what each node and edge id of a script names (scriptIndex), read from the script: the one place the
// player learns what an id means. Small and free of imports: the playground's early request
// (pages/playground-early.js) loads it before the player.

const REMEMBERED = "backprop-lab:trace-scripts"; // localStorage: shape key → script id
const REMEMBERED_MAX = 20;

/** What a script depends on, read from a request body (the server hashes the same things into the id). */
export function shapeKey(body) {
  const hidden = body.layers.length - 2;
  const activation = Array.isArray(body.activation) ? body.activation : Array(hidden).fill(body.activation);
  const shape = [body.layers, activation, body.output_activation, body.loss, body.inputs.length, body.sample];
  return JSON.stringify(body.features ? [...shape, body.features] : shape);
}

function readRemembered() {
  try {
    const value = JSON.parse(localStorage.getItem(REMEMBERED) || "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

export function remember(key, id) {
  try {
    const known = readRemembered();
    delete known[key];
    known[key] = id;
    const keys = Object.keys(known);
    for (const old of keys.slice(0, Math.max(0, keys.length - REMEMBERED_MAX))) delete known[old];
    localStorage.setItem(REMEMBERED, JSON.stringify(known));
  } catch {
    // storage off or full: the next visit gets the script with its numbers
  }
}

/** The id of the script of a request's shape, if this browser has held it (to send as known_script_id). */
export function knownScriptId(body) {
  const id = readRemembered()[shapeKey(body)];
  return typeof id === "string" && /^[0-9a-f]{1,64}$/.test(id) ? id : null; // storage is anyone's to edit
}

// ------------------------------------------------------------------------------- what a script's ids name
const indexes = new WeakMap(); // script → { nodes, edges }

/**
 * What each node and edge id of a script names, read from the script's own lists, so that no id is ever
 * parsed: a layer's `nodes` are its neurons in order, a neuron_forward step's `edges` the weights into its
 * neuron in input order, and the loss step's `edges` the outputs' edges to L in order.
 *   node(id) → { layer, index } or null
 *   edge(id) → { layer, to, from } (a weight), { loss: true, layer, index } (an output's edge to L), or null
 */
export function scriptIndex(script) {
  let index = indexes.get(script);
  if (!index) {
    const nodes = new Map();
    const edges = new Map();
    for (const layer of script.layers) layer.nodes.forEach((id, i) => nodes.set(id, { layer: layer.index, index: i }));
    for (const step of script.steps) {
      if (step.kind === "neuron_forward")
        step.edges.forEach((id, from) => edges.set(id, { layer: step.layer, to: step.neuron, from }));
      else if (step.kind === "loss")
        step.edges.forEach((id, i) => edges.set(id, { loss: true, layer: step.layer, index: i }));
    }
    index = { node: (id) => nodes.get(id) ?? null, edge: (id) => edges.get(id) ?? null };
    indexes.set(script, index);
  }
  return index;
}
