// A training run driven from the browser: the server trains, this keeps where the run stands.
//
// Playing streams a segment of steps (server-sent events) from the current weights. Pausing aborts the
// stream, which stops the server, and then asks for the same segment up to the last step shown — the
// server's training is deterministic, so those are exactly the weights that were on screen. Every segment
// is logged (steps and optimizer settings), so a link can rebuild the run. A token cancels stale work.

import { ApiError, api, trainStream } from "../core/api.js";
import {
  appendSegment,
  entryHyper,
  layersFor,
  POINTS_PER_DATASET,
  segmentEntry,
  segmentSeed,
  segments,
  totalSteps,
  trainBody,
} from "./settings.js";

const RECORD_EVERY = 10;
// At full speed a record every 10 steps would be a thousand a second, far more than a chart redrawn ten
// times a second shows, and each record costs the server an evaluation of every point.
const FULL_SPEED_RECORD_EVERY = 100;
const PICTURES_PER_SECOND = 25;
const MAX_SEGMENT = 10000;
const PACED_SEGMENT_SECONDS = 5; // a paced segment's length: its end refreshes the links, pausing replays it
const MAX_HISTORY = 3000;
const LEAD_AHEAD_MS = 1000; // a lead's step is counted on for this long after it was heard, no longer
const LEAD_POLL_MS = 100; // waiting for a lead: how often to look again

const isAbort = (error) => error?.name === "AbortError";

/** Resolves after `ms`, or at once when `signal` aborts (a paused stream stops waiting). */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function parameterCount(layers) {
  let count = 0;
  for (let i = 1; i < layers.length; i++) count += layers[i] * (layers[i - 1] + 1);
  return count;
}

/**
 * How detailed the pictures are: fine when standing still, lighter while streaming, none at all for the
 * intermediate segments of a replayed link.
 */
function pictureDetail(kind, layers, inputDim, limits) {
  if (kind === "none" || inputDim > 2) return { resolution: 2, neuron_resolution: 0 }; // many inputs: no plane
  if (inputDim === 1) return { resolution: kind === "still" ? 201 : 101 };
  const maxGrid = limits?.max_grid ?? 64;
  const maps = layers.slice(0, -1).reduce((sum, n) => sum + n, 0);
  const fitting = Math.floor(Math.sqrt((limits?.max_neuron_grid_cells ?? 200000) / maps));
  if (kind === "stream") return { resolution: Math.min(48, maxGrid), neuron_resolution: Math.min(20, fitting) };
  return { resolution: Math.min(64, maxGrid), neuron_resolution: Math.min(32, fitting) };
}

function recordEvery(steps) {
  return steps < RECORD_EVERY ? 1 : Math.max(RECORD_EVERY, Math.ceil(steps / 1500));
}

const toRecord = (r, offset) => ({
  step: offset + r.step,
  train: r.train_loss,
  test: r.test_loss,
  trainAccuracy: r.train_accuracy,
  testAccuracy: r.test_accuracy,
});

export class TrainingSession {
  /** context: {settings(), shape(), limits, onChange(reason), onError(error)} */
  constructor(context) {
    this.context = context;
    this.token = 0;
    this.controller = null;
    this.playing = false;
    this.busy = false;
    this.lead = null; // playing along a live class's teacher: {step, at} the teacher's step and when heard
    this.clear();
  }

  clear() {
    this.weights = null;
    this.biases = null;
    this.step = 0;
    this.history = [];
    this.log = [];
    this.drawing = null; // the latest grid or curve
    this.dataset = null; // the points, split into train and test
    this.layers = null;
    this.activations = null;
    this.diverged = false;
    this.diagnosis = null; // the server's reading of the loss history (kept while a new one is too early to tell)
    this.segment = null;
    this.confusion = null; // how the held-out points were classified (many-input data)
    this.inputLabels = null; // the features the input neurons hold (x₁², sin x₂ …), null for the point itself
  }

  get latest() {
    return this.history.at(-1) || null;
  }

