// The live classroom's calls to /api/v1/classroom. Teacher actions carry the class's token as
// Authorization: Bearer; it lives in the teacher's sessionStorage only and never in a URL.

import { ApiError } from "../core/api.js";
import { session } from "../core/storage.js";

const BASE = "/api/v1/classroom";

async function call(method, path, { body, token } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const at = (code) => `/${encodeURIComponent(code)}`;

export const classroomApi = {
  start: (state) => call("POST", "", { body: { state } }),
  join: (code, name) => call("POST", "/join", { body: { code, name: name || null } }),
  view: (code) => call("GET", at(code)),
  teacherView: (code, token) => call("GET", `${at(code)}/teacher`, { token }),
  setState: (code, token, state) => call("POST", `${at(code)}/state`, { body: state, token }),
  control: (code, token, patch) => call("POST", `${at(code)}/control`, { body: patch, token }),
  ask: (code, token, question) => call("POST", `${at(code)}/ask`, { body: question, token }),
  reveal: (code, token, question) => call("POST", `${at(code)}/reveal`, { body: { question }, token }),
  end: (code, token) => call("POST", `${at(code)}/end`, { token }),
  answer: (code, seat, question, answer) =>
    call("POST", `${at(code)}/answer`, { body: { student_token: seat, question, answer } }),
  lessonQuestions: () => call("GET", "/lesson-questions"),
};

// Where each role keeps its capability: this tab only (sessionStorage), so closing it leaves nothing behind.
const TEACHER_KEY = "classroom.teacher";
const STUDENT_KEY = "classroom.student";

function read(key) {
  try {
    const value = JSON.parse(session.get(key) || "null");
    return value && typeof value.code === "string" && typeof value.token === "string" ? value : null;
  } catch {
    return null;
  }
}

export const seats = {
  teacher: () => read(TEACHER_KEY),
  student: () => read(STUDENT_KEY),
  setTeacher: (code, token) => session.set(TEACHER_KEY, JSON.stringify({ code, token })),
  setStudent: (code, token) => session.set(STUDENT_KEY, JSON.stringify({ code, token })),
  clearTeacher: () => session.remove(TEACHER_KEY),
  clearStudent: () => session.remove(STUDENT_KEY),
};
