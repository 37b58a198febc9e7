// Lesson 7: backprop against central differences on the same network (POST /network/gradcheck): the
// same gradient, parameter by parameter; then the cost of each on networks of growing size. The cost is
// told by pass counts, which are exact; the times beside them are medians of TIMING_RUNS requests, since
// a single timing of a few milliseconds moves with whatever else the machine is doing.

import { api } from "../core/api.js";
import { el, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";
import { onLanguage, withStatus } from "./common.js";
import { axes, frame, pathData, redrawOnResize } from "./plot.js";

const MAIN = [3, 4, 2];
const SIZES = [
  [2, 2, 1],
  [3, 4, 2],
  [4, 8, 4],
  [8, 16, 8],
  [16, 32, 16],
  [32, 32, 16],
];

function request(layers) {
  const inputs = [Array.from({ length: layers[0] }, (_, i) => (i % 2 ? -0.5 : 0.8) * (1 - i / (2 * layers[0])))];
  const out = layers[layers.length - 1];
  const targets = [Array.from({ length: out }, (_, i) => (i === 0 ? 1 : 0))];
  return { layers, activation: "tanh", output_activation: "sigmoid", loss: "mse", inputs, targets, seed: 7 };
}

const TIMING_RUNS = 3;

const layersText = (layers) => layers.join("-");

/** The median of a few numbers (the middle one, or the mean of the two middle ones). */
export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function mount(root) {
  const tbody = root.querySelector("[data-testid=gradcheck-table] tbody");
  const costBody = root.querySelector("[data-testid=cost-table] tbody");
  const chart = root.querySelector(".cost-chart");
  const summary = root.querySelector("[data-testid=narration]");
  root.querySelector("[data-network-name]").textContent = layersText(MAIN);
  const state = { main: null, costs: [] };

  function renderMain() {
    const data = state.main;
    if (!data) return;
    tbody.replaceChildren(
      ...data.parameters.map((p) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", class: "symbol", text: p.symbol }),
          el("td", {
            class: "mono",
            "data-value": p.backprop,
            "data-role": "backprop",
            text: formatNumber(p.backprop, 8),
          }),
          el("td", {
            class: "mono",
            "data-value": p.numerical,
            "data-role": "numerical",
            text: formatNumber(p.numerical, 8),
          }),
          el("td", { class: "mono", "data-value": p.abs_error, text: formatNumber(p.abs_error, 2) }),
        ),
      ),
    );
    summary.textContent = t("lessons.beyond-backprop.summary_line", { error: formatNumber(data.max_abs_error, 2) });
  }

  function renderCosts() {
    const rows = state.costs;
    costBody.replaceChildren(
      ...rows.map(({ layers, data, timings }) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", class: "mono", text: layersText(layers) }),
          el("td", { class: "mono", text: String(data.cost.parameters) }),
          el("td", {
            class: "mono",
            text: `${data.cost.backprop_forward_passes} + ${data.cost.backprop_backward_passes}`,
          }),
          el("td", {
            class: "mono",
            "data-value": data.cost.numerical_forward_passes,
            text: String(data.cost.numerical_forward_passes),
          }),
          el("td", { class: "mono", "data-role": "ms-backprop", text: formatNumber(timings.backprop, 3) }),
          el("td", { class: "mono", "data-role": "ms-numerical", text: formatNumber(timings.numerical, 3) }),
        ),
      ),
    );
    drawChart();
  }

  function drawChart() {
    const rows = state.costs;
    if (!rows.length) return;
    const maxParams = Math.max(...rows.map((r) => r.data.cost.parameters));
    const maxPasses = Math.max(...rows.map((r) => r.data.cost.numerical_forward_passes));
    const plot = frame(chart, {
      x: [0, maxParams * 1.05],
      y: [0, maxPasses * 1.1],
      margin: { right: 1.8 },
    });
    axes(plot, {
      xLabel: t("lessons.beyond-backprop.axis_params"),
      yLabel: t("lessons.beyond-backprop.axis_passes"),
      xTicks: 6,
      yTicks: 5,
    });
    const { xs, ys, em } = plot;
    const numerical = rows.map((r) => [r.data.cost.parameters, r.data.cost.numerical_forward_passes]);
    const backprop = rows.map((r) => [
      r.data.cost.parameters,
      r.data.cost.backprop_forward_passes + r.data.cost.backprop_backward_passes,
    ]);
    plot.data.append(svg("path", { class: "series-numerical", d: pathData(numerical, xs, ys) }));
    plot.data.append(svg("path", { class: "series-backprop", d: pathData(backprop, xs, ys) }));
    let labelled = Infinity;
    for (const [x, y] of [...numerical].reverse()) {
      plot.front.append(svg("rect", { class: "marker-numerical", x: xs(x) - 5, y: ys(y) - 5, width: 10, height: 10 }));
      if (labelled - xs(x) < 3.2 * em) continue; // keep labels of crowded small networks from overlapping
      labelled = xs(x);
      plot.front.append(
        svg("text", {
          class: "plot-note",
          x: xs(x) - 0.6 * em,
          y: ys(y) - 0.75 * em,
          "text-anchor": "end",
          text: String(y),
        }),
      );
    }
    for (const [x, y] of backprop)
      plot.front.append(svg("circle", { class: "marker-backprop", cx: xs(x), cy: ys(y), r: 5 }));
    const [lastX, lastY] = backprop[backprop.length - 1];
    plot.front.append(
      svg("text", {
        class: "plot-note",
        x: xs(lastX),
        y: ys(lastY) - 0.9 * em,
        "text-anchor": "end",
        text: String(lastY),
      }),
    );
  }

  onLanguage(() => {
    renderMain();
    drawChart();
  });
  redrawOnResize([chart], drawChart);

  (async () => {
    state.main = await withStatus(root, () => api.gradcheck(request(MAIN)));
    renderMain();
    for (const layers of SIZES) {
      const runs = [];
      for (let run = 0; run < TIMING_RUNS; run++) {
        const data = await withStatus(root, () => api.gradcheck(request(layers)));
        if (!data) return;
        runs.push(data);
      }
      const timings = {
        backprop: median(runs.map((r) => r.timings_ms.backprop)),
        numerical: median(runs.map((r) => r.timings_ms.numerical)),
      };
      state.costs.push({ layers, data: runs[0], timings });
      renderCosts();
    }
    root.dataset.costsReady = "true";
  })();
  return null;
}
