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
//     predict: false,          // predict, then reveal (predict.js): the learner answers before each step shows
//     keyboard: "scoped",       // "global": → ← Space Home PageUp/PageDown anywhere on the page; false: none
//     prefetched: { body, response },  // a v2 trace already asked for (POST body, promise of the answer):
//                               // the first trace uses it when its own body is the same
//     onChange: (state) => {},  // after every change of model or view (e.g. to write the URL)
//   });
//   await player.ready;         // the first trace has arrived
//   player.load({ inputs: [[0, 1]] });  player.next();  player.play();  player.destroy();
//   player.store                // the one state object: getState(), dispatch(), subscribe() (see store.js)
//
// The player never computes a value: it asks POST /api/v2/network/trace and shows what comes back. Its
// state lives in one store (store.js); the modules below read it or dispatch to it, and this file wires
// them to the page: playback.js (stepping and the play timer), training.js, weight-editor.js, readout.js,
// trace-client.js (scripts and numbers), diagram.js, narration.js, opgraph.js, legend.js, controls.js,
// editor.js and exporters.js.

import { ApiError, api } from "../core/api.js";
import { el, svg, toast } from "../core/dom.js";
import { applyTranslations, t } from "../core/i18n.js";
import { stepDirection } from "../core/keys.js";
import { createControls } from "./controls.js";
import { Diagram } from "./diagram.js";
import { createEditor } from "./editor.js";
import { exportCaption, exportJson, exportPng, exportScript, exportSvg, readJsonFile } from "./exporters.js";
import { createLegend } from "./legend.js";
import {
  DEFAULT_MODEL,
  loadLimits,
  modelFromExport,
  modelFromSpec,
  normalizeModel,
  specFromModel,
  specToModel,
  traceRequest,
} from "./model.js";
import { createNarration } from "./narration.js";
import { createNotationButton } from "./notation.js";
import { createOpGraph } from "./opgraph.js";
import { createPlayback } from "./playback.js";
import { createPredict } from "./predict.js";
import { createReadout } from "./readout.js";
import { buildFrames, frameSteps, indexTrace } from "./steps.js";
import { createStore, initialState } from "./store.js";
import { createTooltip } from "./tooltip.js";
import { createTraceClient, passFrom } from "./trace-client.js";
import { createTraining } from "./training.js";
import { createBiasField, createWeightEditor } from "./weight-editor.js";
import { createWholeGraph } from "./whole-graph.js";

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

