// The running loss chart: train and test loss against steps, in SVG, with numbered axes, a legend and a
// log-scale option. It plots the losses the server recorded; the latest values sit in data attributes.

import { setAttr, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";

const MARGIN = { top: 10, right: 14, bottom: 34, left: 52 };

/** About `count` round numbers covering [low, high]. */
export function niceTicks(low, high, count = 5) {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function logTicks(low, high) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++) {
    const v = 10 ** e;
    if (v >= low * 0.999 && v <= high * 1.001) ticks.push(v);
  }
  if (ticks.length >= 2) return ticks;
  return [low, Math.sqrt(low * high), high];
}

export function createLossChart(root) {
  const chart = svg("svg", { class: "loss-chart", "data-testid": "loss-chart", role: "img" });
  root.append(chart);
  let history = [];
  let logScale = false;
  let size = null; // the chart's box, measured when it resizes: measuring on every draw forces a layout
  let shown = []; // the history drawn and its length and latest record, to skip redrawing the same chart

  function yScale(values, height) {
    const finite = values.filter((v) => Number.isFinite(v) && (!logScale || v > 0));
    let low = finite.length ? Math.min(...finite) : 0;
    let high = finite.length ? Math.max(...finite) : 1;
    if (logScale) {
      low = low > 0 ? low : 1e-3;
      high = Math.max(high, low * 10);
      const [a, b] = [Math.log10(low), Math.log10(high)];
      return {
        ticks: logTicks(10 ** Math.floor(a), 10 ** Math.ceil(b)),
        low: 10 ** Math.floor(a),
        high: 10 ** Math.ceil(b),
        at: (v) => height - ((Math.log10(v) - Math.floor(a)) / (Math.ceil(b) - Math.floor(a) || 1)) * height,
      };
    }
    low = 0;
    if (!(high > low)) high = 1;
    const ticks = niceTicks(low, high, 4);
    const top = Math.max(high, ticks.at(-1));
    return { ticks, low, high: top, at: (v) => height - ((v - low) / (top - low)) * height };
  }

  function linePath(key, x, y) {
    const parts = [];
    let pen = "M";
    for (const record of history) {
      const v = record[key];
      if (!Number.isFinite(v) || (logScale && v <= 0)) {
        pen = "M";
        continue;
      }
      parts.push(`${pen}${x(record.step).toFixed(1)},${y.at(v).toFixed(1)}`);
      pen = "L";
    }
    return parts.join(" ");
  }

  // The chart's parts are made once and updated in place: rebuilding the whole SVG at every redraw had the
  // browser restyle and lay out every tick and label again. Ticks are remade only when they change.
  const title = svg("title");
  const plot = svg("g", { transform: `translate(${MARGIN.left},${MARGIN.top})` });
  const grid = svg("g", { class: "chart-grid" });
  const axes = svg("g", { class: "chart-axis" });
  const trainLine = svg("path", { class: "line-train" });
  const testLine = svg("path", { class: "line-test" });
  plot.append(grid, axes, svg("g", { class: "chart-lines" }, trainLine, testLine));
  chart.append(title, plot);
  let ticksKey = "";
  let xTickNodes = []; // [tick, mark, label] of the step axis: they slide as the run grows

  function drawTicks(y, xTicks, x, w, h) {
    const key = JSON.stringify([y.ticks, y.low, y.high, xTicks, w, h, t("train.chart.steps")]);
    if (key !== ticksKey) {
      ticksKey = key;
      grid.replaceChildren();
      axes.replaceChildren();
      for (const tick of y.ticks) {
        const py = y.at(tick);
        if (!(py >= -0.5 && py <= h + 0.5)) continue;
        grid.append(svg("line", { x1: 0, x2: w, y1: py, y2: py }));
        axes.append(svg("text", { x: -6, y: py + 4, "text-anchor": "end", text: formatNumber(tick, 3) }));
      }
      xTickNodes = xTicks.map((tick) => [
        tick,
        svg("line", { y1: h, y2: h + 4 }),
        svg("text", { y: h + 16, "text-anchor": "middle", text: formatNumber(tick, 6) }),
      ]);
      for (const [, mark, label] of xTickNodes) axes.append(mark, label);
      axes.append(svg("line", { x1: 0, x2: w, y1: h, y2: h }), svg("line", { x1: 0, x2: 0, y1: 0, y2: h }));
      axes.append(
        svg("text", { class: "axis-title", x: w, y: h + 30, "text-anchor": "end", text: t("train.chart.steps") }),
      );
    }
    for (const [tick, mark, label] of xTickNodes) {
      const px = x(tick).toFixed(1);
      setAttr(mark, "x1", px);
      setAttr(mark, "x2", px);
      setAttr(label, "x", px);
    }
  }

  function draw() {
    size ??= chart.getBoundingClientRect();
    const width = Math.max(120, size.width);
    const height = Math.max(100, size.height);
    setAttr(chart, "viewBox", `0 0 ${width} ${height}`);
    const w = width - MARGIN.left - MARGIN.right;
    const h = height - MARGIN.top - MARGIN.bottom;
    const lastStep = history.length ? history.at(-1).step : 0;
    const xTicks = niceTicks(0, Math.max(lastStep, 10), Math.max(2, Math.floor(w / 80)));
    const xMax = Math.max(lastStep, xTicks.at(-1), 1);
    const x = (step) => (step / xMax) * w;
    const y = yScale(
      history.flatMap((r) => [r.train, r.test]),
      h,
    );
    drawTicks(
      y,
      xTicks.filter((tick) => tick <= xMax),
      x,
      w,
      h,
    );
    setAttr(trainLine, "d", linePath("train", x, y));
    setAttr(testLine, "d", linePath("test", x, y));
    if (title.textContent !== t("train.chart.title")) title.textContent = t("train.chart.title");

    const last = history.at(-1);
    const data = {
      points: String(history.length),
      lastStep: String(last?.step ?? 0),
      trainLoss: last && Number.isFinite(last.train) ? String(last.train) : "",
      testLoss: last && Number.isFinite(last.test) ? String(last.test) : "",
      firstTestLoss: history.length && Number.isFinite(history[0].test) ? String(history[0].test) : "",
      scale: logScale ? "log" : "linear",
    };
    for (const [name, value] of Object.entries(data)) if (chart.dataset[name] !== value) chart.dataset[name] = value;
  }

  new ResizeObserver(() => {
    size = chart.getBoundingClientRect();
    draw();
  }).observe(chart);
  document.addEventListener("langchange", () => draw());

  return {
    /** records: [{step, train, test}] */
    set(records) {
      const last = records.at(-1);
      const next = [records, records.length, last?.step, last?.train, last?.test];
      if (next.every((value, i) => Object.is(value, shown[i]))) return;
      shown = next;
      history = records;
      draw();
    },
    setLogScale(on) {
      if (logScale === on) return;
      logScale = on;
      draw();
    },
    draw,
  };
}
