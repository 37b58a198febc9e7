// formatNumber decides how many digits the page shows; the expected strings are written out by hand.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatNumber } from "../../static/js/core/format.js";

const MINUS = "\u2212";

test("missing values show a dash, not 'undefined' or 'null'", () => {
  assert.equal(formatNumber(null), "—");
  assert.equal(formatNumber(undefined), "—");
});

test("non-finite numbers read as NaN and signed infinity", () => {
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(Infinity), "∞");
  assert.equal(formatNumber(-Infinity), `${MINUS}∞`);
});

test("zero and negative zero both show a plain 0", () => {
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(-0), "0");
});

test("ordinary numbers keep four significant digits and drop trailing zeros", () => {
  assert.equal(formatNumber(2 / 3), "0.6667");
  assert.equal(formatNumber(1234.5678), "1235");
  assert.equal(formatNumber(0.5), "0.5");
  assert.equal(formatNumber(12345.6), "12350");
  assert.equal(formatNumber(0.0001), "0.0001");
});

test("the digits argument sets the significant digits", () => {
  assert.equal(formatNumber(Math.PI, 8), "3.1415927");
  assert.equal(formatNumber(Math.PI, 2), "3.1");
  assert.equal(formatNumber(Math.PI, 1), "3");
});

test("negative numbers use the typographic minus sign", () => {
  assert.equal(formatNumber(-2 / 3), `${MINUS}0.6667`);
  assert.equal(formatNumber(-42), `${MINUS}42`);
});

test("tiny and huge magnitudes switch to three-digit scientific notation", () => {
  assert.equal(formatNumber(1e5), "1.00e+5");
  assert.equal(formatNumber(123456789), "1.23e+8");
  assert.equal(formatNumber(1e300), "1.00e+300");
  assert.equal(formatNumber(Number.MAX_VALUE), "1.80e+308");
  assert.equal(formatNumber(-1e300), `${MINUS}1.00e+300`);
});

test("every minus sign in scientific notation is typographic, the exponent's too", () => {
  assert.equal(formatNumber(1e-7), `1.00e${MINUS}7`);
  assert.equal(formatNumber(-1e-7), `${MINUS}1.00e${MINUS}7`);
  assert.equal(formatNumber(0.00009999), `1.00e${MINUS}4`);
  assert.equal(formatNumber(Number.MIN_VALUE), `4.94e${MINUS}324`);
  assert.ok(!formatNumber(-3.2e-12).includes("-"), "no ASCII hyphen left in a negative exponent");
});