  /** Start over from the seed's weights; then rebuild `log` (a link's run) if one is given. */
  async reset(log = []) {
    const token = this.cancel();
    this.clear();
    this.busy = true;
    this.context.onChange(log.length ? "replaying" : "loading");
    try {
      const first = await this.request({
        steps: 0,
        seed: this.context.settings().seed,
        picture: log.length ? "none" : "still",
      });
      if (token !== this.token) return;
      this.apply(first, 0, { replaceHistory: true });
      await this.replay(log, token);
    } catch (error) {
      if (token === this.token && !isAbort(error)) this.context.onError(error);
    } finally {
      if (token === this.token) {
        this.busy = false;
        this.context.onChange("reset");
      }
    }
  }

  /** Train the segments of `log` one after another from the weights shown (a link's run, or its next part). */
  async replay(log, token) {
    const all = [...segments(log)];
    for (const [index, entry] of all.entries()) {
      const response = await this.request({
        picture: index === all.length - 1 ? "still" : "none",
        steps: entry[0],
        hyper: entryHyper(entry),
        weights: this.weights,
        biases: this.biases,
        seed: segmentSeed(this.context.settings().seed, this.step),
      });
      if (token !== this.token) return;
      this.apply(response, this.step);
      this.log = appendSegment(this.log, [...entry.slice(0, 6), 1]);
      if (this.diverged) break;
    }
  }

  /**
   * Bring the run to `log` when the run shown is the start of it (a live class's teacher trained on): only
   * the segments after it are trained. Returns false, doing nothing, when the run shown is not its start.
   */
  async extend(log) {
    const wanted = [...segments(log)];
    const have = [...segments(this.log)];
    const same = (a, b) => a.slice(0, 6).every((v, i) => v === b[i]);
    // weights part-way through a segment (playing, or a stream cut short) are not the end of this.log
    const settled = this.weights && !this.playing && !this.busy && this.step === totalSteps(this.log);
    if (!settled || have.length > wanted.length || !have.every((entry, i) => same(entry, wanted[i]))) return false;
    const token = this.cancel();
    this.busy = true;
    this.context.onChange("replaying");
    try {
      await this.replay(
        wanted.slice(have.length).map((entry) => [...entry.slice(0, 6), 1]),
        token,
      );
    } catch (error) {
      if (token === this.token && !isAbort(error)) this.context.onError(error);
    } finally {
      if (token === this.token) {
        this.busy = false;
        this.context.onChange("reset");
      }
    }
    return true;
  }

  /** Stop whatever is running; returns the new token. */
  cancel() {
    this.playing = false;
    this.lead = null;
    this.controller?.abort();
    this.controller = null;
    this.token += 1;
    return this.token;
  }

  picture(kind) {
    const shape = this.context.shape();
    return pictureDetail(kind, layersFor(this.context.settings(), shape), shape.inputDim, this.context.limits);
  }

  async request({ steps, hyper, weights = null, biases = null, seed, signal, picture = "still", every = 1 }) {
    const settings = this.context.settings();
    const body = trainBody(settings, this.context.shape(), {
      weights,
      biases,
      seed,
      steps,
      recordEvery: Math.max(Math.min(every, steps), recordEvery(steps)),
      hyper,
      grid: this.picture(picture),
    });
    return api.train(body, { signal });
  }

  /** Take in a /network/train response whose steps started at `offset`. */
  apply(response, offset, { replaceHistory = false } = {}) {
    this.weights = response.weights;
    this.biases = response.biases;
    this.layers = response.layers;
    this.activations = response.activations;
    this.dataset = response.dataset;
    this.drawing = response.grid || response.curve || this.drawing;
    this.diverged = response.diverged;
    this.diagnosis = response.diagnosis ?? this.diagnosis;
    this.confusion = response.confusion ?? this.confusion;
    this.inputLabels = response.features?.map((f) => f.symbol) ?? null;
    const records = response.history.map((r) => toRecord(r, offset));
    if (replaceHistory) this.history = records;
    else this.pushRecords(records.filter((r) => r.step > offset || !this.history.length));
    this.step = offset + response.steps_done;
  }

