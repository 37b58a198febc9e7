// The output panel for data with many inputs (digits, iris), where there is no input plane to paint: the
// first layer's weights drawn as the images they multiply (8×8 for digits), the confusion matrix of the
// held-out points and the accuracy on them. Everything shown is what the server sent.

import { clear, el, setHidden, setText } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { currentLanguage, t } from "../core/i18n.js";
import { paintPixels } from "./pixels.js";

export { paintPixels };

/** The largest |w| of a weight matrix (at least a small number, so an all-zero matrix still paints). */
export function largestWeight(matrix) {
  let m = 1e-9;
  for (const row of matrix || []) for (const w of row) if (Number.isFinite(w)) m = Math.max(m, Math.abs(w));
  return m;
}

const percent = (v) => (v == null ? "—" : `${formatNumber(v * 100, 3)}%`);

/** root: the container; it is filled and shown only while the data has more than two inputs. */
export function createRealDataView(root) {
  const weightsBox = el("div", { class: "weight-images", "data-testid": "weight-images" });
  const weightsHead = el("h3", { class: "real-heading" });
  const weightsHint = el("p", { class: "hint muted" });
  const confusionHead = el("h3", { class: "real-heading" });
  const accuracy = el("p", { class: "real-accuracy mono", "data-testid": "held-out-accuracy" });
  const confusionBox = el("div", { class: "confusion-box" });
  root.append(
    el("div", { class: "real-part" }, weightsHead, weightsHint, weightsBox),
    el("div", { class: "real-part" }, confusionHead, accuracy, confusionBox),
  );
  let shownShape = "";
  let last = {};
  let tableKey = ""; // the confusion table's classes and language: a new table only when they change
  let cells = [];
  let canvases = []; // the weight images, in order

  function renderWeights(image, weights) {
    const first = weights?.[0];
    const show = Boolean(image && first);
    setHidden(weightsHead.parentElement, !show);
    if (!show) return;
    const [rows, cols] = image;
    setText(weightsHead, t("train.real.weights_heading"));
    setText(weightsHint, t("train.real.weights_hint", { rows, cols }));
    const m = largestWeight(first);
    const key = `${first.length}|${rows}x${cols}|${currentLanguage()}`;
    if (key !== shownShape) {
      shownShape = key;
      clear(weightsBox);
      canvases = [];
      first.forEach((_, j) => {
        const label = t("train.real.weight_image", { index: j + 1 });
        const canvas = el("canvas", { "data-testid": `weight-image-${j}`, role: "img", "aria-label": label });
        canvases.push(canvas);
        weightsBox.append(
          el(
            "figure",
            { class: "weight-image" },
            canvas,
            el("figcaption", { class: "muted mono", text: String(j + 1) }),
          ),
        );
      });
    }
    first.forEach((row, j) => {
      paintPixels(canvases[j], row, rows, cols, [-m, 0, m]);
    });
  }

  function renderConfusion(confusion, testAccuracy, classNames) {
    setText(confusionHead, t("train.real.confusion_heading"));
    if (!confusion) {
      setText(accuracy, "");
      clear(confusionBox);
      tableKey = "";
      return;
    }
    const { matrix, on } = confusion;
    const total = matrix.flat().reduce((a, b) => a + b, 0);
    const right = matrix.reduce((sum, row, i) => sum + row[i], 0);
    setText(
      accuracy,
      t(on === "test" ? "train.real.accuracy_test" : "train.real.accuracy_train", {
        accuracy: percent(on === "test" && testAccuracy != null ? testAccuracy : total ? right / total : null),
        right,
        total,
      }),
    );
    const key = `${matrix.length}|${classNames}|${currentLanguage()}`;
    if (key !== tableKey) {
      tableKey = key;
      cells = buildTable(matrix.length, classNames);
    }
    // Updated in place: the table stays the same element, so a screen reader and the layout keep their place.
    matrix.forEach((row, i) => {
      const rowTotal = row.reduce((a, b) => a + b, 0) || 1;
      row.forEach((count, k) => {
        const cell = cells[i][k];
        setText(cell, String(count));
        const kind = `mono ${i === k ? "diagonal" : count ? "miss" : ""}`;
        if (cell.className !== kind) cell.className = kind;
        const share = String(count / rowTotal);
        if (cell.style.getPropertyValue("--share") !== share) cell.style.setProperty("--share", share);
      });
    });
  }

  /** An empty confusion table for `classes` classes; returns its cells, cells[true][predicted]. */
  function buildTable(classes, classNames) {
    const name = (k) => classNames?.[k] ?? String(k);
    const indices = [...Array(classes).keys()];
    const head = el(
      "tr",
      {},
      el("th", { scope: "col", class: "corner", text: t("train.real.true_predicted") }),
      ...indices.map((k) => el("th", { scope: "col", text: name(k) })),
    );
    const table = indices.map(() => indices.map(() => el("td", { class: "mono" })));
    const body = table.map((row, i) => el("tr", {}, el("th", { scope: "row", text: name(i) }), ...row));
    clear(confusionBox).append(
      el(
        "table",
        { class: "confusion", "data-testid": "confusion" },
        el("caption", { class: "muted", text: t("train.real.confusion_caption") }),
        el("thead", {}, head),
        el("tbody", {}, ...body),
      ),
    );
    return table;
  }

  return {
    /** next: {shape, weights, confusion, testAccuracy, classNames} */
    render({ shape, weights, confusion, testAccuracy, classNames }) {
      const active = shape.inputDim > 2;
      setHidden(root, !active);
      if (!active) return;
      // A streamed run redraws every frame; the server's weights and matrix change a few times a second.
      const lang = currentLanguage();
      if (weights !== last.weights || lang !== last.lang) renderWeights(shape.image, weights);
      if (confusion !== last.confusion || testAccuracy !== last.testAccuracy || lang !== last.lang)
        renderConfusion(confusion, testAccuracy, classNames);
      last = { weights, confusion, testAccuracy, lang };
    },
  };
}
