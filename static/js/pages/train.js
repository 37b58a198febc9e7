// The training view: wires the data picker, the controls, the network diagram, the loss chart and the
// output picture to one settings object (kept in the URL) and one training session (kept by the server).

import { attachView, viewChanged } from "../classroom/bridge.js";
import { api } from "../core/api.js";
import { el, prefersReducedMotion, setAttr, setHidden, setText, toast } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { currentLanguage, t } from "../core/i18n.js";
import { ready } from "../core/shell.js";
import { createDataEditor } from "../train/dataeditor.js";
import { createDiagnosisBox } from "../train/diagnosis.js";
import { explainLink, pickSample } from "../train/explain.js";
import { createLossChart } from "../train/losschart.js";
import { createNetworkView } from "../train/networkview.js";
import { createOutputView, datasetPoints } from "../train/outputview.js";
import { createRealDataView } from "../train/realdata.js";
import { TrainingSession } from "../train/session.js";
import {
  FEATURES,
  HYPER,
  LINK_LIMITS,
  MAX_HIDDEN_LAYERS,
  MAX_NEURONS,
  SPEEDS,
  STRUCTURAL,
  boundRun,
  customData,
  dataShape,
  featureSymbols,
  featuresFor,
  layersFor,
  outputFor,
  segmentEntry,
  totalSteps,
  url,
} from "../train/settings.js";
import { createDatasetPicker } from "../train/thumbnails.js";

const root = document.querySelector("[data-testid=train]");
const $ = (selector) => root.querySelector(selector);

const page = {
  settings: url.read(),
  catalogue: new Map(),
  hovered: null, // the neuron shown large, "layer-index"
  status: { key: "train.status.loading", params: {} },
};

// ------------------------------------------------------------------------------------------- settings
function shape() {
  return dataShape(page.settings, page.catalogue);
}

function isEmptyCustom() {
  return page.settings.data === "custom" && !(page.settings.pts || []).length;
}

/** The settings and the run as a link holds them; `step` is the step on screen (mid-segment while playing). */
function linkState(step = session.step) {
  const { log } = session;
  let run = log.length ? log : null;
  if (run && JSON.stringify(run) === JSON.stringify(canonicalLog(totalSteps(run)))) run = null;
  return { ...page.settings, steps: run || step <= LINK_LIMITS.steps ? step : 0, run };
}

function writeUrl() {
  url.write(linkState());
  // playing along a live class's teacher is not the reader moving away from the teacher's run
  viewChanged({ playing: session.playing && session.lead != null });
}

/**
 * A live class's state for this view: the link of the run logged so far (a segment streaming is not in it
 * until it ends, so a student's copy can be trained to exactly these weights), and while playing `live`,
 * the step on screen: students play the same segments along, at the same pace (static/js/classroom).
 */
function encodeView() {
  // pausing, a run is brought to the step shown: what it was is told until it is there
  const settling = session.busy && session.segment && !session.segment.done;
  if (settling && encoded != null) return encoded;
  const link = url.encode(linkState(totalSteps(session.log)));
  // playing (leading, or along): never the state of a paused run, which a student would take as reached
  encoded = session.playing ? [link, `live=${session.step}`].filter(Boolean).join("&") : link;
  return encoded;
}

let encoded = null; // the state last told

/** The teacher's step in a state while playing, or null: a count, checked (a state is input like any). */
function liveStep(text) {
  const value = new URLSearchParams(text).get("live");
  return value != null && /^\d{1,9}$/.test(value) ? Number(value) : null;
}

let syncing = null; // a live state being caught up with: {base, promise}; later steps only move the lead

