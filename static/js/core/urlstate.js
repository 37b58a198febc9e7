// The view's state lives in the URL (after #), described by one declarative table of properties, so a
// link reproduces the view exactly. Values are validated on the way in: a crafted link can only ever
// produce well-typed values, never markup.

// Number("") and Number(" ") are 0: a blank value must read as no value, not as zero.
const toNumber = (text) => (text.trim() === "" ? NaN : Number(text));

const parsers = {
  number: (text) => {
    const value = toNumber(text);
    return Number.isFinite(value) ? value : undefined;
  },
  int: (text) => {
    const value = toNumber(text);
    return Number.isInteger(value) ? value : undefined;
  },
  bool: (text) => (text === "1" || text === "true" ? true : text === "0" || text === "false" ? false : undefined),
  string: (text) => text,
  enum: (text, prop) => (prop.values.includes(text) ? text : undefined),
  json: (text) => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  },
};

const writers = {
  number: (v) => String(v),
  int: (v) => String(v),
  bool: (v) => (v ? "1" : "0"),
  string: (v) => v,
  enum: (v) => v,
  json: (v) => JSON.stringify(v),
};

/**
 * properties: [{ name, type: number|int|bool|string|enum|json, default, values?, validate?(v) -> bool }]
 * Returns { read(): state, write(state), link(state): url }.
 */
export function urlState(properties) {
  function read(hash = location.hash) {
    const params = new URLSearchParams(hash.replace(/^#/, ""));
    const state = {};
    for (const prop of properties) {
      const text = params.get(prop.name);
      let value = text == null ? undefined : parsers[prop.type](text, prop);
      if (value !== undefined && prop.validate && !prop.validate(value)) value = undefined;
      state[prop.name] = value === undefined ? structuredClone(prop.default) : value;
    }
    return state;
  }

  function encode(state) {
    const params = new URLSearchParams();
    for (const prop of properties) {
      const value = state[prop.name];
      if (value === undefined || JSON.stringify(value) === JSON.stringify(prop.default)) continue;
      params.set(prop.name, writers[prop.type](value));
    }
    return params.toString();
  }

  function write(state) {
    const encoded = encode(state);
    const url = `${location.pathname}${location.search}${encoded ? `#${encoded}` : ""}`;
    history.replaceState(null, "", url);
  }

  function link(state) {
    const encoded = encode(state);
    return `${location.origin}${location.pathname}${encoded ? `#${encoded}` : ""}`;
  }

  return { read, write, link, encode };
}
