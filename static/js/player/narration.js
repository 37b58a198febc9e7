// The narration panel: the step's sentence in the reader's language and its formula lines,
// lhs = symbolic = substituted = result, exactly as the server wrote them.

import { el } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { PHASES } from "./steps.js";

const MAX_STEPS_SHOWN = 12; // a whole phase of a big network is summarised after this many steps

/** Write `text` only if it differs: rewriting the same words still lays the line out again. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** Softmax + cross-entropy: the output step hands back ∂L/∂z itself, with no × f′(z) to explain. */
const onTheLogit = (step) => step.kind === "output_delta" && step.narration.params?.loss === "cross_entropy";

/** The sentence of a step, its parameters translated where they name a thing (activation, loss). */
export function narrationText(step) {
  const params = { ...(step.narration.params || {}) };
  if (params.activation) params.activation = t(`playground.activation.${params.activation}`);
  if (params.loss) params.loss = t(`playground.loss_short.${params.loss}`);
  if (typeof params.learning_rate === "number") params.learning_rate = formatNumber(params.learning_rate, 4);
  // softmax + cross-entropy hands back ∂L/∂z itself: its sentence names the logit z, not ŷ and a slope
  const key = onTheLogit(step) ? "step.output_delta_logits" : step.narration.key;
  return t(`playground.${key}`, params);
}

function formulaLine(line) {
  const parts = [el("span", { class: "f-lhs", text: line.lhs })];
  const eq = () => el("span", { class: "f-eq", text: " = " });
  if (line.symbolic) parts.push(eq(), el("span", { class: "f-sym", text: line.symbolic }));
  if (line.substituted) parts.push(eq(), el("span", { class: "f-sub", text: line.substituted }));
  parts.push(eq(), el("span", { class: "f-res", "data-testid": "formula-result", text: line.result }));
  return el("li", { class: "formula-line" }, parts);
}

/** The index of the first step of each kind: a "why" note is told once, where its idea first appears. */
const firstOfKind = new WeakMap();
function isFirstOfKind(trace, step) {
  if (!trace) return false;
  if (!firstOfKind.has(trace)) {
    const first = new Map();
    for (const s of trace.steps) if (!first.has(s.kind)) first.set(s.kind, s.index);
    firstOfKind.set(trace, first);
  }
  return firstOfKind.get(trace).get(step.kind) === step.index;
}

/** Sigmoid + binary cross-entropy: the slope cancels the loss's denominator, δ = (ŷ − y)/N, with this
 * step's numbers (ŷ and y of the focus sample from the loss step, δ from this step). */
function bceShortcut(trace, step) {
  const params = step.narration.params || {};
  if (step.kind !== "output_delta" || params.loss !== "bce" || params.activation !== "sigmoid") return null;
  const loss = trace?.steps.find((s) => s.kind === "loss");
  const prediction = loss?.values?.prediction?.[step.neuron];
  const target = loss?.values?.target?.[step.neuron];
  if (prediction == null || target == null || step.values?.delta == null) return null;
  const count = trace.layers[0].a.length * trace.layers[trace.layers.length - 1].size;
  return t("playground.narration.why_bce", {
    prediction: formatNumber(prediction, 4),
    target: formatNumber(target, 4),
    count,
    delta: formatNumber(step.values.delta, 4),
  });
}

/** The "why" notes of a step: why δ takes f′(z), why no weight moves before every gradient is known. */
function whyNotes(trace, step) {
  const notes = [];
  const takesSlope = step.kind === "hidden_delta" || (step.kind === "output_delta" && !onTheLogit(step));
  if (takesSlope && isFirstOfKind(trace, step)) {
    notes.push(t("playground.narration.why_slope"));
  }
  const shortcut = bceShortcut(trace, step);
  if (shortcut) notes.push(shortcut);
  if (step.kind === "update" && isFirstOfKind(trace, step)) notes.push(t("playground.narration.why_update"));
  return notes.map((text) => el("p", { class: "narration-why", "data-testid": "narration-why", text }));
}

