// Exercises under a lesson: the server picks one by a seed (kept in the URL as ?exercise=, so a link
// shows everyone the same numbers), the learner types the blanks, and the server checks them against the
// engine and sends the worked solution. The page never knows an answer before the server says it.

import { api } from "../core/api.js";
import { el } from "../core/dom.js";
import { currentLanguage, t } from "../core/i18n.js";
import { errorMessage } from "./common.js";

/** The exercise kind each lesson asks; lessons not listed have none. */
export const LESSON_KINDS = {
  derivative: "limit",
  "partial-derivatives": "partial",
  gradient: "descent",
  "chain-rule": "chain",
  backpropagation: "network",
};
export const SEED_PARAM = "exercise";
export const MAX_SEED = 2 ** 31 - 1;

/** The seed a URL's query names, or null when it names none (or not a whole number in range). */
export function seedFromSearch(search) {
  const text = new URLSearchParams(search).get(SEED_PARAM);
  if (!text || !/^\d{1,10}$/.test(text)) return null;
  const seed = Number(text);
  return seed <= MAX_SEED ? seed : null;
}

/** A typed answer as a number: "−1.5", "-1,5" and " 2 " read; anything else is null. */
export function parseAnswer(text) {
  const cleaned = String(text).trim().replace(/^[−–]/, "-").replace(",", ".");
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(cleaned)) return null;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : null;
}

const randomSeed = () => Math.floor(Math.random() * 1_000_000);

function urlFor(seed) {
  const url = new URL(window.location.href);
  url.searchParams.set(SEED_PARAM, String(seed));
  return url;
}

/** Fill `section` with the exercise of lesson `slug`; does nothing for a lesson without exercises. */
export function mountExercises(section, slug) {
  const kind = LESSON_KINDS[slug];
  if (!kind) return null;
  section.hidden = false;
  const seedLabel = el("span", { class: "exercise-seed muted", "data-testid": "exercise-seed" });
  const link = el("a", { class: "exercise-link", "data-testid": "exercise-link" });
  const question = el("p", { class: "exercise-question", "data-testid": "exercise-question" });
  const givens = el("ul", { class: "exercise-given math", "data-testid": "exercise-given" });
  const blanks = el("div", { class: "exercise-blanks" });
  const checkButton = el("button", { type: "submit", class: "primary", "data-testid": "exercise-check" });
  const revealButton = el("button", { type: "button", "data-testid": "exercise-reveal" });
  const newButton = el("button", { type: "button", "data-testid": "exercise-new" });
  const feedback = el("p", { class: "exercise-feedback", "data-testid": "exercise-feedback", "aria-live": "polite" });
  const solutionTitle = el("h3", { class: "exercise-solution-title" });
  const solution = el("ol", { class: "exercise-solution", "data-testid": "exercise-solution" });
  const solutionBox = el("div", { class: "exercise-solution-box", hidden: true }, solutionTitle, solution);
  const form = el(
    "form",
    { class: "exercise-form", novalidate: true },
    blanks,
    el("div", { class: "exercise-actions" }, checkButton, revealButton, newButton),
  );
  section
    .querySelector("[data-exercise-body]")
    .replaceChildren(
      el("p", { class: "exercise-meta" }, seedLabel, " ", link),
      question,
      givens,
      form,
      feedback,
      solutionBox,
    );

  const state = { seed: seedFromSearch(window.location.search) ?? randomSeed(), task: null, result: null };
  const inputs = new Map(); // blank name → input, kept across a change of language

  function labels() {
    seedLabel.textContent = t("lessons.exercises.seed", { seed: state.seed });
    link.textContent = t("lessons.exercises.link");
    link.href = urlFor(state.seed).pathname + urlFor(state.seed).search;
    checkButton.textContent = t("lessons.exercises.check");
    revealButton.textContent = t("lessons.exercises.reveal");
    newButton.textContent = t("lessons.exercises.new");
    solutionTitle.textContent = t("lessons.exercises.solution_title");
  }

  function showTask(task) {
    state.task = task;
    question.textContent = task.question;
    givens.replaceChildren(...task.given.map((line) => el("li", { text: line })));
    const typed = new Map([...inputs].map(([name, input]) => [name, input.value]));
    inputs.clear();
    blanks.replaceChildren(
      ...task.blanks.map((blank) => {
        const input = el("input", {
          type: "text",
          inputmode: "decimal",
          autocomplete: "off",
          class: "num",
          "data-testid": "exercise-input",
          "data-blank": blank.name,
          "aria-label": t("lessons.exercises.your_answer", { symbol: blank.symbol }),
        });
        input.value = typed.get(blank.name) ?? "";
        inputs.set(blank.name, input);
        return el(
          "label",
          { class: "exercise-blank" },
          el("span", { class: "math exercise-symbol", text: `${blank.symbol} =` }),
          input,
          el("span", { class: "exercise-verdict", "data-testid": "exercise-verdict", "data-blank": blank.name }),
        );
      }),
    );
  }

  function showResult(result) {
    state.result = result;
    for (const item of result?.results ?? []) {
      const mark = blanks.querySelector(`.exercise-verdict[data-blank="${item.name}"]`);
      if (!mark) continue;
      mark.dataset.verdict = item.verdict;
      const expected = item.verdict === "wrong" && item.expected != null ? item.expected : null;
      mark.textContent =
        t(`lessons.exercises.${item.verdict}`) +
        (expected == null ? "" : ` (${t("lessons.exercises.expected", { value: expected })})`);
      inputs.get(item.name)?.setAttribute("aria-invalid", String(item.verdict === "wrong"));
    }
    feedback.dataset.solved = result ? String(result.solved) : "";
    feedback.textContent = !result
      ? ""
      : t(result.solved ? "lessons.exercises.solved" : "lessons.exercises.not_solved");
    feedback.classList.toggle("is-solved", Boolean(result?.solved));
    const lines = result?.solution;
    solutionBox.hidden = !lines;
    solution.replaceChildren(
      ...(lines || []).map((line) =>
        el(
          "li",
          { class: "exercise-solution-line" },
          el("span", { class: "exercise-solution-text", text: line.text }),
          " ",
          el("span", { class: "math exercise-solution-math", text: line.math }),
        ),
      ),
    );
  }

  function answers() {
    const out = {};
    for (const [name, input] of inputs) {
      const value = parseAnswer(input.value);
      if (value != null) out[name] = value;
    }
    return out;
  }

  function showError(error) {
    feedback.dataset.solved = "";
    feedback.textContent = errorMessage(error);
  }

  async function load() {
    labels();
    try {
      showTask(await api.exercise(kind, state.seed, currentLanguage()));
      showResult(null);
    } catch (error) {
      showError(error);
    }
  }

  async function check(reveal) {
    if (!state.task) return;
    const body = { kind, seed: state.seed, lang: currentLanguage(), answers: answers(), reveal };
    try {
      showResult(await api.checkExercise(body));
    } catch (error) {
      showError(error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    check(false);
  });
  revealButton.addEventListener("click", () => check(true));
  newButton.addEventListener("click", () => {
    state.seed = randomSeed();
    inputs.clear();
    window.history.replaceState(window.history.state, "", urlFor(state.seed));
    load();
  });
  document.addEventListener("langchange", async () => {
    const shown = state.result; // the verdicts and solution come back in the new language
    await load();
    if (shown) await check(shown.solution != null && !shown.solved);
  });

  load();
  return { reload: load };
}
