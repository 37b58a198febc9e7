// The reader's own data: points clicked onto the plane, or CSV pasted or opened from a file (the server
// parses it; a bad line comes back with its number). Text from the reader is only ever shown as text.

import { ApiError, api } from "../core/api.js";
import { clear, el, svg } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { pointShape } from "./heatmap.js";
import { classColour } from "./palette.js";

const CLASSES = 3;
const MAX_FILE_BYTES = 500_000;
const round = (v) => Number(v.toPrecision(4));

/**
 * root: the page; hooks: {current() → {rows, kind, inputDim} of the data on screen,
 * setData(rows, kind), onModeChange(editing, erasing)}.
 */
export function createDataEditor(root, hooks) {
  const editButton = root.querySelector("[data-testid=edit-mode]");
  const eraseButton = root.querySelector("[data-testid=erase-mode]");
  const clearButton = root.querySelector("[data-testid=clear-points]");
  const picker = root.querySelector(".class-picker");
  const text = root.querySelector("[data-testid=csv-text]");
  const file = root.querySelector("[data-testid=csv-file]");
  const load = root.querySelector("[data-testid=csv-load]");
  const error = root.querySelector("[data-testid=csv-error]");
  const status = root.querySelector("[data-testid=csv-status]");
  let editing = false;
  let erasing = false;
  let chosen = 1;
  let lastStatus = null;
  let lastError = null;

  function renderPicker() {
    clear(picker);
    for (let label = 0; label < CLASSES; label++) {
      const icon = svg("svg", { viewBox: "-7 -7 14 14", "aria-hidden": "true" });
      const shape = pointShape(0, 0, label, 5);
      shape.setAttribute("class", "point");
      shape.style.setProperty("--point", classColour(label));
      icon.append(shape);
      picker.append(
        el(
          "button",
          {
            type: "button",
            role: "radio",
            "aria-checked": String(label === chosen),
            "data-testid": `class-${label}`,
            "aria-label": t("train.editor.class_n", { n: label }),
            title: t("train.editor.class_n", { n: label }),
            onclick: () => {
              chosen = label;
              renderPicker();
              if (!editing) setMode(true, false);
            },
          },
          icon,
          el("span", { text: String(label), "aria-hidden": "true" }),
        ),
      );
    }
  }

  function setMode(edit, erase) {
    if (edit && !editable()) {
      showStatus("train.editor.only_2d");
      edit = false;
      erase = false;
    }
    editing = edit;
    erasing = edit && erase;
    editButton.setAttribute("aria-pressed", String(editing && !erasing));
    eraseButton.setAttribute("aria-pressed", String(erasing));
    hooks.onModeChange(editing, erasing);
  }

  function editable() {
    const data = hooks.current();
    return data.inputDim === 2 && data.kind !== "regression";
  }

  /** A click on the plane at data coordinates (x, y). */
  function pointer({ x, y, shift }) {
    if (!editing && !shift) return false;
    if (!editable()) return false;
    const data = hooks.current();
    let rows = data.rows.map((r) => [...r]);
    if (shift || erasing) {
      if (!rows.length) return true;
      let best = 0;
      rows.forEach((r, i) => {
        if ((r[0] - x) ** 2 + (r[1] - y) ** 2 < (rows[best][0] - x) ** 2 + (rows[best][1] - y) ** 2) best = i;
      });
      rows.splice(best, 1);
    } else {
      rows = [...rows, [round(x), round(y), chosen]];
    }
    const kind = rows.some((r) => r[2] > 1) ? "multiclass" : "binary";
    hooks.setData(rows, kind);
    return true;
  }

  function showError(apiError) {
    lastError = apiError;
    const line = apiError instanceof ApiError ? apiError.body?.params?.line : null;
    // The server names the line in its message too; the number is shown once, in front.
    const detail =
      apiError instanceof ApiError ? apiError.message.replace(/^line \d+:\s*/i, "") : t("common.error.network");
    clear(error);
    if (line) {
      error.append(el("strong", { "data-testid": "csv-error-line", text: t("train.csv.line", { line }) }));
      error.append(el("span", { text: t("train.csv.separator") }), el("span", { text: detail }));
    } else {
      error.append(el("span", { text: t("train.csv.error", { message: detail }) }));
    }
    error.dataset.line = line ? String(line) : "";
    error.hidden = false;
    status.hidden = true;
  }

  /** params may be a function, so a language switch re-translates the values too. */
  function showStatus(key, params = {}) {
    lastStatus = { key, params };
    status.textContent = t(key, typeof params === "function" ? params() : params);
    status.hidden = false;
  }

  async function parse() {
    lastError = null;
    error.hidden = true;
    status.hidden = true;
    if (!text.value.trim()) {
      showStatus("train.csv.empty");
      return;
    }
    load.disabled = true;
    try {
      const parsed = await api.parseDataset({ text: text.value });
      const values = parsed.labels ?? parsed.targets;
      const rows = parsed.points.map((p, i) => [...p, values[i]]);
      hooks.setData(rows, parsed.kind);
      showStatus("train.csv.loaded", () => ({
        count: parsed.count,
        kind: t(`train.dataset.kind.${parsed.kind}`, { n: parsed.classes }),
      }));
    } catch (failure) {
      showError(failure);
    } finally {
      load.disabled = false;
    }
  }

  async function readFile() {
    const chosenFile = file.files?.[0];
    if (!chosenFile) return;
    if (chosenFile.size > MAX_FILE_BYTES) {
      error.hidden = true;
      showStatus("train.csv.too_large", { size: "500 kB" });
      return;
    }
    text.value = await chosenFile.text();
    file.value = "";
    await parse();
  }

  editButton.addEventListener("click", () => setMode(!(editing && !erasing), false));
  eraseButton.addEventListener("click", () => setMode(!erasing, !erasing));
  clearButton.addEventListener("click", () => {
    if (!editing) setMode(true, false);
    if (editing) hooks.setData([], "binary");
  });
  load.addEventListener("click", parse);
  file.addEventListener("change", readFile);
  document.addEventListener("langchange", () => {
    renderPicker();
    if (lastStatus && !status.hidden) showStatus(lastStatus.key, lastStatus.params);
    if (lastError && !error.hidden) showError(lastError);
  });
  renderPicker();

  return {
    pointer,
    setMode,
    get editing() {
      return editing;
    },
    repaint: renderPicker,
  };
}