  pushRecords(records) {
    const last = this.history.at(-1);
    this.history.push(...records.filter((r) => !last || r.step > last.step));
    if (this.history.length > MAX_HISTORY) {
      // Keep the chart light: every other record, always the first and the latest.
      this.history = this.history.filter((r, i, all) => i % 2 === 0 || i === all.length - 1);
    }
  }

  /**
   * Pictures in a stream: one every this many progress events. At full speed the server's clock spaces
   * them instead (streamPictureSeconds), and this only bounds how often, for the budget.
   */
  streamGridEvery() {
    const rate = this.context.rate?.() ?? Infinity;
    return Number.isFinite(rate) ? Math.max(1, Math.round(rate / PICTURES_PER_SECOND / RECORD_EVERY)) : 3;
  }

  /** Steps between a stream's records: fewer at full speed; a stream playing along keeps its leader's pace. */
  streamRecordEvery() {
    const rate = this.context.rate?.() ?? Infinity;
    return Number.isFinite(rate) || this.lead ? RECORD_EVERY : FULL_SPEED_RECORD_EVERY;
  }

  /** At full speed nobody knows the steps per second beforehand: a picture every 1/25 s of the run. */
  streamPictureSeconds() {
    const rate = this.context.rate?.() ?? Infinity;
    // playing along a leader, a stream behind it runs as fast as the server trains: its pictures (most of
    // the server's work) are spaced by the clock too, so it catches up sooner; the weights are the same
    return Number.isFinite(rate) && !this.lead ? null : 1 / PICTURES_PER_SECOND;
  }

  /**
   * The server's compute budget counts, per step: its samples, the evaluation of every point at each record,
   * and the picture drawn every few records, each times the parameters.
   */
  segmentSteps() {
    const settings = this.context.settings();
    const shape = this.context.shape();
    const layers = layersFor(settings, shape);
    const points = this.dataset
      ? this.dataset.train.points.length + (this.dataset.test?.points.length ?? 0)
      : POINTS_PER_DATASET;
    const picture = this.picture("stream");
    const drawn =
      shape.inputDim === 1
        ? picture.resolution
        : shape.inputDim > 2
          ? points // no picture: a confusion matrix over the held-out points instead
          : picture.resolution ** 2 + (picture.neuron_resolution ?? 0) ** 2;
    const every = this.streamRecordEvery();
    const perStep = Math.max(1, settings.batch) + points / every + drawn / (every * this.streamGridEvery());
    const fixed = 2 * points + 4 * drawn; // the first and last records and pictures, and rounding up
    const parameters = parameterCount(layers);
    const budget = Math.floor(((this.context.limits?.max_train_work ?? 2e9) / parameters - fixed) / perStep);
    const cap = this.context.limits?.max_train_steps ?? 20000;
    const rate = this.context.rate?.() ?? Infinity;
    const paced = Number.isFinite(rate) ? Math.round((rate * PACED_SEGMENT_SECONDS) / 100) * 100 : MAX_SEGMENT;
    return Math.max(RECORD_EVERY, Math.min(MAX_SEGMENT, paced, cap, budget));
  }

  /** Stream segments one after another until paused, diverged or cancelled. */
  async play() {
    if (this.playing || this.busy || !this.weights) return;
    this.playing = true;
    const token = this.token;
    this.context.onChange("play");
    try {
      while (this.playing && token === this.token && !this.diverged) {
        const finished = await this.streamSegment(token);
        if (!finished) break;
      }
    } catch (error) {
      if (token === this.token && !isAbort(error)) {
        this.playing = false;
        this.context.onError(error);
        return;
      }
    }
    if (token === this.token) {
      // The stream ended without its report (a dropped connection): keep what was shown, consistently.
      this.playing = false;
      await this.settle(this.segment, token, "stopped");
    }
  }

