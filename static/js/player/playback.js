// Playback: moving the view's step through a pass, with values travelling along the edges on the way and a
// timer that plays frame after frame. It changes the store's view ({ step, playing }) and nothing else; the
// player redraws from the store. An action with `travel: true` tells the player that the diagram shows the
// move itself (pulses), so it redraws everything but the diagram. With predict-then-reveal on, Play waits
// before a step whose question is open (predict-state.js awaitsAnswer) and goes on once the answer is
// shown; reveal() during that wait shows the step and plays on.

import { prefersReducedMotion } from "../core/dom.js";
import { awaitsAnswer } from "./predict-state.js";
import { nextStop, previousStop } from "./steps.js";

const TRAVEL_MS = 700;
const GROUP_TRAVEL_MS = 950;
const DWELL_MS = 450;
const HOLD_POLL_MS = 200; // how often a waiting Play looks whether the question was answered
const READ_MS = 2200; // how long the answer's feedback stays before Play shows the step

/** How long values take to travel for a move through `steps` at `speed` (0: no animation). */
export function travelDuration(steps, speed, reducedMotion = false) {
  if (reducedMotion || !steps.length) return 0;
  const base = steps.length > 1 ? GROUP_TRAVEL_MS : TRAVEL_MS;
  const travels = steps.some((s) => s.edges.length && s.phase !== "update");
  return (travels ? base : base * 0.6) / speed;
}

/**
 * @param store   the player's store
 * @param current () => { pass, frames } of the trace shown, or null before the first
 * @param diagram the Diagram (pulses and the step it shows while values travel)
 */
export function createPlayback({ store, current, diagram }) {
  let animationToken = 0;
  let playToken = 0;
  let stopped = false;
  let release = null; // while Play waits at a question: shows the step and plays on
  const view = () => store.getState().view;

  function animate(duration, onFrame, onDone) {
    const token = ++animationToken;
    const start = performance.now();
    const tick = (now) => {
      if (token !== animationToken || stopped) return;
      const progress = duration > 0 ? Math.min(1, (now - start) / duration) : 1;
      onFrame?.(progress);
      if (progress < 1) requestAnimationFrame(tick);
      else onDone?.();
    };
    requestAnimationFrame(tick);
  }

  /** Show step `target`; when moving forwards with `animated`, values travel along the edges first. */
  function goTo(target, { animated = false, onDone = null } = {}) {
    const shown = current();
    if (!shown) return;
    const { pass, frames } = shown;
    const from = view().step;
    const index = Math.max(0, Math.min(target, pass.steps.length - 1));
    animationToken++;
    const travelling = pass.steps.slice(from + 1, index + 1);
    const duration = animated && index > from ? travelDuration(travelling, view().speed, prefersReducedMotion()) : 0;
    if (!duration) {
      store.dispatch({ type: "view/step", step: index, force: true });
      if (onDone) animate(0, null, onDone);
      return;
    }
    diagram.setStep(from, travelling);
    store.dispatch({ type: "view/step", step: index, travel: true });
    animate(
      duration,
      (progress) => diagram.showPulses(travelling, progress),
      () => {
        diagram.clearPulses();
        diagram.setStep(view().step, frameStepsOf(pass, frames, view().step));
        onDone?.();
      },
    );
  }

  function frameStepsOf(pass, frames, index) {
    const frame = frames.frames[frames.frameOf[index]];
    return pass.steps.slice(frame.start, index + 1);
  }

  function next() {
    pause();
    const shown = current();
    if (shown) goTo(nextStop(shown.frames, view().step), { animated: true });
  }

  function prev() {
    pause();
    const shown = current();
    if (shown) goTo(previousStop(shown.frames, view().step));
  }

  function reset() {
    pause();
    goTo(0);
  }

  function end() {
    pause();
    const shown = current();
    if (shown) goTo(shown.pass.steps.length - 1);
  }

  function play() {
    const shown = current();
    if (!shown || view().playing) return;
    if (view().step >= shown.pass.steps.length - 1) goTo(0);
    store.dispatch({ type: "view/set", view: { playing: true }, travel: true });
    const token = ++playToken;
    let held = false;
    const advance = (target) => {
      held = false;
      release = null;
      goTo(target, {
        animated: true,
        onDone: () => {
          if (token !== playToken || !view().playing) return;
          const dwell = (prefersReducedMotion() ? 2 * DWELL_MS : DWELL_MS) / view().speed;
          animate(dwell, null, loop);
        },
      });
    };
    const loop = () => {
      const now = current();
      if (token !== playToken || !view().playing || stopped || !now) return;
      const target = nextStop(now.frames, view().step);
      if (target === view().step) {
        pause();
        return;
      }
      if (awaitsAnswer(store.getState().predict, now.pass, now.frames, view().step) != null) {
        held = true;
        release = () => advance(target);
        animate(HOLD_POLL_MS, null, loop);
        return;
      }
      if (held) {
        // answered: the feedback is read before the step replaces it (Reveal skips the wait)
        held = false;
        animate(READ_MS, null, loop);
        return;
      }
      advance(target);
    };
    loop();
  }

  /** The predict panel's Reveal: while Play waits at a question (or its feedback), show the step and play on. */
  function reveal() {
    if (view().playing && release) release();
    else next();
  }

  function pause() {
    release = null;
    if (!view().playing) return;
    playToken++;
    animationToken++;
    store.dispatch({ type: "view/set", view: { playing: false } });
  }

  function togglePlay() {
    if (view().playing) pause();
    else play();
  }

  /** Stop every timer and animation for good. */
  function stop() {
    pause();
    stopped = true;
    animationToken++;
  }

  /** Cancel a move in flight (a new trace or a changed view is drawn instead). */
  function cancelMove() {
    animationToken++;
  }

  return { goTo, next, prev, reset, end, play, pause, togglePlay, stop, cancelMove, reveal };
}