/** Show the teacher's run in place: the same settings, and the same weights, trained on only if need be. */
async function applyView(text) {
  const live = liveStep(text);
  const heard = performance.now();
  const base = text.replace(/(^|&)live=[^&]*/, "");
  if (live != null && syncing?.base === base) {
    syncing.lead = { step: live, at: heard };
    return syncing.promise;
  }
  const { steps, run, ...settings } = url.read(`#${text}`);
  const structural = STRUCTURAL.some((key) => JSON.stringify(settings[key]) !== JSON.stringify(page.settings[key]));
  Object.assign(page.settings, settings);
  if (settings.data === "custom" && settings.pts)
    picker.setCustom(settings.pts, settings.pts[0]?.length - 1 || 2, settings.pk);
  syncControls();
  const bounded = boundRun(run || canonicalLog(steps));
  const { log } = bounded;
  const notice = linkNotice(bounded);
  if (live != null && !structural && session.alongside(log)) {
    session.followLead(live, heard);
    return;
  }
  const catchUp = async () => {
    showLinkNotice(notice);
    // the teacher paused (or moved on) inside the segment streaming here: stop on exactly that step
    if (!structural && (await session.stopAt(log))) return;
    if (structural || !(await session.extend(log))) await restart(log, notice);
  };
  if (live == null) {
    syncing = null;
    await catchUp();
    return;
  }
  const current = { base, lead: { step: live, at: heard }, promise: null };
  syncing = current;
  current.promise = catchUp().finally(() => {
    if (syncing !== current) return;
    syncing = null;
    // play along from the start of the teacher's segment: behind, the stream reads as fast as the server trains
    session.followLead(current.lead.step, current.lead.at);
    session.play();
  });
  return current.promise;
}

/** The log a continuous run of `steps` with the current settings leaves: full segments, then the rest. */
function canonicalLog(steps) {
  if (!steps) return [];
  const size = session.segmentSteps();
  const log = [];
  const full = Math.floor(steps / size);
  if (full) log.push([...segmentEntry(size, page.settings).slice(0, 6), full]);
  if (steps % size) log.push(segmentEntry(steps % size, page.settings));
  return log;
}

async function update(changes) {
  const structural = Object.keys(changes).some((key) => STRUCTURAL.includes(key));
  const hyper = Object.keys(changes).some((key) => HYPER.includes(key));
  Object.assign(page.settings, changes);
  syncControls();
  if (structural) {
    const wasPlaying = session.playing;
    page.hovered = null;
    await restart();
    if (wasPlaying) session.play();
    return;
  }
  if (hyper && session.playing) {
    await session.pause();
    session.play();
  }
  writeUrl();
  render();
}

/** Start over, then replay `log`; `notice` says why a link's run was not replayed in full (null: it was). */
async function restart(log = [], notice = null) {
  showLinkNotice(notice);
  if (isEmptyCustom()) {
    session.cancel();
    session.clear();
    editor.setMode(true, false); // nothing to train yet: a click on the plane places a point
    setStatus("train.status.need_points");
    writeUrl();
    render();
    return;
  }
  await session.reset(log);
}

// ------------------------------------------------------------------------------------------- controls
const SLIDER_TEXT = {
  train: (v) => t("train.data.percent", { n: Math.round(v * 100) }),
  noise: (v) => formatNumber(v),
  batch: (v) => String(v),
};

function syncControls() {
  const s = page.settings;
  for (const name of ["lr", "act", "opt", "reg", "rr", "speed"]) {
    const select = $(`select[name=${name}]`);
    const value = String(s[name]);
    if (![...select.options].some((o) => o.value === value)) select.append(el("option", { value, text: value }));
    select.value = value;
  }
  for (const name of ["train", "noise", "batch"]) $(`input[name=${name}]`).value = String(s[name]);
  $("input[name=seed]").value = String(s.seed);
  $("input[name=test]").checked = s.test;
  $("input[name=disc]").checked = s.disc;
  // Discretizing rounds a probability or a value to its class or sign: a map of classes has nothing to round.
  $("input[name=disc]").closest("label").hidden = page.catalogue.size > 0 && shape().kind === "multiclass";
  syncProblemAndFeatures();
  $("input[name=log]").checked = s.log;
  for (const [name, text] of Object.entries(SLIDER_TEXT)) $(`[data-output=${name}]`).textContent = text(s[name]);
  $("input[name=noise]").disabled = s.data === "custom";
  $("[data-testid=regenerate]").disabled = s.data === "custom";
  $("select[name=rr]").disabled = s.reg === "none";
  picker?.select(s.data);
  const layers = s.hidden.length;
  const key =
    layers === 0 ? "train.network.layers_zero" : layers === 1 ? "train.network.layers_one" : "train.network.layers";
  $("[data-testid=layer-count]").textContent = t(key, { count: layers });
  $("[data-testid=layers-plus]").disabled = layers >= MAX_HIDDEN_LAYERS;
  $("[data-testid=layers-minus]").disabled = layers === 0;
  lossChart.setLogScale(s.log);
}

/** The regression sets, and the classification ones: the problem switch shows one kind at a time. */
const PROBLEM_START = { classification: "circle", regression: "plane" };

