// The network diagram: one column per layer, each neuron a small picture of what it computes over the
// input plane (or along x for a 1-D input), links drawn by weight — thickness for size, colour and dash
// for sign. Hovering or focusing a neuron reports its id ("layer-index") so the big view can show it.

import { clear, el, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { paintGrid } from "./heatmap.js";
import { cssVar, domainFor } from "./palette.js";
import { largestWeight, paintPixels } from "./realdata.js";

const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
// Links are drawn in steps a reader cannot tell apart anyway (a tenth of a pixel, a 50th of opacity): at
// full speed the weights change at every picture, and each style write makes the browser restyle the link.
const linkWidth = (strength) => String(Math.round((0.6 + strength * 5.4) * 10) / 10);
const linkOpacity = (strength) => String(Math.round((0.3 + strength * 0.7) * 50) / 50);
const subscript = (n) => String(n).replace(/\d/g, (d) => SUBSCRIPTS[d]);

function paintCurve(canvas, xs, values, domain, box = null) {
  const rect = box ?? canvas.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(rect.width * ratio));
  canvas.height = Math.max(1, Math.round(rect.height * ratio));
  const context = canvas.getContext("2d");
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  if (!values?.length) return;
  const [low, , high] = domain;
  const y = (v) => height - ((v - low) / (high - low || 1)) * height * 0.9 - height * 0.05;
  context.strokeStyle = cssVar("--text-muted");
  context.lineWidth = ratio;
  context.beginPath();
  context.moveTo(0, y((low + high) / 2));
  context.lineTo(width, y((low + high) / 2));
  context.stroke();
  context.strokeStyle = cssVar("--heat-pos");
  context.lineWidth = 2 * ratio;
  context.beginPath();
  values.forEach((v, i) => {
    const px = (i / (values.length - 1 || 1)) * width;
    if (Number.isFinite(v)) context[i ? "lineTo" : "moveTo"](px, y(Math.max(low, Math.min(high, v))));
  });
  context.stroke();
}

/**
 * The symbol written on an input or output neuron: x₁, x₂ (x alone for one input), or the feature it holds
 * (x₁², sin x₂ …) when `inputLabels` names them; ŷ or ŷ₁, ŷ₂ …
 */
function symbol(layer, index, sizes, inputLabels = null) {
  if (layer === 0 && inputLabels?.[index]) return inputLabels[index];
  if (layer === 0) return sizes[0] === 1 ? "x" : `x${subscript(index + 1)}`;
  if (layer === sizes.length - 1) return sizes.at(-1) === 1 ? "ŷ" : `ŷ${subscript(index + 1)}`;
  return "";
}

/** A neuron's name for people: "Input x₁", "Hidden layer 1, neuron 3", "Output ŷ". */
export function neuronName(layer, index, sizes, inputLabels = null) {
  if (layer === 0) return t("train.network.input_neuron", { name: symbol(0, index, sizes, inputLabels) });
  if (layer === sizes.length - 1) return t("train.network.output_neuron", { name: symbol(layer, index, sizes) });
  return t("train.network.hidden_neuron", { layer, index: index + 1 });
}

/**
 * options.onHover(id | null); options.onResize(layerIndex, delta) for the +/− buttons of hidden layers.
 */
