// Step controls of a lesson figure: previous / play / next buttons, "step n of m", and the hooks the
// page's keyboard handler (and a presentation clicker) uses. One timer at a time: a new schedule or a stop
// cancels the one pending. With predict-then-reveal on, Play waits at a step whose question is open
// (setHold) and goes on once the answer is shown; reveal() during that wait shows the step and plays on.

import { t } from "../core/i18n.js";
import { prefersReducedMotion } from "../core/dom.js";

const HOLD_POLL_MS = 200; // how often a waiting Play looks whether the question was answered
const READ_MS = 2200; // how long the answer's feedback stays before Play shows the step

export function createStepper(root, { onStep, interval = 1100 } = {}) {
  const box = root.querySelector("[data-stepper]");
  const prevButton = box?.querySelector("[data-step=prev]");
  const nextButton = box?.querySelector("[data-step=next]");
  const playButton = box?.querySelector("[data-step=play]");
  const counter = box?.querySelector("[data-step-counter]");
  let index = 0;
  let count = 0;
  let playing = false;
  let timer = null;
  let held = false; // Play is waiting for an answer (or, once answered, for its feedback to be read)
  let reading = false;
  let holdAt = () => false; // (index) → whether Play waits before leaving step `index`
  const playWatchers = new Set();
  let playingShown = false;

  function render() {
    if (playing !== playingShown) {
      playingShown = playing;
      for (const watcher of playWatchers) watcher(playing);
    }
    if (!box) return;
    counter.textContent = count ? t("lessons.ui.step_counter", { n: index + 1, total: count }) : "";
    prevButton.disabled = index <= 0;
    nextButton.disabled = index >= count - 1;
    if (playButton) {
      playButton.disabled = count < 2;
      playButton.setAttribute("aria-pressed", String(Boolean(playing)));
      playButton.querySelector("[data-play-icon]").textContent = playing ? "❚❚" : "▶";
      const label = playButton.querySelector("[data-play-label]");
      label.dataset.i18n = playing ? "lessons.ui.pause" : "lessons.ui.play";
      label.textContent = t(label.dataset.i18n);
    }
  }

  function go(target) {
    if (!count) return;
    index = Math.max(0, Math.min(count - 1, target));
    render();
    onStep?.(index);
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
  }

  function tick() {
    if (!playing) return;
    if (index >= count - 1) {
      stop();
      return;
    }
    if (holdAt(index)) {
      held = true;
      schedule(HOLD_POLL_MS);
      return;
    }
    if (held && !reading) {
      // answered: the feedback is read before the step replaces it
      reading = true;
      schedule(READ_MS);
      return;
    }
    held = reading = false;
    go(index + 1);
    schedule(prefersReducedMotion() ? interval * 1.5 : interval);
  }

  function stop() {
    playing = false;
    held = reading = false;
    clearTimeout(timer);
    render();
  }

  function play() {
    if (count < 2) return;
    if (index >= count - 1) go(0);
    playing = true;
    held = reading = false;
    render();
    schedule(interval);
  }

  prevButton?.addEventListener("click", () => {
    stop();
    go(index - 1);
  });
  nextButton?.addEventListener("click", () => {
    stop();
    go(index + 1);
  });
  playButton?.addEventListener("click", () => (playing ? stop() : play()));
  document.addEventListener("langchange", render);

  return {
    /** Set how many steps there are and show step `start`. */
    reset(total, start = 0) {
      playing = false;
      held = reading = false;
      clearTimeout(timer);
      count = total;
      go(start);
      if (!total) render();
    },
    next() {
      stop();
      if (index >= count - 1) return false;
      go(index + 1);
      return true;
    },
    prev() {
      stop();
      if (index <= 0) return false;
      go(index - 1);
      return true;
    },
    /** The predict panel's Reveal: while Play waits at a question, show the step and play on; else next(). */
    reveal() {
      if (!playing || !held) return this.next();
      held = reading = false;
      go(index + 1);
      schedule(prefersReducedMotion() ? interval * 1.5 : interval);
      return true;
    },
    /** Make Play wait before leaving step `index` while `wait(index)` is true (predict mode's open question). */
    setHold(wait) {
      holdAt = wait ?? (() => false);
    },
    /** Call `watcher(playing)` whenever Play starts or stops. */
    watchPlaying(watcher) {
      playWatchers.add(watcher);
    },
    go,
    play,
    stop,
    get index() {
      return index;
    },
    get count() {
      return count;
    },
    get playing() {
      return playing;
    },
    get waiting() {
      return playing && held;
    },
  };
}
