// Colours for values, read from the theme's CSS custom properties so the heat maps follow light, dark
// and presenter themes. Negative values are blue, positive orange (a colour-blind-safe diverging pair).

const cache = new Map();

// The theme's properties, read once per theme: reading a computed style after the page changed forces the
// browser to recompute styles there and then, which per pixel or per neuron cost more than the painting.
// They depend only on the root's theme and presenter attributes (static/css), so those key the cache.
let themeKey = null;
const themeValues = new Map();

function themeValue(name) {
  const root = document.documentElement;
  const key = `${root.dataset.theme}|${root.dataset.presenter}`;
  if (key !== themeKey) {
    themeKey = key;
    themeValues.clear();
  }
  if (themeValues.has(name)) return themeValues.get(name);
  const value = getComputedStyle(root).getPropertyValue(name);
  if (value) themeValues.set(name, value); // an empty value may be a sheet still loading: ask again next time
  return value;
}

function parseColour(text) {
  const probe = document.createElement("canvas").getContext("2d");
  probe.fillStyle = "#000";
  probe.fillStyle = text.trim() || "#000";
  const value = probe.fillStyle;
  if (value.startsWith("#")) {
    return [1, 3, 5].map((i) => parseInt(value.slice(i, i + 2), 16));
  }
  const parts = value.match(/[\d.]+/g) || ["0", "0", "0"];
  return parts.slice(0, 3).map(Number);
}

/** An [r, g, b] triple for a CSS custom property of the root element. */
export function cssColour(name) {
  const text = themeValue(name);
  const key = `${name}|${text}`;
  if (!cache.has(key)) cache.set(key, parseColour(text));
  return cache.get(key);
}

export function cssVar(name) {
  return themeValue(name).trim();
}

function mix(a, b, t) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
}

/**
 * A diverging scale: `domain` = [low, middle, high]; values below the middle fade from the middle colour
 * to blue, values above it to orange. Returns value → [r, g, b].
 */
export function divergingScale([low, middle, high]) {
  const neg = cssColour("--heat-neg");
  const mid = cssColour("--heat-mid");
  const pos = cssColour("--heat-pos");
  return (value) => {
    if (value == null || !Number.isFinite(value)) return cssColour("--heat-missing");
    if (value >= middle) {
      const t = high > middle ? Math.min(1, (value - middle) / (high - middle)) : 1;
      return mix(mid, pos, t);
    }
    const t = middle > low ? Math.min(1, (middle - value) / (middle - low)) : 1;
    return mix(mid, neg, t);
  };
}

/** CSS colour of a class: 0 blue, 1 orange, 2 purple, then the rest of the Okabe–Ito set. */
export function classColour(label) {
  return cssVar(`--class-${Math.max(0, Math.min(5, label))}`) || "#555";
}

export const rgb = ([r, g, b]) => `rgb(${r} ${g} ${b})`;

function largestMagnitude(values) {
  let m = 0;
  for (const row of values || []) {
    for (const v of Array.isArray(row) ? row : [row]) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  }
  return m;
}

/**
 * The colour domain [low, middle, high] for values of a neuron with this activation: sigmoid outputs are
 * probabilities around ½, tanh lies in [−1, 1], anything unbounded is scaled to its largest magnitude.
 */
export function domainFor(activation, values, atLeast = 0) {
  if (activation === "sigmoid") return [0, 0.5, 1];
  if (activation === "tanh") return [-1, 0, 1];
  const m = Math.max(largestMagnitude(values), atLeast) || 1;
  const rounded = Number(m.toPrecision(2)) >= m ? Number(m.toPrecision(2)) : m;
  return [-rounded, 0, rounded];
}

/** Class k's colour faded toward the background, for painting predicted classes. */
export function categoricalScale(strength = 0.55) {
  const mid = cssColour("--heat-mid");
  return (value) => {
    if (value == null || !Number.isFinite(value)) return cssColour("--heat-missing");
    const k = Math.max(0, Math.min(5, Math.round(value)));
    return mix(mid, cssColour(`--class-${k}`), strength);
  };
}