function problemOf() {
  return page.catalogue.size && shape().kind === "regression" ? "regression" : "classification";
}

function syncProblemAndFeatures() {
  const problem = problemOf();
  for (const button of root.querySelectorAll("[data-problem]")) {
    const on = button.dataset.problem === problem;
    button.setAttribute("aria-checked", String(on));
  }
  picker?.showProblem(problem);
  const planar = page.catalogue.size ? shape().inputDim === 2 : true;
  const chosen = page.settings.feat;
  for (const box of root.querySelectorAll("input[data-feature]")) {
    box.checked = chosen.includes(box.dataset.feature);
    box.disabled = !planar || (box.checked && chosen.length === 1); // the last feature stays
  }
  const note = $("[data-testid=features-note]");
  note.hidden = planar;
  note.textContent = planar ? "" : t("train.features.only_2d");
}

function buildFeaturePicker() {
  const list = $(".feature-list");
  for (const [name, symbol] of FEATURES) {
    const id = name.replace("^2", "sq").replace(/[^a-z0-9]/g, ""); // x1sq, x1x2, sinx1 …
    const box = el("input", { type: "checkbox", "data-feature": name, "data-testid": `feature-${id}` });
    box.addEventListener("change", () => {
      const wanted = new Set(page.settings.feat);
      if (box.checked) wanted.add(name);
      else wanted.delete(name);
      if (!wanted.size) {
        box.checked = true;
        return;
      }
      update({ feat: FEATURES.map(([f]) => f).filter((f) => wanted.has(f)) });
    });
    const label = el("label", { class: "feature", title: t("train.features.toggle", { name: symbol }) }, box);
    label.append(el("span", { class: "feature-symbol mono", text: symbol }));
    list.append(label);
  }
}

function bindControls() {
  const parse = {
    lr: Number,
    rr: Number,
    act: String,
    opt: String,
    reg: String,
    train: Number,
    noise: Number,
    batch: Number,
  };
  for (const [name, convert] of Object.entries(parse)) {
    const control = $(`[name=${name}]`);
    // Sliders show their value while dragging and take effect when let go.
    if (control.type === "range") {
      control.addEventListener("input", () => {
        $(`[data-output=${name}]`).textContent = SLIDER_TEXT[name](Number(control.value));
      });
    }
    control.addEventListener("change", () => {
      const changes = { [name]: convert(control.value) };
      // Turning a penalty on with a zero rate would do nothing: start it at a small rate.
      if (name === "reg" && changes.reg !== "none" && page.settings.rr === 0) changes.rr = 0.001;
      update(changes);
    });
  }
  const seed = $("input[name=seed]");
  seed.addEventListener("change", () => {
    const value = Number(seed.value);
    if (Number.isInteger(value) && value >= 0 && value <= 4294967295) update({ seed: value });
    else seed.value = String(page.settings.seed);
  });
  $("input[name=disc]").addEventListener("change", (event) => {
    page.settings.disc = event.target.checked;
    writeUrl();
    renderOutput();
  });
  for (const button of root.querySelectorAll("[data-problem]")) {
    button.addEventListener("click", () => {
      const problem = button.dataset.problem;
      if (problem !== problemOf()) update({ data: PROBLEM_START[problem] });
    });
  }
  $("input[name=test]").addEventListener("change", (event) => {
    page.settings.test = event.target.checked;
    writeUrl();
    render();
  });
  $("select[name=speed]").addEventListener("change", (event) => {
    page.settings.speed = event.target.value;
    session.restartClock();
    writeUrl();
  });
  $("input[name=log]").addEventListener("change", (event) => {
    page.settings.log = event.target.checked;
    lossChart.setLogScale(page.settings.log);
    writeUrl();
  });
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-run]");
    if (button && !button.disabled) runAction(button.dataset.run);
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target instanceof HTMLElement && /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === " ") {
      event.preventDefault();
      runAction("play");
    }
  });
}

function runAction(action) {
  const s = page.settings;
  switch (action) {
    case "play":
      // the reader's own play or pause: no longer playing along a live class's teacher
      if (session.lead != null) viewChanged({ own: true });
      session.followLead(null);
      if (session.playing) session.pause();
      else session.play();
      break;
    case "step":
      session.stepOnce();
      break;
    case "reset":
      restart();
      break;
    case "regenerate":
      update({ seed: (s.seed + 1) % 4294967296 });
      break;
    case "explain":
      explain();
      break;
    case "layers-plus":
      if (s.hidden.length < MAX_HIDDEN_LAYERS) update({ hidden: [...s.hidden, 2] });
      break;
    case "layers-minus":
      if (s.hidden.length) update({ hidden: s.hidden.slice(0, -1) });
      break;
    default:
      break;
  }
}

