// A lesson page: mounts the lesson's figure and lets the keyboard (or a presentation clicker, which
// sends PageDown/PageUp or the arrow keys) walk through it: first the figure's steps, then the page's
// sections, then on to the next lesson.

import { attachView, currentPlayer } from "../classroom/bridge.js";
import { ready, isPresenting } from "../core/shell.js";
import { t } from "../core/i18n.js";
import { stepDirection } from "../core/keys.js";
import { createNotationButton } from "../player/notation.js";

const FIGURES = {
  "feed-forward": () => import("../lessons/feed-forward.js"),
  derivative: () => import("../lessons/derivative.js"),
  "partial-derivatives": () => import("../lessons/partial-derivatives.js"),
  gradient: () => import("../lessons/gradient.js"),
  "chain-rule": () => import("../lessons/chain-rule.js"),
  backpropagation: () => import("../lessons/backpropagation.js"),
  "beyond-backprop": () => import("../lessons/beyond-backprop.js"),
};

const article = document.querySelector("[data-lesson]");
const slug = article.dataset.lesson;
let figure = null;
// While the figure loads, a stepping key is its (dropped), not the page's: it must not scroll or leave the lesson.
let figureLoading = slug in FIGURES;

function setTitle() {
  document.title = `${t(`lessons.${slug}.title`)} · ${t("common.app_name")}`;
}

function sections() {
  return [".lesson-head", ".lesson-figure", ".try-this", ".exercises:not([hidden])", ".lesson-pager"]
    .map((selector) => article.querySelector(selector))
    .filter(Boolean);
}

function atBottom() {
  return window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
}

function reveal(section) {
  if (!section.hasAttribute("tabindex")) section.setAttribute("tabindex", "-1");
  section.scrollIntoView({ block: "start", behavior: "instant" });
  section.focus({ preventScroll: true });
}

function forward() {
  if (figure?.next?.()) return;
  const below = sections().find((s) => s.getBoundingClientRect().top > 8);
  if (below && !atBottom()) {
    reveal(below);
    return;
  }
  if (article.dataset.next) location.href = article.dataset.next;
}

function backward() {
  if (figure?.prev?.()) return;
  const above = sections()
    .reverse()
    .find((s) => s.getBoundingClientRect().top < -8);
  if (above) {
    reveal(above);
    return;
  }
  if (article.dataset.previous) location.href = article.dataset.previous;
}

// In the capture phase, before a focused slider or select takes the key (see core/keys.js).
document.addEventListener(
  "keydown",
  (event) => {
    const direction = stepDirection(event, { vertical: isPresenting() });
    if (!direction) return;
    event.preventDefault();
    if (figureLoading) return;
    if (direction > 0) forward();
    else backward();
  },
  true,
);

document.addEventListener("langchange", setTitle);

// The notation key, the same one the step player opens, from every lesson.
article.querySelector(".lesson-progress")?.append(createNotationButton());

await ready;
setTitle();
const load = FIGURES[slug];
if (load) {
  try {
    const module = await load();
    // resolves once the figure shows its first state: the page is ready, and a class may drive it, from there
    figure = await module.mount(article.querySelector("[data-figure]"));
  } finally {
    figureLoading = false;
  }
}
// A live class follows the figure in place (its view: state string in, state string out); a figure that
// keeps no state, or a page whose step player attached itself, leaves nothing more to follow.
if (!currentPlayer()) attachView(figure?.view ?? { encode: () => "", apply: () => {} });
const exercises = article.querySelector("[data-exercises]");
if (exercises) (await import("../lessons/exercises.js")).mountExercises(exercises, slug);
article.dataset.ready = "true";
