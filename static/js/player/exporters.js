// Exports: the network as JSON (and back), the diagram as SVG and PNG, and runnable NumPy / PyTorch
// scripts written by the server. Everything works under a strict CSP: styles are inlined as SVG
// presentation attributes (not style attributes) and the PNG is drawn from a blob: image.

import { api } from "../core/api.js";
import { el, svg } from "../core/dom.js";
import { networkSpec } from "./model.js";
import { predictForTravel } from "./predict-state.js";

const STYLE_PROPERTIES = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-dasharray",
  "stroke-opacity",
  "stroke-linecap",
  "stroke-linejoin",
  "opacity",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "text-anchor",
  "dominant-baseline",
  "paint-order",
];
const SVG_NS = "http://www.w3.org/2000/svg";

export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename, class: "visually-hidden" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

/**
 * The network file: shape, activations, loss, the exact weights of the trace, the data and η; with the
 * store's predict slice, the learner's predictions too (mode, answers, hints, score), which an import restores.
 */
export function networkDocument(model, trace, predict = null) {
  return {
    format: "backprop-lab/network",
    version: 1,
    network: { ...networkSpec(model, trace), seed: model.seed, init: model.init },
    inputs: model.inputs,
    targets: model.targets,
    learning_rate: model.learningRate,
    sample: model.sample,
    loss_value: trace?.loss ?? null,
    ...(predict ? { predict: predictForTravel(predict) } : {}),
  };
}

export function exportJson(model, trace, predict = null) {
  const text = JSON.stringify(networkDocument(model, trace, predict), null, 2);
  download(new Blob([text], { type: "application/json" }), "backprop-network.json");
}

export async function readJsonFile(file) {
  if (file.size > 5_000_000) throw new Error("file too large");
  return JSON.parse(await file.text());
}

const CAPTION = { font: 13, line: 18, pad: 12 };
// A line may break after a space or between two CJK characters (Chinese has no spaces between words).
const WORDS =
  /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+\s*|\s+/g;

