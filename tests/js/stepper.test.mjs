// A lesson figure's Play with predict-then-reveal on: it waits at a step whose question is open, goes on
// once the answer is shown (after the feedback has been read), and Reveal during the wait plays on.
import assert from "node:assert/strict";
import { test } from "node:test";

globalThis.document = {
  documentElement: { lang: "en", dataset: {} },
  getElementById: () => null,
  querySelector: () => null,
  addEventListener: () => {},
};
globalThis.window = { matchMedia: () => ({ matches: false }) };
const { createStepper } = await import("../../static/js/lessons/stepper.js");

const figure = { querySelector: () => null }; // no buttons: the stepper's logic alone

function playing(t, open) {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const shown = [];
  const stepper = createStepper(figure, { onStep: (i) => shown.push(i), interval: 1000 });
  stepper.setHold((index) => open.has(index + 1)); // wait before leaving `index` when the next step is asked
  stepper.reset(5, 0);
  stepper.play();
  // time passes in small ticks, so a timer set by a timer runs in the same wait
  const wait = (ms) => {
    for (let passed = 0; passed < ms; passed += 50) t.mock.timers.tick(50);
  };
  return { stepper, shown, wait };
}

test("without questions Play walks every step and stops at the end", (t) => {
  const { stepper, shown, wait } = playing(t, new Set());
  wait(10_000);
  assert.deepEqual(shown, [0, 1, 2, 3, 4]);
  assert.equal(stepper.playing, false);
});

test("Play waits before a step with an open question, and goes on once it is answered", (t) => {
  const open = new Set([2]);
  const { stepper, shown, wait } = playing(t, open);
  wait(1000);
  assert.deepEqual(shown, [0, 1]);
  wait(20_000); // however long the learner thinks, step 2 is not shown
  assert.deepEqual(shown, [0, 1]);
  assert.equal(stepper.waiting, true);
  assert.equal(stepper.playing, true);
  open.delete(2); // answered: the feedback shows the true number
  wait(1000);
  assert.deepEqual(shown, [0, 1], "the feedback is read first");
  wait(2000);
  assert.deepEqual(shown, [0, 1, 2]);
  wait(3000);
  assert.deepEqual(shown, [0, 1, 2, 3, 4]);
});

test("Reveal while Play waits shows the step at once and plays on; otherwise it steps and stops", (t) => {
  const open = new Set([2, 3]);
  const { stepper, shown, wait } = playing(t, open);
  wait(2100); // step 1 shown at 1 s; at 2 s Play finds step 2 asked and waits
  assert.equal(stepper.waiting, true);
  stepper.reveal();
  assert.deepEqual(shown, [0, 1, 2]);
  assert.equal(stepper.playing, true);
  wait(5000);
  assert.deepEqual(shown, [0, 1, 2], "and waits again at the next question");
  stepper.stop();
  stepper.reveal();
  assert.deepEqual(shown, [0, 1, 2, 3]);
  assert.equal(stepper.playing, false);
});
