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
//   await player.ready;         // the first trace has arrived and the panels are in
//   player.load({ inputs: [[0, 1]] });  player.next();  player.play();  player.destroy();
//   player.store                // the one state object: getState(), dispatch(), subscribe() (see store.js)
//
// The player never computes a value: it asks POST /api/v2/network/trace and shows what comes back. Its
// state lives in one store (store.js); the modules below read it or dispatch to it, and this file mounts
// them and wires them to the page: player-tracing.js (asking for passes), player-render.js (drawing the
// store), player-actions.js (new models, loads and imports), player-keys.js, player-messages.js (status and
// errors), playback.js (stepping and the play timer), training.js, weight-editor.js, readout.js,
// trace-client.js (scripts and numbers), diagram.js, narration.js, opgraph.js, legend.js, controls.js,
// editor.js and exporters.js.
//
// Only what draws the first diagram is imported up front (the page preloads it): the diagram, its toolbar,
// controls and legend, the store and the tracing. The panels (narration, op graph, tooltip, predict, whole
// graph, editor, exports, training, weight editor) are imported once the first diagram is drawn, and take
// the places kept for them in the grid; `ready` resolves once they are in.

import { api } from "../core/api.js";
import { el, svg } from "../core/dom.js";
import { applyTranslations, t } from "../core/i18n.js";
import { createControls } from "./controls.js";
import { Diagram } from "./diagram.js";
import { createLegend } from "./legend.js";
import { DEFAULT_MODEL, loadLimits, normalizeModel, specFromModel, specToModel } from "./model.js";
import { createActions, modelReader } from "./player-actions.js";
import { listenToKeys } from "./player-keys.js";
import { createMessages } from "./player-messages.js";
import { createRendering } from "./player-render.js";
import { createTracing } from "./player-tracing.js";
import { createPlayback } from "./playback.js";
import { createReadout } from "./readout.js";
import { buildFrames } from "./steps.js";
import { createStore, initialState } from "./store.js";
import { createTraceClient } from "./trace-client.js";

const REVEAL_MS = 150;

/** Resolves once the browser has rendered the next frame. */
function afterNextPaint() {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
  });
}

/**
 * A stand-in for a panel that arrives after the first diagram (see mountPanels): its methods do nothing
 * until `arrive(panel)`, then call the panel's. The player draws what it shows once it has arrived.
 */
function later(...methods) {
  const stand = { panel: null, arrive: (panel) => (stand.panel = panel) };
  for (const name of methods) stand[name] = (...args) => stand.panel?.[name](...args);
  return stand;
}

/**
 * The tooltip's stand-in also keeps the neuron or edge last shown (or none, once hidden): one clicked,
 * hovered or focused before the tooltip arrives shows its numbers when it does.
 */
function laterTooltip() {
  const stand = later("refresh");
  stand.wanted = null;
  stand.show = (target, context) => (stand.panel ? stand.panel.show(target, context) : (stand.wanted = target));
  stand.hide = () => (stand.panel ? stand.panel.hide() : (stand.wanted = null));
  return stand;
}

/** The modules (and the predict panel's stylesheet) of everything but the diagram and its controls,
 * fetched once the first diagram is drawn. */
