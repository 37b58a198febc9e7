// The "Predict, then reveal" panel of the step player. With it on, the step that "next" would show is
// asked first: the learner types its number (or picks a gradient's sign, or the way a weight moves), Enter
// checks it against the number in the trace the server sent, and the feedback writes the step's formula
// with both numbers. A hint ladder (formula → substituted → answer) helps before answering; the score runs
// on. Everything it knows lives in the store's `predict` slice (predict-state.js): the panel is a view of it.
//
//   const predict = createPredict({ store, shown: () => session.shown, reveal: () => playback.reveal(),
//                                   place: (element) => side.append(element) });  …  predict.destroy();

import { el } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { DIRECTIONS, HINT_LEVELS, judge, parseTyped, questionFor, SIGNS, targetStep } from "./predict-state.js";

const PROMPTS = { value: "ask_value", sign: "ask_sign", direction: "ask_direction" };
const CHOICES = { sign: SIGNS, direction: DIRECTIONS };

const isField = (node) => Boolean(node?.closest?.("input, select, textarea, [contenteditable]"));
const tr = (key, params) => t(`common.predict.${key}`, params);
const translated = (tag, key, attrs = {}) => el(tag, { ...attrs, "data-i18n": `common.predict.${key}`, text: tr(key) });

/** "lhs = symbolic = substituted = result" up to the rung asked for (1: symbolic, 2: substituted, 3: result). */
export function formulaText(question, rung = HINT_LEVELS) {
  const parts = [question.lhs];
  if (question.symbolic) parts.push(question.symbolic);
  if (rung >= 2 && question.substituted) parts.push(question.substituted);
  if (rung >= 3) parts.push(question.result);
  return parts.join(" = ");
}

function givenText(question, given) {
  return question.kind === "value" ? String(given).replaceAll("-", "−") : tr(`${question.kind}.${given}`);
}

function truthText(question) {
  return question.kind === "value" ? question.result : tr(`${question.kind}.${question.truth}`);
}

/**
 * The predict-then-reveal panel. `place(element)` puts it in the page before it is first drawn: a Play
 * already waiting at its question gives the field the keys, and a field outside the page cannot take them.
 */