function resizeLayer(layer, delta) {
  const hidden = [...page.settings.hidden];
  const next = hidden[layer - 1] + delta;
  if (next < 1 || next > MAX_NEURONS) return;
  hidden[layer - 1] = next;
  update({ hidden });
}

async function explain() {
  if (session.playing) await session.pause();
  const sample = pickSample(session.dataset);
  if (!session.weights || !sample) {
    toast(t("train.explain.unavailable"));
    return;
  }
  const link = explainLink({
    layers: session.layers,
    activations: session.activations,
    loss: outputFor(shape()).loss,
    weights: session.weights,
    biases: session.biases,
    learningRate: page.settings.lr,
    seed: page.settings.seed,
    sample,
    features: featuresFor(page.settings, shape()),
  });
  location.assign(link);
}

// ------------------------------------------------------------------------------------------- data on screen
/** The data on screen as editable rows, for the editor to start from. */
function screenRows() {
  if (page.settings.data === "custom") return customData(page.settings);
  const info = shape();
  const rows = datasetPoints(session.dataset).map((p) =>
    info.inputDim === 1 ? [p.x, p.target] : [p.x, p.y, p.label ?? p.target],
  );
  return { rows, kind: info.kind, inputDim: info.inputDim };
}

function setCustomData(rows, kind) {
  picker.setCustom(rows, rows[0] ? rows[0].length - 1 : 2, kind);
  update({ data: "custom", pts: rows, pk: kind });
}

// ------------------------------------------------------------------------------------------- rendering
function showLinkNotice(notice) {
  const box = $("[data-testid=link-notice]");
  box.hidden = !notice;
  if (!notice) return;
  const numbers = Object.fromEntries(Object.entries(notice).map(([name, value]) => [name, counterText(value)]));
  // Kept on the element, so a language switch translates it again (applyTranslations).
  box.dataset.i18n = "train.link.too_long";
  box.dataset.i18nParams = JSON.stringify(numbers);
  box.textContent = t("train.link.too_long", numbers);
}

function setStatus(key, params = {}) {
  page.status = { key, params };
  const status = $("[data-testid=status]");
  setText(status, key ? t(key, typeof params === "function" ? params() : params) : ""); // every event sets it
}

const counterFormats = new Map(); // one formatter per language: making one costs more than formatting
function counterText(value) {
  const lang = currentLanguage();
  if (!counterFormats.has(lang)) counterFormats.set(lang, new Intl.NumberFormat(lang));
  return counterFormats.get(lang).format(value);
}

function renderCounters() {
  const { step, dataset } = session;
  setText($("[data-testid=step-counter]"), counterText(step));
  setAttr($("[data-testid=step-counter]"), "data-step", step);
  const trainCount = dataset?.train?.points?.length;
  const epoch = trainCount ? Math.floor((step * Math.min(page.settings.batch, trainCount)) / trainCount) : 0;
  setText($("[data-testid=epoch-counter]"), trainCount ? t("train.run.epoch", { n: counterText(epoch) }) : "");
}

function renderStats() {
  const latest = session.latest;
  const testLoss = $("[data-testid=test-loss]");
  const trainLoss = $("[data-testid=train-loss]");
  setText(testLoss, formatNumber(latest?.test ?? null));
  setText(trainLoss, formatNumber(latest?.train ?? null));
  setAttr(testLoss, "data-value", latest?.test ?? "");
  setAttr(trainLoss, "data-value", latest?.train ?? "");
  const percent = (v) => (v == null ? "—" : `${formatNumber(v * 100, 3)}%`);
  const classification = shape().kind !== "regression";
  setHidden($(".stat-accuracy"), !classification);
  setText($("[data-testid=accuracy]"), `${percent(latest?.trainAccuracy)} / ${percent(latest?.testAccuracy)}`);
}

