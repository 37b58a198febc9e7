// The output panel: the heat map (2 inputs) or the fitted curve (1 input) of the network, or of the
// neuron being pointed at, with its caption, colour bar, shape legend and the value under the pointer.

import { clear, el, setHidden, setText, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { currentLanguage, t } from "../core/i18n.js";
import { createCurvePlot } from "./curveplot.js";
import { createColourBar, createHeatMap, pointShape } from "./heatmap.js";
import { neuronName } from "./networkview.js";
import { categoricalScale, classColour, domainFor } from "./palette.js";
import { PLANE } from "./settings.js";

/** Every point of a dataset response, train and test, as the plots draw them. */
export function datasetPoints(data) {
  if (!data) return [];
  const points = [];
  for (const [part, test] of [
    [data.train, false],
    [data.test, true],
  ]) {
    if (!part) continue;
    part.points.forEach((p, i) =>
      points.push({
        x: p[0],
        y: p[1] ?? null,
        label: part.labels ? part.labels[i] : null,
        target: part.targets[i][0],
        test,
      }),
    );
  }
  return points;
}

/** The colour domain of regression targets: symmetric around 0, at least [−1, 1]. */
function targetDomain(points) {
  return domainFor("identity", [points.map((p) => p.target)], 1);
}

/** "Discretize output", as in the Playground: each value of the map rounded to the class or sign it stands for. */
function discretized(values, on, round) {
  if (!on || !values) return values;
  return values.map((row) => (Array.isArray(row) ? row.map((v) => (Number.isFinite(v) ? round(v) : v)) : row));
}

/**
 * What the big view shows — the output, or the hovered neuron — with its colour scale and caption.
 * state: {shape, drawing, activations, layers, hovered, points}.
 */
function describe(state) {
  const { shape, drawing, hovered } = state;
  const neuron = hovered && drawing?.neurons?.[hovered] ? hovered : null;
  if (neuron) {
    const [layer, index] = neuron.split("-").map(Number);
    const activation = layer === 0 ? "identity" : state.activations[layer - 1];
    const values = drawing.neurons[neuron];
    const key = shape.inputDim === 1 ? "train.output.caption_neuron_curve" : "train.output.caption_neuron";
    return {
      values,
      domain: domainFor(activation, values),
      caption: t(key, { name: neuronName(layer, index, state.layers, state.inputLabels) }),
      barTitle: t("train.output.colour_activation"),
      neuron,
    };
  }
  if (shape.kind === "multiclass") {
    return {
      values: drawing?.values,
      classes: shape.classes,
      caption: t("train.output.caption_classes"),
      barTitle: t("train.output.colour_classes"),
    };
  }
  if (shape.kind === "regression") {
    return {
      values: discretized(drawing?.values, state.discretize, (v) => Math.sign(v)),
      domain: targetDomain(state.points),
      caption: t(shape.inputDim === 1 ? "train.output.caption_curve" : "train.output.caption_output"),
      barTitle: t("train.output.colour_value"),
    };
  }
  return {
    values: discretized(drawing?.values, state.discretize, (v) => (v >= 0.5 ? 1 : 0)),
    domain: [0, 0.5, 1],
    caption: t("train.output.caption_output"),
    barTitle: t("train.output.colour_probability"),
  };
}

/** root: the output panel; onPlanePointer({x, y, shift}) for clicks on the plane. */
export function createOutputView(root, { onPlanePointer }) {
  const $ = (selector) => root.querySelector(selector);
  const plot = $(".plot");
  const heatMap = createHeatMap(plot, { onPlanePointer, onHover: (point) => showReadout(point) });
  const curvePlot = createCurvePlot(plot);
  const colourBar = createColourBar($("[data-testid=colourbar]"));
  let state = null;
  let view = null;
  let legendKey = "";

  function showReadout(point) {
    const line = $("[data-testid=readout]");
    if (!point || point.value == null || state?.shape.inputDim !== 2) {
      line.textContent = "";
      return;
    }
    const value = view?.classes ? t("train.legend.class", { n: point.value }) : formatNumber(point.value, 3);
    line.textContent = t("train.output.readout", { x: formatNumber(point.x, 2), y: formatNumber(point.y, 2), value });
  }

  function renderLegend() {
    const { shape } = state;
    const { theme, presenter } = document.documentElement.dataset;
    const key = [shape.kind, shape.classes, currentLanguage(), theme, presenter].join("|");
    if (key === legendKey) return;
    legendKey = key;
    const legend = clear($("[data-testid=shape-legend]"));
    const icon = (label, test) => {
      const shapeNode = pointShape(0, 0, label, 5);
      shapeNode.setAttribute("class", test ? "point point-test" : "point");
      shapeNode.style.setProperty("--point", label == null ? "var(--text-muted)" : classColour(label));
      return svg("svg", { viewBox: "-8 -8 16 16", "aria-hidden": "true" }, shapeNode);
    };
    if (shape.kind !== "regression") {
      for (let k = 0; k < shape.classes; k++) {
        legend.append(el("li", {}, icon(k, false), el("span", { text: t("train.legend.class", { n: k }) })));
      }
    }
    const sample = shape.kind === "regression" ? null : 0;
    legend.append(
      el("li", {}, icon(sample, false), el("span", { text: t("train.legend.train") })),
      el("li", {}, icon(sample, true), el("span", { text: t("train.legend.test") })),
    );
  }

  function renderCurve() {
    const { drawing, points, showTest } = state;
    curvePlot.draw({
      curve: drawing ? { x_range: drawing.x_range, xs: drawing.xs, values: view.values } : null,
      points,
      showTest,
      neuron: view.neuron,
    });
  }

  function renderMap() {
    const { shape, points, showTest } = state;
    const scale = view.classes ? categoricalScale() : view.domain;
    const drawing = state.drawing?.ys ? state.drawing : { xs: PLANE, ys: PLANE }; // no data yet: the bare plane
    heatMap.draw({
      grid: { ...drawing, values: view.values },
      scale,
      points,
      showTest,
      pointScale: shape.kind === "regression" ? targetDomain(points) : null,
    });
    if (view.classes) colourBar.drawClasses(view.classes, scale);
    else colourBar.draw(view.domain);
  }

  // What a render draws from: the page renders once a frame while a run streams, and most frames bring
  // only a new loss, so an unchanged panel (same objects, language and theme) is left as it is.
  const INPUTS = ["drawing", "activations", "layers", "hovered", "dataset", "showTest", "discretize", "inputLabels"];
  let drawn = null;
  let drawnKey = "";
  let points = { dataset: null, list: [] };

  function datasetPointsOf(dataset) {
    if (points.dataset !== dataset) points = { dataset, list: datasetPoints(dataset) };
    return points.list;
  }

  return {
    /** next: {shape, drawing, activations, layers, hovered, dataset, showTest, discretize, inputLabels} */
    render(next) {
      const { theme, presenter } = document.documentElement.dataset;
      const inputsKey = [currentLanguage(), theme, presenter, JSON.stringify(next.shape)].join("|");
      if (drawn && inputsKey === drawnKey && INPUTS.every((name) => drawn[name] === next[name])) return;
      drawn = next;
      drawnKey = inputsKey;
      const many = next.shape.inputDim > 2; // no input plane: the real-data view shows the run instead
      // Written only when they change: a new picture comes many times a second, its captions seldom.
      setHidden(heatMap.element, many);
      setHidden($("[data-testid=colourbar]"), many);
      setHidden($("[data-testid=shape-legend]"), many);
      setHidden($("[data-testid=readout]"), many);
      if (many) {
        setHidden(curvePlot.element, true);
        const key = next.shape.image ? "train.output.caption_real" : "train.output.caption_real_plain";
        setText($("[data-testid=view-caption]"), t(key));
        setText($("[data-testid=colourbar-title]"), "");
        return;
      }
      state = { ...next, points: datasetPointsOf(next.dataset) };
      view = describe(state);
      const oneD = state.shape.inputDim === 1;
      setText($("[data-testid=view-caption]"), view.caption);
      setText($("[data-testid=colourbar-title]"), view.barTitle);
      setHidden(heatMap.element, oneD);
      setHidden(curvePlot.element, !oneD);
      setHidden($("[data-testid=colourbar]"), oneD);
      if (oneD) renderCurve();
      else renderMap();
      renderLegend();
    },
  };
}