/** The model of a spec, computed once per spec object (the store replaces the spec on every change). */
function modelCache() {
  let spec = null;
  let model = null;
  return (next) => {
    if (next !== spec) {
      spec = next;
      model = modelFromSpec(next);
    }
    return model;
  };
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
  const store = createStore(
    initialState({
      spec: specFromModel(normalizeModel({ ...DEFAULT_MODEL, ...specToModel(options) })),
      view: options,
    }),
  );
  const state = () => store.getState();
  const modelOf = modelCache();
  const model = () => modelOf(state().spec);
  const traces = createTraceClient();
  // What the store refers to but cannot hold as plain data: the pass shown (its numbers, indexed for the
  // views, with its frames) and the handles of work in flight.
  const session = {
    shown: null, // { pass, info, frames }
    limits: null,
    prefetched: options.prefetched || null,
    traceToken: 0,
    abort: null,
    graphsFor: null, // the pass whose op graph numbers are on their way
    pendingTrace: Promise.resolve(false),
    destroyed: false,
    editorShows: null,
  };
  const current = () => session.shown?.pass ?? null;

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
  const readout = createReadout();
  const numbersToggle = el("input", {
    type: "checkbox",
    "data-testid": "numbers-toggle",
    checked: state().view.numbers,
  });
  numbersToggle.addEventListener("change", () => setNumbers(numbersToggle.checked));
  const toolbar = el(
    "div",
    { class: "stage-toolbar" },
    readout.element,
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
      reset: () => playback.reset(),
      prev: () => playback.prev(),
      next: () => playback.next(),
      togglePlay: () => playback.togglePlay(),
      seek: (index) => setStep(index),
      speed: (s) => setSpeed(s),
      granularity: (g) => setGranularity(g),
      trainStep: () => training.trainStep(),
      trainMany: (n) => training.trainSteps(n),
    },
    { showTraining: settings.showTraining, speed: state().view.speed, granularity: state().view.granularity },
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
  const editParams = (params) => update(params);
  const biasField = createBiasField({ current, onEdit: editParams });
  opgraph.element.insertBefore(
    el("div", { class: "opgraph-tools" }, followButton, biasField.element),
    opgraph.element.children[1],
  );

  const stage = el("section", { class: "player-stage" }, toolbar, wrap, controls.element, errorBox);
  // predict-then-reveal asks the step "next" would show (predict.js); `predict: true` starts it on
  const predict = createPredict({ store, shown: () => session.shown, reveal: () => playback.reveal() });
  if (options.predict === true) store.dispatch({ type: "predict/toggle", on: true });
  const side = el("div", { class: "player-side" }, narration.element, predict.element);
  if (settings.showOpGraph) side.append(opgraph.element);
  const wholeGraph = settings.showOpGraph ? createWholeGraph({ store, shown: () => session.shown, select }) : null;
  if (wholeGraph) side.append(wholeGraph.element);
  const grid = el("div", { class: "player-grid" }, stage, side);
  if (settings.showLegend) grid.append(legend.element);
  root.append(grid);
  const caption = (exportOptions) => (exportOptions?.caption ? exportCaption(narration.element, legend.element) : null);
  const editor = settings.showEditor
    ? createEditor({
        onChange: (patch, { structural } = {}) => update(patch, { structural }),
        actions: {
          copyLink: () => settings.onCopyLink?.(),
          exportJson: () => current() && exportJson(model(), current(), state().predict),
          importJson: (file) => importJson(file),
          loadPreset: (request) => load({ ...request, step: 0, selected: null }),
          exportSvg: (exportOptions) => exportSvg(svgEl, { caption: caption(exportOptions) }),
          exportPng: (exportOptions) => exportPng(svgEl, { caption: caption(exportOptions) }).catch(showError),
          exportScript: (format) => current() && exportScript(model(), current(), format).catch(showError),
        },
      })
    : null;
  if (editor) grid.append(editor.element);
  // The player joins the page with its first diagram (or after REVEAL_MS without one, showing that it is
  // loading): a frame of the empty player before the trace arrives would only delay the diagram.
  const reveal = () => {
    clearTimeout(revealTimer);
    if (!root.isConnected && !session.destroyed) container.append(root);
  };
  const revealTimer = setTimeout(reveal, REVEAL_MS);

  const tooltip = createTooltip(wrap);
  const diagram = new Diagram(svgEl, {
    numbers: state().view.numbers,
    onHover: (target) => (target ? tooltip.show(target, tooltipContext()) : tooltip.hide()),
    onNodeClick: (target) => {
      tooltip.show(target, tooltipContext());
      if (target.id === "L") return;
      select(state().view.selected === target.id ? null : target.id);
    },
    onEdgeClick: (target) => {
      if (settings.showEditor) weightEditor.open(target.id, target);
    },
  });
  const weightEditor = createWeightEditor({ wrap, svgEl, diagram, tooltip, current, onEdit: editParams });
  const playback = createPlayback({ store, current: () => session.shown, diagram });
  const training = createTraining({
    store,
    current,
    model,
    setModel: (next, { keepTraining }) => setModel(next, { keepTraining }),
    traces,
    setStatus,
    showError,
    pause: () => playback.pause(),
  });

  // ----------------------------------------------------------------------------------------- state
  function snapshot() {
    const { view } = state();
    return {
      model: structuredClone(model()),
      step: view.step,
      granularity: view.granularity,
      speed: view.speed,
      numbers: view.numbers,
      selected: view.selected,
      playing: view.playing,
      predict: state().predict.on,
    };
  }

  function tooltipContext() {
    return { trace: current(), info: session.shown?.info, index: state().view.step, editable: settings.showEditor };
  }

  /** The neuron the op graph shows: the pinned one, else the one of the latest step about a neuron. */
  function selectedNeuron() {
    const { view } = state();
    if (view.selected) return view.selected;
    const pass = current();
    if (!pass) return null;
    for (let i = view.step; i >= 0; i--) {
      const step = pass.steps[i];
      if (step.neuron != null) return `${step.layer}-${step.neuron}`;
    }
    return null;
  }

  // Every change goes through the store; this is where the page follows it.
  store.subscribe((now, before, action) => {
    if (now.spec !== before.spec) session.pendingTrace = retrace();
    if (now.busy !== before.busy) renderBusy(now.busy);
    if (now.view.numbers !== before.view.numbers) {
      numbersToggle.checked = now.view.numbers;
      diagram.setOptions({ numbers: now.view.numbers });
    }
    const shown = session.shown;
    if (shown && now.view.granularity !== before.view.granularity)
      shown.frames = buildFrames(shown.pass.steps, now.view.granularity);
    const redraw =
      now.view.step !== before.view.step ||
      now.view.playing !== before.view.playing ||
      now.view.granularity !== before.view.granularity ||
      now.trace !== before.trace ||
      now.training !== before.training ||
      action.type === "view/step";
    if (shown && redraw) render({ diagramToo: !action.travel });
    else if (shown && now.view.selected !== before.view.selected) renderSelection();
    else if (shown && now.view.speed !== before.view.speed) renderControls();
    if (now.spec !== before.spec || now.view !== before.view || now.predict.on !== before.predict.on)
      settings.onChange?.(snapshot());
  });

  // ----------------------------------------------------------------------------------------- render
  function render({ diagramToo = true } = {}) {
    const { pass, frames } = session.shown;
    const { view } = state();
    const steps = frameSteps(pass, frames, view.step);
    if (diagramToo) {
      diagram.clearPulses();
      diagram.setStep(view.step, steps);
    }
    if (view.playing) {
      schedulePanels();
    } else {
      panels.length = 0;
      narration.render(pass, steps, view.step);
      renderSelection();
    }
    renderControls();
    tooltip.refresh({ index: view.step });
    readout.render(pass, view.step, state().training);
  }

  function renderControls() {
    const pass = current();
    if (!pass) return;
    const { view, busy } = state();
    controls.update({
      index: view.step,
      total: pass.steps.length,
      playing: view.playing,
      speed: view.speed,
      granularity: view.granularity,
      busy,
    });
  }

  // While playing, the narration and the op graph follow the diagram in the next frames, one piece of
  // work per frame, so that no frame carries a whole step: a large network's step then fits a frame.
  const panels = []; // functions; one that returns a function queues it as the next piece
  let panelFrame = 0;

  function schedulePanels() {
    panels.length = 0;
    panels.push(() => {
      const { pass, frames } = session.shown;
      const step = state().view.step;
      return narration.render(pass, frameSteps(pass, frames, step), step, { progressive: true });
    }, renderSelection);
    if (!panelFrame) panelFrame = requestAnimationFrame(renderNextPanel);
  }

  function renderNextPanel() {
    panelFrame = 0;
    if (!panels.length || !session.shown || session.destroyed) return;
    const more = panels.shift()();
    if (typeof more === "function") panels.push(more);
    if (panels.length) panelFrame = requestAnimationFrame(renderNextPanel);
  }

  function renderSelection() {
    const pass = current();
    if (!pass) return;
    const id = selectedNeuron();
    const pinned = state().view.selected;
    diagram.select(pinned);
    opgraph.render(pass, session.shown.info, state().view.step, id);
    followButton.hidden = !pinned;
    followButton.textContent = t("playground.opgraph.follow");
    biasField.render(id, settings.showEditor);
    if (id && settings.showOpGraph && !pass.neuron_graphs) addGraphs(pass);
  }

  function setStatus(text) {
    status.textContent = text || "";
  }

  /** A failure in words: the server's own message when it refused the request (e.g. a 422 naming a cap). */
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

  function renderBusy(busy) {
    root.classList.toggle("busy", busy);
    svgEl.setAttribute("aria-busy", String(busy));
    renderControls();
  }

  // ----------------------------------------------------------------------------------------- tracing
  /** The op graphs need numbers a pass leaves out unless asked (a third of it): asked for when first shown. */
  const wantsGraphs = () => settings.showOpGraph && (state().view.step > 0 || Boolean(state().view.selected));

  /** The prefetched answer for `body`, taken once, or null. */
  function takePrefetched(body) {
    const early = session.prefetched;
    session.prefetched = null;
    return early && JSON.stringify(early.body) === JSON.stringify(body) ? early.response : null;
  }

  /** Trace the store's spec and show the pass; resolves to true once it is shown. */
  async function retrace() {
    const token = ++session.traceToken;
    session.abort?.abort();
    session.abort = new AbortController();
    store.dispatch({ type: "busy", busy: true });
    setStatus(t("common.loading"));
    const body = traceRequest(model(), { graphs: wantsGraphs() });
    const stale = () => token !== session.traceToken || session.destroyed;
    try {
      const [{ script, numbers }] = await Promise.all([
        traces.fetchPass(body, { signal: session.abort.signal, answer: takePrefetched(body) }),
        settings.translationsReady,
      ]);
      if (stale()) return false;
      showPass(passFrom(script, numbers));
      clearError();
      setStatus("");
      return true;
    } catch (error) {
      if (stale()) return false;
      setStatus("");
      showError(error);
      if (session.shown) render();
      return false;
    } finally {
      if (!stale()) store.dispatch({ type: "busy", busy: false });
    }
  }

  /** The op graph numbers of the pass shown, asked for once it shows a neuron's graph. */
  function addGraphs(pass) {
    if (session.graphsFor === pass) return;
    session.graphsFor = pass;
    const token = session.traceToken;
    traces
      .fetchPass(traceRequest(model(), { graphs: true }))
      .then(({ script, numbers }) => {
        if (token !== session.traceToken || session.destroyed || current() !== pass) return;
        pass.neuron_graphs = passFrom(script, numbers).neuron_graphs;
        renderSelection();
      })
      .catch(() => {}); // the op graph keeps its hint; the next trace brings the graphs
  }

  function showPass(pass) {
    const { view } = state();
    const info = indexTrace(pass);
    const frames = buildFrames(pass.steps, view.granularity);
    session.shown = { pass, info, frames };
    const step = Math.max(0, Math.min(view.step, pass.steps.length - 1));
    // the diagram's height follows its rows: set before the diagram measures itself
    root.style.setProperty("--diagram-rows", String(Math.max(...pass.layers.map((layer) => layer.size))));
    reveal();
    playback.cancelMove();
    diagram.clearPulses();
    diagram.setTrace(pass, { info, index: step, highlight: frameSteps(pass, frames, step) });
    root.dataset.ready = "true";
    svgEl.dataset.ready = String(pass.steps.length);
    legend.render(pass, diagram.scales);
    controls.timeline.style.setProperty("--timeline-track", phaseGradient(pass.steps));
    if (session.editorShows) renderEditor(); // the first time, `ready` draws it
    store.dispatch({
      type: "trace/loaded",
      scriptId: pass.scriptId,
      steps: pass.steps.length,
      lossAt: pass.facts.lossAt,
      loss: pass.loss,
      diverged: pass.diverged,
      unpin: Boolean(view.selected) && !pass.facts.node(view.selected), // not in this network
      travel: true, // the diagram is drawn
    });
    settings.onTrace?.(pass);
  }

  /** Draw the editor for the current model and caps, unless it already shows them. */
  function renderEditor() {
    const shows = model();
    if (!editor || (session.editorShows?.model === shows && session.editorShows?.limits === session.limits)) return;
    session.editorShows = { model: shows, limits: session.limits };
    editor.render(shows, session.limits);
  }

  /** Put a model in the store (which traces it); resolves to true once its pass is shown. */
  function setModel(next, { keepTraining = false } = {}) {
    playback.pause();
    store.dispatch({ type: "spec/set", spec: specFromModel(normalizeModel(next)), keepTraining });
    renderEditor();
    return session.pendingTrace;
  }

  /** Change the model (a patch of its fields, the player's names) and re-trace. */
  function update(patch, { structural = false } = {}) {
    return setModel({ ...model(), ...patch }, { keepTraining: !structural });
  }

  /** Load a new network and/or data (player or API field names); the view keeps its step if it can. */
  function load(spec = {}) {
    playback.pause();
    const view = {};
    for (const name of ["step", "granularity", "speed", "numbers"])
      if (spec[name] !== undefined) view[name] = spec[name];
    if (spec.selected !== undefined) view.selected = typeof spec.selected === "string" ? spec.selected : null;
    store.dispatch({ type: "view/set", view, forNextTrace: true });
    if (typeof spec.predict === "boolean") store.dispatch({ type: "predict/toggle", on: spec.predict });
    return setModel({ ...DEFAULT_MODEL, ...specToModel(spec) }).then(() => undefined);
  }

  async function importJson(file) {
    let spec, saved;
    try {
      const data = await readJsonFile(file);
      spec = modelFromExport(data);
      saved = data.predict; // a file saved while predicting (older files have none)
    } catch {
      showError(new Error(t("playground.errors.bad_file")));
      return;
    }
    await load({ ...spec, step: 0 });
    if (saved !== undefined) store.dispatch({ type: "predict/restore", predict: saved });
    if (current()) toast(t("playground.export.imported"));
  }

  // ----------------------------------------------------------------------------------------- view changes
  function setStep(index) {
    playback.pause();
    playback.goTo(index);
  }

  function setGranularity(granularity) {
    store.dispatch({ type: "view/set", view: { granularity } });
  }

  function setSpeed(speed) {
    store.dispatch({ type: "view/set", view: { speed } });
  }

  function setNumbers(on) {
    store.dispatch({ type: "view/set", view: { numbers: Boolean(on) } });
  }

  function select(id) {
    store.dispatch({ type: "view/set", view: { selected: typeof id === "string" ? id : null } });
  }

  // ----------------------------------------------------------------------------------------- keyboard
  // The stepping keys are taken in the capture phase, before a focused select, slider or checkbox acts
  // on them (see core/keys.js); the others in the bubble phase, after the diagram's own Enter/Space.
  function onStepKey(event) {
    const direction = stepDirection(event);
    if (!direction) return;
    event.preventDefault();
    if (direction > 0) playback.next();
    else playback.prev();
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    const onButton = event.target instanceof HTMLButtonElement;
    switch (event.key) {
      case " ":
      case "Spacebar":
        if (onButton) return;
        playback.togglePlay();
        break;
      case "Home":
        playback.reset();
        break;
      case "End":
        playback.end();
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
    if (current()) {
      renderSelection();
      readout.render(current(), state().view.step, state().training);
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
  // The first trace is asked for at once. The caps (for the editor) come alongside; the editor is drawn
  // once the first diagram has been painted: until then the page has nothing else to do first.
  const first = retrace();
  session.pendingTrace = first;
  const ready = Promise.all([loadLimits(api), settings.translationsReady]).then(([limits]) => {
    session.limits = limits;
    first.then(afterNextPaint).then(() => session.destroyed || renderEditor());
    return first.then(() => undefined);
  });

  return {
    element: root,
    diagram,
    store,
    ready,
    load,
    update,
    getState: snapshot,
    getTrace: current,
    setStep,
    next: () => playback.next(),
    prev: () => playback.prev(),
    play: () => playback.play(),
    pause: () => playback.pause(),
    reset: () => playback.reset(),
    togglePlay: () => playback.togglePlay(),
    trainStep: () => training.trainStep(),
    trainSteps: (count) => training.trainSteps(count),
    setGranularity,
    setSpeed,
    setNumbers,
    select,
    showError,
    destroy() {
      session.destroyed = true;
      playback.stop();
      training.stop();
      predict.destroy();
      session.abort?.abort();
      keyTarget?.removeEventListener("keydown", onStepKey, true);
      keyTarget?.removeEventListener("keydown", onKey);
      document.removeEventListener("langchange", onLanguage);
      document.removeEventListener("presenterchange", onPresenter);
      document.removeEventListener("pointerdown", outsideTap);
      diagram.destroy();
      wholeGraph?.destroy();
      root.remove();
    },
  };
}
