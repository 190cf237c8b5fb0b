// The drawing of a draft tree (README "Draft trees"): the root (the last
// accepted token) on top, each level below it, a node's children left to
// right in rank order, each node's area in proportion to the chance that the
// path to it is accepted (the product of p[rank] along it). As SVG, with a
// title and a description, a legend of the rank colours, and the nodes as a
// data table beside it for whoever does not see the drawing.
import { colours } from './charts.mjs';

const svgNs = 'http://www.w3.org/2000/svg';
// Okabe–Ito hues for ranks 1..7 (charts.mjs's, darkened in light mode); grey beyond.
const rankHues = ['blue', 'vermillion', 'green', 'sky', 'orange', 'purple', 'yellow'];

/**
 * Positions of a tree given breadth first by parents/ranks: for each draft
 * node {parent, rank, level, reach, x} (x in leaf slots, the root's children
 * spread under it), and {leaves, levels}. Pure: the page test checks it
 * against the lists.
 */
export function treeLayout({ parents, ranks, acceptance }) {
  const count = parents.length;
  const children = Array.from({ length: count + 1 }, () => []);  // index 0: the root
  const nodes = parents.map((parent, i) => ({ parent, rank: ranks[i], level: 0, reach: 0, x: 0 }));
  for (let i = 0; i < count; i++) {
    const parent = parents[i];
    const parentNode = parent < 0 ? null : nodes[parent];
    nodes[i].level = parentNode ? parentNode.level + 1 : 1;
    nodes[i].reach = (parentNode ? parentNode.reach : 1) * acceptance[ranks[i] - 1];
    children[parent + 1].push(i);
  }
  for (const list of children) list.sort((a, b) => nodes[a].rank - nodes[b].rank);
  // Leaves take the next slot, left to right; a node sits over its children.
  let leaves = 0;
  const place = (slot) => {
    const below = children[slot];
    if (below.length === 0) return leaves++;
    const xs = below.map((child) => {
      nodes[child].x = place(child + 1);
      return nodes[child].x;
    });
    return (xs[0] + xs[xs.length - 1]) / 2;
  };
  const rootX = place(0);
  const levels = nodes.reduce((most, node) => Math.max(most, node.level), 0);
  return { nodes, children, rootX, leaves: Math.max(1, leaves), levels };
}

function element(name, attributes = {}, text) {
  const node = document.createElementNS(svgNs, name);
  for (const [key, value] of Object.entries(attributes)) if (value != null) node.setAttribute(key, String(value));
  if (text != null) node.textContent = text;
  return node;
}

const percent = (value) => (value >= 0.001 ? `${(100 * value).toPrecision(3)}%` : value.toExponential(2));

let drawings = 0;
/**
 * An <svg> of the tree, sized to its leaves and to `fit` pixels (the page
 * scrolls it sideways when wider). `summary` is the description's first sentence.
 */
