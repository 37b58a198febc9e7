// How numbers become colour, width and length. Colours are CSS color-mix() of the theme's
// diverging palette (--neg blue, --pos orange), so a theme switch recolours without re-rendering.
// The legend reads the same scales, so every encoding is tied to a printed number.

export const EDGE_WIDTH = { min: 0.75, max: 7 };
export const NODE_MIX_MAX = 88; // % of the sign colour at |value| = scale
const STEPS = 20; // colours are quantised to 5 % so equal-looking values share one style string

/** A round number ≥ |value| for a scale's end: 1, 2, 2.5, 5 × 10ⁿ. */
export function niceMax(value) {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const exponent = 10 ** Math.floor(Math.log10(value));
  const mantissa = value / exponent;
  const nice = mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 2.5 ? 2.5 : mantissa <= 5 ? 5 : 10;
  return nice * exponent;
}

export function maxAbs(values) {
  let max = 0;
  for (const v of values) if (v != null && Number.isFinite(v) && Math.abs(v) > max) max = Math.abs(v);
  return max;
}

function share(value, scale) {
  if (value == null || !Number.isFinite(value)) return 1;
  return Math.min(1, Math.abs(value) / scale);
}

const quantise = (fraction) => Math.round(fraction * STEPS) / STEPS;

/**
 * Fill of a neuron holding `value`: from the surface colour (0) to the sign's colour (|value| ≥ scale),
 * on a square-root ramp so that small activations still show. The legend draws the same function.
 */
export function nodeFill(value, scale) {
  if (value == null || !Number.isFinite(value)) return "var(--surface-2)";
  const pct = Math.round(Math.sqrt(quantise(share(value, scale))) * NODE_MIX_MAX);
  const sign = value < 0 ? "var(--neg)" : "var(--pos)";
  return `color-mix(in srgb, ${sign} ${pct}%, var(--surface))`;
}

/** Stroke colour of an edge of weight `value`: grey near 0, the sign's colour at |value| ≥ scale. */
export function edgeStroke(value, scale) {
  if (value == null || !Number.isFinite(value)) return "var(--text-muted)";
  const pct = 35 + Math.round(quantise(share(value, scale)) * 65);
  const sign = value < 0 ? "var(--neg)" : "var(--pos)";
  return `color-mix(in srgb, ${sign} ${pct}%, var(--zero))`;
}

/** Stroke width (px) of an edge of weight `value`: linear in |value| up to the scale. */
export function edgeWidth(value, scale) {
  const fraction = value == null || !Number.isFinite(value) ? 1 : quantise(share(value, scale));
  return Math.round((EDGE_WIDTH.min + fraction * (EDGE_WIDTH.max - EDGE_WIDTH.min)) * 100) / 100;
}

/** Negative weights are dashed so sign never rests on colour alone. */
export function edgeDash(value) {
  return value != null && value < 0 ? "6 4" : "none";
}

/** Signed share of a bar's full length: −1 … 1. */
export function signedShare(value, scale) {
  if (value == null || !Number.isFinite(value)) return 0;
  return Math.max(-1, Math.min(1, value / scale));
}

/** Ticks of a symmetric scale: −s, −s/2, 0, s/2, s. */
export function symmetricTicks(scale) {
  return [-scale, -scale / 2, 0, scale / 2, scale];
}
