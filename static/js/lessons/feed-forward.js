// Lesson 1: a 5-4-3 network filled in layer by layer with the values of a real forward pass
// (POST /network/trace). Thicker lines are larger |w|; dashed lines are negative weights.

import { api } from "../core/api.js";
import { svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { urlState } from "../core/urlstate.js";
import { STEP_PROPERTY, latest, onLanguage, viewChanged, withStatus } from "./common.js";
import { createStepper } from "./stepper.js";

const LAYERS = [5, 4, 3];
const DEFAULT_INPUT = [1, 0.5, -0.3, 0.8, -1];
const HEIGHT = 380;
const COLUMNS = [110, 320, 530];
const RADIUS = 22;

// weights (seed), input and layer shown: what a live class follows, and a following student's address
const viewLink = urlState([
  { name: "seed", type: "int", default: 1, validate: (v) => v >= 0 && v <= 4294967295 },
  {
    name: "in",
    type: "json",
    default: DEFAULT_INPUT,
    validate: (v) =>
      Array.isArray(v) && v.length === LAYERS[0] && v.every((x) => Number.isFinite(x) && Math.abs(x) <= 100),
  },
  STEP_PROPERTY,
]);

export async function mount(root) {
  const diagram = root.querySelector(".ff-diagram");
  const narration = root.querySelector("[data-testid=narration]");
  const opened = viewLink.read();
  const state = { seed: opened.seed, input: opened.in, trace: null };
  const trace = latest(api.trace);
  const stepper = createStepper(root, { onStep: show });

  function position(layer, index) {
    const count = LAYERS[layer];
    const gap = Math.min(70, (HEIGHT - 90) / Math.max(1, count - 1));
    const top = 40 + (HEIGHT - 70 - gap * (count - 1)) / 2;
    return [COLUMNS[layer], top + gap * index];
  }

  function valuePlace(layer, cx, cy) {
    if (layer === 0) return { x: cx - RADIUS - 8, y: cy + 5, "text-anchor": "end" };
    if (layer === LAYERS.length - 1) return { x: cx + RADIUS + 8, y: cy + 5, "text-anchor": "start" };
    return { x: cx, y: cy + RADIUS + 16, "text-anchor": "middle" };
  }

  function layerName(layer) {
    if (layer === 0) return t("lessons.feed-forward.layer_input");
    if (layer === LAYERS.length - 1) return t("lessons.feed-forward.layer_output");
    return t("lessons.feed-forward.layer_hidden");
  }

  function draw(step) {
    const data = state.trace;
    diagram.replaceChildren();
    if (!data) return;
    const edges = svg("g", { class: "ff-edges" });
    const nodes = svg("g", { class: "ff-nodes" });
    const labels = svg("g", { class: "ff-labels" });
    diagram.append(edges, nodes, labels);
    const biggest = Math.max(...data.params.flatMap((p) => p.weight.flat().map((w) => Math.abs(w ?? 0))), 1e-9);
    data.params.forEach((param, k) => {
      const layer = k + 1;
      param.weight.forEach((row, j) =>
        row.forEach((w, i) => {
          const [x1, y1] = position(layer - 1, i);
          const [x2, y2] = position(layer, j);
          const classes = ["ff-edge", w < 0 ? "is-negative" : "is-positive"];
          if (step === layer + 1) classes.push("is-active");
          edges.append(
            svg("line", {
              class: classes.join(" "),
              x1: x1 + RADIUS,
              y1,
              x2: x2 - RADIUS,
              y2,
              "stroke-width": (0.6 + (3.2 * Math.abs(w ?? 0)) / biggest).toFixed(2),
            }),
          );
        }),
      );
    });
    data.layers.forEach((layer, l) => {
      const [x] = position(l, 0);
      labels.append(svg("text", { class: "ff-layer-label", x, y: 20, "text-anchor": "middle", text: layerName(l) }));
      const shown = step > l;
      layer.a[0].forEach((value, i) => {
        const [cx, cy] = position(l, i);
        const sign = value < 0 ? "is-negative" : "is-positive";
        const group = svg("g", {
          class: `ff-node ${shown ? `is-shown ${sign}` : "is-empty"} ${step === l + 1 ? "is-active" : ""}`,
        });
        group.append(svg("circle", { cx, cy, r: RADIUS }));
        group.append(
          svg("text", { class: "ff-symbol", x: cx, y: cy + 5, "text-anchor": "middle", text: layer.labels[i] }),
        );
        if (shown)
          group.append(svg("text", { class: "ff-value mono", ...valuePlace(l, cx, cy), text: formatNumber(value, 3) }));
        nodes.append(group);
      });
    });
  }

  function describe(step) {
    const data = state.trace;
    if (!data || step === 0) return t("lessons.feed-forward.step_start");
    const layer = data.layers[step - 1];
    const values = layer.a[0].map((v) => formatNumber(v, 3)).join(", ");
    if (step === 1) return t("lessons.feed-forward.step_input", { values });
    const key = step === LAYERS.length ? "step_output" : "step_hidden";
    // The player's names for activations, so the two never disagree on a term.
    const activation = t(`playground.activation.${layer.activation}`);
    return t(`lessons.feed-forward.${key}`, { values, activation });
  }

  function show(step) {
    draw(step);
    narration.textContent = describe(step);
    viewChanged();
  }

  async function load(keepStep = 0) {
    const body = {
      layers: LAYERS,
      activation: "tanh",
      output_activation: "sigmoid",
      loss: "mse",
      inputs: [state.input],
      targets: [[1, 0, 0]],
      seed: state.seed,
      include_neuron_graphs: false,
    };
    const data = await withStatus(root, () => trace(body));
    if (!data) return;
    state.trace = data;
    stepper.reset(LAYERS.length + 1, keepStep);
  }

  root.querySelector("[data-ff=weights]").addEventListener("click", () => {
    state.seed += 1;
    load(stepper.index);
  });
  root.querySelector("[data-ff=input]").addEventListener("click", () => {
    state.input = state.input.map(() => Math.round((Math.random() * 2 - 1) * 10) / 10);
    load(stepper.index);
  });
  onLanguage(() => show(stepper.index));
  await load(opened.s);
  return Object.assign(stepper, {
    view: {
      encode: () => viewLink.encode({ seed: state.seed, in: state.input, s: stepper.index }),
      async apply(text) {
        const wanted = viewLink.read(`#${text}`);
        stepper.stop();
        if (state.trace && wanted.seed === state.seed && JSON.stringify(wanted.in) === JSON.stringify(state.input)) {
          stepper.go(wanted.s);
          return;
        }
        Object.assign(state, { seed: wanted.seed, input: wanted.in });
        await load(wanted.s);
      },
    },
  });
}
