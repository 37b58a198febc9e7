// The network editor: layers and neurons (+/−), activations, loss, the data (inputs and targets),
// learning rate and initial weights. Every change is reported at once; the player re-traces.

import { api } from "../core/api.js";
import { el } from "../core/dom.js";
import { hasKey, t } from "../core/i18n.js";
import { ACTIVATIONS, INITS, LOSSES } from "./model.js";

const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
const sub = (n) =>
  String(n)
    .split("")
    .map((d) => SUBSCRIPTS[Number(d)])
    .join("");

const SHOWN_DIGITS = 4;

/**
 * Show a number field's value rounded to SHOWN_DIGITS significant digits while it is not focused, and in
 * full while it is: a long weight shows its leading digits, not its tail. The value itself is only
 * changed by an edit. Returns `set(value)` for a field that is reused for another number.
 */
export function roundWhenBlurred(input, value) {
  let full = String(value);
  let edited = false;
  const rounded = () =>
    full !== "" && Number.isFinite(Number(full)) ? String(Number(Number(full).toPrecision(SHOWN_DIGITS))) : full;
  input.addEventListener("focus", () => {
    input.value = full;
    edited = false;
  });
  input.addEventListener("input", () => {
    edited = true;
  });
  input.addEventListener("blur", () => {
    if (!edited) input.value = rounded();
  });
  const set = (next) => {
    full = String(next);
    edited = false;
    input.value = document.activeElement === input ? full : rounded();
  };
  set(value);
  return set;
}

function numberInput(testid, value, onCommit, attrs = {}) {
  const input = el("input", {
    type: "number",
    step: "any",
    value: String(value),
    "data-testid": testid,
    class: "num",
    ...attrs,
  });
  input.addEventListener("change", () => {
    const v = Number(input.value);
    if (input.value.trim() !== "" && Number.isFinite(v)) onCommit(v);
    else input.value = String(value);
  });
  return input;
}

function select(testid, values, current, labelOf, onChange, attrs = {}) {
  const node = el(
    "select",
    { "data-testid": testid, ...attrs },
    values.map((v) => el("option", { value: v, text: labelOf(v), selected: v === current })),
  );
  node.addEventListener("change", () => onChange(node.value));
  return node;
}

function stepper(layerIndex, count, canMinus, canPlus, change, name) {
  const button = (delta, which, label, enabled, text) =>
    el("button", {
      type: "button",
      class: "stepper-button",
      "data-testid": `neurons-${which}-${layerIndex}`,
      "aria-label": t(label, { layer: name }),
      disabled: !enabled,
      text,
      onclick: () => change(delta),
    });
  const minus = button(-1, "minus", "playground.editor.fewer", canMinus, "−");
  const plus = button(1, "plus", "playground.editor.more", canPlus, "+");
  return el(
    "span",
    { class: "stepper" },
    minus,
    el("output", { class: "mono", "data-testid": `neurons-${layerIndex}`, text: String(count) }),
    plus,
  );
}

let presetsPromise = null;

/** The example networks of GET /api/v1/presets that the trace endpoint plays. */
function tracePresets() {
  if (!presetsPromise) {
    presetsPromise = api
      .presets()
      .then(({ presets }) => presets.filter((p) => p.endpoint === "/api/v1/network/trace"))
      .catch(() => []);
  }
  return presetsPromise;
}

function presetPicker(onPick) {
  const picker = el("select", { "data-testid": "preset-select", "aria-label": t("playground.editor.examples") });
  picker.append(el("option", { value: "", text: t("playground.editor.examples_choose") }));
  tracePresets().then((presets) => {
    for (const preset of presets) {
      const key = `playground.preset.${preset.id}`;
      picker.append(el("option", { value: preset.id, text: hasKey(key) ? t(key) : preset.title }));
    }
    picker.onchange = () => {
      const preset = presets.find((p) => p.id === picker.value);
      if (preset) onPick(preset.request);
    };
  });
  return el("label", { class: "field" }, el("span", { text: t("playground.editor.examples") }), picker);
}

