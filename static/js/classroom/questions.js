// A question's words in the reader's language: the server sends translation keys and parameters, never text.

import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";

const INDICES = ["neuron", "to", "from"]; // sent from 0, as the API counts; shown from 1, as the diagram labels them

export function promptText(question) {
  const params = { ...(question.prompt.params || {}) };
  for (const name of INDICES) if (Number.isInteger(params[name])) params[name] += 1;
  return t(question.prompt.key, params);
}

export function optionLabel(question, option) {
  if (question.kind === "choice") return t(`${question.prompt.key.replace(/\.prompt$/, "")}.o${option}`);
  return t(`common.classroom.option.${option}`);
}

/** An answer as the class reads it: a number as the diagram writes one (0.4772, not 0.47720446923035215), an
 * option by its label. */
export function answerText(question, answer) {
  return question.kind === "value" ? formatNumber(Number(answer), 4) : optionLabel(question, answer);
}
