// The step player: a network diagram that plays the server's trace of one forward and backward pass,
// step by step, with narration, an op graph of the selected neuron, legends, controls and (optionally)
// the network editor. The playground page and the lessons mount the same component:
//
//   import { mountStepPlayer } from "/static/js/player/player.js";
//   const player = mountStepPlayer(container, {
//     network: { layers: [2, 3, 1], activation: "tanh", output_activation: "sigmoid", loss: "bce", seed: 1 },
//     inputs: [[1, 0.5]], targets: [[1]], learningRate: 0.5,
//     showEditor: false,        // the full editor (layers, activations, loss, data, exports)
//     showOpGraph: true, showLegend: true, showTraining: true,
//     granularity: "neuron",    // or "layer", "phase"
//     step: 0, speed: 1, numbers: true,
//     keyboard: "scoped",       // "global": → ← Space Home PageUp/PageDown anywhere on the page; false: none
//     prefetched: { body, response },  // a trace already asked for (POST body, promise of the answer):
//                               // the first trace uses it when its own body is the same
//     onChange: (state) => {},  // after every change of model or view (e.g. to write the URL)
//   });
//   await player.ready;         // the first trace has arrived
//   player.load({ inputs: [[0, 1]] });  player.next();  player.play();  player.destroy();
//
// The player never computes a value: it asks POST /api/v1/network/trace and shows what comes back.

import { api, ApiError } from "../core/api.js";
import { el, prefersReducedMotion, svg, toast } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { applyTranslations, t } from "../core/i18n.js";
import { stepDirection } from "../core/keys.js";
import { createControls } from "./controls.js";
import { Diagram } from "./diagram.js";
import { createEditor, roundWhenBlurred } from "./editor.js";
import { exportJson, exportPng, exportScript, exportSvg, readJsonFile } from "./exporters.js";
import { createLegend } from "./legend.js";
import {
  DEFAULT_MODEL,
  firstTraceRequest,
  loadLimits,
  modelFromExport,
  normalizeModel,
  specToModel,
  traceRequest,
  withTraceWeights,
} from "./model.js";
import { createNarration } from "./narration.js";
import { createNotationButton } from "./notation.js";
import { createOpGraph } from "./opgraph.js";
import {
  buildFrames,
  frameSteps,
  GRANULARITIES,
  indexTrace,
  nextStop,
  parseEdgeId,
  parseNodeId,
  previousStop,
  SPEEDS,
} from "./steps.js";
import { createTooltip } from "./tooltip.js";

const TRAVEL_MS = 700;
const GROUP_TRAVEL_MS = 950;
const DWELL_MS = 450;
const MAX_TRAIN_STEPS = 1000;
const REVEAL_MS = 150;

/** Resolves once the browser has rendered the next frame. */
function afterNextPaint() {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
  });
}

