// Reading a trace: which step reveals which number, and how steps group into frames.
// Nothing here computes a value; it only indexes what the server sent.

export const PHASES = ["forward", "loss", "backward", "update"];
export const GRANULARITIES = ["neuron", "layer", "phase"];
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8]; // playback speeds, × the normal pace

// The ids the server writes (app/tracing/contract.py); what an id names is read from the script
// (script-ids.js scriptIndex), never parsed from the id.
export const nodeId = (layer, index) => `${layer}-${index}`;
export const edgeId = (layer, to, from) => `${layer - 1}-${from}>${layer}-${to}`;
export const lossEdgeId = (layer, index) => `${layer}-${index}>L`;
export const LOSS_NODE = "L";

const NEVER = Number.POSITIVE_INFINITY;

/**
 * For every node and edge, the index of the step that first shows each of its numbers:
 * value (a), delta (δ), grad (∂L/∂w of the edges into a neuron) and update (w ← w − η∂L/∂w).
 */
export function indexTrace(trace) {
  const sizes = trace.layers.map((layer) => layer.size);
  const depth = sizes.length - 1;
  const valueAt = new Map();
  const deltaAt = new Map();
  const gradAt = new Map(); // per neuron: when ∂L/∂w and ∂L/∂b of its incoming edges appear
  const updateAt = new Map(); // per neuron: when its incoming weights and bias are updated
  const stepsOf = new Map(); // per neuron: the steps about it, by kind
  let lossAt = NEVER;
  for (const step of trace.steps) {
    const own = step.neuron == null ? null : nodeId(step.layer, step.neuron);
    if (own) {
      if (!stepsOf.has(own)) stepsOf.set(own, {});
      stepsOf.get(own)[step.kind] = step;
    }
    switch (step.kind) {
      case "input":
        for (const id of step.nodes) valueAt.set(id, step.index);
        break;
      case "neuron_forward":
        valueAt.set(own, step.index);
        break;
      case "loss":
        lossAt = step.index;
        break;
      case "output_delta":
      case "hidden_delta":
        deltaAt.set(own, step.index);
        break;
      case "weight_grads":
        gradAt.set(own, step.index);
        break;
      case "update":
        updateAt.set(own, step.index);
        break;
      default:
        break;
    }
  }
  const at = (map, id) => (map.has(id) ? map.get(id) : NEVER);
  return {
    sizes,
    depth,
    lossAt,
    stepsOf: (id) => stepsOf.get(id) || {},
    valueAt: (id) => (id === LOSS_NODE ? lossAt : at(valueAt, id)),
    deltaAt: (id) => at(deltaAt, id),
    gradAt: (id) => at(gradAt, id),
    updateAt: (id) => at(updateAt, id),
  };
}

/** Group steps into frames: one per step, per run of the same phase and layer, or per phase. */
export function buildFrames(steps, granularity) {
  const frames = [];
  let current = null;
  for (const step of steps) {
    const key =
      granularity === "layer" ? `${step.phase}|${step.layer}` : granularity === "phase" ? step.phase : step.index;
    if (granularity === "neuron" || !current || current.key !== key) {
      current = { key, start: step.index, end: step.index, phase: step.phase };
      frames.push(current);
    } else {
      current.end = step.index;
    }
  }
  const frameOf = new Int32Array(steps.length);
  frames.forEach((frame, i) => frameOf.fill(i, frame.start, frame.end + 1));
  return { frames, frameOf };
}

/** The step the "next" control moves to from `index`. */
export function nextStop({ frames, frameOf }, index) {
  if (!frames.length) return 0;
  const frame = frames[frameOf[index]];
  if (index < frame.end) return frame.end;
  const following = frames[frameOf[index] + 1];
  return following ? following.end : index;
}

/** The step the "previous" control moves to from `index`. */
export function previousStop({ frames, frameOf }, index) {
  if (!frames.length || index <= 0) return 0;
  const f = frameOf[index];
  return f > 0 ? frames[f - 1].end : 0;
}

/** The steps of the frame up to `index`, the ones highlighted together. */
export function frameSteps(trace, frameInfo, index) {
  if (!trace.steps.length) return [];
  const frame = frameInfo.frames[frameInfo.frameOf[index]];
  return trace.steps.slice(frame.start, index + 1);
}