function renderNetwork() {
  // Before any weights exist (no data yet) the diagram still shows the shape the settings ask for.
  const settingsShape = shape();
  const sizes = session.layers ?? layersFor(page.settings, settingsShape);
  const hidden = page.settings.hidden.map(() => page.settings.act);
  networkView.update({
    sizes,
    inputLabels: session.layers ? session.inputLabels : featureSymbols(page.settings, settingsShape),
    inputImage: settingsShape.image ?? null,
    inputSample: session.dataset?.train?.points?.[0] ?? null,
    activations: session.activations ?? [...hidden, outputFor(settingsShape).output_activation],
    weights: session.weights,
    biases: session.biases,
    drawing: session.drawing,
    maxNeurons: MAX_NEURONS,
    outputScale: 1,
  });
}

function renderButtons() {
  const play = $("[data-testid=play]");
  const key = session.playing ? "train.run.pause" : "train.run.play";
  // Each attribute written only when it changes (setAttr): a same-value write still restyles the node.
  setAttr(play, "aria-pressed", session.playing);
  setAttr(play, "data-i18n-attr", `title:${key};aria-label:${key}`);
  setAttr(play, "title", t(key));
  setAttr(play, "aria-label", t(key));
  const canStep = Boolean(session.weights) && !session.busy && !session.diverged;
  const disable = (node, off) => node.disabled !== off && (node.disabled = off);
  disable(play, !canStep && !session.playing);
  disable($("[data-testid=step]"), !canStep);
  // A diverged run is worth explaining too: the player shows the huge numbers that broke it.
  disable($("[data-testid=explain]"), !session.weights);
  setAttr(root, "data-playing", session.playing ? "on" : "off");
  setAttr(root, "data-state", session.busy ? "busy" : session.playing ? "playing" : "ready");
}

function renderOutput() {
  const info = shape();
  realView.render({
    shape: info,
    weights: session.weights,
    confusion: session.confusion,
    testAccuracy: session.latest?.testAccuracy ?? null,
    classNames: info.classNames,
  });
  outputView.render({
    discretize: page.settings.disc,
    inputLabels: session.inputLabels,
    shape: info,
    drawing: session.drawing,
    activations: session.activations,
    layers: session.layers,
    hovered: page.hovered,
    dataset: session.dataset,
    showTest: page.settings.test,
  });
}

/** Classes the split left without a point on one side (the server names them): say what that costs. */
function renderSplitWarning() {
  const box = $("[data-testid=split-warning]");
  const missing = session.dataset?.missing_classes;
  const lines = ["train", "test"]
    .filter((side) => missing?.[side]?.length)
    .map((side) => t(`train.split.missing_${side}`, { classes: missing[side].join(t("train.split.separator")) }));
  setHidden(box, !lines.length);
  setText(box, lines.join(" "));
}

/** The numbers, the status, the warnings and the loss chart: what a reader reads rather than watches. */
function renderReadable() {
  renderCounters();
  renderStats();
  renderButtons();
  diagnosisBox.render(session.diagnosis, page.settings.lr);
  lossChart.set(session.history);
  setAttr(root, "data-step", session.step);
  lastReadable = performance.now();
}

function render() {
  renderSplitWarning();
  renderReadable();
  renderNetwork();
  renderOutput();
}

// While a run streams, the pictures are drawn at the frame after they arrive, and the numbers and the loss
// chart about ten times a second: a counter that changes every frame cannot be read, and redrawing them
// every frame cost most of the page's time.
const READABLE_MS = 100;
let lastReadable = 0;

/** A streamed event's frame: new pictures now, the rest when READABLE_MS have passed. */
function renderStreaming(now) {
  renderNetwork();
  renderOutput();
  // the step in data attributes (what scripts and a live class's checks read) follows every frame: no
  // style reads them, so writing them costs nothing on screen
  setAttr($("[data-testid=step-counter]"), "data-step", session.step);
  setAttr(root, "data-step", session.step);
  if (now - lastReadable >= READABLE_MS - 8) renderReadable(); // 8 ms: a frame early rather than one late
}

let frame = 0;
let lastFrame = 0;
/** Redraw at most once a frame while streaming (twice a second with reduced motion). */
function scheduleRender() {
  if (frame) return;
  const reduced = prefersReducedMotion() && session.playing;
  const wait = reduced ? Math.max(0, 500 - (performance.now() - lastFrame)) : 0;
  const draw = () => {
    frame = requestAnimationFrame((now) => {
      frame = 0;
      lastFrame = performance.now();
      if (reduced) render();
      else renderStreaming(now);
    });
  };
  if (wait) {
    frame = setTimeout(() => {
      frame = 0;
      draw();
    }, wait);
  } else draw();
}

