// Transport controls: reset, previous, play/pause, next, a timeline to scrub, speed, granularity,
// and the training buttons. Pure view: every action is a callback into the player.

import { el } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { GRANULARITIES, SPEEDS } from "./steps.js";

export { SPEEDS };

function button(testid, key, icon, onClick, extra = {}) {
  const label = el("span", { class: "button-text", "data-i18n": key, text: t(key) });
  return el(
    "button",
    {
      type: "button",
      class: "control",
      "data-testid": testid,
      "data-i18n-attr": `title:${key}`,
      title: t(key),
      onclick: onClick,
      ...extra,
    },
    el("span", { class: "icon", "aria-hidden": "true", text: icon }),
    label,
  );
}

function labelled(key, control) {
  return el("label", { class: "control-field" }, el("span", { "data-i18n": key, text: t(key) }), control);
}

export function createControls(
  handlers,
  { showTraining = true, speed: initialSpeed = 1, granularity: initialGranularity = "neuron" } = {},
) {
  const reset = button("reset", "playground.controls.reset", "⇤", handlers.reset);
  const prev = button("step-prev", "playground.controls.prev", "◀", handlers.prev);
  const play = button("play", "playground.controls.play", "▶", handlers.togglePlay, {
    "aria-pressed": "false",
    class: "control primary",
  });
  const next = button("step-next", "playground.controls.next", "▶", handlers.next);
  next.querySelector(".icon").textContent = "▶▏";
  prev.querySelector(".icon").textContent = "▕◀";
  const timeline = el("input", {
    type: "range",
    class: "timeline",
    "data-testid": "timeline",
    min: 0,
    max: 0,
    step: 1,
    value: 0,
    "data-i18n-attr": "aria-label:playground.controls.timeline",
    "aria-label": t("playground.controls.timeline"),
  });
  timeline.addEventListener("input", () => handlers.seek(Number(timeline.value)));
  const position = el("output", { class: "timeline-position mono", "aria-live": "off" });
  const speed = el(
    "select",
    { class: "speed", "data-testid": "speed", onchange: () => handlers.speed(Number(speed.value)) },
    SPEEDS.map((s) => el("option", { value: s, text: `${s}×`, selected: s === initialSpeed })),
  );
  const granularity = el(
    "select",
    { class: "granularity", "data-testid": "granularity", onchange: () => handlers.granularity(granularity.value) },
    GRANULARITIES.map((g) =>
      el("option", {
        value: g,
        "data-i18n": `playground.granularity.${g}`,
        text: t(`playground.granularity.${g}`),
        selected: g === initialGranularity, // shown before the first trace too
      }),
    ),
  );
  const transport = el(
    "div",
    {
      class: "transport",
      role: "group",
      "data-i18n-attr": "aria-label:playground.controls.label",
      "aria-label": t("playground.controls.label"),
    },
    reset,
    prev,
    play,
    next,
  );
  const scrub = el("div", { class: "scrub" }, timeline, position);
  const options = el(
    "div",
    { class: "control-options" },
    labelled("playground.controls.speed", speed),
    labelled("playground.controls.granularity", granularity),
  );
  const parts = [transport, scrub, options];
  let trainCount = null;
  let trainOne = null;
  let trainMany = null;
  if (showTraining) {
    trainOne = button("train-step", "playground.controls.train_step", "⟳", handlers.trainStep, {
      class: "control train",
    });
    trainCount = el("input", {
      type: "number",
      class: "train-count",
      min: 1,
      max: 1000,
      step: 1,
      value: 10,
      "data-testid": "train-count",
      "data-i18n-attr": "aria-label:playground.controls.train_count",
      "aria-label": t("playground.controls.train_count"),
    });
    trainMany = button(
      "train-many",
      "playground.controls.train_many",
      "»",
      () => handlers.trainMany(Number(trainCount.value)),
      { class: "control train" },
    );
    parts.push(
      el(
        "div",
        { class: "training-controls secondary-controls" },
        trainOne,
        el("span", { class: "train-n" }, trainCount, trainMany),
      ),
    );
  }
  const element = el("div", { class: "player-controls", "data-testid": "controls" }, parts);

  // called on every step while playing: only what differs is written (the same text written again is
  // laid out again)
  const setText = (node, text) => {
    if (node.textContent !== text) node.textContent = text;
  };
  const setAttr = (node, name, value) => {
    if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  };

  function update({ index, total, playing, speed: s, granularity: g, busy, phases }) {
    const max = String(Math.max(0, total - 1));
    if (timeline.max !== max) timeline.max = max;
    if (timeline.value !== String(index)) timeline.value = String(index);
    setAttr(timeline, "aria-valuetext", t("playground.narration.counter", { n: index + 1, total }));
    setText(position, `${index + 1} / ${total}`);
    setAttr(play, "aria-pressed", String(playing));
    setText(play.querySelector(".icon"), playing ? "❚❚" : "▶");
    const playKey = playing ? "playground.controls.pause" : "playground.controls.play";
    const playText = play.querySelector(".button-text");
    if (playText.dataset.i18n !== playKey) playText.dataset.i18n = playKey;
    setText(playText, t(playKey));
    if (play.dataset.i18nAttr !== `title:${playKey}`) play.dataset.i18nAttr = `title:${playKey}`;
    if (play.title !== t(playKey)) play.title = t(playKey);
    prev.disabled = index <= 0;
    next.disabled = index >= total - 1;
    if (speed.value !== String(s)) speed.value = String(s);
    if (granularity.value !== g) granularity.value = g;
    for (const b of [trainOne, trainMany]) if (b) b.disabled = Boolean(busy);
    if (phases) timeline.style.setProperty("--timeline-track", phases);
  }

  return { element, update, timeline };
}
