// How a class reads a revealed answer: the server sends a predicted value at full float precision, the
// page writes it as the diagram does; an option is shown by its label.
import assert from "node:assert/strict";
import { test } from "node:test";

globalThis.document = {
  documentElement: { lang: "en", dataset: {} },
  getElementById: () => null,
  querySelector: () => null,
  addEventListener: () => {},
};
const { answerText } = await import("../../static/js/classroom/questions.js");

test("a predicted value is written to four significant digits, with a true minus sign", () => {
  const question = { kind: "value", prompt: { key: "common.classroom.prompt.value_a", params: {} } };
  assert.equal(answerText(question, 0.47720446923035215), "0.4772");
  assert.equal(answerText(question, -0.12345678), "−0.1235");
  assert.equal(answerText(question, "0.5"), "0.5"); // a student's own answer, as sent
  assert.equal(answerText(question, 0), "0");
});

test("an option is shown by its label, not by its code", () => {
  const question = { kind: "gradient_sign", prompt: { key: "common.classroom.prompt.sign_w", params: {} } };
  assert.equal(answerText(question, "+"), "common.classroom.option.+"); // no strings loaded: the key itself
});
