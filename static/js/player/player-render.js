// Drawing the step player from its store: a new pass (showPass), the step shown (render), the selected
// neuron's op graph (renderSelection), the controls and the busy state. Nothing here changes the store but
// showPass, which reports the pass it drew ("trace/loaded").
//
// While playing, the narration and the op graph follow the diagram in the next frames, one piece of work
// per frame, so that no frame carries a whole step: a large network's step then fits a frame.

import { t } from "../core/i18n.js";
import { buildFrames, frameSteps, indexTrace } from "./steps.js";

/** The timeline's track: one colour band per run of steps of the same phase. */
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

/**
 * @param store     the player's store
 * @param session   what the store refers to but cannot hold: { shown: { pass, info, frames }, destroyed, … }
 * @param views     { diagram, narration, opgraph, legend, controls, tooltip, readout, biasField, followButton }
 * @param root      the player's element; svgEl: the diagram's
 * @param reveal    puts the player on the page (it joins with its first diagram)
 * @param playback  the player's playback (a new pass cancels a move in flight)
 * @param renderEditor  draws the editor for the model shown, if it does not show it yet
 * @param addGraphs asks for the op graph numbers of a pass that left them out
 */
export function createRendering({
  store,
  session,
  settings,
  views,
  root,
  svgEl,
  reveal,
  playback,
  renderEditor,
  addGraphs,
}) {
  const { diagram, narration, opgraph, legend, controls, tooltip, readout, biasField, followButton } = views;
  const state = () => store.getState();
  const current = () => session.shown?.pass ?? null;
  const panels = []; // functions; one that returns a function queues it as the next piece
  let panelFrame = 0;

  /** The neuron the op graph shows: the pinned one, else the one of the latest step about a neuron. */
  function selectedNeuron() {
    const { view } = state();
    if (view.selected) return view.selected;
    const pass = current();
    if (!pass) return null;
    for (let i = view.step; i >= 0; i--) {
      const step = pass.steps[i];
      if (step.neuron != null) return pass.layers[step.layer].nodes[step.neuron];
    }
    return null;
  }

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

  function schedulePanels() {
    panels.length = 0;
    queuePanels(
      () => {
        const { pass, frames } = session.shown;
        const step = state().view.step;
        return narration.render(pass, frameSteps(pass, frames, step), step, { progressive: true });
      },
      () => renderSelection({ deferScroll: true }),
    );
  }

  /** Pieces of panel work, one per coming frame, after those already queued. */
  function queuePanels(...pieces) {
    panels.push(...pieces);
    if (!panelFrame) panelFrame = requestAnimationFrame(renderNextPanel);
  }

  function renderNextPanel() {
    panelFrame = 0;
    if (!panels.length || !session.shown || session.destroyed) return;
    const more = panels.shift()();
    if (typeof more === "function") panels.push(more);
    if (panels.length) panelFrame = requestAnimationFrame(renderNextPanel);
  }

  /** The op graph and what goes with it; `deferScroll`: see opgraph.render (returns the next piece). */
  function renderSelection({ deferScroll = false } = {}) {
    const pass = current();
    if (!pass) return null;
    const id = selectedNeuron();
    const pinned = state().view.selected;
    diagram.select(pinned);
    const scroll = opgraph.render(pass, session.shown.info, state().view.step, id, { deferScroll });
    if (followButton.hidden !== !pinned) followButton.hidden = !pinned;
    const follow = t("playground.opgraph.follow");
    if (followButton.textContent !== follow) followButton.textContent = follow;
    biasField.render(id, settings.showEditor);
    if (id && settings.showOpGraph && !pass.neuron_graphs) addGraphs(pass);
    return scroll;
  }

  /** The op graph again, e.g. its numbers arrived: while playing, as a piece of a later frame's work. */
  function refreshSelection() {
    if (!state().view.playing) {
      renderSelection();
      return;
    }
    queuePanels(() => renderSelection({ deferScroll: true }));
  }

  function renderBusy(busy) {
    root.classList.toggle("busy", busy);
    svgEl.setAttribute("aria-busy", String(busy));
    renderControls();
  }

  /** Draw a new pass at the step the view asks for, and report it to the store. */
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
    // the legend before the diagram, which measures its place when it is built: the legend's row is
    // part of that place (presenter mode)
    const scales = diagram.computeScales(pass);
    legend.render(pass, scales);
    diagram.setTrace(pass, { info, scales, index: step, highlight: frameSteps(pass, frames, step) });
    root.dataset.ready = "true";
    svgEl.dataset.ready = String(pass.steps.length);
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

  return { render, renderControls, renderSelection, refreshSelection, renderBusy, showPass };
}