/** `text` broken into lines no wider than `width` pixels in `font`. */
function wrapText(text, width, font) {
  const context = document.createElement("canvas").getContext("2d");
  context.font = font;
  const lines = [];
  let line = "";
  for (const word of text.match(WORDS) || []) {
    if (line && context.measureText(line + word).width > width) {
      lines.push(line.trimEnd());
      line = word.trimStart();
    } else line += word;
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

/**
 * The caption under an exported diagram: the step's narration and formula, then each legend item as its
 * title and entries. caption: {lines: [string], legend: [{title, entries: [string]}]}.
 */
function captionGroup(caption, width) {
  const style = getComputedStyle(document.body);
  const fontFamily = style.fontFamily;
  const font = (weight) => `${weight} ${CAPTION.font}px ${fontFamily}`;
  const rows = [];
  for (const text of caption.lines)
    for (const line of wrapText(text, width - 2 * CAPTION.pad, font(400))) rows.push({ text: line, weight: 400 });
  for (const item of caption.legend) {
    rows.push({ text: "", weight: 400 });
    rows.push({ text: item.title, weight: 600 });
    for (const line of wrapText(item.entries.join(" · "), width - 2 * CAPTION.pad, font(400)))
      rows.push({ text: line, weight: 400 });
  }
  const group = svg("g", { "font-family": fontFamily, "font-size": CAPTION.font, fill: style.color });
  rows.forEach((row, i) => {
    if (!row.text) return;
    const attrs = { x: CAPTION.pad, y: CAPTION.pad + CAPTION.font + i * CAPTION.line, text: row.text };
    if (row.weight !== 400) attrs["font-weight"] = row.weight;
    group.append(svg("text", attrs));
  });
  return { group, height: 2 * CAPTION.pad + rows.length * CAPTION.line };
}

/**
 * A standalone SVG document of `svgEl` with its computed styles written out as attributes; with a
 * `caption`, the step's narration and the legend are written under the diagram.
 */
export function serializeSvg(svgEl, caption = null) {
  const clone = svgEl.cloneNode(true);
  const sources = [svgEl, ...svgEl.querySelectorAll("*")];
  const targets = [clone, ...clone.querySelectorAll("*")];
  const drop = [];
  sources.forEach((source, i) => {
    const target = targets[i];
    const style = getComputedStyle(source);
    if (style.display === "none" || source.getAttribute("visibility") === "hidden" || style.visibility === "hidden") {
      if (i > 0) drop.push(target);
      return;
    }
    for (const name of STYLE_PROPERTIES) {
      const value = style.getPropertyValue(name);
      if (value && value !== "normal" && value !== "auto") target.setAttribute(name, value);
    }
    for (const attr of ["style", "tabindex", "role", "class", "data-testid", "aria-pressed"])
      target.removeAttribute(attr);
  });
  for (const node of drop) node.remove();
  for (const hit of clone.querySelectorAll("[data-hit]")) hit.remove();
  const box = svgEl.getBoundingClientRect();
  const width = Math.round(box.width);
  const height = Math.round(box.height);
  clone.setAttribute("xmlns", SVG_NS);
  clone.setAttribute("width", width);
  clone.setAttribute("height", height);
  const fill = getComputedStyle(document.body).backgroundColor;
  let root = clone;
  let total = height;
  if (caption) {
    // The diagram keeps its own viewBox inside an outer document that also holds the caption below it.
    const { group, height: extra } = captionGroup(caption, width);
    total = height + extra;
    group.setAttribute("transform", `translate(0,${height})`);
    clone.removeAttribute("xmlns");
    root = svg("svg", { xmlns: SVG_NS, width, height: total, viewBox: `0 0 ${width} ${total}` }, clone, group);
  }
  root.insertBefore(svg("rect", { x: 0, y: 0, width, height: total, fill }), root.firstChild);
  return {
    text: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(root)}`,
    width,
    height: total,
  };
}

/** options: {caption} as serializeSvg takes it (null: the diagram alone). */
export function exportSvg(svgEl, { filename = "backprop-network.svg", caption = null } = {}) {
  const { text } = serializeSvg(svgEl, caption);
  download(new Blob([text], { type: "image/svg+xml" }), filename);
}

export async function exportPng(svgEl, { filename = "backprop-network.png", scale = 2, caption = null } = {}) {
  const { text, width, height } = serializeSvg(svgEl, caption);
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = el("canvas", { width: width * scale, height: height * scale });
    const context = canvas.getContext("2d");
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, width, height);
    const blob = await new Promise((resolve, reject) => {
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png");
    });
    download(blob, filename);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Ask the server for a runnable script that rebuilds the network and prints its outputs and loss. */
export async function exportScript(model, trace, format) {
  const body = {
    ...networkSpec(model, trace),
    inputs: model.inputs,
    targets: model.targets,
    learning_rate: model.learningRate,
    format,
  };
  const result = await api.exportNetwork(body);
  download(new Blob([result.script], { type: "text/x-python" }), result.filename);
  return result;
}

/** What an exported picture can carry under the diagram: the shown step's sentence and formula, and the legend. */
export function exportCaption(narrationElement, legendElement) {
  const shown = [...narrationElement.querySelectorAll(".narration-step")].at(-1);
  const lines = shown
    ? [
        shown.querySelector(".narration-sentence"),
        ...shown.querySelectorAll(".formula > li"),
        shown.querySelector(".narration-note"),
      ]
        .filter(Boolean)
        .map((node) => node.textContent.replace(/\s+/g, " ").trim())
    : [];
  const legend = [...legendElement.querySelectorAll(".legend-item")].map((item) => ({
    title: item.querySelector("figcaption")?.textContent.trim() ?? "",
    entries: [...item.querySelectorAll("li, .colour-ticks span")]
      .map((node) => node.textContent.trim())
      .filter(Boolean),
  }));
  return { lines: lines.filter(Boolean), legend };
}