function stepBlock(step, trace) {
  const block = el(
    "div",
    { class: "narration-step", "data-step": step.index, "data-kind": step.kind, "data-phase": step.phase },
    el("p", { class: "narration-sentence", "data-testid": "narration-sentence", text: narrationText(step) }),
    el("ol", { class: "formula math", "aria-label": t("playground.narration.formula") }, step.formula.map(formulaLine)),
  );
  const derivative = step.values?.derivative;
  if (derivative && step.narration.params?.activation) {
    block.append(
      el("p", {
        class: "narration-note",
        text: t("playground.narration.derivative", {
          activation: t(`playground.activation.${step.narration.params.activation}`),
          derivative,
        }),
      }),
    );
  }
  block.append(...whyNotes(trace, step));
  return block;
}

/** The narration panel; `tools` (buttons) sit at the end of its header, reachable from every step. */
export function createNarration({ tools = [] } = {}) {
  const phaseTrack = el(
    "ol",
    { class: "phase-track", "aria-hidden": "true" },
    PHASES.map((phase) => el("li", { "data-phase": phase })),
  );
  const phaseLabel = el("strong", { class: "phase-label", "data-testid": "phase" });
  const counter = el("span", { class: "step-counter muted" });
  const body = el("div", { class: "narration-body" });
  const element = el(
    "section",
    { class: "panel narration", "data-testid": "narration", "aria-live": "polite" },
    el("header", { class: "narration-head" }, phaseLabel, phaseTrack, counter, ...tools),
    body,
  );
  let last = null; // { trace, steps, index, complete }: what the body shows, and whether all of it is written

  /** The same steps of the same trace as `last`, all written: a player that stops where it played shows them. */
  const showsAlready = (trace, steps, index) =>
    last?.complete &&
    last.trace === trace &&
    last.index === index &&
    last.steps.length === steps.length &&
    last.steps[0] === steps[0];

  /**
   * Show `steps` (the frame up to step `index`). With `progressive`, only the newest step is written now
   * and a function is returned that writes up to `perCall` earlier ones above it on each call, returning
   * itself while some remain: a player that is playing calls it once per animation frame, so a frame of
   * a dozen long formulas does not land in one display frame (a frame that writes one costs about as
   * much as one that writes two: the panel's layout and the page's paint dominate).
   */
  function render(trace, steps, index, { progressive = false, perCall = 2, again = false } = {}) {
    if (!again && steps.length && showsAlready(trace, steps, index)) return null;
    const shows = { trace, steps, index, complete: false };
    last = shows;
    if (!trace || !steps.length) {
      body.replaceChildren(el("p", { class: "muted", text: t("playground.narration.empty") }));
      phaseLabel.textContent = "";
      return null;
    }
    const current = steps[steps.length - 1];
    setText(phaseLabel, t(`playground.phase.${current.phase}`));
    if (phaseLabel.dataset.phase !== current.phase) phaseLabel.dataset.phase = current.phase;
    if (element.dataset.phase !== current.phase) element.dataset.phase = current.phase;
    for (const li of phaseTrack.children) {
      li.classList.toggle("current", li.dataset.phase === current.phase);
      setText(li, t(`playground.phase_short.${li.dataset.phase}`));
    }
    setText(counter, t("playground.narration.counter", { n: index + 1, total: trace.steps.length }));
    const shown = steps.length > MAX_STEPS_SHOWN ? steps.slice(-MAX_STEPS_SHOWN) : steps;
    const more = () =>
      el("p", {
        class: "narration-more muted",
        text: t("playground.narration.more", { count: steps.length - shown.length }),
      });
    if (!progressive) {
      const blocks = shown.map((step) => stepBlock(step, trace));
      if (steps.length > shown.length) blocks.unshift(more());
      body.replaceChildren(...blocks);
      shows.complete = true;
      return null;
    }
    let next = shown.length - 1;
    body.replaceChildren(stepBlock(shown[next--], trace));
    const writeEarlier = () => {
      if (last !== shows) return null; // a newer render took over
      for (let n = 0; n < perCall && next >= 0; n++) body.prepend(stepBlock(shown[next--], trace));
      if (next >= 0) return writeEarlier;
      if (steps.length > shown.length) body.prepend(more());
      shows.complete = true;
      return null;
    };
    if (next >= 0 || steps.length > shown.length) return writeEarlier;
    shows.complete = true;
    return null;
  }

  function rerender() {
    if (last) render(last.trace, last.steps, last.index, { again: true });
  }

  return { element, render, rerender };
}