  async streamSegment(token) {
    const settings = this.context.settings();
    const steps = this.segmentSteps();
    const start = {
      step: this.step,
      weights: this.weights,
      biases: this.biases,
      settings: { ...settings },
      recordEvery: this.streamRecordEvery(),
    };
    this.segment = { start, steps, shown: 0, done: false, clock: { time: performance.now(), step: 0 } };
    const body = {
      ...trainBody(settings, this.context.shape(), {
        weights: this.weights,
        biases: this.biases,
        seed: segmentSeed(settings.seed, this.step),
        steps,
        recordEvery: this.streamRecordEvery(),
        grid: this.picture("stream"),
      }),
      // A fresh picture about 25 times a second, at the chosen pace or at full speed.
      stream_grid_every: this.streamGridEvery(),
      ...(this.streamPictureSeconds() ? { stream_picture_seconds: this.streamPictureSeconds() } : {}),
    };
    this.controller = new AbortController();
    let report = null;
    try {
      await trainStream(
        body,
        (type, data) => {
          if (token !== this.token) return;
          if (type === "progress") {
            this.progress(data, start.step);
            return this.pace(data.step);
          }
          if (type === "done") report = data;
          else if (type === "error") throw new ApiError(500, data);
        },
        { signal: this.controller.signal },
      );
    } catch (error) {
      if (isAbort(error)) return false;
      throw error;
    }
    if (token !== this.token || !report) return false;
    this.segment.done = true;
    this.apply(report, start.step);
    this.log = appendSegment(this.log, segmentEntry(report.steps_done, start.settings));
    this.context.onChange("segment");
    return !report.diverged;
  }

  progress(data, offset) {
    if (data.step > 0) {
      this.pushRecords([toRecord(data, offset)]);
      this.step = offset + data.step;
      this.segment.shown = data.step;
    }
    if (data.grid || data.curve) this.drawing = data.grid || data.curve;
    if (data.weights && data.biases) {
      // Newer servers send the parameters with each progress event: the links can follow them.
      this.weights = data.weights;
      this.biases = data.biases;
    }
    if (data.diverged) this.diverged = true;
    if (data.diagnosis) this.diagnosis = data.diagnosis;
    if (data.confusion) this.confusion = data.confusion;
    this.context.onChange("progress");
  }

  /**
   * Hold the stream back to the chosen steps per second: while this waits nothing more is read, so the
   * server waits too. Falling behind restarts the clock rather than rushing to catch up.
   */
  pace(step) {
    const rate = this.context.rate();
    const segment = this.segment;
    if (segment && this.lead) return this.keepToLead(segment.start.step + step);
    if (!Number.isFinite(rate) || !segment) return null;
    const { clock } = segment;
    const wait = clock.time + ((step - clock.step) / rate) * 1000 - performance.now();
    if (wait < -250) Object.assign(clock, { time: performance.now(), step });
    if (wait < 4) return null;
    return sleep(wait, this.controller?.signal);
  }

  /**
   * Play along a leader (a live class's teacher) at `step`, heard at `at` (performance.now()): the stream
   * keeps to the leader's step as it moves on at the chosen pace; null stops following.
   */
  followLead(step, at = performance.now()) {
    this.lead = step == null ? null : { step, at };
  }

  /** Where the leader is now: its step as heard, moved on at the pace for a while after. */
  leadStep() {
    const rate = this.context.rate();
    const since = Math.min(LEAD_AHEAD_MS, Math.max(0, performance.now() - this.lead.at));
    return this.lead.step + (Number.isFinite(rate) ? (since * rate) / 1000 : 0);
  }

  /** Behind the leader: read on as fast as the server trains. Ahead: wait until the leader gets here. */
  keepToLead(step) {
    if (step <= this.leadStep()) return null;
    const signal = this.controller?.signal;
    return (async () => {
      while (this.lead && !signal?.aborted) {
        const ahead = step - this.leadStep();
        if (ahead <= 0) return;
        const rate = this.context.rate();
        const wait = Number.isFinite(rate) ? Math.min(LEAD_POLL_MS, (ahead / rate) * 1000) : LEAD_POLL_MS;
        await sleep(Math.max(4, wait), signal);
      }
    })();
  }

