// Training from the player: "One training step" takes the pass's updated weights (w − η ∂L/∂w, as the
// server computed them) and traces again; "Train" runs many steps on the server (POST /network/train) and
// traces the result. Both change the store's spec and record what they did ({ count, before, after }).

import { ApiError, api } from "../core/api.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { traceRequest, withTraceWeights } from "./model.js";
import { passFrom } from "./trace-client.js";

const MAX_TRAIN_STEPS = 1000;

/**
 * The body of POST /network/train for `steps` of plain SGD on the whole batch (the update the trace
 * shows), or null when the data does not fit its dataset format.
 */
export function trainBody(model, pass, steps) {
  const inputs = model.inputs;
  const outputs = model.layers[model.layers.length - 1];
  if (!model.features && ![1, 2].includes(model.layers[0])) return null; // features are of 2-D points
  const dataset = { points: inputs };
  if (model.loss === "mse" && outputs === 1) dataset.targets = model.targets.map((row) => row[0]);
  else if (model.loss === "bce" && outputs === 1 && model.targets.every((row) => row[0] === 0 || row[0] === 1))
    dataset.labels = model.targets.map((row) => row[0]);
  else if (model.loss === "cross_entropy") dataset.labels = model.targets.map((row) => row.indexOf(1));
  else return null;
  const request = traceRequest(model);
  const current = withTraceWeights(model, pass);
  return {
    layers: request.layers,
    activation: request.activation,
    output_activation: request.output_activation,
    loss: request.loss,
    seed: request.seed,
    init: request.init,
    weights: current.weights,
    biases: current.biases,
    dataset,
    ...(model.features ? { features: model.features } : {}),
    optimizer: "sgd",
    learning_rate: model.learningRate,
    batch_size: inputs.length,
    steps,
    record_every: steps,
    test_fraction: 0,
    grid: { resolution: 2, neuron_resolution: 0 },
  };
}

/**
 * @param store      the player's store
 * @param current    () => the pass shown, or null
 * @param model      () => the model of the store's spec
 * @param setModel   (model, { keepTraining }) => promise: true once the new model's pass is shown
 * @param traces     the trace client (for steps traced one by one when the server cannot train the data)
 * @param setStatus  (text) => void
 * @param showError  (error) => void
 * @param pause      () => void (playback stops before training)
 */
export function createTraining({ store, current, model, setModel, traces, setStatus, showError, pause }) {
  let token = 0;
  let stopped = false;

  function finish(count, before) {
    const pass = current();
    if (!pass) return;
    store.dispatch({ type: "training/done", count, before, after: pass.loss });
    setStatus(
      t("playground.train.done", { count, before: formatNumber(before, 4), after: formatNumber(pass.loss, 4) }),
    );
  }

  async function trainStep() {
    const pass = current();
    if (!pass || store.getState().busy) return;
    if (pass.diverged) {
      showError(new Error(t("playground.errors.diverged")));
      return;
    }
    pause();
    const before = pass.loss;
    if (await setModel(withTraceWeights(model(), pass, "updated"), { keepTraining: true })) finish(1, before);
  }

  /** Train on the server; when it cannot train this data, one traced step per round trip instead. */
  async function trainSteps(count) {
    const pass = current();
    if (!pass || store.getState().busy) return;
    const total = Math.max(1, Math.min(MAX_TRAIN_STEPS, Math.round(Number(count) || 1)));
    pause();
    const mine = ++token;
    const before = pass.loss;
    let trained = model();
    store.dispatch({ type: "busy", busy: true });
    setStatus(t("playground.train.progress", { done: 0, total }));
    try {
      const onServer = await trainOnServer(trained, pass, total);
      if (mine !== token || stopped) return;
      if (onServer) {
        if (onServer.diverged) throw new Error(t("playground.errors.diverged"));
        trained = { ...trained, weights: onServer.weights, biases: onServer.biases };
      }
      for (let i = 0; i < (onServer ? 0 : total); i++) {
        const { script, numbers } = await traces.fetchPass(traceRequest(trained, { graphs: false }));
        if (mine !== token || stopped) return;
        if (numbers.diverged) throw new Error(t("playground.errors.diverged"));
        trained = withTraceWeights(trained, passFrom(script, numbers), "updated");
        if (i % 5 === 0) setStatus(t("playground.train.progress", { done: i + 1, total }));
      }
    } catch (error) {
      store.dispatch({ type: "busy", busy: false });
      setStatus("");
      showError(error);
      return;
    }
    store.dispatch({ type: "busy", busy: false });
    if (await setModel(trained, { keepTraining: true })) finish(total, before);
  }

  async function trainOnServer(trained, pass, steps) {
    const body = trainBody(trained, pass, steps);
    if (!body) return null;
    try {
      const result = await api.train(body);
      return { weights: result.weights, biases: result.biases, diverged: result.diverged };
    } catch (error) {
      if (error instanceof ApiError && [404, 405, 413, 422].includes(error.status)) return null;
      throw error;
    }
  }

  return {
    trainStep,
    trainSteps,
    stop() {
      stopped = true;
      token++;
    },
  };
}
