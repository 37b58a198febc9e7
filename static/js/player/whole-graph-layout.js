// Where each node of a pass's whole graph is drawn: layered left to right, micrograd's draw_dot without
// Graphviz. The server sends the graph (nodes in an order where an op follows its inputs, and edges); this
// only places boxes, it computes no value. Free of DOM, so it is tested under node.

export const BOX_HEIGHT = 50;
export const ROW = 64; // vertical pitch of the boxes of a column
export const COLUMN_GAP = 64; // room for the edges between columns
const MIN_WIDTH = 156; // two numbers (value and ∇) fit side by side
const CHAR_WIDTH = 8.6; // of the 15-unit label font, generous for sub- and superscripts
const PAD = 24;
const SWEEPS = 4;

/** The first line of a box: the op's symbol and what the node holds; the label alone for a leaf, a loss
 * op (its label is its formula, BCE(ŷ, y)) and a label that starts with the symbol (Σₖ wₖ·aₖ). */
export function nodeTitle(node, batch = 1) {
  const symbolToo = node.symbol && node.kind !== "loss" && !node.label.startsWith(node.symbol);
  const title = symbolToo ? `${node.symbol}  ${node.label}` : node.label;
  // a batch's samples are told apart as the notation key writes them: a[n], n counted from 1
  return batch > 1 && node.sample != null ? `${title} [${node.sample + 1}]` : title;
}

/** A box's width: enough for its title, at least for its two numbers. */
export function boxWidth(node, batch = 1) {
  return Math.max(MIN_WIDTH, Math.ceil(nodeTitle(node, batch).length * CHAR_WIDTH) + 20);
}

/** Each op's rank is one more than its furthest input's; a leaf (input, weight, bias, target) sits one
 * column left of its nearest consumer, so w⁽²⁾ stands beside the activations it multiplies. */
function ranks(graph, inputsOf, consumersOf) {
  const rank = new Map();
  for (const node of graph.nodes) {
    const inputs = inputsOf.get(node.id);
    rank.set(node.id, inputs ? 1 + Math.max(...inputs.map((id) => rank.get(id) ?? 0)) : 0);
  }
  for (const node of graph.nodes) {
    const consumers = consumersOf.get(node.id);
    if (!inputsOf.has(node.id) && consumers) rank.set(node.id, Math.min(...consumers.map((id) => rank.get(id))) - 1);
  }
  return rank;
}

const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;

/**
 * { position: Map(id → {x, y, w, h}), width, height, columns } for a graph { nodes, edges }.
 * Rows within a column are ordered by the mean height of each node's neighbours (inputs, else consumers),
 * a few sweeps from the server's order, which keeps most edges short and uncrossed.
 */
export function layoutGraph(graph) {
  const inputsOf = new Map();
  const consumersOf = new Map();
  for (const edge of graph.edges) {
    if (!inputsOf.has(edge.target)) inputsOf.set(edge.target, []);
    inputsOf.get(edge.target).push(edge.source);
    if (!consumersOf.has(edge.source)) consumersOf.set(edge.source, []);
    consumersOf.get(edge.source).push(edge.target);
  }
  const rank = ranks(graph, inputsOf, consumersOf);
  const order = new Map(graph.nodes.map((node, i) => [node.id, i]));
  const columns = [];
  for (const node of graph.nodes) {
    const r = rank.get(node.id);
    while (columns.length <= r) columns.push([]);
    columns[r].push(node);
  }
  const tallest = Math.max(1, ...columns.map((column) => column.length));
  const y = new Map();
  const place = () =>
    columns.forEach((column) => {
      const top = ((tallest - column.length) * ROW) / 2;
      column.forEach((node, i) => y.set(node.id, top + i * ROW));
    });
  place();
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    for (const column of columns) {
      const key = new Map();
      for (const node of column) {
        const neighbours = inputsOf.get(node.id) ?? consumersOf.get(node.id) ?? [];
        key.set(node.id, neighbours.length ? mean(neighbours.map((id) => y.get(id))) : y.get(node.id));
      }
      column.sort((a, b) => key.get(a.id) - key.get(b.id) || order.get(a.id) - order.get(b.id));
    }
    place();
  }
  const position = new Map();
  let x = PAD;
  for (const column of columns) {
    const width = Math.max(...column.map((node) => boxWidth(node, graph.batch)));
    for (const node of column) position.set(node.id, { x, y: PAD + y.get(node.id), w: width, h: BOX_HEIGHT });
    x += width + COLUMN_GAP;
  }
  return {
    position,
    columns: columns.length,
    width: x - COLUMN_GAP + PAD,
    height: PAD * 2 + (tallest - 1) * ROW + BOX_HEIGHT,
  };
}

/** The steps whose nodes are lit for a player at `index` with the frame's steps `frame` (step objects). */
export function litNodes(graph, frame) {
  const steps = new Set(frame.map((step) => step.index));
  return new Set(graph.nodes.filter((node) => node.steps.some((s) => steps.has(s))).map((node) => node.id));
}

/** Whether a node's value and gradient are reached at step `index` (each from the step that computes it). */
export function revealed(node, index) {
  return {
    value: node.value_step == null || index >= node.value_step,
    grad: node.grad_step != null && index >= node.grad_step,
  };
}
