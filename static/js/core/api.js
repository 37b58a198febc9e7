// The only module that talks to the server. Every number the pages show comes from these calls.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
    this.field = body?.field;
    this.body = body;
  }
}

async function post(path, body, { signal, version = "v1" } = {}) {
  const response = await fetch(`/api/${version}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

async function get(path, { signal, version = "v1" } = {}) {
  const response = await fetch(`/api/${version}${path}`, { signal });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const api = {
  trace: (body, options) => post("/network/trace", body, options),
  // trace contract v2: a pass's numbers, and the script of its shape unless known_script_id names it
  traceV2: (body, options) => post("/network/trace", body, { ...options, version: "v2" }),
  traceScript: (id, options) => get(`/trace-scripts/${encodeURIComponent(id)}`, { ...options, version: "v2" }),
  train: (body, options) => post("/network/train", body, options),
  gradcheck: (body, options) => post("/network/gradcheck", body, options),
  expression: (body, options) => post("/expression", body, options),
  limit: (body, options) => post("/expression/limit", body, options),
  partial: (body, options) => post("/expression/partial", body, options),
  descent: (body, options) => post("/expression/descent", body, options),
  parseDataset: (body, options) => post("/datasets/parse", body, options),
  exportNetwork: (body, options) => post("/network/export", body, options),
  presets: () => get("/presets"),
  datasets: () => get("/datasets"),
  limits: () => get("/limits"),
  exercise: (kind, seed, lang) => get(`/exercises?${new URLSearchParams({ kind, seed, lang })}`),
  checkExercise: (body, options) => post("/exercises/check", body, options),
};

/**
 * Stream a training run as server-sent events over a POST. Calls onEvent(type, data) for each event;
 * resolves when the stream ends; abort with `signal` to stop training on the server too.
 * When onEvent returns a promise, reading waits for it: the server is then held back by the connection,
 * so a caller can pace the run.
 */
export async function trainStream(body, onEvent, { signal } = {}) {
  const response = await fetch("/api/v1/network/train/stream", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let scanned = 0; // the buffer before this holds no event's end: a picture's event spans several reads
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let boundary;
    while ((boundary = buffer.indexOf("\n\n", scanned)) >= 0) {
      const event = parseEvent(buffer.slice(0, boundary));
      buffer = buffer.slice(boundary + 2);
      scanned = 0;
      if (event) {
        const pending = onEvent(event.type, JSON.parse(event.data));
        if (pending && typeof pending.then === "function") await pending;
      }
    }
    scanned = Math.max(0, buffer.length - 1);
  }
}

/** One server-sent event's type and data, or null without data. */
function parseEvent(chunk) {
  let type = "message";
  const data = [];
  let start = 0;
  while (start < chunk.length) {
    let end = chunk.indexOf("\n", start);
    if (end < 0) end = chunk.length;
    // the data line is most of a picture's event: sliced once, never split or scanned twice
    if (chunk.startsWith("event:", start)) type = chunk.slice(start + 6, end).trim();
    else if (chunk.startsWith("data:", start)) data.push(chunk.slice(start + 5, end)); // JSON skips the space
    start = end + 1;
  }
  return data.length ? { type, data: data.join("\n") } : null;
}