function isTyping(target) {
  return (
    target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

function phaseGradient(steps) {
  if (!steps.length) return "";
  const stops = [];
  let start = 0;
  for (let i = 1; i <= steps.length; i++) {
    if (i === steps.length || steps[i].phase !== steps[start].phase) {
      const from = ((start / steps.length) * 100).toFixed(2);
      const to = ((i / steps.length) * 100).toFixed(2);
      stops.push(`var(--${steps[start].phase}) ${from}% ${to}%`);
      start = i;
    }
  }
  return `linear-gradient(to right, ${stops.join(", ")})`;
}

export function mountStepPlayer(container, options = {}) {
  const settings = {
    showEditor: false,
    showOpGraph: true,
    showLegend: true,
    showTraining: true,
    keyboard: "scoped",
    translationsReady: null,
    ...options,
  };
  let model = normalizeModel({ ...DEFAULT_MODEL, ...specToModel(options) });
  let limits = null;
  const view = {
    step: Number.isInteger(options.step) && options.step >= 0 ? options.step : 0,
    granularity: GRANULARITIES.includes(options.granularity) ? options.granularity : "neuron",
    speed: SPEEDS.includes(options.speed) ? options.speed : 1,
    numbers: options.numbers !== false,
    pinned: typeof options.selected === "string" ? options.selected : null,
    playing: false,
    busy: false,
  };
  let prefetched = options.prefetched || null;
  let firstRequest = true;
  let trace = null;
  let info = null;
  let frames = null;
  let previousLoss = null;
  let traceToken = 0;
  let animationToken = 0;
  let playToken = 0;
  let trainToken = 0;
  let abort = null;
  let destroyed = false;

  // ----------------------------------------------------------------------------------------- DOM
  const root = el("div", {
    class: `step-player${settings.showEditor ? " with-editor" : ""}${settings.showOpGraph ? "" : " no-opgraph"}`,
    "data-testid": "step-player",
    tabindex: settings.keyboard === "scoped" ? "0" : null,
    "aria-label": t("playground.player_label"),
    "data-i18n-attr": "aria-label:playground.player_label",
  });
  const svgEl = svg("svg", { "data-testid": "network-diagram", class: "diagram" });
  const wrap = el("div", { class: "diagram-wrap" }, svgEl);
  const status = el("p", { class: "player-status", "data-testid": "player-status", role: "status" });
  const lossReadout = el("span", { class: "loss-readout mono", "data-testid": "loss-readout" });
  const numbersToggle = el("input", { type: "checkbox", "data-testid": "numbers-toggle", checked: view.numbers });
  numbersToggle.addEventListener("change", () => setNumbers(numbersToggle.checked));
  const toolbar = el(
    "div",
    { class: "stage-toolbar" },
    lossReadout,
    status,
    el(
      "label",
      { class: "toggle" },
      numbersToggle,
      el("span", { "data-i18n": "playground.toolbar.numbers", text: t("playground.toolbar.numbers") }),
    ),
  );
  const errorBox = el("div", { class: "player-error", role: "alert", "data-testid": "player-error", hidden: true });
  const controls = createControls(
    {
      reset: () => reset(),
      prev: () => prev(),
      next: () => next(),
      togglePlay: () => togglePlay(),
      seek: (index) => {
        pause();
        goTo(index);
      },
      speed: (s) => setSpeed(s),
      granularity: (g) => setGranularity(g),
      trainStep: () => trainStep(),
      trainMany: (n) => trainSteps(n),
    },
    { showTraining: settings.showTraining },
  );
  const legend = createLegend();
  const narration = createNarration({ tools: [createNotationButton()] });
  const opgraph = createOpGraph({ onSelectInput: (id) => select(id) });
  const followButton = el("button", {
    type: "button",
    class: "follow-button",
    "data-testid": "follow-steps",
    hidden: true,
    onclick: () => select(null),
  });
  const biasField = el("label", { class: "bias-field", hidden: true });
  opgraph.element.insertBefore(
    el("div", { class: "opgraph-tools" }, followButton, biasField),
    opgraph.element.children[1],
  );

  const stage = el("section", { class: "player-stage" }, toolbar, wrap, controls.element, errorBox);
  const side = el("div", { class: "player-side" }, narration.element);
  if (settings.showOpGraph) side.append(opgraph.element);
  const grid = el("div", { class: "player-grid" }, stage, side);
  if (settings.showLegend) grid.append(legend.element);
  root.append(grid);
  const editor = settings.showEditor
    ? createEditor({
        onChange: (patch, { structural } = {}) => update(patch, { structural }),
        actions: {
          copyLink: () => settings.onCopyLink?.(),
          exportJson: () => trace && exportJson(model, trace),
          importJson: (file) => importJson(file),
          loadPreset: (request) => load({ ...request, step: 0, selected: null }),
          exportSvg: (exportOptions) => exportSvg(svgEl, { caption: exportOptions?.caption ? exportCaption() : null }),
          exportPng: (exportOptions) =>
            exportPng(svgEl, { caption: exportOptions?.caption ? exportCaption() : null }).catch(showError),
          exportScript: (format) => trace && exportScript(model, trace, format).catch(showError),
        },
      })
    : null;
  if (editor) grid.append(editor.element);
  // The player joins the page with its first diagram (or after REVEAL_MS without one, showing that it is
  // loading): a frame of the empty player before the trace arrives would only delay the diagram.
  let revealTimer = 0;
  const reveal = () => {
    clearTimeout(revealTimer);
    if (!root.isConnected && !destroyed) container.append(root);
  };
  revealTimer = setTimeout(reveal, REVEAL_MS);

  const tooltip = createTooltip(wrap);
  const weightEditor = createWeightEditor();
  const diagram = new Diagram(svgEl, {
    numbers: view.numbers,
    onHover: (target) => (target ? tooltip.show(target, tooltipContext()) : tooltip.hide()),
    onNodeClick: (target) => {
      tooltip.show(target, tooltipContext());
      if (target.id === "L") return;
      select(view.pinned === target.id ? null : target.id);
    },
    onEdgeClick: (target) => {
      const edge = parseEdgeId(target.id);
      if (!edge || edge.loss) return;
      weightEditor.open(target.id, target);
    },
  });

  // ----------------------------------------------------------------------------------------- state
  function snapshot() {
    return {
      model: structuredClone(model),
      step: view.step,
      granularity: view.granularity,
      speed: view.speed,
      numbers: view.numbers,
      selected: view.pinned,
      playing: view.playing,
    };
  }

  function emitChange() {
    settings.onChange?.(snapshot());
  }

  function tooltipContext() {
    return { trace, info, index: view.step, editable: settings.showEditor };
  }

  function selectedNeuron() {
    if (view.pinned) return view.pinned;
    if (!trace) return null;
    for (let i = view.step; i >= 0; i--) {
      const step = trace.steps[i];
      if (step.neuron != null) return `${step.layer}-${step.neuron}`;
    }
    return null;
  }

  // ----------------------------------------------------------------------------------------- render
  function render({ diagramToo = true } = {}) {
    if (!trace) return;
    const steps = frameSteps(trace, frames, view.step);
    if (diagramToo) {
      diagram.clearPulses();
      diagram.setStep(view.step, steps);
    }
    if (view.playing) {
      schedulePanels();
    } else {
      panels.length = 0;
      narration.render(trace, steps, view.step);
      renderSelection();
    }
    controls.update({
      index: view.step,
      total: trace.steps.length,
      playing: view.playing,
      speed: view.speed,
      granularity: view.granularity,
      busy: view.busy,
    });
    tooltip.refresh({ index: view.step });
    renderReadout();
    emitChange();
  }

  // While playing, the narration and the op graph follow the diagram in the next frames, one piece of
  // work per frame, so that no frame carries a whole step: a large network's step then fits a frame.
  const panels = []; // functions; one that returns a function queues it as the next piece
  let panelFrame = 0;

  function schedulePanels() {
    panels.length = 0;
    panels.push(
      () => narration.render(trace, frameSteps(trace, frames, view.step), view.step, { progressive: true }),
      renderSelection,
    );
    if (!panelFrame) panelFrame = requestAnimationFrame(renderNextPanel);
  }

  function renderNextPanel() {
    panelFrame = 0;
    if (!panels.length || !trace || destroyed) return;
    const more = panels.shift()();
    if (typeof more === "function") panels.push(more);
    if (panels.length) panelFrame = requestAnimationFrame(renderNextPanel);
  }

  function renderSelection() {
    const id = selectedNeuron();
    diagram.select(view.pinned);
    opgraph.render(trace, info, view.step, id);
    followButton.hidden = !view.pinned;
    followButton.textContent = t("playground.opgraph.follow");
    renderBiasField(id);
  }

  function renderBiasField(id) {
    const match = id && /^(\d+)-(\d+)$/.exec(id);
    if (!match || Number(match[1]) === 0 || !settings.showEditor) {
      biasField.hidden = true;
      return;
    }
    const [layer, index] = [Number(match[1]), Number(match[2])];
    const value = trace.params[layer - 1].bias[index];
    const symbol =
      trace.steps.find((s) => s.kind === "update" && s.layer === layer && s.neuron === index)?.formula.at(-1)?.lhs ??
      "b";
    const input = el("input", { type: "number", step: "any", class: "num", "data-testid": "bias-input" });
    roundWhenBlurred(input, value);
    input.addEventListener("change", () => {
      const v = Number(input.value);
      if (input.value.trim() === "" || !Number.isFinite(v)) return;
      const edited = withTraceWeights(model, trace);
      edited.biases[layer - 1][index] = v;
      update({ weights: edited.weights, biases: edited.biases });
    });
    biasField.hidden = false;
    biasField.replaceChildren(el("span", { class: "math", text: `${symbol} =` }), input);
  }

  function renderReadout() {
    if (!trace) return;
    const loss = formatNumber(trace.loss, 4);
    lossReadout.textContent =
      previousLoss == null
        ? t("playground.toolbar.loss", { loss })
        : t("playground.toolbar.loss_was", { loss, previous: formatNumber(previousLoss, 4) });
    lossReadout.classList.toggle("diverged", Boolean(trace.diverged));
    if (trace.diverged) lossReadout.textContent += ` · ${t("playground.toolbar.diverged")}`;
  }

  function setStatus(text) {
    status.textContent = text || "";
  }

  function showError(error) {
    if (error?.name === "AbortError") return;
    reveal();
    let message;
    if (error instanceof ApiError) {
      message = t("playground.errors.api", { detail: error.message });
    } else if (error instanceof TypeError) {
      message = t("common.error.network");
    } else {
      message = t("common.error.generic", { message: error?.message ?? String(error) });
    }
    errorBox.hidden = false;
    errorBox.replaceChildren(
      el("span", { text: message }),
      el("button", {
        type: "button",
        class: "icon-button",
        "aria-label": t("playground.errors.dismiss"),
        text: "✕",
        onclick: () => (errorBox.hidden = true),
      }),
    );
  }

  function clearError() {
    errorBox.hidden = true;
  }

  function setBusy(busy) {
    view.busy = busy;
    root.classList.toggle("busy", busy);
    svgEl.setAttribute("aria-busy", String(busy));
    if (trace)
      controls.update({
        index: view.step,
        total: trace.steps.length,
        playing: view.playing,
        speed: view.speed,
        granularity: view.granularity,
        busy,
      });
  }

  // ----------------------------------------------------------------------------------------- tracing
  /** The answer to POST /network/trace for `body`: the prefetched one if it asked for the same. */
  function requestTrace(body, signal) {
    const early = prefetched;
    prefetched = null;
    if (early && JSON.stringify(early.body) === JSON.stringify(body)) return early.response;
    return api.trace(body, { signal });
  }

  async function retrace() {
    const token = ++traceToken;
    abort?.abort();
    abort = new AbortController();
    setBusy(true);
    setStatus(t("common.loading"));
    const body = firstRequest
      ? firstTraceRequest(model, { step: view.step, selected: view.pinned })
      : traceRequest(model);
    firstRequest = false;
    try {
      const [result] = await Promise.all([requestTrace(body, abort.signal), settings.translationsReady]);
      if (token !== traceToken || destroyed) return;
      applyTrace(result);
      clearError();
      setStatus("");
      if (!body.include_neuron_graphs) addGraphsLater(token);
    } catch (error) {
      if (token !== traceToken || destroyed) return;
      setStatus("");
      showError(error);
      if (trace) render();
    } finally {
      if (token === traceToken && !destroyed) setBusy(false);
    }
  }

  /** After a first trace without op graphs: fetch them once the diagram is painted, and show them. */
  function addGraphsLater(token) {
    const current = () => token === traceToken && !destroyed;
    afterNextPaint()
      .then(() => (current() ? api.trace(traceRequest(model)) : null))
      .then((full) => {
        if (!full || !current()) return;
        trace.neuron_graphs = full.neuron_graphs;
        renderSelection();
      })
      .catch(() => {}); // the op graph keeps its hint; the next trace brings the graphs
  }

  function applyTrace(result) {
    trace = result;
    info = indexTrace(trace);
    frames = buildFrames(trace.steps, view.granularity);
    view.step = Math.max(0, Math.min(view.step, trace.steps.length - 1));
    const pin = view.pinned && parseNodeId(view.pinned);
    if (view.pinned && !(pin && pin[1] < (trace.layers[pin[0]]?.size ?? 0))) view.pinned = null; // not in this network
    // the diagram's height follows its rows: set before the diagram measures itself
    root.style.setProperty("--diagram-rows", String(Math.max(...trace.layers.map((layer) => layer.size))));
    reveal();
    diagram.clearPulses();
    diagram.setTrace(trace, { info, index: view.step, highlight: frameSteps(trace, frames, view.step) });
    root.dataset.ready = "true";
    svgEl.dataset.ready = String(trace.steps.length);
    legend.render(trace, diagram.scales);
    controls.timeline.style.setProperty("--timeline-track", phaseGradient(trace.steps));
    if (editorShows) renderEditor(); // the first time, `ready` draws it
    render({ diagramToo: false });
    settings.onTrace?.(trace);
  }

  let editorShows = null;

  /** Draw the editor for the current model and caps, unless it already shows them. */
  function renderEditor() {
    if (!editor || (editorShows?.model === model && editorShows?.limits === limits)) return;
    editorShows = { model, limits };
    editor.render(model, limits);
  }

  /** Change the model (a patch of its fields) and re-trace. */
  function update(patch, { structural = false } = {}) {
    pause();
    const merged = { ...model, ...patch };
    if (structural) previousLoss = null;
    model = normalizeModel(merged, limits || undefined);
    renderEditor();
    return retrace();
  }

  // ----------------------------------------------------------------------------------------- stepping
  function frameDuration(steps) {
    if (prefersReducedMotion()) return 0;
    const base = steps.length > 1 ? GROUP_TRAVEL_MS : TRAVEL_MS;
    const travels = steps.some((s) => s.edges.length && s.phase !== "update");
    return (travels ? base : base * 0.6) / view.speed;
  }

  function animate(duration, onFrame, onDone) {
    const token = ++animationToken;
    const start = performance.now();
    const tick = (now) => {
      if (token !== animationToken || destroyed) return;
      const progress = duration > 0 ? Math.min(1, (now - start) / duration) : 1;
      onFrame?.(progress);
      if (progress < 1) requestAnimationFrame(tick);
      else onDone?.();
    };
    requestAnimationFrame(tick);
  }

  /** Show step `target`; when moving forwards with `animate`, values travel along the edges first. */
  function goTo(target, { animated = false, onDone = null } = {}) {
    if (!trace) return;
    const index = Math.max(0, Math.min(target, trace.steps.length - 1));
    const from = view.step;
    animationToken++;
    view.step = index;
    const travelling = trace.steps.slice(from + 1, index + 1);
    const duration = animated && index > from ? frameDuration(travelling) : 0;
    if (!duration) {
      render();
      if (onDone) animate(0, null, onDone);
      return;
    }
    diagram.setStep(from, travelling);
    render({ diagramToo: false });
    animate(
      duration,
      (progress) => diagram.showPulses(travelling, progress),
      () => {
        diagram.clearPulses();
        diagram.setStep(view.step, frameSteps(trace, frames, view.step));
        onDone?.();
      },
    );
  }

  function next() {
    pause();
    if (frames) goTo(nextStop(frames, view.step), { animated: true });
  }

  function prev() {
    pause();
    if (frames) goTo(previousStop(frames, view.step));
  }

  function reset() {
    pause();
    goTo(0);
  }

  function play() {
    if (!trace || view.playing) return;
    if (view.step >= trace.steps.length - 1) goTo(0);
    view.playing = true;
    const token = ++playToken;
    const loop = () => {
      if (token !== playToken || !view.playing || destroyed) return;
      const target = nextStop(frames, view.step);
      if (target === view.step) {
        pause();
        return;
      }
      goTo(target, {
        animated: true,
        onDone: () => {
          if (token !== playToken || !view.playing) return;
          const dwell = (prefersReducedMotion() ? 2 * DWELL_MS : DWELL_MS) / view.speed;
          animate(dwell, null, loop);
        },
      });
    };
    loop();
    render({ diagramToo: false });
  }

  function pause() {
    if (!view.playing) return;
    view.playing = false;
    playToken++;
    if (trace) {
      animationToken++;
      render();
    }
  }

  function togglePlay() {
    if (view.playing) pause();
    else play();
  }

  function setGranularity(granularity) {
    if (!GRANULARITIES.includes(granularity)) return;
    view.granularity = granularity;
    if (trace) {
      frames = buildFrames(trace.steps, granularity);
      render();
    }
  }

  function setSpeed(speed) {
    if (SPEEDS.includes(speed)) view.speed = speed;
    emitChange();
  }

  function setNumbers(on) {
    view.numbers = Boolean(on);
    numbersToggle.checked = view.numbers;
    diagram.setOptions({ numbers: view.numbers });
    emitChange();
  }

  function select(id) {
    view.pinned = id;
    if (trace) {
      renderSelection();
      emitChange();
    }
  }

  // ----------------------------------------------------------------------------------------- training
  async function trainStep() {
    if (!trace || view.busy) return;
    if (trace.diverged) {
      showError(new Error(t("playground.errors.diverged")));
      return;
    }
    pause();
    previousLoss = trace.loss;
    model = withTraceWeights(model, trace, "updated");
    await retrace();
    if (trace)
      setStatus(
        t("playground.train.done", {
          count: 1,
          before: formatNumber(previousLoss, 4),
          after: formatNumber(trace.loss, 4),
        }),
      );
  }

  async function trainSteps(count) {
    if (!trace || view.busy) return;
    const total = Math.max(1, Math.min(MAX_TRAIN_STEPS, Math.round(Number(count) || 1)));
    pause();
    const token = ++trainToken;
    const before = trace.loss;
    let current = model;
    setBusy(true);
    setStatus(t("playground.train.progress", { done: 0, total }));
    try {
      const trained = await trainOnServer(current, total);
      if (token !== trainToken || destroyed) return;
      if (trained) {
        if (trained.diverged) throw new Error(t("playground.errors.diverged"));
        current = { ...current, weights: trained.weights, biases: trained.biases };
      }
      // When the server could not train this data, one traced step per round trip instead.
      const tracedSteps = trained ? 0 : total;
      for (let i = 0; i < tracedSteps; i++) {
        const result = await api.trace(traceRequest(current, { graphs: false }));
        if (token !== trainToken || destroyed) return;
        if (result.diverged) throw new Error(t("playground.errors.diverged"));
        current = withTraceWeights(current, result, "updated");
        if (i % 5 === 0) setStatus(t("playground.train.progress", { done: i + 1, total }));
      }
    } catch (error) {
      setBusy(false);
      setStatus("");
      showError(error);
      return;
    }
    previousLoss = before;
    model = current;
    setBusy(false);
    await retrace();
    if (trace)
      setStatus(
        t("playground.train.done", {
          count: total,
          before: formatNumber(before, 4),
          after: formatNumber(trace.loss, 4),
        }),
      );
  }

  /**
   * Train with POST /network/train (plain SGD, the whole batch each step, no held-out points: the same
   * update the trace shows) when the data fits its dataset format; null when it does not.
   */
  async function trainOnServer(current, steps) {
    const inputs = current.inputs;
    const outputs = current.layers[current.layers.length - 1];
    if (![1, 2].includes(current.layers[0])) return null;
    const dataset = { points: inputs };
    if (current.loss === "mse" && outputs === 1) dataset.targets = current.targets.map((row) => row[0]);
    else if (current.loss === "bce" && outputs === 1 && current.targets.every((row) => row[0] === 0 || row[0] === 1))
      dataset.labels = current.targets.map((row) => row[0]);
    else if (current.loss === "cross_entropy") dataset.labels = current.targets.map((row) => row.indexOf(1));
    else return null;
    const request = traceRequest(current);
    const body = {
      layers: request.layers,
      activation: request.activation,
      output_activation: request.output_activation,
      loss: request.loss,
      seed: request.seed,
      init: request.init,
      weights: withTraceWeights(current, trace).weights,
      biases: withTraceWeights(current, trace).biases,
      dataset,
      optimizer: "sgd",
      learning_rate: current.learningRate,
      batch_size: inputs.length,
      steps,
      record_every: steps,
      test_fraction: 0,
      grid: { resolution: 2, neuron_resolution: 0 },
    };
    try {
      const result = await api.train(body);
      return { weights: result.weights, biases: result.biases, diverged: result.diverged };
    } catch (error) {
      if (error instanceof ApiError && [404, 405, 413, 422].includes(error.status)) return null;
      throw error;
    }
  }

  /** Load a new network and/or data (player or API field names); the view keeps its step if it can. */
  function load(spec = {}) {
    pause();
    previousLoss = null;
    if (Number.isInteger(spec.step) && spec.step >= 0) view.step = spec.step;
    if (GRANULARITIES.includes(spec.granularity)) view.granularity = spec.granularity;
    if (SPEEDS.includes(spec.speed)) view.speed = spec.speed;
    if (typeof spec.numbers === "boolean") setNumbers(spec.numbers);
    if (spec.selected !== undefined) view.pinned = typeof spec.selected === "string" ? spec.selected : null;
    model = normalizeModel({ ...DEFAULT_MODEL, ...specToModel(spec) }, limits || undefined);
    renderEditor();
    return retrace();
  }

  /** What an exported picture can carry under the diagram: the step's sentence and formula, and the legend. */
  function exportCaption() {
    const shown = [...narration.element.querySelectorAll(".narration-step")].at(-1);
    const lines = shown
      ? [
          shown.querySelector(".narration-sentence"),
          ...shown.querySelectorAll(".formula > li"),
          shown.querySelector(".narration-note"),
        ]
          .filter(Boolean)
          .map((node) => node.textContent.replace(/\s+/g, " ").trim())
      : [];
    const legendItems = [...legend.element.querySelectorAll(".legend-item")].map((item) => ({
      title: item.querySelector("figcaption")?.textContent.trim() ?? "",
      entries: [...item.querySelectorAll("li, .colour-ticks span")]
        .map((node) => node.textContent.trim())
        .filter(Boolean),
    }));
    return { lines: lines.filter(Boolean), legend: legendItems };
  }

  async function importJson(file) {
    let spec;
    try {
      spec = modelFromExport(await readJsonFile(file));
    } catch {
      showError(new Error(t("playground.errors.bad_file")));
      return;
    }
    await load({ ...spec, step: 0 });
    if (trace) toast(t("playground.export.imported"));
  }

  // ----------------------------------------------------------------------------------------- weight editing
  function createWeightEditor() {
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
    let editing = null;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = Number(input.value);
      if (!editing || input.value.trim() === "" || !Number.isFinite(value)) return;
      const edge = parseEdgeId(editing);
      const nextModel = withTraceWeights(model, trace);
      nextModel.weights[edge.layer - 1][edge.to][edge.from] = value;
      close();
      update({ weights: nextModel.weights, biases: nextModel.biases });
    });
    const close = () => {
      form.hidden = true;
      const id = editing;
      editing = null;
      if (id) diagram.edgeRecord(id)?.hit?.focus();
    };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        close();
      }
    });
    wrap.append(form);
    return {
      open(id, target) {
        if (!trace || !settings.showEditor) return;
        const edge = parseEdgeId(id);
        editing = id;
        tooltip.hide();
        label.textContent = `${diagram.edgeSymbol(id)} =`;
        apply.textContent = t("playground.editor.apply");
        cancel.textContent = t("playground.editor.cancel");
        showWeight(trace.params[edge.layer - 1].weight[edge.to][edge.from]);
        form.hidden = false;
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
        input.focus();
        input.select();
      },
    };
  }

  // ----------------------------------------------------------------------------------------- keyboard
  // The stepping keys are taken in the capture phase, before a focused select, slider or checkbox acts
  // on them (see core/keys.js); the others in the bubble phase, after the diagram's own Enter/Space.
  function onStepKey(event) {
    const direction = stepDirection(event);
    if (!direction) return;
    event.preventDefault();
    if (direction > 0) next();
    else prev();
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    const onButton = event.target instanceof HTMLButtonElement;
    switch (event.key) {
      case " ":
      case "Spacebar":
        if (onButton) return;
        togglePlay();
        break;
      case "Home":
        reset();
        break;
      case "End":
        pause();
        if (trace) goTo(trace.steps.length - 1);
        break;
      case "Escape":
        tooltip.hide();
        return;
      default:
        return;
    }
    event.preventDefault();
  }
  const keyTarget = settings.keyboard === "global" ? document : settings.keyboard === "scoped" ? root : null;
  keyTarget?.addEventListener("keydown", onStepKey, true);
  keyTarget?.addEventListener("keydown", onKey);

  function onLanguage() {
    applyTranslations(root);
    narration.rerender();
    opgraph.rerender();
    legend.rerender();
    editor?.rerender();
    tooltip.hide();
    if (trace) {
      renderSelection();
      renderReadout();
    }
  }
  document.addEventListener("langchange", onLanguage);
  const onPresenter = () =>
    requestAnimationFrame(() => {
      diagram.relayout();
      opgraph.rerender();
    });
  document.addEventListener("presenterchange", onPresenter);
  const outsideTap = (event) => {
    if (!wrap.contains(event.target)) tooltip.hide();
  };
  document.addEventListener("pointerdown", outsideTap);

  // ----------------------------------------------------------------------------------------- start
  // The first trace is asked for at once; the caps only matter when they change the model. The editor
  // is drawn once the first diagram has been painted: until then the page has nothing else to do first.
  const first = retrace();
  const ready = Promise.all([loadLimits(api), settings.translationsReady]).then(([l]) => {
    limits = l;
    const capped = normalizeModel(model, limits);
    if (JSON.stringify(capped) === JSON.stringify(model)) {
      first.then(afterNextPaint).then(() => destroyed || renderEditor());
      return first;
    }
    model = capped;
    renderEditor();
    return retrace();
  });

  return {
    element: root,
    diagram,
    ready,
    load,
    update,
    getState: snapshot,
    getTrace: () => trace,
    setStep: (index) => {
      pause();
      goTo(index);
    },
    next,
    prev,
    play,
    pause,
    reset,
    togglePlay,
    trainStep,
    trainSteps,
    setGranularity,
    setSpeed,
    setNumbers,
    select,
    showError,
    destroy() {
      destroyed = true;
      pause();
      abort?.abort();
      animationToken++;
      keyTarget?.removeEventListener("keydown", onStepKey, true);
      keyTarget?.removeEventListener("keydown", onKey);
      document.removeEventListener("langchange", onLanguage);
      document.removeEventListener("presenterchange", onPresenter);
      document.removeEventListener("pointerdown", outsideTap);
      diagram.destroy();
      root.remove();
    },
  };
}
