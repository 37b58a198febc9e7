// The teacher's side of a live class: start it, show the code, link and QR code (large in presenter mode),
// lead every student's screen from this page, lock pacing, pause screens, ask and reveal with a live histogram.

import { ApiError } from "../core/api.js";
import { el, toast } from "../core/dom.js";
import { applyTranslations, t } from "../core/i18n.js";
import { traceRequest } from "../player/model.js";
import { classroomApi, seats } from "./api.js";
import { currentPlayer, onPlayerChange } from "./bridge.js";
import { openChannel } from "./channel.js";
import { renderHistogram } from "./histogram.js";
import { answerText, promptText } from "./questions.js";

const SEND_EVERY_MS = 40; // a step that changes faster than this is sent once, with its latest state
// pages without a step player: how often the address is looked at; and the heartbeat of a view whose state
// moves on by itself (/train while playing: its step), sent only when it changed
const POLL_MS = 250;

/** The page and its view state as students follow it: path and URL fragment. */
function pageState() {
  const attached = currentPlayer();
  const view = attached ? attached.encode() : location.hash.replace(/^#/, "");
  return { path: location.pathname, view };
}

function field(labelKey, control) {
  return el("label", { class: "classroom-field" }, el("span", { "data-i18n": labelKey, text: t(labelKey) }), control);
}

function numberInput(testid, value, min = 0) {
  return el("input", { type: "number", min, step: 1, value, class: "num", "data-testid": testid });
}

function selectOf(testid, options) {
  return el(
    "select",
    { "data-testid": testid },
    options.map(([value, key]) => el("option", { value, "data-i18n": key, text: t(key) })),
  );
}

export function lead(code, token) {
  let state = { count: 0, connected: 0, names: [], locked: false, paused: false, question: null };
  let lastSent = null;
  let sendTimer = null;
  let sentAt = -Infinity;
  let sending = false;
  let sendAgain = false;
  const codeText = el("strong", { class: "classroom-code", "data-testid": "classroom-code", text: code });
  const joinUrl = `${location.origin}/join?code=${code}`;
  const qr = el("img", {
    class: "classroom-qr",
    "data-testid": "classroom-qr",
    src: `/api/v1/classroom/${code}/qr.svg`,
    alt: joinUrl,
    width: 200,
    height: 200,
  });
  const count = el("output", { class: "classroom-count", "data-testid": "classroom-count", text: "0" });
  // joined is the roster; connected, those whose page holds a live stream now (a closed tab drops out)
  const connected = el("output", { class: "classroom-count", "data-testid": "classroom-connected", text: "0" });
  // display names as text (textContent), never as markup: a student chooses them
  const names = el("ul", { class: "classroom-names", "data-testid": "classroom-names" });
  const lock = el("button", { type: "button", "data-testid": "classroom-lock", "aria-pressed": "false" });
  const pause = el("button", { type: "button", "data-testid": "classroom-pause", "aria-pressed": "false" });
  const end = el("button", { type: "button", class: "danger", "data-testid": "classroom-end" });
  const hide = el("button", { type: "button", class: "classroom-hide", "data-testid": "classroom-hide" });

  // ask
  const kind = selectOf("ask-kind", [
    ["value", "common.classroom.ask.kind_value"],
    ["gradient_sign", "common.classroom.ask.kind_gradient_sign"],
    ["weight_direction", "common.classroom.ask.kind_weight_direction"],
    ["choice", "common.classroom.ask.kind_choice"],
  ]);
  const quantity = selectOf("ask-quantity", [
    ["a", "common.classroom.quantity.a"],
    ["z", "common.classroom.quantity.z"],
    ["delta", "common.classroom.quantity.delta"],
    ["loss", "common.classroom.quantity.loss"],
  ]);
  const layer = numberInput("ask-layer", 1, 1);
  // neurons counted from 1 as the diagram labels them (a₁, x₂); the API counts from 0
  const neuron = numberInput("ask-neuron", 1, 1);
  const source = numberInput("ask-source", 1, 1);
  const choice = el("select", { "data-testid": "ask-choice" });
  // a page without the step player (lessons 1-5 and 7, the training view) asks only its lesson's questions
  const needsPlayer = el("p", {
    class: "classroom-note",
    "data-testid": "ask-needs-player",
    "data-i18n": "common.classroom.ask.needs_player",
    hidden: true,
  });
  let choseForTeacher = false; // the kind was set to "choice" because the page had no network to ask about
  const open = el("button", { type: "button", class: "primary", "data-testid": "ask-open" });
  const reveal = el("button", { type: "button", "data-testid": "ask-reveal", disabled: true });
  const prompt = el("p", { class: "classroom-prompt", "data-testid": "ask-prompt" });
  const answered = el("output", { class: "classroom-answered", "data-testid": "ask-count" });
  const histogram = el("div", { class: "histogram", "data-testid": "ask-histogram", role: "img" });
  const rightAnswer = el("p", { class: "classroom-right", "data-testid": "ask-answer", hidden: true });
  const networkFields = [field("common.classroom.ask.layer", layer), field("common.classroom.ask.neuron", neuron)];
  const weightFields = [field("common.classroom.ask.source", source)];
  const valueFields = [field("common.classroom.ask.quantity", quantity)];
  const choiceFields = [field("common.classroom.ask.choice", choice)];
  const kindField = field("common.classroom.ask.kind", kind);
  // the kind and a lesson question are words: across the section (presenter mode sets it in two columns)
  for (const wide of [kindField, ...choiceFields]) wide.classList.add("is-wide");

  const panel = el(
    "aside",
    { class: "classroom-panel", "data-testid": "classroom-panel", "aria-labelledby": "classroom-title" },
    el(
      "header",
      {},
      el("h2", { id: "classroom-title", "data-i18n": "common.classroom.panel", text: t("common.classroom.panel") }),
      hide,
    ),
    el(
      "div",
      { class: "classroom-join" },
      el("div", {}, el("span", { class: "muted", "data-i18n": "common.classroom.code" }), codeText),
      el("p", { class: "classroom-link" }, el("span", { class: "join-at" }), el("a", { href: joinUrl, text: joinUrl })),
      qr,
    ),
    el(
      "div",
      { class: "classroom-controls" },
      el(
        "span",
        { class: "classroom-students" },
        el("span", { "data-i18n": "common.classroom.students" }),
        " ",
        count,
        " ",
        el("span", { "data-i18n": "common.classroom.joined" }),
        " · ",
        el(
          "span",
          { "data-i18n-attr": "title:common.classroom.connected_label" },
          connected,
          " ",
          el("span", { "data-i18n": "common.classroom.connected" }),
        ),
      ),
      lock,
      pause,
      end,
    ),
    names,
    el(
      "section",
      { class: "classroom-ask" },
      el("h3", { "data-i18n": "common.classroom.ask.title" }),
      kindField,
      needsPlayer,
      ...valueFields,
      ...networkFields,
      ...weightFields,
      ...choiceFields,
      el("div", { class: "classroom-ask-actions" }, open, reveal),
      prompt,
      answered,
      histogram,
      rightAnswer,
    ),
  );
  const reopen = el("button", {
    type: "button",
    class: "classroom-reopen",
    "data-testid": "classroom-reopen",
    hidden: true,
  });

  function label() {
    lock.textContent = t("common.classroom.lock");
    pause.textContent = t("common.classroom.pause");
    end.textContent = t("common.classroom.end");
    hide.textContent = t("common.classroom.hide");
    open.textContent = t("common.classroom.ask.open");
    reveal.textContent = t("common.classroom.ask.reveal");
    reopen.textContent = t("common.classroom.show", { code });
    panel.querySelector(".join-at").textContent = t("common.classroom.join_at", { url: `${location.host}/join` });
    applyTranslations(panel);
    renderQuestion();
  }

  function showKindFields() {
    const network = Boolean(currentPlayer()?.player);
    for (const option of kind.options) option.disabled = option.value !== "choice" && !network;
    if (!network && kind.value !== "choice") {
      kind.value = "choice";
      choseForTeacher = true;
    } else if (network && choseForTeacher) {
      kind.value = "value"; // the player attached after the panel was drawn: back to the first kind
      choseForTeacher = false;
    }
    needsPlayer.hidden = network;
    const k = kind.value;
    const show = (fields, on) => fields.forEach((node) => (node.hidden = !on));
    show(valueFields, k === "value");
    show(networkFields, k !== "choice" && !(k === "value" && quantity.value === "loss"));
    show(weightFields, k === "gradient_sign" || k === "weight_direction");
    show(choiceFields, k === "choice");
    open.disabled = k === "choice" ? !choice.value : !currentPlayer()?.player; // a network question needs one
  }

  function renderQuestion() {
    const current = state.question;
    prompt.textContent = current ? promptText(current) : "";
    answered.textContent = current
      ? t("common.classroom.ask.answered", { answered: current.answered ?? 0, count: state.count })
      : "";
    renderHistogram(histogram, current);
    reveal.disabled = !current || current.stage === "revealed";
    rightAnswer.hidden = !(current && current.stage === "revealed");
    if (!rightAnswer.hidden) {
      rightAnswer.textContent = `${t("common.classroom.ask.right", {
        answer: answerText(current, current.answer),
      })} · ${t("common.classroom.ask.correct", { correct: current.correct ?? 0, answered: current.answered ?? 0 })}`;
    }
  }

  function renderControls() {
    count.textContent = String(state.count);
    connected.textContent = String(state.connected ?? 0);
    names.replaceChildren(...(state.names || []).map((name) => el("li", { text: name })));
    lock.setAttribute("aria-pressed", String(state.locked));
    pause.setAttribute("aria-pressed", String(state.paused));
    renderQuestion();
  }

  function onEvent(event) {
    const data = event.data;
    if (event.type === "snapshot") state = { ...state, ...data };
    else if (event.type === "presence") state.connected = data.connected;
    else if (event.type === "roster") {
      state.count = data.count;
      if (Array.isArray(data.names)) state.names = data.names;
    } else if (event.type === "control") Object.assign(state, data);
    else if (event.type === "question" || event.type === "reveal") {
      const same = state.question?.id === data.question.id;
      state.question = same ? { ...state.question, ...data.question } : data.question;
    } else if (event.type === "tally" && state.question?.id === data.question) {
      state.question = { ...state.question, answered: data.answered, histogram: data.histogram };
    } else if (event.type === "ended") {
      finish();
      return;
    }
    renderControls();
  }

  // ----------------------------------------------------------------------------------- leading the screens
  // One state on the way at a time: two requests may reach the server in either order, and a student must
  // end on the latest (a run's last step while playing, then where it paused).
  function send() {
    sendTimer = null;
    if (sending) {
      sendAgain = true;
      return;
    }
    sentAt = performance.now();
    const next = pageState();
    const key = JSON.stringify(next);
    if (key === lastSent) return;
    lastSent = key;
    sending = true;
    classroomApi
      .setState(code, token, next)
      .catch(report)
      .finally(() => {
        sending = false;
        if (sendAgain) {
          sendAgain = false;
          schedule();
        }
      });
  }

  // The first change goes at once (before the page redraws what changed), the ones that follow it within
  // SEND_EVERY_MS once, with their latest state.
  function schedule() {
    if (sendTimer) return;
    const wait = sentAt + SEND_EVERY_MS - performance.now();
    if (wait <= 0) send();
    else sendTimer = setTimeout(send, wait);
  }

  function report(error) {
    if (error instanceof ApiError && error.status === 404) finish();
    else toast(error.message);
  }

  async function control(patch) {
    try {
      Object.assign(state, await classroomApi.control(code, token, patch));
      renderControls();
    } catch (error) {
      report(error);
    }
  }

  function question() {
    const k = kind.value;
    if (k === "choice") return { kind: k, choice: choice.value };
    const attached = currentPlayer();
    const body = {
      kind: k,
      network: traceRequest(attached.player.getState().model, { graphs: false }),
      layer: Number(layer.value),
      neuron: Number(neuron.value) - 1,
      source: Number(source.value) - 1,
    };
    if (k === "value") body.quantity = quantity.value;
    return body;
  }

  async function ask() {
    try {
      state.question = await classroomApi.ask(code, token, question());
      renderQuestion();
      // the panel scrolls on a projector of 768 lines: the question and its count in view, below the QR code
      answered.scrollIntoView({ block: "nearest" });
    } catch (error) {
      toast(error.message);
    }
  }

  async function revealAnswer() {
    if (!state.question) return;
    try {
      state.question = await classroomApi.reveal(code, token, state.question.id);
      renderQuestion();
      rightAnswer.scrollIntoView({ block: "nearest" });
    } catch (error) {
      report(error);
    }
  }

  function finish() {
    channel.close();
    clearInterval(poll);
    stopFollowingPlayer();
    seats.clearTeacher();
    panel.remove();
    reopen.remove();
    document.body.classList.remove("classroom-leading");
    document.querySelector("[data-testid=classroom-start]")?.removeAttribute("hidden");
  }

  async function loadChoices() {
    try {
      const lesson = location.pathname.startsWith("/lessons/") ? location.pathname.split("/")[2] : null;
      const questions = (await classroomApi.lessonQuestions()).filter((q) => !lesson || q.lesson === lesson);
      choice.replaceChildren(
        ...questions.map((q) => el("option", { value: q.id, text: t(`common.classroom.choice.${q.id}.prompt`) })),
      );
    } catch {
      choice.replaceChildren();
    }
    if (!choice.options.length)
      choice.append(el("option", { value: "", disabled: true, text: t("common.classroom.ask.none") }));
    showKindFields();
  }

  // teacher's selection fills the question's target: the neuron its id names in the trace shown
  function followSelection(snapshot) {
    const selected = snapshot?.selected;
    const at = selected ? currentPlayer()?.player?.getTrace()?.facts.node(selected) : null;
    if (at && at.layer >= 1) {
      layer.value = String(at.layer);
      neuron.value = String(at.index + 1);
    }
  }

  lock.addEventListener("click", () => control({ locked: !state.locked }));
  pause.addEventListener("click", () => control({ paused: !state.paused }));
  end.addEventListener("click", () => classroomApi.end(code, token).then(finish, report));
  hide.addEventListener("click", () => {
    panel.hidden = true;
    reopen.hidden = false;
  });
  reopen.addEventListener("click", () => {
    panel.hidden = false;
    reopen.hidden = true;
  });
  kind.addEventListener("change", () => {
    choseForTeacher = false; // the teacher's own choice stays
    showKindFields();
  });
  quantity.addEventListener("change", showKindFields);
  open.addEventListener("click", ask);
  reveal.addEventListener("click", revealAnswer);
  document.addEventListener("langchange", () => {
    label();
    loadChoices();
  });

  document.body.append(panel, reopen);
  document.body.classList.add("classroom-leading");
  label();
  loadChoices();
  const stopFollowingPlayer = onPlayerChange((snapshot) => {
    followSelection(snapshot);
    showKindFields();
    schedule();
  });
  const poll = setInterval(schedule, POLL_MS); // pages without a player, the path of any page, a playing run
  schedule();
  const channel = openChannel(code, {
    token,
    onEvent,
    onStatus: (status) => {
      if (status === "gone") finish();
    },
  });
  return { panel, finish };
}

export async function startClass(button) {
  button.disabled = true;
  try {
    const started = await classroomApi.start(pageState());
    seats.setTeacher(started.code, started.teacher_token);
    lead(started.code, started.teacher_token);
  } catch (error) {
    const message = error instanceof ApiError && error.status === 503 ? "common.classroom.needs_redis" : null;
    toast(message ? t(message, { message: error.message }) : error.message, { timeout: 10000 });
  } finally {
    button.disabled = false;
  }
}