function importPanels() {
  return Promise.all([
    import("./narration.js"),
    import("./notation.js"),
    import("./opgraph.js"),
    import("./tooltip.js"),
    import("./predict.js"),
    import("./whole-graph.js"),
    import("./editor.js"),
    import("./exporters.js"),
    import("./weight-editor.js"),
    import("./training.js"),
    import("../core/styles.js").then(({ useStylesheet }) =>
      useStylesheet(new URL("../../css/predict.css", import.meta.url)),
    ),
  ]);
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
  const model = modelReader(store);
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
  const messages = createMessages({ onShow: () => reveal() });
  const { setStatus, showError } = messages;
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
    messages.status,
    el(
      "label",
      { class: "toggle" },
      numbersToggle,
      el("span", { "data-i18n": "playground.toolbar.numbers", text: t("playground.toolbar.numbers") }),
    ),
  );
  const controls = createControls(
    {
      reset: () => playback.reset(),
      prev: () => playback.prev(),
      next: () => playback.next(),
      togglePlay: () => playback.togglePlay(),
      seek: (index) => setStep(index),
      speed: (s) => setSpeed(s),
      granularity: (g) => setGranularity(g),
      trainStep: () => trainStep(),
      trainMany: (n) => trainSteps(n),
    },
    { showTraining: settings.showTraining, speed: state().view.speed, granularity: state().view.granularity },
  );
  // Everything but the diagram, its toolbar and its controls arrives once the first diagram is drawn
  // (mountPanels): these stand in for those panels until then.
  const narration = later("render", "rerender");
  const opgraph = later("render", "rerender");
  // The legend comes with the first diagram: in presenter mode its row takes from the diagram's height, and
  // a legend arriving later would shrink a diagram the class has already seen.
  const legend = createLegend();
  const tooltip = laterTooltip();
  const biasField = later("render");
  const editor = settings.showEditor ? later("render", "rerender") : null;
  const late = { predict: null, wholeGraph: null, weightEditor: null, training: null };
  let pendingEdge = null;
  const followButton = el("button", {
    type: "button",
    class: "follow-button",
    "data-testid": "follow-steps",
    hidden: true,
    onclick: () => select(null),
  });
  const editParams = (params) => actions.update(params);

  const stage = el("section", { class: "player-stage" }, toolbar, wrap, controls.element, messages.errorBox);
  if (options.predict === true) store.dispatch({ type: "predict/toggle", on: true });
  // the side column and the others' places in the grid are there from the start: the diagram's size
  // does not change when the panels arrive
  const side = el("div", { class: "player-side" });
  const grid = el("div", { class: "player-grid" }, stage, side, settings.showLegend ? legend.element : null);
  root.append(grid);
  // The player joins the page with its first diagram (or after REVEAL_MS without one, showing that it is
  // loading): a frame of the empty player before the trace arrives would only delay the diagram.
  const reveal = () => {
    clearTimeout(revealTimer);
    if (!root.isConnected && !session.destroyed) container.append(root);
  };
  const revealTimer = setTimeout(reveal, REVEAL_MS);

  const diagram = new Diagram(svgEl, {
    numbers: state().view.numbers,
    onHover: (target) => (target ? tooltip.show(target, tooltipContext()) : tooltip.hide()),
    onNodeClick: (target) => {
      tooltip.show(target, tooltipContext());
      if (target.id === "L") return;
      select(state().view.selected === target.id ? null : target.id);
    },
    onEdgeClick: (target) => {
      if (!settings.showEditor) return;
      if (late.weightEditor) late.weightEditor.open(target.id, target);
      else pendingEdge = target; // clicked while the editor's module is on its way: it opens on arrival
    },
  });
  const playback = createPlayback({ store, current: () => session.shown, diagram });
  const actions = createActions({ store, session, model, editor, playback, showError });
  const rendering = createRendering({
    store,
    session,
    settings,
    views: { diagram, narration, opgraph, legend, controls, tooltip, readout, biasField, followButton },
    root,
    svgEl,
    reveal,
    playback,
    renderEditor: () => actions.renderEditor(),
    addGraphs: (pass) => tracing.addGraphs(pass),
  });
  const tracing = createTracing({ store, session, settings, model, traces, messages, rendering });

  // ----------------------------------------------------------------------------------------- state
  function tooltipContext() {
    return { trace: current(), info: session.shown?.info, index: state().view.step, editable: settings.showEditor };
  }

  // Every change goes through the store; this is where the page follows it.
  store.subscribe((now, before, action) => {
    if (now.spec !== before.spec) session.pendingTrace = tracing.retrace();
    if (now.busy !== before.busy) rendering.renderBusy(now.busy);
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
    if (shown && redraw) rendering.render({ diagramToo: !action.travel });
    else if (shown && now.view.selected !== before.view.selected) rendering.renderSelection();
    else if (shown && now.view.speed !== before.view.speed) rendering.renderControls();
    if (now.spec !== before.spec || now.view !== before.view || now.predict.on !== before.predict.on)
      settings.onChange?.(actions.snapshot());
  });

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

  // ----------------------------------------------------------------------------------------- page events
  const keys = listenToKeys({ keyboard: settings.keyboard, root, playback, tooltip });

  function onLanguage() {
    applyTranslations(root);
    narration.rerender();
    opgraph.rerender();
    legend.rerender();
    editor?.rerender();
    tooltip.hide();
    if (current()) {
      rendering.renderSelection();
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

  // ----------------------------------------------------------------------------------------- panels
  /** Create the panels the stand-ins hold places for, put them in the grid and draw what they show. */
  function mountPanels(modules) {
    const [
      { createNarration },
      { createNotationButton },
      { createOpGraph },
      { createTooltip },
      { createPredict },
      { createWholeGraph },
      { createEditor },
      { exportCaption, exportJson, exportPng, exportScript, exportSvg },
      { createBiasField, createWeightEditor },
      { createTraining },
    ] = modules;
    narration.arrive(createNarration({ tools: [createNotationButton()] }));
    opgraph.arrive(createOpGraph({ onSelectInput: (id) => select(id) }));
    biasField.arrive(createBiasField({ current, onEdit: editParams }));
    opgraph.panel.element.insertBefore(
      el("div", { class: "opgraph-tools" }, followButton, biasField.panel.element),
      opgraph.panel.element.children[1],
    );
    // predict-then-reveal asks the step "next" would show (predict.js)
    side.append(narration.panel.element);
    late.predict = createPredict({
      store,
      shown: () => session.shown,
      reveal: () => playback.reveal(),
      place: (element) => side.append(element),
    });
    if (settings.showOpGraph) side.append(opgraph.panel.element);
    // expanded, the whole graph leaves the side column for a row of its own below the diagram
    const expandWholeGraph = (on) => {
      grid.classList.toggle("wide-graph", on);
      if (on) stage.after(late.wholeGraph.element);
      else side.append(late.wholeGraph.element);
    };
    late.wholeGraph = settings.showOpGraph
      ? createWholeGraph({ store, shown: () => session.shown, select, onExpand: expandWholeGraph })
      : null;
    if (late.wholeGraph) side.append(late.wholeGraph.element);
    const caption = (exportOptions) =>
      exportOptions?.caption ? exportCaption(narration.panel.element, legend.element) : null;
    if (editor) {
      editor.arrive(
        createEditor({
          onChange: (patch, { structural } = {}) => actions.update(patch, { structural }),
          actions: {
            copyLink: () => settings.onCopyLink?.(),
            exportJson: () => current() && exportJson(model(), current(), state().predict),
            importJson: (file) => actions.importJson(file),
            loadPreset: (request) => actions.load({ ...request, step: 0, selected: null }),
            exportSvg: (exportOptions) => exportSvg(svgEl, { caption: caption(exportOptions) }),
            exportPng: (exportOptions) => exportPng(svgEl, { caption: caption(exportOptions) }).catch(showError),
            exportScript: (format) => current() && exportScript(model(), current(), format).catch(showError),
          },
        }),
      );
      grid.append(editor.panel.element);
      session.editorShows = null; // what the stand-in was asked to draw is drawn by `ready`
    }
    tooltip.arrive(createTooltip(wrap));
    if (tooltip.wanted) tooltip.show(tooltip.wanted, tooltipContext());
    late.weightEditor = createWeightEditor({ wrap, svgEl, diagram, tooltip, current, onEdit: editParams });
    if (pendingEdge) late.weightEditor.open(pendingEdge.id, pendingEdge);
    pendingEdge = null;
    late.training = createTraining({
      store,
      current,
      model,
      setModel: (next, { keepTraining }) => actions.setModel(next, { keepTraining }),
      traces,
      setStatus,
      showError,
      pause: () => playback.pause(),
    });
    if (session.shown) rendering.render({ diagramToo: false });
  }

  // ----------------------------------------------------------------------------------------- start
  // The first trace is asked for at once; the panels' modules and the caps (for the editor) once the first
  // diagram has been painted: until then the page has nothing else to do first.
  const first = tracing.retrace();
  session.pendingTrace = first;
  const drawn = first.then(afterNextPaint);
  const panels = drawn.then(importPanels).then((modules) => session.destroyed || mountPanels(modules));
  const ready = Promise.all([drawn.then(() => loadLimits(api)), settings.translationsReady, panels]).then(
    ([limits]) => {
      session.limits = limits;
      if (!session.destroyed) actions.renderEditor();
      return first.then(() => undefined);
    },
  );
  // a training step asked for before the panels are in waits for them
  const trainStep = () => panels.then(() => late.training.trainStep());
  const trainSteps = (count) => panels.then(() => late.training.trainSteps(count));

  return {
    element: root,
    diagram,
    store,
    ready,
    load: (spec) => actions.load(spec),
    update: (patch, how) => actions.update(patch, how),
    getState: () => actions.snapshot(),
    getTrace: current,
    setStep,
    next: () => playback.next(),
    prev: () => playback.prev(),
    play: () => playback.play(),
    pause: () => playback.pause(),
    reset: () => playback.reset(),
    togglePlay: () => playback.togglePlay(),
    trainStep,
    trainSteps,
    setGranularity,
    setSpeed,
    setNumbers,
    select,
    showError,
    destroy() {
      session.destroyed = true;
      playback.stop();
      late.training?.stop();
      late.predict?.destroy();
      session.abort?.abort();
      keys.destroy();
      document.removeEventListener("langchange", onLanguage);
      document.removeEventListener("presenterchange", onPresenter);
      document.removeEventListener("pointerdown", outsideTap);
      diagram.destroy();
      late.wholeGraph?.destroy();
      root.remove();
    },
  };
}
