// The live channel of a class: server-sent events read with fetch (so the teacher's stream can carry its
// token in a header), resumed after a drop with Last-Event-ID so no change is missed.

const RETRY_MS = 1000;
const MAX_RETRY_MS = 5000;

function parseEvent(block) {
  let data = null;
  let id = null;
  for (const line of block.split("\n")) {
    if (line.startsWith("data:")) data = line.slice(5).trimStart();
    else if (line.startsWith("id:")) id = line.slice(3).trim();
  }
  if (data == null) return null;
  try {
    return { ...JSON.parse(data), lastId: id };
  } catch {
    return null;
  }
}

/**
 * Follow class `code` (as its teacher with `token`, as a student with `seat`): onEvent({id, type, data}) for each event, onStatus("live" | "reconnecting" | "gone")
 * when the line changes. Returns { close() }.
 */
export function openChannel(code, { token = null, seat = null, onEvent, onStatus = () => {} }) {
  let lastId = null;
  let closed = false;
  let controller = null;
  let delay = RETRY_MS;

  async function connect() {
    controller = new AbortController();
    const headers = { Accept: "text/event-stream" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (seat) headers["X-Classroom-Seat"] = seat; // a student's stream counts them as connected while open
    if (lastId != null) headers["Last-Event-ID"] = lastId;
    try {
      const response = await fetch(`/api/v1/classroom/${encodeURIComponent(code)}/events`, {
        headers,
        signal: controller.signal,
        cache: "no-store",
      });
      if ([401, 403, 404].includes(response.status)) {
        closed = true;
        onStatus("gone");
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      onStatus("live");
      delay = RETRY_MS;
      await read(response.body.getReader());
    } catch {
      // dropped: try again below, from the last event seen
    }
    if (closed) return;
    onStatus("reconnecting");
    setTimeout(connect, delay);
    delay = Math.min(MAX_RETRY_MS, delay * 2);
  }

  async function read(reader) {
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replaceAll("\r\n", "\n");
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        if (!event) continue;
        if (event.lastId != null) lastId = event.lastId;
        onEvent(event);
        if (event.type === "ended") {
          closed = true;
          controller.abort();
          onStatus("gone");
          return;
        }
      }
    }
  }

  connect();
  return {
    close() {
      closed = true;
      controller?.abort();
    },
  };
}