export function createPredict({ store, shown, reveal, place }) {
  const toggle = el("input", { type: "checkbox", "data-testid": "predict-toggle" });
  toggle.addEventListener("change", () => store.dispatch({ type: "predict/toggle", on: toggle.checked }));
  const score = el("span", { class: "predict-score mono", "data-testid": "predict-score", "aria-live": "polite" });
  const question = el("p", { class: "predict-question", "data-testid": "predict-question" });
  const field = el("span", { class: "predict-field" });
  const submit = translated("button", "submit", { type: "submit", "data-testid": "predict-submit" });
  const hint = translated("button", "hint", { type: "button", "data-testid": "predict-hint", class: "secondary" });
  const form = el("form", { class: "predict-form", novalidate: true }, field, submit, hint);
  const message = el("p", { class: "predict-message", role: "alert", "data-testid": "predict-message" });
  const waiting = translated("p", "playing", { class: "muted predict-waiting", "data-testid": "predict-waiting" });
  const hints = el("ol", { class: "predict-hints math", "data-testid": "predict-hints" });
  const feedback = el("div", { class: "predict-feedback", "data-testid": "predict-feedback", role: "status" });
  const revealButton = translated("button", "reveal", { type: "button", "data-testid": "predict-reveal" });
  const resetButton = translated("button", "reset", {
    type: "button",
    class: "link-button",
    "data-testid": "predict-reset",
  });
  const body = el(
    "div",
    { class: "predict-body", hidden: true },
    translated("p", "intro", { class: "muted predict-intro" }),
    question,
    waiting,
    form,
    message,
    hints,
    feedback,
    el("div", { class: "predict-actions" }, revealButton, resetButton),
  );
  const element = el(
    "section",
    { class: "panel predict-panel", "data-testid": "predict-panel" },
    el(
      "header",
      { class: "predict-head" },
      el("label", { class: "toggle" }, toggle, translated("span", "toggle")),
      score,
    ),
    body,
  );

  let asked = null; // { key, question, input } of the question on screen
  let focusNext = false; // the learner revealed from the panel: the next question takes the focus

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!asked || answered()) return;
    const { question: q, input } = asked;
    const given = q.kind === "value" ? parseTyped(input.value) : input.value;
    if (given === null || given === "") {
      message.textContent = tr(q.kind === "value" ? "not_a_number" : "pick_first");
      input.focus();
      return;
    }
    message.textContent = "";
    store.dispatch({ type: "predict/answer", step: q.step, given, verdict: judge(q, given) });
    revealButton.focus();
  });
  hint.addEventListener("click", () => asked && store.dispatch({ type: "predict/hint", step: asked.question.step }));
  revealButton.addEventListener("click", () => {
    focusNext = true;
    reveal();
  });
  resetButton.addEventListener("click", () => store.dispatch({ type: "predict/reset" }));

  const answered = () => {
    const { predict } = store.getState();
    const step = asked?.question.step;
    return step != null && (predict.answers[step] || (predict.hints[step] ?? 0) >= HINT_LEVELS);
  };

  function makeInput(q) {
    if (q.kind === "value") {
      return el("input", {
        type: "text",
        inputmode: "decimal",
        autocomplete: "off",
        spellcheck: "false",
        maxlength: "40",
        class: "predict-input mono",
        "data-testid": "predict-input",
        "aria-label": tr("input_label"),
      });
    }
    // its own arrows pick an option, they do not step the player
    return el(
      "select",
      { class: "predict-input", "data-testid": "predict-input", "data-own-keys": "", "aria-label": tr("input_label") },
      el("option", { value: "", text: tr("choose") }),
      CHOICES[q.kind].map((choice) => el("option", { value: choice, text: tr(`${q.kind}.${choice}`) })),
    );
  }

  function renderScore(predict) {
    const { answered: count, correct, close, revealed } = predict.score;
    score.textContent = tr("score", { correct, answered: count, close, revealed });
    score.dataset.correct = String(correct);
    score.dataset.answered = String(count);
  }

  /** The question the view asks now, or null, and why not in words. */
  function current() {
    const now = shown();
    const { view } = store.getState();
    if (!now) return { q: null, why: "", more: false };
    const more = view.step < now.pass.steps.length - 1;
    // while playing, the question asked is the one Play will wait at (playback.js, stepper.js)
    const step = targetStep(now.pass, now.frames, view.step);
    if (step == null) return { q: null, why: tr(more ? "none" : "done"), more };
    return { q: questionFor(now.pass, step), why: "", more };
  }

  function render({ force = false } = {}) {
    const state = store.getState();
    const { predict } = state;
    waiting.hidden = !state.view.playing;
    toggle.checked = predict.on;
    element.classList.toggle("on", predict.on);
    renderScore(predict);
    body.hidden = !predict.on;
    if (!predict.on) return;
    const { q, why, more } = current();
    if (!q) {
      asked = null;
      waiting.hidden = true;
      question.textContent = why;
      form.hidden = true;
      hints.replaceChildren();
      feedback.hidden = true;
      revealButton.hidden = !more; // a step without a question is shown on the way to the next one
      message.textContent = "";
      focusNext = false; // the focus stays on Reveal
      return;
    }
    const key = `${q.step}|${q.kind}|${q.lhs}|${q.result}`;
    if (force || asked?.key !== key || asked.pass !== shown()?.pass) {
      const input = makeInput(q);
      // the same question drawn again (in another language): what was typed and not yet checked stays
      const same = asked?.key === key && asked.pass === shown()?.pass;
      const focused = same && document.activeElement === asked.input;
      if (same) input.value = asked.input.value;
      field.replaceChildren(input);
      if (focused) input.focus();
      asked = { key, question: q, input, pass: shown()?.pass };
      message.textContent = "";
      question.textContent = tr(PROMPTS[q.kind], { lhs: q.lhs });
      if (focusNext) input.focus();
    }
    focusNext = false;
    form.hidden = false;
    revealButton.hidden = false;
    renderState(q, predict);
    // Play waits at this question: its field takes the keys, unless the learner is typing elsewhere
    if (state.view.playing && !asked.input.disabled && !isField(document.activeElement))
      asked.input.focus({ preventScroll: true });
  }

  function renderState(q, predict) {
    const answer = predict.answers[q.step];
    const rung = predict.hints[q.step] ?? 0;
    const locked = Boolean(answer) || rung >= HINT_LEVELS;
    asked.input.disabled = locked;
    submit.disabled = locked;
    hint.disabled = locked;
    hints.replaceChildren(
      ...Array.from({ length: answer ? 0 : rung }, (_, i) =>
        el(
          "li",
          { "data-rung": String(i + 1) },
          el("span", { class: "predict-rung", text: `${tr(`rung.${i + 1}`)}: ` }),
          el("span", { text: formulaText(q, i + 1) }),
        ),
      ),
    );
    if (!answer && rung >= HINT_LEVELS)
      hints.append(el("li", { class: "muted predict-revealed", text: tr("revealed") }));
    if (!answer) {
      feedback.hidden = true;
      feedback.removeAttribute("data-verdict");
      return;
    }
    feedback.hidden = false;
    feedback.dataset.verdict = answer.verdict;
    feedback.replaceChildren(
      el("p", { class: "predict-verdict", text: tr(`verdict.${answer.verdict}`) }),
      el("p", { class: "predict-formula math", "data-testid": "predict-formula", text: formulaText(q) }),
      el(
        "p",
        { class: "predict-compare mono" },
        el("span", { "data-testid": "predict-given", text: tr("yours", { given: givenText(q, answer.given) }) }),
        " · ",
        el("span", { "data-testid": "predict-truth", text: tr("truth", { truth: truthText(q) }) }),
      ),
    );
    if (answer.verdict === "close") feedback.append(el("p", { class: "muted", text: tr("close_help") }));
  }

  const unsubscribe = store.subscribe((now, before) => {
    if (
      now.predict !== before.predict ||
      now.view.step !== before.view.step ||
      now.view.playing !== before.view.playing ||
      now.view.granularity !== before.view.granularity ||
      now.trace !== before.trace
    )
      render();
  });
  const onLanguage = () => {
    for (const node of element.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    render({ force: true });
  };
  document.addEventListener("langchange", onLanguage);
  place(element);
  render();

  return {
    element,
    render,
    destroy() {
      unsubscribe();
      document.removeEventListener("langchange", onLanguage);
    },
  };
}
