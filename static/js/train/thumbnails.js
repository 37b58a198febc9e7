// The dataset picker: one small picture per dataset, drawn from points the server generated (a run of
// zero steps returns the dataset), plus "your data".

import { api } from "../core/api.js";
import { clear, el, svg } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { pointShape } from "./heatmap.js";
import { classColour, divergingScale, rgb } from "./palette.js";
import { paintPixels } from "./realdata.js";
import { BUILT_IN, PLANE } from "./settings.js";

const SIZE = 60;
const PREVIEW = { n: 120, noise: 0.05, seed: 1 };

async function fetchPreview(info) {
  const { suggested } = info;
  const body = {
    layers: suggested.layers,
    activation: suggested.activation,
    output_activation: suggested.output_activation,
    loss: suggested.loss,
    dataset: { name: info.name, ...PREVIEW },
    steps: 0,
    test_fraction: 0,
    grid: { resolution: 2, neuron_resolution: 0 },
  };
  const response = await api.train(body);
  const { points, labels, targets } = response.dataset.train;
  return points.map((p, i) => ({ p, label: labels ? labels[i] : null, target: targets[i][0] }));
}

/** A few images of a dataset whose points are pictures (digits), in a 2 × 2 mosaic. */
function drawImages(root, rows, [height, width]) {
  const mosaic = el("span", { class: "dataset-thumb thumb-images", "aria-hidden": "true" });
  for (const row of rows.slice(0, 4)) {
    const canvas = el("canvas");
    // Ink dark on the light middle colour, as on paper: the pixels lie in [0, 1].
    paintPixels(
      canvas,
      row.p.map((v) => -v),
      height,
      width,
      [-1, 0, 1],
    );
    mosaic.append(canvas);
  }
  clear(root).append(mosaic);
}

/**
 * Draw points into a square SVG; 1-D data is drawn as (x, y = target), data with more inputs by its last
 * two (iris: petal length and width), and images as images.
 */
export function drawThumbnail(root, rows, inputDim, pictureShape = null) {
  if (pictureShape && rows.length) {
    drawImages(root, rows, pictureShape);
    return;
  }
  const image = svg("svg", { class: "dataset-thumb", viewBox: `0 0 ${SIZE} ${SIZE}`, "aria-hidden": "true" });
  if (!rows.length) {
    image.append(
      svg("text", { x: SIZE / 2, y: SIZE / 2 + 8, "text-anchor": "middle", class: "thumb-plus", text: "+" }),
    );
    clear(root).append(image);
    return;
  }
  const xy = rows.map((r) => (inputDim === 1 ? [r.p[0], r.target] : r.p.slice(-2)));
  const reach = Math.max(PLANE[1], ...xy.flat().map(Math.abs).filter(Number.isFinite));
  const scale = (v) => ((v + reach) / (2 * reach)) * SIZE;
  const values = divergingScale([-1, 0, 1]);
  for (const [i, [x, y]] of xy.entries()) {
    const { label, target } = rows[i];
    const shape = pointShape(scale(x), SIZE - scale(y), label, 1.6);
    shape.setAttribute("class", "point");
    shape.style.setProperty(
      "--point",
      label == null ? (inputDim === 1 ? "var(--text-muted)" : rgb(values(target))) : classColour(label),
    );
    image.append(shape);
  }
  clear(root).append(image);
}

/**
 * root: the radiogroup; catalogue: Map name → info; onPick(name). Returns {select(name), setCustom(rows, dim)}.
 */
export function createDatasetPicker(root, catalogue, onPick) {
  const buttons = new Map();
  for (const name of [...BUILT_IN, "custom"]) {
    if (name !== "custom" && !catalogue.has(name)) continue;
    const picture = el("span", { class: "dataset-picture" });
    const key = `train.dataset.${name}`;
    const button = el(
      "button",
      {
        type: "button",
        role: "radio",
        class: "dataset",
        "aria-checked": "false",
        "data-dataset": name,
        "data-testid": `dataset-${name}`,
        onclick: () => onPick(name),
      },
      picture,
      el("span", { class: "dataset-name", "data-i18n": key, text: t(key) }),
    );
    button.addEventListener("keydown", (event) => moveFocus(event, name));
    buttons.set(name, { button, picture });
    root.append(button);
  }

  function moveFocus(event, name) {
    const names = [...buttons.keys()];
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    const next = names[(names.indexOf(name) + step + names.length) % names.length];
    buttons.get(next).button.focus();
    onPick(next);
  }

  const previews = new Map();
  function paint(name) {
    const entry = buttons.get(name);
    const info = catalogue.get(name);
    if (entry && previews.has(name)) drawThumbnail(entry.picture, previews.get(name), info.input_dim, info.image);
  }
  for (const [name, info] of catalogue) {
    if (!buttons.has(name)) continue;
    fetchPreview(info)
      .then((rows) => {
        previews.set(name, rows);
        paint(name);
      })
      .catch(() => {});
  }
  drawThumbnail(buttons.get("custom").picture, [], 2);

  return {
    /** Show only the datasets of one problem type ("classification" or "regression"); yours stay. */
    showProblem(problem) {
      for (const [key, { button }] of buttons) {
        const kind = catalogue.get(key)?.kind;
        button.hidden = key !== "custom" && (kind === "regression") !== (problem === "regression");
      }
    },
    select(name) {
      for (const [key, { button }] of buttons) {
        button.setAttribute("aria-checked", String(key === name));
        button.tabIndex = key === name ? 0 : -1;
      }
    },
    setCustom(rows, inputDim, kind) {
      const regression = kind === "regression";
      const points = rows.map((r) => ({ p: r.slice(0, -1), label: regression ? null : r.at(-1), target: r.at(-1) }));
      drawThumbnail(buttons.get("custom").picture, points, inputDim);
    },
    repaint() {
      for (const name of previews.keys()) paint(name);
    },
  };
}
