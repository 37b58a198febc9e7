// The join page: a student types the class code (or arrives with it from the QR code) and an optional
// name, then goes to the page the teacher is showing, following it.

import { ApiError } from "../core/api.js";
import { t } from "../core/i18n.js";
import { classroomApi, seats } from "../classroom/api.js";
import { fragment } from "../classroom/student.js";

const form = document.querySelector("[data-testid=join-form]");
const codeInput = form.querySelector("[data-testid=join-code-input]");
const nameInput = form.querySelector("[data-testid=join-name-input]");
const submit = form.querySelector("[data-testid=join-submit]");
const error = form.querySelector("[data-testid=join-error]");

function showError(message) {
  error.textContent = message;
  error.hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  submit.disabled = true;
  submit.textContent = t("common.classroom.join.joining");
  try {
    const joined = await classroomApi.join(codeInput.value, nameInput.value.trim());
    seats.setStudent(joined.code, joined.student_token);
    const view = await classroomApi.view(joined.code);
    const state = view.state || { path: "/", view: "" };
    location.assign(`${state.path}?class=${joined.code}${fragment(state.view)}`);
  } catch (failure) {
    showError(failure instanceof ApiError ? failure.message : t("common.error.generic", { message: failure.message }));
    submit.disabled = false;
    submit.textContent = t("common.classroom.join.submit");
  }
});

if (!codeInput.value) codeInput.focus();
else nameInput.focus();
