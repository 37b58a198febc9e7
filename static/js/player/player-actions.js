// Changing what the step player shows the network of: a new model (network, data, η) put in the store,
// which traces it; a network loaded from a caller, a link or a preset, or imported from a file; and the
// player's state as callers read it (getState). The editor is drawn for the model the store holds.

import { toast } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { DEFAULT_MODEL, modelFromExport, modelFromSpec, normalizeModel, specFromModel, specToModel } from "./model.js";

/** () => the model of the store's spec, computed once per spec object (the store replaces it on every change). */
export function modelReader(store) {
  let spec = null;
  let model = null;
  return () => {
    const next = store.getState().spec;
    if (next !== spec) {
      spec = next;
      model = modelFromSpec(next);
    }
    return model;
  };
}

/**
 * @param session  { pendingTrace, editorShows, limits, shown } (see player.js)
 * @param model    () => the model of the store's spec (modelReader)
 * @param editor   the network editor, or null
 * @param playback the player's playback (a new model stops it)
 */
export function createActions({ store, session, model, editor, playback, showError }) {
  const state = () => store.getState();

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
      wholeGraph: view.wholeGraph,
      predict: state().predict.on,
    };
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
    for (const name of ["step", "granularity", "speed", "numbers", "wholeGraph"])
      if (spec[name] !== undefined) view[name] = spec[name];
    if (spec.selected !== undefined) view.selected = typeof spec.selected === "string" ? spec.selected : null;
    store.dispatch({ type: "view/set", view, forNextTrace: true });
    if (typeof spec.predict === "boolean") store.dispatch({ type: "predict/toggle", on: spec.predict });
    return setModel({ ...DEFAULT_MODEL, ...specToModel(spec) }).then(() => undefined);
  }

  async function importJson(file) {
    let spec, saved;
    try {
      const { readJsonFile } = await import("./exporters.js");
      const data = await readJsonFile(file);
      spec = modelFromExport(data);
      saved = data.predict; // a file saved while predicting (older files have none)
    } catch {
      showError(new Error(t("playground.errors.bad_file")));
      return;
    }
    await load({ ...spec, step: 0 });
    if (saved !== undefined) store.dispatch({ type: "predict/restore", predict: saved });
    if (session.shown) toast(t("playground.export.imported"));
  }

  return { snapshot, renderEditor, setModel, update, load, importJson };
}