  /**
   * Playing along, whether the run shown goes the way of `log` (the leader's logged run): the same
   * segments so far, the one streaming now included, one side at most a segment past the other.
   */
  alongside(log) {
    const segment = this.segment;
    if (!this.playing || this.busy || !segment || segment.done || !this.weights) return false;
    const have = [...segments(this.log), segmentEntry(segment.steps, segment.start.settings)];
    const wanted = [...segments(log)];
    if (segment.start.step !== totalSteps(this.log)) return false;
    const same = (a, b) => a.slice(0, 6).every((v, i) => v === b[i]);
    // the leader at most finishes the segment streaming here; this side at most one segment further
    if (wanted.length > have.length || have.length > wanted.length + 2) return false;
    // a new optimizer setting starts a new segment: the one streaming must use the settings now asked for
    if (!same(segmentEntry(0, segment.start.settings), segmentEntry(0, this.context.settings()))) return false;
    const common = Math.min(have.length, wanted.length);
    for (let i = 0; i < common; i++) if (!same(have[i], wanted[i])) return false;
    return true;
  }

  /**
   * Playing along, stop exactly where `log` ends when that is inside the segment streaming now (a leader
   * paused there): that segment asked again up to that step. False, doing nothing, otherwise.
   */
  async stopAt(log) {
    const segment = this.segment;
    if (!this.playing || this.busy || !segment || segment.done) return false;
    const have = [...segments(this.log)];
    const wanted = [...segments(log)];
    const same = (a, b) => a.slice(0, 6).every((v, i) => v === b[i]);
    if (segment.start.step !== totalSteps(this.log) || !have.every((entry, i) => wanted[i] && same(entry, wanted[i])))
      return false;
    const rest = wanted.slice(have.length);
    if (rest.length > 1) return false;
    const entry = rest[0] ?? null;
    if (entry && !same(entry, segmentEntry(entry[0], segment.start.settings))) return false;
    const token = this.cancel();
    segment.shown = entry ? entry[0] : 0;
    await this.settle(segment, token, "paused", { always: true });
    return true;
  }

  /** A new pace takes effect from the step on screen. */
  restartClock() {
    if (this.segment) this.segment.clock = { time: performance.now(), step: this.segment.shown };
  }

  /** Stop the stream and settle on the weights of the last step shown. */
  async pause() {
    if (!this.playing) return;
    const segment = this.segment;
    const token = this.cancel();
    await this.settle(segment, token, "paused");
  }

  /**
   * Bring the weights to the last step shown of an unfinished segment: the same segment, asked again up
   * to that step, gives exactly those weights. The picture already shows that step meanwhile.
   */
  async settle(segment, token, reason, { always = false } = {}) {
    if (!segment || segment.done || (segment.shown === 0 && !always)) {
      this.context.onChange(reason);
      return;
    }
    const { start, shown } = segment;
    this.busy = true;
    this.context.onChange("pausing");
    try {
      const settings = start.settings;
      const response = await this.request({
        steps: shown,
        hyper: settings,
        weights: start.weights,
        biases: start.biases,
        seed: segmentSeed(settings.seed, start.step),
        // as sparse as the stream's records: the run it repeats fitted the server's budget with those
        every: start.recordEvery,
      });
      if (token !== this.token) return;
      this.history = this.history.filter((r) => r.step <= start.step);
      this.apply(response, start.step);
      if (shown) this.log = appendSegment(this.log, segmentEntry(shown, settings));
      segment.done = true;
    } catch (error) {
      if (token === this.token && !isAbort(error)) this.context.onError(error);
    } finally {
      if (token === this.token) {
        this.busy = false;
        this.context.onChange(reason);
      }
    }
  }

  /** One optimizer step on one batch. */
  async stepOnce() {
    if (this.playing) await this.pause();
    if (this.busy || !this.weights || this.diverged) return;
    const token = this.token;
    const settings = this.context.settings();
    this.busy = true;
    try {
      const response = await this.request({
        steps: 1,
        weights: this.weights,
        biases: this.biases,
        seed: segmentSeed(settings.seed, this.step),
      });
      if (token !== this.token) return;
      this.apply(response, this.step);
      this.log = appendSegment(this.log, segmentEntry(1, settings));
    } catch (error) {
      if (token === this.token && !isAbort(error)) this.context.onError(error);
    } finally {
      if (token === this.token) {
        this.busy = false;
        this.context.onChange("step");
      }
    }
  }
}
