// The step player's input as the picture it is: when the input layer has 64 neurons (an 8×8 digit from the
// training view), the shown sample's inputs x₁ … x₆₄ are drawn row by row as an 8×8 image beside the
// player. It reads the player's state from the URL, which the player keeps current, and draws only the
// numbers found there.

import { el } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { ready } from "../core/shell.js";
import { useStylesheet } from "../core/styles.js";
import { state } from "../pages/playground-state.js";
import { paintPixels } from "../train/pixels.js";

const IMAGE_INPUTS = { 64: [8, 8] }; // input widths drawn as images: the digits' 8×8 pixels
const CHECK_MS = 400; // the player writes the link a moment after each change

const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
const subscript = (n) => String(n).replace(/\d/g, (d) => SUBSCRIPTS[d]);

/** The image shape of an input layer of `width` neurons, or null when it is not an image. */
export function imageShape(width) {
  return IMAGE_INPUTS[width] ?? null;
}

function mount(after) {
  const canvas = el("canvas", { class: "input-image-canvas", "data-testid": "input-image", role: "img" });
  const readout = el("p", { class: "input-image-readout mono muted", "aria-live": "off" });
  const title = el("figcaption", { class: "input-image-title", "data-i18n": "playground.input_image.title" });
  const hint = el("p", { class: "hint muted input-image-hint" });
  const figure = el("figure", { class: "input-image", "data-testid": "input-image-panel", hidden: true }, title);
  figure.append(canvas, readout, hint);
  after.after(figure);
  let shown = null; // {pixels, rows, cols, sample}

  canvas.addEventListener("pointermove", (event) => {
    if (!shown) return;
    const box = canvas.getBoundingClientRect();
    const col = Math.min(shown.cols - 1, Math.floor(((event.clientX - box.left) / box.width) * shown.cols));
    const row = Math.min(shown.rows - 1, Math.floor(((event.clientY - box.top) / box.height) * shown.rows));
    const index = row * shown.cols + col;
    readout.textContent = `x${subscript(index + 1)} = ${formatNumber(shown.pixels[index])}`;
  });
  canvas.addEventListener("pointerleave", () => {
    readout.textContent = "";
  });

  function render(view) {
    const shape = imageShape(view.layers?.[0]);
    const sample = Math.min(view.s ?? 0, (view.x?.length ?? 1) - 1);
    const pixels = view.x?.[sample];
    figure.hidden = !shape || !pixels;
    if (figure.hidden) {
      shown = null;
      return;
    }
    const [rows, cols] = shape;
    shown = { pixels, rows, cols, sample };
    // Ink dark on the light middle colour, as on paper: the larger x, the darker the pixel.
    const high = Math.max(1e-9, ...pixels.map((v) => Math.abs(v)));
    paintPixels(
      canvas,
      pixels.map((v) => -v),
      rows,
      cols,
      [-high, 0, high],
    );
    const params = { count: pixels.length, rows, cols, sample: sample + 1 };
    title.textContent = t("playground.input_image.title");
    hint.textContent = t("playground.input_image.hint", params);
    canvas.setAttribute("aria-label", t("playground.input_image.aria", params));
  }
  return render;
}

async function main() {
  await Promise.all([ready, useStylesheet(new URL("../../css/input-image.css", import.meta.url))]);
  const head = document.querySelector(".playground-head");
  if (!head) return;
  const render = mount(head);
  let last = null;
  const check = () => {
    if (location.hash === last) return;
    last = location.hash;
    render(state.read());
  };
  check();
  setInterval(check, CHECK_MS);
  document.addEventListener("langchange", () => render(state.read()));
}

main();
