// Asking for the passes the step player shows: the store's spec is traced whenever it changes (a newer
// request cancels an older one: only the latest is shown), and the op graph numbers a first pass leaves out
// are asked for once a neuron's graph is shown. A failure is shown in words and keeps the last pass.

import { t } from "../core/i18n.js";
import { traceRequest } from "./model.js";
import { neuronGraphs, passFrom } from "./trace-client.js";

/**
 * @param session   { shown, prefetched, traceToken, abort, graphsFor, destroyed } (see player.js)
 * @param model     () => the model of the store's spec
 * @param traces    the player's trace client (trace-client.js)
 * @param messages  status line and error box (player-messages.js)
 * @param rendering showPass(pass), render(), renderSelection() (player-render.js)
 */
export function createTracing({ store, session, settings, model, traces, messages, rendering }) {
  const state = () => store.getState();
  const current = () => session.shown?.pass ?? null;

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
    messages.setStatus(t("common.loading"));
    const body = traceRequest(model(), { graphs: wantsGraphs() });
    const stale = () => token !== session.traceToken || session.destroyed;
    try {
      const [{ script, numbers }] = await Promise.all([
        traces.fetchPass(body, { signal: session.abort.signal, answer: takePrefetched(body) }),
        settings.translationsReady,
      ]);
      if (stale()) return false;
      rendering.showPass(passFrom(script, numbers));
      messages.clearError();
      messages.setStatus("");
      return true;
    } catch (error) {
      if (stale()) return false;
      messages.setStatus("");
      messages.showError(error);
      if (session.shown) rendering.render();
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
        pass.neuron_graphs = neuronGraphs(script, numbers);
        rendering.refreshSelection();
      })
      .catch(() => {}); // the op graph keeps its hint; the next trace brings the graphs
  }

  return { retrace, addGraphs };
}