function onSessionChange(reason) {
  if (reason === "loading") setStatus("train.status.loading");
  else if (reason === "replaying") setStatus("train.status.replaying");
  else if (reason === "play" || (reason === "progress" && page.status.key !== "train.status.training"))
    setStatus("train.status.training");
  else if (reason === "pausing") setStatus("train.status.paused");
  else if (session.diverged) setStatus("train.status.diverged");
  else if (reason === "paused" || reason === "stopped")
    setStatus(session.step ? "train.status.paused" : "train.status.ready");
  else if (reason === "reset" || reason === "step") setStatus("train.status.ready");
  if (["reset", "segment", "paused", "step", "stopped"].includes(reason)) writeUrl();
  else if (reason === "play") viewChanged({ playing: session.lead != null }); // a live class hears it at once
  if (reason === "progress") scheduleRender();
  else if (reason === "loading" || reason === "replaying") renderButtons();
  else render();
}

function onSessionError(error) {
  const message = error?.message || String(error);
  setStatus("train.status.error", { message });
  root.dataset.state = "error";
  renderButtons();
}

// ------------------------------------------------------------------------------------------- start
const session = new TrainingSession({
  settings: () => page.settings,
  shape,
  limits: null,
  rate: () => SPEEDS[page.settings.speed],
  onChange: onSessionChange,
  onError: onSessionError,
});
const lossChart = createLossChart($(".loss-chart-box"));
const diagnosisBox = createDiagnosisBox($("[data-testid=diagnosis]"), {
  apply: async (lr, reset) => {
    if (!reset) return update({ lr });
    page.settings.lr = lr;
    syncControls();
    await restart();
  },
});
const realView = createRealDataView($("[data-testid=real-data]"));
const outputView = createOutputView($(".output-panel"), { onPlanePointer: (point) => editor.pointer(point) });
const networkView = createNetworkView($("[data-testid=network]"), {
  onHover: (id) => {
    page.hovered = id;
    renderOutput();
  },
  onResize: resizeLayer,
});
const editor = createDataEditor(root, {
  current: screenRows,
  setData: setCustomData,
  onModeChange: (editing, erasing) => {
    root.dataset.editing = editing ? "on" : "off";
    root.dataset.erasing = erasing ? "on" : "off";
  },
});
let picker = null;

async function start() {
  await ready;
  try {
    const [catalogue, limits] = await Promise.all([api.datasets(), api.limits()]);
    for (const info of catalogue.datasets) page.catalogue.set(info.name, info);
    session.context.limits = limits;
  } catch (error) {
    onSessionError(error);
    return;
  }
  picker = createDatasetPicker($("[data-testid=datasets]"), page.catalogue, (name) => {
    if (name === page.settings.data) return;
    // Real data has many inputs: one wide hidden layer reads it better than the Playground's small default.
    const many = (page.catalogue.get(name)?.input_dim ?? 2) > 2;
    update(many ? { data: name, hidden: [MAX_NEURONS] } : { data: name });
  });
  buildFeaturePicker();
  if (page.settings.pts) picker.setCustom(page.settings.pts, page.settings.pts[0]?.length - 1 || 2, page.settings.pk);
  bindControls();
  syncControls();
  const { run, steps } = page.settings;
  const bounded = boundRun(run || canonicalLog(steps));
  await restart(bounded.log, linkNotice(bounded));
  // a live class leads from this view, or drives it in place (static/js/classroom)
  attachView({ encode: encodeView, apply: applyView });
  // a link to this view followed from it (a pasted address, a click on #…) changes only the fragment: it is
  // shown as opening it would show it (the page's own writes replace the address and fire no event)
  window.addEventListener("hashchange", () => applyView(location.hash.replace(/^#/, "")));
}

/** A link may ask for any run; it rebuilds at most LINK_LIMITS of it (boundRun), and says so when that is less. */
function linkNotice(bounded) {
  if (!bounded.cut) return null;
  return {
    steps: bounded.asked.steps,
    segments: bounded.asked.segments,
    max_steps: LINK_LIMITS.steps,
    max_segments: LINK_LIMITS.segments,
    done: totalSteps(bounded.log),
  };
}

document.addEventListener("langchange", () => {
  syncControls();
  setStatus(page.status.key, page.status.params);
  render();
});
// Theme and presenter switches change the palette: repaint everything drawn from it.
new MutationObserver(() => {
  editor.repaint();
  picker?.repaint();
  networkView.render();
  render();
}).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "data-presenter"] });

start();