export function treeSvg(tree, { summary = '', fit = 720 } = {}) {
  const c = colours();
  const layout = treeLayout(tree);
  // Fits `fit` pixels while the leaves keep 12 px each; wider trees scroll.
  const slot = Math.max(12, Math.min(40, (fit - 36) / layout.leaves));
  const gap = 64;
  const margin = 18;
  const width = Math.max(240, layout.leaves * slot + 2 * margin);
  const height = layout.levels * gap + 2 * margin + 4;
  const offset = (width - layout.leaves * slot) / 2 + slot / 2;
  const px = (x) => offset + x * slot;
  const py = (level) => margin + 4 + level * gap;
  const rootRadius = 14;
  // Area in proportion to the path's acceptance: the root (certain) is the full size.
  const radius = (reach) => Math.max(1.5, Math.min(rootRadius, slot * 0.48) * Math.sqrt(reach));
  const id = `tree-drawing-${++drawings}`;
  const svg = element('svg', {
    xmlns: svgNs, width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-labelledby': `${id}-title ${id}-desc`, class: 'tree-svg', 'data-nodes': tree.parents.length,
  });
  svg.append(element('title', { id: `${id}-title` }, 'The draft tree'));
  const roots = layout.children[0].length;
  svg.append(element('desc', { id: `${id}-desc` }, `${summary}${summary ? ' ' : ''}${tree.parents.length} draft nodes on ${layout.levels} level${layout.levels === 1 ? '' : 's'} `
    + `under the root (the last accepted token), which has ${roots} ${roots === 1 ? 'child' : 'children'}. `
    + 'Each node\'s area is in proportion to the chance that the path to it is accepted; children are ordered by rank, left to right. The nodes are listed in the table below.'));
  svg.append(element('rect', { x: 0, y: 0, width, height, fill: c.page }));
  const edges = element('g', { stroke: c.grey, 'stroke-width': 1.25, fill: 'none' });
  const dots = element('g', { 'stroke-width': 1.25 });
  const position = (index) => (index < 0 ? [px(layout.rootX), py(0)] : [px(layout.nodes[index].x), py(layout.nodes[index].level)]);
  layout.nodes.forEach((node, i) => {
    const [x1, y1] = position(node.parent), [x2, y2] = position(i);
    edges.append(element('line', { x1, y1, x2, y2 }));
    const hue = c[rankHues[node.rank - 1]] ?? c.grey;
    const dot = element('circle', {
      cx: x2, cy: y2, r: radius(node.reach).toFixed(2), fill: hue, stroke: c.page,
      'data-node': i, 'data-rank': node.rank, 'data-reach': node.reach,
    });
    dot.append(element('title', {}, `node ${i}: sibling ${node.rank} under ${node.parent < 0 ? 'the root' : `node ${node.parent}`}, level ${node.level}; path accepted with ${percent(node.reach)}`));
    dots.append(dot);
  });
  const root = element('circle', { cx: px(layout.rootX), cy: py(0), r: rootRadius, fill: 'none', stroke: c.ink, 'stroke-width': 2, 'data-node': 'root' });
  root.append(element('title', {}, 'the root: the last accepted token'));
  svg.append(edges, dots, root);
  return svg;
}

/** The legend of the rank colours used, as HTML (a list of swatches). */
export function rankLegend(tree) {
  const c = colours();
  const widest = Math.max(0, ...tree.ranks);
  const list = document.createElement('ul');
  list.className = 'tree-legend';
  list.setAttribute('aria-label', 'Colours of the sibling ranks');
  for (let rank = 1; rank <= Math.min(widest, rankHues.length + 1); rank++) {
    const item = document.createElement('li');
    const swatch = element('svg', { width: 14, height: 14, viewBox: '0 0 14 14', 'aria-hidden': 'true', focusable: 'false' });
    swatch.append(element('circle', { cx: 7, cy: 7, r: 6, fill: c[rankHues[rank - 1]] ?? c.grey }));
    item.append(swatch, rank > rankHues.length ? ` sibling ${rank} and beyond` : ` sibling ${rank}`);
    list.append(item);
  }
  return list;
}

/** The nodes as a table: node, parent, rank, level, path acceptance. */
export function treeTable(tree) {
  const { nodes } = treeLayout(tree);
  const table = document.createElement('table');
  const caption = document.createElement('caption');
  caption.textContent = 'Draft nodes, breadth first: expected tokens per call = 1 + the sum of the path acceptances';
  const head = document.createElement('thead');
  const headRow = document.createElement('tr');
  for (const [k, text] of ['node', 'parent', 'sibling rank', 'level', 'path acceptance'].entries()) {
    const th = Object.assign(document.createElement('th'), { scope: 'col', textContent: text });
    if (k > 0) th.className = 'number';
    headRow.append(th);
  }
  head.append(headRow);
  const body = document.createElement('tbody');
  nodes.forEach((node, i) => {
    const row = document.createElement('tr');
    const cells = [String(i), node.parent < 0 ? 'root' : String(node.parent), String(node.rank), String(node.level)];
    cells.forEach((text, k) => {
      const cell = document.createElement(k === 0 ? 'th' : 'td');
      if (k === 0) cell.scope = 'row';
      else cell.className = 'number';
      cell.textContent = text;
      row.append(cell);
    });
    const reach = Object.assign(document.createElement('td'), { className: 'number', textContent: node.reach.toPrecision(6) });
    reach.dataset.value = String(node.reach);
    reach.dataset.testid = `tree.reach.${i}`;
    row.append(reach);
    body.append(row);
  });
  table.append(caption, head, body);
  return table;
}

/** The SVG as a file's text (for the export), with an XML declaration. */
export function svgText(svg) {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}\n`;
}
