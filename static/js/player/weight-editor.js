// Editing one number of the network on the diagram: a weight (click an edge: a small form opens beside it)
// and the bias of the selected neuron (a field in the op graph's tools). Both hand the edited weights and
// biases to `onEdit`; the player puts them in the store and traces again.

import { el } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { roundWhenBlurred } from "./editor.js";

/** The weights and biases of a pass, copied, with one of them changed. */
function editedParams(pass, change) {
  const weights = pass.params.map((p) => structuredClone(p.weight));
  const biases = pass.params.map((p) => structuredClone(p.bias));
  change(weights, biases);
  return { weights, biases };
}

const readNumber = (input) => {
  const value = Number(input.value);
  return input.value.trim() === "" || !Number.isFinite(value) ? null : value;
};

/**
 * @param wrap     the diagram's container (the form is positioned in it)
 * @param svgEl    the diagram's SVG
 * @param diagram  the Diagram (edge records and symbols, to place the form and name the weight)
 * @param tooltip  hidden while the form is open
 * @param current  () => the pass shown, or null
 * @param onEdit   ({ weights, biases }) => void
 */
export function createWeightEditor({ wrap, svgEl, diagram, tooltip, current, onEdit }) {
  const input = el("input", { type: "number", step: "any", class: "num", "data-testid": "weight-input" });
  const showWeight = roundWhenBlurred(input, "");
  const label = el("span", { class: "math weight-symbol" });
  const apply = el("button", { type: "submit", class: "primary", "data-testid": "weight-apply" });
  const cancel = el("button", { type: "button", "data-testid": "weight-cancel" });
  const form = el(
    "form",
    { class: "weight-editor", "data-testid": "weight-editor", hidden: true },
    el("label", {}, label, input),
    apply,
    cancel,
  );
  let editing = null; // { id, edge }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = readNumber(input);
    const pass = current();
    if (!editing || value === null || !pass) return;
    const { layer, to, from } = editing.edge;
    close();
    onEdit(editedParams(pass, (weights) => (weights[layer - 1][to][from] = value)));
  });
  function close() {
    form.hidden = true;
    const id = editing?.id;
    editing = null;
    if (id) diagram.edgeRecord(id)?.hit?.focus();
  }
  cancel.addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      close();
    }
  });
  wrap.append(form);

  function place(id, target) {
    const host = wrap.getBoundingClientRect();
    let x;
    let y;
    if (target.pointer && target.pointer.clientX) {
      x = target.pointer.clientX - host.left;
      y = target.pointer.clientY - host.top;
    } else {
      const record = diagram.edgeRecord(id);
      const box = svgEl.getBoundingClientRect();
      x = box.left - host.left + (record.x1 + record.x2) / 2;
      y = box.top - host.top + (record.y1 + record.y2) / 2;
    }
    const formBox = form.getBoundingClientRect();
    form.style.left = `${Math.round(Math.max(4, Math.min(x - formBox.width / 2, host.width - formBox.width - 4)))}px`;
    form.style.top = `${Math.round(Math.max(4, Math.min(y + 12, host.height - formBox.height - 4)))}px`;
  }

  return {
    /** Open the form for the weight of edge `id` (loss edges have none). */
    open(id, target) {
      const pass = current();
      const edge = pass?.facts.edge(id);
      if (!edge || edge.loss) return; // an output's edge to the loss carries no weight
      editing = { id, edge };
      tooltip.hide();
      label.textContent = `${pass.facts.weightSymbol(edge.layer, edge.to, edge.from)} =`;
      apply.textContent = t("playground.editor.apply");
      cancel.textContent = t("playground.editor.cancel");
      showWeight(pass.params[edge.layer - 1].weight[edge.to][edge.from]);
      form.hidden = false;
      place(id, target);
      input.focus();
      input.select();
    },
    close,
  };
}

/** The bias field of the selected neuron, shown in the op graph's tools when editing is allowed. */
export function createBiasField({ current, onEdit }) {
  const element = el("label", { class: "bias-field", hidden: true });
  let drawn = null; // { pass, id } of the field shown: a step of the same neuron leaves it as it is
  return {
    element,
    /** Show the field for neuron `id` ("layer-index"), or hide it (inputs have no bias). */
    render(id, editable) {
      const pass = current();
      const neuron = id && pass ? pass.facts.node(id) : null;
      if (!neuron || neuron.layer === 0 || !editable) {
        element.hidden = true;
        drawn = null;
        return;
      }
      if (drawn?.pass === pass && drawn.id === id) return;
      drawn = { pass, id };
      const { layer, index } = neuron;
      const input = el("input", { type: "number", step: "any", class: "num", "data-testid": "bias-input" });
      roundWhenBlurred(input, pass.params[layer - 1].bias[index]);
      input.addEventListener("change", () => {
        const value = readNumber(input);
        const now = current();
        if (value === null || !now) return;
        onEdit(editedParams(now, (_, biases) => (biases[layer - 1][index] = value)));
      });
      element.hidden = false;
      element.replaceChildren(el("span", { class: "math", text: `${pass.facts.biasSymbol(layer, index)} =` }), input);
    },
  };
}
