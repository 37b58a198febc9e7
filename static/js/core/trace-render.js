// Trace contract v2 in the browser: a script's formula templates + one pass's numbers → the text of every step.
// The twin of app/tracing/render.py (which describes the token language); a contract test runs both on the
// same traces and compares their text. Pure functions and data: no DOM, no fetches.

const SUBSCRIPTS = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉", ",": "‚" };
const SUPERSCRIPTS = {
  0: "⁰",
  1: "¹",
  2: "²",
  3: "³",
  4: "⁴",
  5: "⁵",
  6: "⁶",
  7: "⁷",
  8: "⁸",
  9: "⁹",
  "(": "⁽",
  ")": "⁾",
};
const NON_FINITE = { nan: NaN, inf: Infinity, "-inf": -Infinity };
const SIGNIFICANT = 4;

const translate = (text, table) => Array.from(text, (char) => table[char] ?? char).join("");

/** Subscript for 0-based indices: sub(0, 2) → "₁₃" (commas once any index has two digits). */
export function sub(...indices) {
  const parts = indices.map((index) => String(index + 1));
  return translate(parts.join(parts.some((part) => part.length > 1) ? "," : ""), SUBSCRIPTS);
}

export const layerSup = (layer) => translate(`(${layer})`, SUPERSCRIPTS);
export const weightSymbol = (layer, to, from) => `w${sub(to, from)}${layerSup(layer)}`;
export const biasSymbol = (layer, index) => `b${sub(index)}${layerSup(layer)}`;
export const zSymbol = (layer, index) => `z${sub(index)}${layerSup(layer)}`;

/** xₖ for inputs, ŷₖ (ŷ alone when there is one output) for outputs, aₖ⁽ˡ⁾ in between. */
export function neuronSymbol(layer, index, sizes) {
  if (layer === 0) return `x${sub(index)}`;
  if (layer === sizes.length - 1) return sizes[sizes.length - 1] === 1 ? "ŷ" : `ŷ${sub(index)}`;
  return `a${sub(index)}${layerSup(layer)}`;
}

/** The digits of |value| rounded to 4 significant ones, half to even like Python's "%.4g", and its exponent.
 * toExponential(24) gives 25 exact-enough digits: a double next to a tie differs from it by the 17th digit. */
function roundedDigits(magnitude) {
  const [mantissa, exponentText] = magnitude.toExponential(24).split("e");
  const digits = mantissa.replace(".", "");
  let exponent = Number(exponentText);
  let head = Number(digits.slice(0, SIGNIFICANT));
  const rest = digits.slice(SIGNIFICANT);
  const beyondHalf = rest[0] > "5" || (rest[0] === "5" && /[1-9]/.test(rest.slice(1)));
  const tie = rest[0] === "5" && !/[1-9]/.test(rest.slice(1));
  if (beyondHalf || (tie && head % 2 === 1)) head += 1;
  if (head === 10 ** SIGNIFICANT) {
    head = 10 ** (SIGNIFICANT - 1);
    exponent += 1;
  }
  return { digits: String(head), exponent };
}

const stripZeros = (text) => (text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text);

/** A number as the lesson writes it (app/tracing/notation.py num): 4 significant digits, a real minus sign,
 * ×10^n past the range "%.4g" writes plainly. */
export function num(value) {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const { digits, exponent } = roundedDigits(Math.abs(value));
  let text;
  if (exponent < -4 || exponent >= SIGNIFICANT) {
    text = `${stripZeros(`${digits[0]}.${digits.slice(1)}`)}×10^${exponent}`;
  } else if (exponent >= 0) {
    text = stripZeros(`${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`);
  } else {
    text = stripZeros(`0.${"0".repeat(-exponent - 1)}${digits}`);
  }
  return (value < 0 ? `-${text}` : text).replaceAll("-", "−");
}

/** "a + b + …" after maxShown terms, "0" for none. */
export function joinTerms(terms, maxShown) {
  const shown = terms.length > maxShown ? [...terms.slice(0, maxShown), "…"] : terms;
  return shown.length ? shown.join(" + ") : "0";
}

/** Writes a script's templates with one pass's numbers. */
export class TraceRenderer {
  constructor(script, numbers) {
    this.maxShown = script.max_terms_shown;
    this.sizes = script.shape.sizes;
    this.numbers = numbers;
    this.nonFinite = new Map(
      (numbers.non_finite ?? []).map((item) => [`${item.ref}:${item.index.join(",")}`, NON_FINITE[item.value]]),
    );
    this.variables = new Map();
  }

  index(index) {
    return index.map((i) => (typeof i === "number" ? i : this.variables.get(i)));
  }

  /** The number a reference points at, as sent: null when it was not finite. */
  value(ref) {
    let value = this.numbers[ref.ref];
    for (const i of this.index(ref.index)) value = value[i];
    return value;
  }

  number(ref) {
    const value = this.value(ref);
    return value === null ? this.nonFinite.get(`${ref.ref}:${this.index(ref.index).join(",")}`) : value;
  }

  text(tokens) {
    return typeof tokens === "string" ? tokens : tokens.map((token) => this.token(token)).join("");
  }

  token(token) {
    if (typeof token === "string") return token;
    if ("sum" in token) return this.sum(token);
    if ("symbol" in token) {
      const index = this.index(token.index);
      return token.symbol === "weight"
        ? weightSymbol(token.layer, index[0], index[1])
        : neuronSymbol(token.layer, index[0], this.sizes);
    }
    const text = num(this.number(token));
    return token.paren && text.startsWith("−") ? `(${text})` : text;
  }

  sum(token) {
    const enough = this.maxShown + 1; // the rest would not be written
    const terms = [];
    for (const [position, entry] of token.sum.entries()) {
      if (terms.length === enough) break;
      if (!Array.isArray(entry)) {
        const count = Math.min(entry.count, enough - terms.length);
        for (let value = 0; value < count; value += 1) {
          this.variables.set(entry.for, value);
          terms.push(this.text(entry.term));
        }
        this.variables.delete(entry.for);
      } else if (!token.skip_zero || this.number(token.skip_zero[position]) !== 0) {
        terms.push(this.text(entry));
      }
    }
    return joinTerms(terms, this.maxShown);
  }

  line(template) {
    return {
      lhs: this.text(template.lhs),
      symbolic: this.text(template.symbolic),
      substituted: this.text(template.substituted),
      value: this.value(template.value),
      result: num(this.number(template.value)),
    };
  }

  lines(formula) {
    const written = [];
    for (const entry of formula) {
      if (!("for" in entry)) {
        written.push(this.line(entry));
        continue;
      }
      for (let value = 0; value < entry.count; value += 1) {
        this.variables.set(entry.for, value);
        written.push(this.line(entry.line));
      }
      this.variables.delete(entry.for);
    }
    return written;
  }

  narration(template) {
    const params = {};
    for (const [name, param] of Object.entries(template.params)) {
      if (Array.isArray(param)) params[name] = this.text(param);
      else params[name] = param !== null && typeof param === "object" ? this.value(param) : param;
    }
    return { key: template.key, params };
  }

  step(step) {
    return { ...step, narration: this.narration(step.narration), formula: this.lines(step.formula) };
  }
}

/** Every step of the script, its formulas written with the pass's numbers. */
export function renderSteps(script, numbers) {
  const renderer = new TraceRenderer(script, numbers);
  return script.steps.map((step) => renderer.step(step));
}
