// Values travelling along the diagram's edges while the player moves a step: dots drawn on a canvas laid
// over the SVG, in its own compositor layer, so that a moving dot repaints a few pixels of the canvas
// instead of every SVG tile a thousand edges pass through. The canvas is clipped to the box of the step's
// edges: a canvas that changes is redrawn whole by the compositor each frame, with every layer under it
// (the page, the edges and their lit copies), and a layer or a neuron's dots cross an eighth of a big
// diagram, not all of it.

const PULSE_LIMIT = 320;
const PULSE_RADIUS = 4.5;

export class PulseLayer {
  /** `svg`: the diagram's SVG element; the canvas is placed right after it, over it. */
  constructor(svg) {
    this.svg = svg;
    this.canvas = null;
    this.canvasSize = null;
    this.colours = null;
    this.pulsing = false;
    this.clipped = null; // the steps the clip was set for
  }

  /** The canvas, sized to `layout` (measured only when the size changed: see invalidate). */
  fit(layout) {
    if (!this.canvas?.isConnected) {
      this.canvas = document.createElement("canvas");
      this.canvas.className = "diagram-pulses";
      this.canvas.setAttribute("aria-hidden", "true");
      this.canvas.dataset.testid = "diagram-pulses";
      this.canvas.dataset.pulses = "0";
      this.svg.after(this.canvas);
      this.canvasSize = null;
      this.clipped = null;
    }
    const canvas = this.canvas;
    const { width, height } = layout;
    const ratio = window.devicePixelRatio || 1;
    // measuring the place every frame would force a layout in the middle of the frame
    const key = `${width}x${height}@${ratio}`;
    if (this.canvasSize === key) return canvas;
    this.canvasSize = key;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const { left, top } = this.offsetInHost(canvas.offsetParent);
    canvas.style.left = `${left}px`;
    canvas.style.top = `${top}px`;
    canvas.getContext("2d").setTransform(ratio, 0, 0, ratio, 0, 0);
    return canvas;
  }

  /** The diagram was laid out again: the canvas is measured and placed again before its next dots. */
  invalidate() {
    this.canvasSize = null;
    this.clipped = null;
  }

  /**
   * Clip the canvas to the box of the edges that carry the dots of `steps`, with room for a dot, in
   * the canvas's CSS px; set once per set of steps (a clip-path is a property change, not a repaint).
   */
  clipTo(steps, layout, edges, radius) {
    if (this.clipped === steps) return;
    this.clipped = steps;
    let left = Infinity;
    let top = Infinity;
    let right = -Infinity;
    let bottom = -Infinity;
    let counted = 0; // the edges that get a dot, as show() picks them: the first PULSE_LIMIT
    for (const step of steps) {
      if (step.phase === "update") continue;
      for (const id of step.edges) {
        if (counted >= PULSE_LIMIT) break;
        const edge = edges.get(id);
        if (!edge) continue;
        counted++;
        left = Math.min(left, edge.x1, edge.x2);
        right = Math.max(right, edge.x1, edge.x2);
        top = Math.min(top, edge.y1, edge.y2);
        bottom = Math.max(bottom, edge.y1, edge.y2);
      }
    }
    const pad = radius + 3; // the dot and its ring, and a pixel of antialiasing
    const inset = (value) => `${Math.max(0, Math.floor(value))}px`;
    const clip =
      right < left
        ? "inset(50%)" // no dots: nothing of the canvas is composited
        : `inset(${inset(top - pad)} ${inset(layout.width - right - pad)} ${inset(layout.height - bottom - pad)} ${inset(left - pad)})`;
    if (this.canvas.style.clipPath !== clip) this.canvas.style.clipPath = clip;
  }

  /**
   * Where the SVG's top-left corner is in the coordinates an absolutely positioned child of `host` uses:
   * inside its border, and moving with its content when it scrolls. (An SVG element has no offsetTop.)
   */
  offsetInHost(host) {
    if (!host) return { left: 0, top: 0 };
    const box = this.svg.getBoundingClientRect();
    const hostBox = host.getBoundingClientRect();
    return {
      left: box.left - hostBox.left - host.clientLeft + host.scrollLeft,
      top: box.top - hostBox.top - host.clientTop + host.scrollTop,
    };
  }

  /** The phase colours of the page's theme, read once per theme (reading them forces a style update). */
  phaseColours() {
    const root = document.documentElement;
    const theme = `${root.dataset.theme}|${root.dataset.presenter}`;
    if (this.colours?.theme === theme) return this.colours;
    const style = getComputedStyle(this.svg);
    const read = (name) => style.getPropertyValue(name).trim() || "#888";
    this.colours = {
      theme,
      forward: read("--forward"),
      loss: read("--loss"),
      backward: read("--backward"),
      ring: read("--surface"),
    };
    return this.colours;
  }

  /**
   * Dots travelling along the edges of `steps` at progress 0…1: forwards for values, backwards for δ.
   * `layout`: the diagram's (diagram-layout.js); `edges`: its edge records by id, with their ends.
   */
  show(steps, progress, layout, edges) {
    const canvas = this.fit(layout);
    const context = canvas.getContext("2d");
    const colours = this.phaseColours();
    this.pulsing = true;
    context.clearRect(0, 0, layout.width, layout.height);
    const eased = progress < 0.5 ? 2 * progress * progress : 1 - (-2 * progress + 2) ** 2 / 2;
    // dots grow with the circles, so that they still show on a projector (presenter mode)
    const radius = layout.compact ? 3 : Math.max(PULSE_RADIUS, layout.radius * 0.15);
    this.clipTo(steps, layout, edges, radius);
    let drawn = 0;
    context.lineWidth = 1.5;
    context.strokeStyle = colours.ring;
    for (const step of steps) {
      if (step.phase === "update") continue;
      const f = step.phase === "backward" ? 1 - eased : eased;
      context.fillStyle = colours[step.phase] || colours.forward;
      context.beginPath();
      for (const id of step.edges) {
        if (drawn >= PULSE_LIMIT) break;
        const edge = edges.get(id);
        if (!edge) continue;
        const x = edge.x1 + (edge.x2 - edge.x1) * f;
        const y = edge.y1 + (edge.y2 - edge.y1) * f;
        context.moveTo(x + radius, y);
        context.arc(x, y, radius, 0, 2 * Math.PI);
        drawn++;
      }
      context.fill();
      context.stroke();
    }
    if (canvas.dataset.pulses !== String(drawn)) canvas.dataset.pulses = String(drawn);
  }

  clear() {
    if (!this.pulsing || !this.canvas) return;
    this.pulsing = false;
    this.canvas.getContext("2d").clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.canvas.dataset.pulses = "0";
  }

  remove() {
    this.canvas?.remove();
  }
}