export function createNetworkView(root, { onHover, onResize } = {}) {
  const links = svg("svg", { class: "net-links", "aria-hidden": "true" });
  const nodes = el("div", { class: "net-nodes" });
  root.append(links, nodes);
  let model = null;
  let active = null;
  let thumbBox = null;
  let linkItems = []; // {path, layer, to, from, w}: the drawn links, so a new picture needs no DOM lookups
  let neuronItems = []; // {button, canvas, badge, layer, index}

  function neuronValues(layer, index) {
    const { drawing, sizes } = model;
    if (!drawing) return null;
    if (layer === sizes.length - 1) return drawing.outputs?.[index] ?? null;
    return drawing.neurons?.[`${layer}-${index}`] ?? null;
  }

  function activationOf(layer) {
    return layer === 0 ? "identity" : model.activations?.[layer - 1];
  }

  /** With image inputs (digits) the 64 inputs are one box, and a first-layer neuron shows its weights as an image. */
  const imageInputs = () => Boolean(model.inputImage && model.sizes[0] === model.inputImage[0] * model.inputImage[1]);
  const shownCount = (layer) => (layer === 0 && imageInputs() ? 1 : model.sizes[layer]);

  /** `box`: the thumbnails' size when the caller measured it (they all have one size). */
  function paintThumbnail(canvas, layer, index, box = null) {
    if (imageInputs() && layer === 0) {
      // One sample of the data, ink dark on the light middle colour: what the 64 inputs look like.
      const pixels = model.inputSample;
      canvas.dataset.empty = pixels ? "0" : "1";
      if (pixels)
        paintPixels(
          canvas,
          pixels.map((v) => -v),
          model.inputImage[0],
          model.inputImage[1],
          [-1, 0, 1],
        );
      return;
    }
    if (imageInputs() && layer === 1) {
      const row = model.weights?.[0]?.[index];
      canvas.dataset.empty = row ? "0" : "1";
      if (!row) return;
      const m = largestWeight(model.weights[0]);
      paintPixels(canvas, row, model.inputImage[0], model.inputImage[1], [-m, 0, m]);
      return;
    }
    const values = neuronValues(layer, index);
    const domain = domainFor(activationOf(layer), values, layer === model.sizes.length - 1 ? model.outputScale : 0);
    canvas.dataset.empty = values ? "0" : "1";
    if (!values) return;
    if (model.drawing.ys) paintGrid(canvas, values, domain, box);
    else paintCurve(canvas, model.drawing.xs, values, domain, box);
  }

  function layout() {
    const width = root.clientWidth;
    const { sizes } = model;
    const compact = width < 520;
    const size = compact ? 30 : sizes.some((n) => n > 6) ? 34 : 42;
    const gap = compact ? 8 : 10;
    // below the column headers, whose buttons and titles are sized in rem (larger in presenter mode)
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const spacing = (width - size - 8) / (sizes.length - 1);
    // a hidden column's − and + side by side take 3.7 rem (train.css button.mini, .net-resize); where
    // neighbouring columns' would meet (a phone, presenter mode's larger type), they stand one above the other
    const stacked = spacing < 3.7 * rem + 8;
    root.classList.toggle("stacked-resize", stacked);
    const top = Math.round((stacked ? 5.5 : 3.5) * rem);
    const tallest = Math.max(...sizes.map((_, layer) => shownCount(layer)));
    const height = top + tallest * (size + gap) + 8;
    root.style.height = `${height}px`;
    const column = (layer) => size / 2 + 4 + layer * spacing;
    const rowY = (layer, index) => top + index * (size + gap) + size / 2;
    return { width, height, size, column, rowY, compact };
  }

  function render() {
    if (!model) return;
    thumbBox = null;
    const { sizes } = model;
    const geometry = layout();
    const { width, height, size, column, rowY } = geometry;
    links.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const shownWeights = [];
    for (let layer = 1; layer < sizes.length; layer++)
      for (let to = 0; to < sizes[layer]; to++)
        for (let from = 0; from < shownCount(layer - 1); from++) shownWeights.push(linkWeight(layer, to, from));
    const maxWeight = Math.max(1e-9, ...shownWeights.map((w) => Math.abs(w ?? 0)));
    const paths = [];
    linkItems = [];
    for (let layer = 1; layer < sizes.length; layer++) {
      for (let to = 0; to < sizes[layer]; to++) {
        for (let from = 0; from < shownCount(layer - 1); from++) {
          const w = linkWeight(layer, to, from);
          const x1 = column(layer - 1) + size / 2;
          const x2 = column(layer) - size / 2;
          const y1 = rowY(layer - 1, from);
          const y2 = rowY(layer, to);
          const mid = (x1 + x2) / 2;
          const strength = w == null ? 0 : Math.abs(w) / maxWeight;
          const path = svg("path", {
            d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`,
            class: `link ${w == null ? "" : w < 0 ? "link-neg" : "link-pos"}`,
            "data-edge": `${layer - 1}-${from}>${layer}-${to}`,
          });
          path.style.strokeWidth = linkWidth(strength);
          path.style.opacity = linkOpacity(strength);
          path.append(svg("title", { text: `w = ${formatNumber(w)}` }));
          paths.push(path);
          linkItems.push({ path, layer, to, from, w });
        }
      }
    }
    clear(links).append(...paths);

    clear(nodes);
    neuronItems = [];
    for (let layer = 0; layer < sizes.length; layer++) {
      nodes.append(columnHeader(layer, geometry));
      for (let index = 0; index < shownCount(layer); index++) nodes.append(neuron(layer, index, geometry));
    }
  }

  /** The weight a link shows; the bundle from image inputs shows the neuron's weights' root mean square. */
  function linkWeight(layer, to, from) {
    const row = model.weights?.[layer - 1]?.[to];
    if (!(layer === 1 && imageInputs())) return row?.[from];
    if (!row) return undefined;
    return Math.sqrt(row.reduce((sum, w) => sum + w * w, 0) / row.length);
  }

  function columnHeader(layer, { column, compact, size }) {
    const { sizes } = model;
    const header = el("div", { class: "net-column-header" });
    const hidden = layer > 0 && layer < sizes.length - 1;
    // the outer titles line up with their neurons' outer edge: centred, a long one ran off the view
    const edge = hidden ? 0 : layer === 0 ? -size / 2 : size / 2;
    header.style.left = `${column(layer) + edge}px`;
    if (!hidden) {
      header.classList.add(layer === 0 ? "at-start" : "at-end");
      const key =
        layer === 0 ? (imageInputs() ? "train.network.inputs_image" : "train.network.inputs") : "train.network.output";
      const params = { count: sizes[0], rows: model.inputImage?.[0], cols: model.inputImage?.[1] };
      header.append(el("span", { class: "net-column-title", text: t(key, params) }));
      return header;
    }
    const buttons = el(
      "div",
      { class: "net-resize" },
      el("button", {
        type: "button",
        class: "mini",
        text: "−",
        "data-testid": `neurons-minus-${layer}`,
        "aria-label": t("train.network.remove_neuron", { layer }),
        disabled: sizes[layer] <= 1,
        onclick: () => onResize?.(layer, -1),
      }),
      el("button", {
        type: "button",
        class: "mini",
        text: "+",
        "data-testid": `neurons-plus-${layer}`,
        "aria-label": t("train.network.add_neuron", { layer }),
        disabled: sizes[layer] >= model.maxNeurons,
        onclick: () => onResize?.(layer, 1),
      }),
    );
    const key = compact ? "neurons_short" : sizes[layer] === 1 ? "neurons_one" : "neurons";
    const count = t(`train.network.${key}`, { count: sizes[layer] });
    header.append(buttons, el("span", { class: "net-column-title", text: count }));
    return header;
  }

  function neuron(layer, index, { column, rowY, size }) {
    const { sizes } = model;
    const id = `${layer}-${index}`;
    const image = layer === 0 && imageInputs();
    const name = image
      ? t("train.network.inputs_image", { count: sizes[0], rows: model.inputImage[0], cols: model.inputImage[1] })
      : neuronName(layer, index, sizes, model.inputLabels);
    const bias = layer > 0 ? model.biases?.[layer - 1]?.[index] : null;
    const canvas = el("canvas", { class: "net-thumb", "aria-hidden": "true" });
    const button = el(
      "button",
      {
        type: "button",
        class: `neuron${active === id ? " is-active" : ""}`,
        "data-neuron": id,
        "data-testid": `neuron-${id}`,
        "aria-label": bias == null ? name : `${name}, b = ${formatNumber(bias)}`,
        title: bias == null ? name : `${name} · b = ${formatNumber(bias)}`,
      },
      canvas,
    );
    const text = image ? "" : symbol(layer, index, sizes, model.inputLabels);
    if (text) button.append(el("span", { class: "neuron-label", text }));
    if (bias != null) {
      const badge = el("span", { class: `bias ${bias < 0 ? "bias-neg" : "bias-pos"}`, "aria-hidden": "true" });
      badge.style.opacity = String(Math.min(1, 0.25 + Math.abs(bias)));
      button.append(badge);
    }
    neuronItems.push({ canvas, badge: button.querySelector(".bias"), layer, index });
    button.style.left = `${column(layer) - size / 2}px`;
    button.style.top = `${rowY(layer, index) - size / 2}px`;
    button.style.width = `${size}px`;
    button.style.height = `${size}px`;
    // Mouse: hover shows the neuron; touch and keyboard: focus does (a tap focuses the button).
    button.addEventListener("pointerenter", (event) => event.pointerType !== "touch" && setActive(id));
    button.addEventListener("pointerleave", (event) => event.pointerType !== "touch" && setActive(null));
    button.addEventListener("focus", () => setActive(id));
    button.addEventListener("blur", () => setActive(null));
    requestAnimationFrame(() => paintThumbnail(canvas, layer, index));
    return button;
  }

  function setActive(id) {
    if (active === id) return;
    active = id;
    for (const node of nodes.querySelectorAll(".neuron"))
      node.classList.toggle("is-active", node.dataset.neuron === id);
    for (const link of links.querySelectorAll(".link")) {
      const [from, to] = link.dataset.edge.split(">");
      link.classList.toggle("is-dim", id != null && from !== id && to !== id);
    }
    onHover?.(id);
  }

  /** Repaint thumbnails only (same shape), and only when what they show changed: most streamed events
   * bring a loss and no new picture or weights, and the page updates once a frame. */
  function update(next) {
    const shapeKey = (m) => JSON.stringify([m.sizes, m.inputLabels ?? null, m.inputImage ?? null]);
    const sameShape = model && shapeKey(model) === shapeKey(next);
    const activationsChanged = !model || String(model.activations) !== String(next.activations);
    const samePictures =
      sameShape &&
      ["weights", "biases", "drawing", "inputSample", "outputScale"].every((key) => model[key] === next[key]) &&
      !activationsChanged;
    const previous = model;
    model = next;
    if (!sameShape || nodes.childElementCount === 0) {
      render();
      return;
    }
    if (samePictures) return;
    // The thumbnails all have one size, set by render(): measured once after it, not at every picture.
    if (!thumbBox?.width) thumbBox = nodes.querySelector(".net-thumb")?.getBoundingClientRect();
    const box = thumbBox;
    const pictures = model.drawing !== previous.drawing || model.outputScale !== previous.outputScale;
    const weights = model.weights !== previous.weights;
    for (const { canvas, badge, layer, index } of neuronItems) {
      // a first-layer neuron of image inputs shows weights, any other a picture; the input box a sample
      const image = imageInputs() && layer <= 1;
      const changed = image ? (layer === 0 ? model.inputSample !== previous.inputSample : weights) : pictures;
      if (changed || activationsChanged) paintThumbnail(canvas, layer, index, box);
      const bias = layer > 0 ? model.biases?.[layer - 1]?.[index] : null;
      if (badge && bias != null) {
        const kind = `bias ${bias < 0 ? "bias-neg" : "bias-pos"}`;
        if (badge.className !== kind) badge.className = kind;
        const opacity = String(Math.round(Math.min(1, 0.25 + Math.abs(bias)) * 50) / 50);
        if (badge.style.opacity !== opacity) badge.style.opacity = opacity;
      }
    }
    if (weights) updateLinks();
  }

  function updateLinks() {
    for (const item of linkItems) item.w = linkWeight(item.layer, item.to, item.from);
    let maxWeight = 1e-9;
    for (const { w } of linkItems) if (w != null && Math.abs(w) > maxWeight) maxWeight = Math.abs(w);
    // Only what changed is written: every write makes the browser restyle the link.
    const write = (target, key, value) => target[key] !== value && (target[key] = value);
    for (const item of linkItems) {
      const { path, w } = item;
      const strength = w == null ? 0 : Math.abs(w) / maxWeight;
      const kind = `link ${w == null ? "" : w < 0 ? "link-neg" : "link-pos"}${path.classList.contains("is-dim") ? " is-dim" : ""}`;
      if (path.getAttribute("class") !== kind) path.setAttribute("class", kind);
      write(path.style, "strokeWidth", linkWidth(strength));
      write(path.style, "opacity", linkOpacity(strength));
      if (item === pointedLink) writeLinkTitle(item);
    }
  }

  // A link's tooltip is written when the pointer comes to it: rewriting every link's text at each picture
  // replaced text nodes the browser then laid out again, for tooltips nobody was looking at.
  let pointedLink = null;
  function writeLinkTitle(item) {
    const text = `w = ${formatNumber(item.w)}`;
    if (item.path.firstChild.textContent !== text) item.path.firstChild.textContent = text;
  }
  links.addEventListener("pointerover", (event) => {
    pointedLink = linkItems.find((item) => item.path === event.target) ?? null;
    if (pointedLink) writeLinkTitle(pointedLink);
  });
  links.addEventListener("pointerout", () => {
    pointedLink = null;
  });

  let lastWidth = 0;
  new ResizeObserver(() => {
    if (root.clientWidth !== lastWidth) {
      lastWidth = root.clientWidth;
      render();
    }
  }).observe(root);
  document.addEventListener("langchange", () => render());

  return {
    /**
     * next: {sizes, activations, weights, biases, drawing: grid|curve, maxNeurons, outputScale, inputLabels?
     * (what each input neuron holds, e.g. x₁²), inputImage? ([rows, cols] when the inputs are an image's pixels),
     * inputSample? (one sample's inputs, drawn as that image)}
     */
    update,
    render,
    clearActive: () => setActive(null),
  };
}
