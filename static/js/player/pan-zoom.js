// Pan and zoom of an SVG group inside a view, as a graph viewer needs them: drag to pan, two fingers pinch,
// the wheel zooms when the caller says so (Ctrl/⌘, or the view has focus), and the moves the caller asks
// for: zoom about a point, fit a whole drawing, bring a box or a set of boxes into view. A press that does
// not move (a tap or a click) is handed back with the element it landed on.
//
//   const zoom = createPanZoom({ view, viewport, canvas, wheelZooms: (event) => …, onTap: (target) => … });
//   zoom.reset(1); zoom.fit(width, height); zoom.bringIntoView(boxes);   // boxes: [{ x, y, w, h }]

const MIN_ZOOM = 0.05; // fit shows a large graph whole, as an overview
const MAX_ZOOM = 4;
const MARGIN = 24; // kept between boxes brought into view and the edge of the view
const CLICK_SLOP = 4; // pixels a pointer may move and still click

const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
const round = (v) => Math.round(v * 1000) / 1000;
const clampZoom = (k) => Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, k));

export function createPanZoom({ view, viewport, canvas, wheelZooms, onTap }) {
  let zoom = { k: 1, x: 0, y: 0 };

  function set(next) {
    zoom = next;
    const { k, x, y } = zoom;
    viewport.setAttribute("transform", `translate(${round(x)},${round(y)}) scale(${round(k)})`);
    canvas.dataset.zoom = String(round(k));
  }

  function viewSize() {
    const box = view.getBoundingClientRect();
    return { width: box.width || 1, height: box.height || 1 };
  }

  /** Zoom by `factor` about the point (px, py) of the view (its centre by default). */
  function zoomBy(factor, px = null, py = null) {
    const { width, height } = viewSize();
    const cx = px ?? width / 2;
    const cy = py ?? height / 2;
    const { k, x, y } = zoom;
    const next = clampZoom(k * factor);
    set({ k: next, x: cx - ((cx - x) * next) / k, y: cy - ((cy - y) * next) / k });
  }

  /** Zoom `k` with the drawing's top left at the view's. */
  function reset(k) {
    set({ k, x: 0, y: 0 });
  }

  /** The whole drawing (`width` × `height` in its own units) in view, centred. */
  function fit(width, height) {
    const shown = viewSize();
    const k = clampZoom(Math.min(shown.width / width, shown.height / height));
    set({ k, x: (shown.width - width * k) / 2, y: (shown.height - height * k) / 2 });
  }

  /** Pan (zoom kept) so that `box` is in view, unless it already is. */
  function showBox(box) {
    const { width, height } = viewSize();
    const { k } = zoom;
    let { x, y } = zoom;
    if (box.x * k + x < 0 || (box.x + box.w) * k + x > width) x = width / 2 - (box.x + box.w / 2) * k;
    if (box.y * k + y < 0 || (box.y + box.h) * k + y > height) y = height / 2 - (box.y + box.h / 2) * k;
    set({ k, x, y });
  }

  /** Pan (zoom kept) so that `boxes` are in view, unless they already are: centred when they fit, else
   * their middle (the mean of their centres) at the centre of the view. */
  function bringIntoView(boxes) {
    if (!boxes.length) return;
    const { width, height } = viewSize();
    const { k } = zoom;
    // along one axis: `at` and `size` name the boxes' start and extent on it (x and w, or y and h)
    const axis = (at, size, offset, extent) => {
      const lo = Math.min(...boxes.map((b) => b[at]));
      const hi = Math.max(...boxes.map((b) => b[at] + b[size]));
      if (lo * k + offset >= 0 && hi * k + offset <= extent) return offset; // already in view
      const fits = hi - lo <= extent / k - (2 * MARGIN) / k;
      const middle = fits ? (lo + hi) / 2 : mean(boxes.map((b) => b[at] + b[size] / 2));
      return extent / 2 - middle * k;
    };
    const x = axis("x", "w", zoom.x, width);
    const y = axis("y", "h", zoom.y, height);
    set({ k, x, y });
  }

  // ------------------------------------------------------------------------------------- pointers
  let drag = null; // { id, startX, startY, k, x, y, target, moved }
  // Two fingers pinch: the zoom follows their distance, the point under their middle stays under it.
  const pointers = new Map(); // pointer id → { x, y } in the view
  let pinch = null; // { distance, middle: {x, y}, zoom } when two pointers began
  const pointerAt = (event) => {
    const box = view.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };
  const twoPointers = () => {
    const [a, b] = [...pointers.values()];
    return { distance: Math.hypot(a.x - b.x, a.y - b.y) || 1, middle: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } };
  };
  view.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    pointers.set(event.pointerId, pointerAt(event));
    view.setPointerCapture?.(event.pointerId);
    if (pointers.size === 2) {
      drag = null; // the first finger's drag becomes a pinch, and will not click
      pinch = { ...twoPointers(), zoom: { ...zoom } };
      return;
    }
    if (pointers.size > 2) return;
    drag = { id: event.pointerId, startX: event.clientX, startY: event.clientY, ...zoom, target: event.target };
    drag.moved = false;
  });
  view.addEventListener("pointermove", (event) => {
    if (pinch && pointers.has(event.pointerId)) {
      pointers.set(event.pointerId, pointerAt(event));
      if (pointers.size !== 2) return;
      const { distance, middle } = twoPointers();
      const { k, x, y } = pinch.zoom;
      const next = clampZoom((k * distance) / pinch.distance);
      const gx = (pinch.middle.x - x) / k; // the drawing's point under the fingers' first middle
      const gy = (pinch.middle.y - y) / k;
      set({ k: next, x: middle.x - gx * next, y: middle.y - gy * next });
      return;
    }
    if (!drag || event.pointerId !== drag.id) return;
    const dx = event.clientX - drag.startX;
    const dy = event.clientY - drag.startY;
    if (!drag.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
    drag.moved = true;
    view.classList.add("panning");
    set({ k: drag.k, x: drag.x + dx, y: drag.y + dy });
  });
  const endDrag = (event) => {
    pointers.delete(event.pointerId);
    if (pointers.size < 2) pinch = null;
    if (!drag || event.pointerId !== drag.id) return;
    const { target, moved } = drag;
    drag = null;
    view.classList.remove("panning");
    if (!moved && event.type === "pointerup") onTap(target);
  };
  view.addEventListener("pointerup", endDrag);
  view.addEventListener("pointercancel", endDrag);
  view.addEventListener(
    "wheel",
    (event) => {
      if (!wheelZooms(event)) return;
      event.preventDefault();
      const box = view.getBoundingClientRect();
      zoomBy(Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top);
    },
    { passive: false },
  );

  return { zoomBy, reset, fit, showBox, bringIntoView, dragging: () => drag !== null };
}