export function createEditor({ onChange, actions }) {
  const element = el("aside", {
    class: "panel player-editor editor",
    "data-testid": "editor",
    "aria-labelledby": "editor-title",
  });
  let last = null;
  const pictureOptions = { caption: false }; // kept across re-renders of the editor

  function render(model, caps) {
    // the server's caps and choices (GET /api/v1/limits); until they are known nothing is capped here
    const limits = {
      max_layers: caps?.max_layers ?? Infinity,
      max_neurons: caps?.max_neurons ?? Infinity,
      max_batch: caps?.max_batch ?? Infinity,
      activations: caps?.choices?.activations ?? ACTIVATIONS,
      losses: caps?.choices?.losses ?? LOSSES,
      inits: caps?.choices?.init_schemes ?? INITS,
    };
    last = { model, limits: caps };
    const focused = document.activeElement?.closest?.("[data-testid]");
    const focusId = element.contains(focused) ? focused.dataset.testid : null;
    element.replaceChildren(
      el("h2", { id: "editor-title", text: t("playground.editor.title") }),
      architecture(model, limits),
      data(model, limits),
      training(model, limits),
      sharing(),
    );
    if (focusId) element.querySelector(`[data-testid="${CSS.escape(focusId)}"]`)?.focus();
  }

  function architecture(model, limits) {
    const { layers } = model;
    const depth = layers.length - 1;
    const structural = (patch) => onChange({ ...patch, weights: null, biases: null }, { structural: true });
    const resize = (l, delta) => {
      const next = [...layers];
      next[l] = Math.max(1, Math.min(limits.max_neurons, next[l] + delta));
      structural({ layers: next });
    };
    const minOut = model.loss === "cross_entropy" ? 2 : 1;
    const rows = layers.map((count, l) => {
      const kind = l === 0 ? "input" : l === depth ? "output" : "hidden";
      const name =
        kind === "input"
          ? t("playground.diagram.input_layer")
          : kind === "output"
            ? t("playground.diagram.output_layer")
            : t("playground.diagram.hidden_layer", { n: l });
      const min = kind === "output" ? minOut : 1;
      const parts = [
        el("span", { class: "layer-name", text: name }),
        stepper(l, count, count > min, count < limits.max_neurons, (d) => resize(l, d), name),
      ];
      if (kind === "hidden") {
        parts.push(
          select(
            `activation-${l}`,
            limits.activations,
            model.activation[l - 1],
            (a) => t(`playground.activation.${a}`),
            (value) => {
              const activation = [...model.activation];
              activation[l - 1] = value;
              onChange({ activation }, { structural: false });
            },
            { "aria-label": t("playground.editor.activation_of", { layer: name }) },
          ),
          el("button", {
            type: "button",
            class: "icon-button",
            "data-testid": `layer-remove-${l}`,
            "aria-label": t("playground.editor.remove_layer", { layer: name }),
            title: t("playground.editor.remove_layer", { layer: name }),
            text: "✕",
            onclick: () => {
              const next = layers.filter((_, i) => i !== l);
              const activation = model.activation.filter((_, i) => i !== l - 1);
              structural({ layers: next, activation });
            },
          }),
        );
      }
      if (kind === "output") {
        // bce takes sigmoid and cross-entropy identity (the loss select sets them); a link or file that
        // asked for another is left as it is, and the select stays open to fix what the server refused
        const expected = { bce: "sigmoid", cross_entropy: "identity" }[model.loss];
        const locked = expected !== undefined && model.outputActivation === expected;
        parts.push(
          select(
            "output-activation",
            limits.activations,
            model.outputActivation,
            (a) => t(`playground.activation.${a}`),
            (value) => onChange({ outputActivation: value }, { structural: false }),
            {
              disabled: locked,
              "aria-label": t("playground.editor.activation_of", { layer: name }),
              title: locked ? t(`playground.editor.locked_${model.loss}`) : "",
            },
          ),
        );
      }
      return el("li", { class: `layer-row layer-row-${kind}`, "data-layer": l }, parts);
    });
    const canAdd = layers.length < limits.max_layers;
    const add = el("button", {
      type: "button",
      class: "add-layer",
      "data-testid": "layer-add",
      disabled: !canAdd,
      text: `+ ${t("playground.editor.add_layer")}`,
      onclick: () => {
        const next = [...layers];
        next.splice(depth, 0, Math.min(3, limits.max_neurons));
        structural({
          layers: next,
          activation: [...model.activation, model.activation[model.activation.length - 1] || "tanh"],
        });
      },
    });
    rows.splice(depth, 0, el("li", { class: "layer-row layer-row-add" }, add));
    const loss = select(
      "loss-select",
      limits.losses,
      model.loss,
      (name) => t(`playground.loss_name.${name}`),
      (value) => {
        const patch = { loss: value };
        if (value === "bce") patch.outputActivation = "sigmoid";
        if (value === "cross_entropy") patch.outputActivation = "identity";
        if (value === "mse" && model.loss !== "mse")
          patch.outputActivation = model.loss === "bce" ? "sigmoid" : "identity";
        const outputs = layers[depth];
        onChange(
          value === "cross_entropy" && outputs < 2
            ? { ...patch, layers: [...layers.slice(0, depth), 2], weights: null, biases: null }
            : patch,
          { structural: true },
        );
      },
    );
    return el(
      "section",
      { class: "editor-section" },
      el("h3", { text: t("playground.editor.network") }),
      presetPicker(actions.loadPreset),
      el("ol", { class: "layer-list" }, rows),
      el("label", { class: "field" }, el("span", { text: t("playground.editor.loss") }), loss),
      model.loss === "cross_entropy"
        ? el("p", { class: "field-note muted", text: t("playground.editor.softmax_note") })
        : null,
    );
  }

  function data(model, limits) {
    const { layers, inputs, targets, loss, sample } = model;
    const outputs = layers[layers.length - 1];
    const header = el(
      "tr",
      {},
      el("th", { scope: "col", text: t("playground.editor.shown") }),
      Array.from({ length: layers[0] }, (_, k) => el("th", { scope: "col", class: "math", text: `x${sub(k + 1)}` })),
      // the targets share one column pinned to the table's right edge, so a wide input row scrolls
      // beneath them instead of pushing them out of sight
      el(
        "th",
        { scope: "col", class: "targets" },
        loss === "cross_entropy"
          ? t("playground.editor.class")
          : Array.from({ length: outputs }, (_, j) =>
              el("span", { class: "math target-name", text: outputs === 1 ? "y" : `y${sub(j + 1)}` }),
            ),
      ),
    );
    const setInput = (n, k, v) =>
      onChange({ inputs: inputs.map((row, i) => (i === n ? row.map((x, c) => (c === k ? v : x)) : row)) });
    const setTarget = (n, row) => onChange({ targets: targets.map((r, i) => (i === n ? row : r)) });
    const body = inputs.map((row, n) => {
      const radio = el("input", {
        type: "radio",
        name: "sample-shown",
        "data-testid": `sample-${n}`,
        checked: n === sample,
        "aria-label": t("playground.editor.show_sample", { n: n + 1 }),
      });
      radio.addEventListener("change", () => onChange({ sample: n }));
      const cells = row.map((v, k) =>
        el(
          "td",
          {},
          numberInput(`input-${n}-${k}`, v, (value) => setInput(n, k, value), {
            "aria-label": `x${sub(k + 1)} (${n + 1})`,
          }),
        ),
      );
      let targetCells;
      if (loss === "cross_entropy") {
        const current = targets[n].indexOf(1);
        const classes = Array.from({ length: outputs }, (_, j) => String(j));
        targetCells = el(
          "td",
          { class: "targets" },
          select(
            `target-${n}`,
            classes,
            String(current),
            (j) => t("playground.editor.class_n", { n: Number(j) + 1 }),
            (value) =>
              setTarget(
                n,
                classes.map((j) => (j === value ? 1 : 0)),
              ),
          ),
        );
      } else {
        const range = loss === "bce" ? { min: 0, max: 1, step: 0.1 } : {};
        targetCells = el(
          "td",
          { class: "targets" },
          targets[n].map((v, j) =>
            numberInput(
              `target-${n}-${j}`,
              v,
              (value) =>
                setTarget(
                  n,
                  targets[n].map((x, c) => (c === j ? value : x)),
                ),
              { ...range, "aria-label": `y${sub(j + 1)} (${n + 1})` },
            ),
          ),
        );
      }
      return el("tr", {}, el("td", {}, radio), cells, targetCells);
    });
    const canAdd = inputs.length < limits.max_batch;
    const addSample = el("button", {
      type: "button",
      "data-testid": "sample-add",
      disabled: !canAdd,
      text: `+ ${t("playground.editor.add_sample")}`,
      onclick: () =>
        onChange({
          inputs: [...inputs, [...inputs[inputs.length - 1]]],
          targets: [...targets, [...targets[targets.length - 1]]],
        }),
    });
    const removeSample = el("button", {
      type: "button",
      "data-testid": "sample-remove",
      disabled: inputs.length <= 1,
      text: `− ${t("playground.editor.remove_sample")}`,
      onclick: () =>
        onChange({
          inputs: inputs.slice(0, -1),
          targets: targets.slice(0, -1),
          sample: Math.min(sample, inputs.length - 2),
        }),
    });
    return el(
      "section",
      { class: "editor-section" },
      el("h3", { text: t("playground.editor.data") }),
      el(
        "div",
        { class: "table-scroll" },
        el("table", { class: "data-table" }, el("thead", {}, header), el("tbody", {}, body)),
      ),
      el("div", { class: "button-row" }, addSample, removeSample),
      inputs.length > 1 ? el("p", { class: "field-note muted", text: t("playground.editor.batch_note") }) : null,
    );
  }

  function training(model, limits) {
    const rate = numberInput(
      "learning-rate",
      model.learningRate,
      (v) => onChange({ learningRate: Math.max(0, Math.min(100, v)) }),
      { min: 0, max: 100, step: 0.01 },
    );
    const seed = numberInput(
      "seed",
      model.seed,
      (v) =>
        onChange(
          { seed: Math.max(0, Math.min(2 ** 32 - 1, Math.round(v))), weights: null, biases: null },
          { structural: true },
        ),
      { min: 0, step: 1 },
    );
    const init = select(
      "init",
      limits.inits,
      model.init,
      (name) => t(`playground.init.${name}`),
      (value) => onChange({ init: value, weights: null, biases: null }, { structural: true }),
    );
    const shuffle = el("button", {
      type: "button",
      "data-testid": "reinitialise",
      text: t("playground.editor.new_weights"),
      onclick: () =>
        onChange({ seed: Math.floor(Math.random() * 1e6), weights: null, biases: null }, { structural: true }),
    });
    return el(
      "section",
      { class: "editor-section" },
      el("h3", { text: t("playground.editor.training") }),
      el("label", { class: "field" }, el("span", { text: t("playground.editor.learning_rate") }), rate),
      el("label", { class: "field" }, el("span", { text: t("playground.editor.seed") }), seed),
      el("label", { class: "field" }, el("span", { text: t("playground.editor.init") }), init),
      el("div", { class: "button-row" }, shuffle),
      model.weights ? el("p", { class: "field-note muted", text: t("playground.editor.custom_weights") }) : null,
    );
  }

  function sharing() {
    const file = el("input", {
      type: "file",
      accept: "application/json,.json",
      class: "visually-hidden",
      "data-testid": "import-file",
      tabindex: "-1",
      "aria-label": t("playground.export.import"),
    });
    file.addEventListener("change", () => {
      if (file.files?.[0]) actions.importJson(file.files[0]);
      file.value = "";
    });
    const action = (testid, key, run) =>
      el("button", { type: "button", "data-testid": testid, text: t(key), onclick: run });
    return el(
      "section",
      { class: "editor-section" },
      el("h3", { text: t("playground.editor.share") }),
      el(
        "div",
        { class: "button-grid" },
        action("copy-link", "playground.export.link", actions.copyLink),
        action("export-json", "playground.export.json", actions.exportJson),
        action("import-json", "playground.export.import", () => file.click()),
        action("export-svg", "playground.export.svg", () => actions.exportSvg(pictureOptions)),
        action("export-png", "playground.export.png", () => actions.exportPng(pictureOptions)),
        action("export-numpy", "playground.export.numpy", () => actions.exportScript("numpy")),
        action("export-pytorch", "playground.export.pytorch", () => actions.exportScript("pytorch")),
      ),
      captionChoice(),
      file,
    );
  }

  function captionChoice() {
    const box = el("input", { type: "checkbox", "data-testid": "export-caption" });
    box.checked = pictureOptions.caption;
    box.addEventListener("change", () => {
      pictureOptions.caption = box.checked;
    });
    return el("label", { class: "check" }, box, el("span", { text: t("playground.export.caption") }));
  }

  return { element, render, rerender: () => last && render(last.model, last.limits) };
}
