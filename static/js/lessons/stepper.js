// Step controls of a lesson figure: previous / play / next buttons, "step n of m", and the hooks the
// page's keyboard handler (and a presentation clicker) uses. A token cancels a stale play loop.

import { t } from "../core/i18n.js";
import { prefersReducedMotion } from "../core/dom.js";

export function createStepper(root, { onStep, interval = 1100 } = {}) {
  const box = root.querySelector("[data-stepper]");
  const prevButton = box?.querySelector("[data-step=prev]");
  const nextButton = box?.querySelector("[data-step=next]");
  const playButton = box?.querySelector("[data-step=play]");
  const counter = box?.querySelector("[data-step-counter]");
  let index = 0;
  let count = 0;
  let playing = 0; // token of the running loop; 0 when stopped

  function render() {
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

  function stop() {
    playing = 0;
    render();
  }

  function play() {
    if (count < 2) return;
    if (index >= count - 1) go(0);
    const token = Date.now() + Math.random();
    playing = token;
    render();
    const tick = () => {
      if (playing !== token) return;
      if (index >= count - 1) {
        stop();
        return;
      }
      go(index + 1);
      setTimeout(tick, prefersReducedMotion() ? interval * 1.5 : interval);
    };
    setTimeout(tick, interval);
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
      playing = 0;
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
    go,
    stop,
    get index() {
      return index;
    },
    get count() {
      return count;
    },
  };
}
