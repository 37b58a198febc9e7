// A student's side of a live class: this page follows the teacher's (page, network, step, selection), a bar
// says so, and questions are answered here. Exploring is allowed unless the teacher locks pacing; "back
// to the teacher" returns to the teacher's view at once.

import { el } from "../core/dom.js";
import { session } from "../core/storage.js";
import { t } from "../core/i18n.js";
import { classroomApi, seats } from "./api.js";
import { currentPlayer, onPlayerChange, whenPlayer } from "./bridge.js";
import { openChannel } from "./channel.js";
import { renderHistogram } from "./histogram.js";
import { answerText, optionLabel, promptText } from "./questions.js";

const RELOCK_MS = 300; // a locked student who moved is brought back after this pause (a load may be in flight)
const APPLIED = "classroom.applied"; // the teacher's last page state this tab loaded
// pages whose view is driven in place (static/js/classroom/bridge.js): the step player, a lesson, training
const VIEW_HOSTS = "[data-player], [data-lesson], [data-testid=train]";
/** A state as an address fragment: a page's own fragment, not a player's travel format (JSON). */
export function fragment(view) {
  return view && !view.startsWith("{") ? `#${view}` : "";
}

export function follow(code, seat) {
  let teacher = null; // the teacher's {path, view}
  let locked = false;
  let paused = false;
  let exploring = false;
  let status = "live";
  let question = null;
  let myAnswer = null;
  let relock = null;

  const text = el("span", { class: "follow-text", "data-testid": "follow-status", "aria-live": "polite" });
  const back = el("button", { type: "button", "data-testid": "follow-back", hidden: true });
  const leave = el("button", { type: "button", class: "follow-leave", "data-testid": "follow-leave" });
  const bar = el("div", { class: "follow-bar", role: "status" }, text, back, leave);
  const overlay = el(
    "div",
    { class: "follow-paused", "data-testid": "follow-paused", hidden: true },
    el("p", { class: "follow-paused-text" }),
  );
  const promptNode = el("p", { class: "answer-prompt", "data-testid": "answer-prompt" });
  const form = el("form", { class: "answer-form" });
  const sent = el("p", { class: "answer-sent", "data-testid": "answer-sent", "aria-live": "polite" });
  const histogram = el("div", { class: "histogram", "data-testid": "answer-histogram", role: "img" });
  const sheet = el(
    "section",
    { class: "answer-sheet", "data-testid": "answer-panel", hidden: true },
    el("h2", { class: "answer-title" }),
    promptNode,
    form,
    sent,
    histogram,
  );

  // ------------------------------------------------------------------------------------- showing
  function renderBar() {
    const key =
      status === "gone"
        ? "ended"
        : status === "reconnecting"
          ? "reconnecting"
          : exploring
            ? "exploring"
            : locked
              ? "locked"
              : "following";
    text.textContent = t(`common.classroom.follow.${key}`, { code });
    bar.dataset.state = key;
    back.hidden = !exploring || status === "gone";
    back.textContent = t("common.classroom.follow.back");
    leave.textContent = t("common.classroom.follow.leave");
    overlay.hidden = !paused || status === "gone";
    overlay.firstChild.textContent = t("common.classroom.follow.paused");
  }

  function answerControl() {
    if (question.kind === "value") {
      return el("input", {
        type: "text",
        inputmode: "decimal",
        autocomplete: "off",
        maxlength: 32,
        class: "num",
        "data-testid": "answer-input",
        "aria-label": t("common.classroom.answer.value"),
      });
    }
    return el(
      "select",
      { "data-testid": "answer-input", "aria-label": t("common.classroom.answer.pick") },
      question.options.map((option) => el("option", { value: option, text: optionLabel(question, option) })),
    );
  }

  function renderQuestion() {
    sheet.hidden = !question;
    if (!question) return;
    sheet.querySelector(".answer-title").textContent = t("common.classroom.answer.title");
    promptNode.textContent = promptText(question);
    const open = question.stage === "open";
    if (open && !form.dataset.question) {
      form.dataset.question = question.id;
      form.replaceChildren(
        answerControl(),
        el("button", {
          type: "submit",
          class: "primary",
          "data-testid": "answer-submit",
          text: t("common.classroom.answer.submit"),
        }),
      );
    }
    form.hidden = !open;
    sent.textContent =
      myAnswer == null
        ? ""
        : t(open ? "common.classroom.answer.sent" : "common.classroom.answer.yours", {
            answer: answerText(question, myAnswer),
          });
    if (question.stage === "revealed") {
      sent.textContent = [
        sent.textContent,
        t("common.classroom.ask.right", { answer: answerText(question, question.answer) }),
      ]
        .filter(Boolean)
        .join(" · ");
    }
    renderHistogram(histogram, question.stage === "revealed" ? question : null);
    histogram.hidden = question.stage !== "revealed";
  }

  // ------------------------------------------------------------------------------------- following
  function here() {
    const attached = currentPlayer();
    if (attached) return attached.encode();
    return location.hash.replace(/^#/, "");
  }

  function goTo(state) {
    const url = `${state.path}?class=${encodeURIComponent(code)}${fragment(state.view)}`;
    location.replace(url);
  }

  function apply() {
    if (!teacher) return;
    clearTimeout(relock); // the teacher's state now: a move the reader made before it is over
    exploring = false;
    renderBar();
    const wanted = `${teacher.path}#${teacher.view}`;
    if (teacher.path !== location.pathname) {
      session.set(APPLIED, wanted);
      goTo(teacher);
      return;
    }
    const attached = currentPlayer();
    if (!attached && document.querySelector(VIEW_HOSTS)) return; // applied once the page's view is up
    if (!attached) {
      // a page with no view to drive reads its state from the address only when it loads: load it once
      // per state the teacher sends (a page that rewrites its own address must not reload for ever)
      if (here() !== teacher.view && session.get(APPLIED) !== wanted) {
        session.set(APPLIED, wanted);
        goTo(teacher);
        location.reload();
      }
      return;
    }
    if (attached.encode() === teacher.view) return;
    try {
      Promise.resolve(attached.apply(teacher.view)).catch(() => {});
    } catch {
      // a state this view cannot read (another version): keep showing what is there
    }
  }

  function onLocalChange(snapshot) {
    if (!teacher || snapshot?.playing) return;
    if (snapshot?.own && !locked) {
      // the reader stopped what the view was doing along with the teacher (Pause on /train): at once, before
      // the teacher's next state (sent every 250 ms while a run plays) takes the view back
      exploring = true;
      renderBar();
      return;
    }
    const attached = currentPlayer();
    if (!attached || teacher.path !== location.pathname) return;
    const moved = attached.encode() !== teacher.view;
    if (!moved) {
      if (exploring) {
        exploring = false;
        renderBar();
      }
      return;
    }
    clearTimeout(relock);
    relock = setTimeout(() => {
      if (attached.applying || attached.encode() === teacher.view) return;
      if (locked) apply();
      else {
        exploring = true;
        renderBar();
      }
    }, RELOCK_MS);
  }

  function onEvent(event) {
    const data = event.data;
    if (event.type === "snapshot") {
      ({ locked, paused } = data);
      teacher = data.state;
      setQuestion(data.question);
      renderBar();
      apply();
    } else if (event.type === "state") {
      teacher = data.state;
      if (!exploring || locked) apply();
    } else if (event.type === "control") {
      ({ locked, paused } = data);
      renderBar();
      if (locked) apply();
    } else if (event.type === "question" || event.type === "reveal") {
      setQuestion(data.question);
    }
  }

  function setQuestion(next) {
    if (!next || next.id !== question?.id) {
      myAnswer = null;
      delete form.dataset.question;
    }
    question = next;
    renderQuestion();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = form.querySelector("[data-testid=answer-input]");
    const value = input.value.trim();
    if (!value || !question) return;
    try {
      await classroomApi.answer(code, seat, question.id, value);
      myAnswer = value;
    } catch (error) {
      sent.textContent = error.message;
      return;
    }
    renderQuestion();
  });
  back.addEventListener("click", apply);
  leave.addEventListener("click", () => {
    channel.close();
    seats.clearStudent();
    location.replace(location.pathname + location.hash);
  });
  document.addEventListener("langchange", () => {
    renderBar();
    delete form.dataset.question;
    renderQuestion();
  });

  document.body.classList.add("classroom-following");
  document.body.prepend(bar);
  document.body.append(overlay, sheet);
  renderBar();
  whenPlayer(() => apply());
  onPlayerChange(onLocalChange);
  const channel = openChannel(code, {
    seat,
    onEvent,
    onStatus: (next) => {
      status = next;
      renderBar();
      if (next === "gone") {
        seats.clearStudent();
        sheet.hidden = true;
      }
    },
  });
}
