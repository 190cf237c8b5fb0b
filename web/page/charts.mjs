// The page's charts, drawn by uPlot (vendored, see web/server/site.mjs).
// Data arrive ready to plot from the worker: binned p and q, certificate
// fractions, and sweep points; this file maps them to uPlot options and adds
// what a canvas lacks:
//   - a legend of buttons (aria-pressed) that show or hide each series, with
//     the values at a selected point written out (the current n or
//     temperature, the last point, the most likely token), hover or a tap
//     selecting another point;
//   - a data table of the plotted numbers in a <details> under each chart
//     (built when opened);
//   - series told apart by more than colour: Okabe–Ito hues (orange, sky
//     blue, yellow and reddish purple darkened in light mode to reach 3:1
//     against white, WCAG 1.4.11) plus a dash pattern and a marker shape of
//     their own, bounds (α*) solid with hollow markers and widths that
//     decrease in drawing order so that a line under another still shows at
//     its edges, verifiers dashed with filled markers;
//   - tick labels with as many decimals as the tick spacing needs, never two
//     labels alike.
import uPlot from '../vendor/uPlot.mjs';

// uPlot's stylesheet comes with the charts (the first numbers do not need
// it), before the first chart is drawn.
await new Promise((resolve) => {
  const href = new URL('../vendor/uPlot.min.css', import.meta.url).href;
  if ([...document.styleSheets].some((sheet) => sheet.href === href)) return resolve();
  const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href });
  link.onload = link.onerror = resolve;
  document.head.append(link);
});

const isDark = () => matchMedia('(prefers-color-scheme: dark)').matches;
// Okabe & Ito (2008), "Color Universal Design"; `ink` stands for their black.
const okabeIto = () => (isDark()
  ? { blue: '#0072b2', vermillion: '#d55e00', green: '#009e73', sky: '#56b4e9', orange: '#e69f00', purple: '#cc79a7', yellow: '#f0e442', ink: '#e6edf3', grey: '#8b949e' }
  : { blue: '#0072b2', vermillion: '#d55e00', green: '#009e73', sky: '#4794bf', orange: '#ba8100', purple: '#c474a0', yellow: '#97902a', ink: '#1b1f24', grey: '#6e7681' });

/** How each series of the sweeps is drawn: a hue, a dash pattern, a marker. */
export const seriesStyle = {
  'optimal.with_replacement': { label: 'α* with replacement', hue: 'blue', marker: 'circle', hollow: true, width: 3.5 },
  'optimal.without_replacement': { label: 'α* without replacement', hue: 'vermillion', marker: 'square', hollow: true, width: 2.5 },
  'optimal.greedy': { label: 'α* greedy', hue: 'green', marker: 'triangle', hollow: true, width: 1.75 },
  'verifiers.rrs_with_replacement': { label: 'RRS with repl.', hue: 'sky', dash: [8, 4], marker: 'diamond' },
  'verifiers.rrs_without_replacement': { label: 'RRS without repl.', hue: 'orange', dash: [3, 3], marker: 'triangle-down' },
  'verifiers.kseq': { label: 'K-SEQ', hue: 'purple', dash: [10, 3, 2, 3], marker: 'star' },
  'verifiers.greedy': { label: 'greedy verifier', hue: 'yellow', dash: [2, 3], marker: 'cross' },
  'verifiers.spechub': { label: 'SpecHub', hue: 'ink', dash: [6, 2, 2, 2, 2, 2], marker: 'plus' },
  'verifiers.optimal_lp': { label: 'optimal (LP plan)', hue: 'grey', dash: [1, 3], marker: 'hexagon' },
  'verifiers.optimal_with_replacement': { label: 'optimal with repl.', hue: 'blue', dash: [4, 2], marker: 'plus' },
};
// A series the table above does not know (a new verifier) still gets a style of its own.
const spare = [['sky', [12, 4], 'hexagon'], ['purple', [4, 2, 1, 2], 'diamond'], ['orange', [1, 2, 6, 2], 'star'], ['blue', [5, 5], 'cross']];
function styleOf(key, index) {
  if (seriesStyle[key]) return seriesStyle[key];
  const [hue, dash, marker] = spare[index % spare.length];
  const label = key.replace(/^verifiers\./, '').replace(/^optimal\./, 'α* ').replaceAll('_', ' ');
  // Another bound: solid with a hollow marker, as the other α*.
  return key.startsWith('optimal.') ? { label, hue, marker, hollow: true, width: 1.5 } : { label, hue, dash, marker };
}

// Canvas colours do not follow CSS: they are read from style.css's custom
// properties when a chart is drawn, and charts are redrawn when the colour
// scheme changes (dark mode).
const cssColour = (name, fallback) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
export const colours = () => ({
  axis: cssColour('--chart-axis', '#3b4450'), grid: cssColour('--chart-grid', '#e6e9ed'), tick: cssColour('--chart-tick', '#d0d7de'),
  p: cssColour('--chart-p', '#1b1f24'), q: cssColour('--chart-q', '#b8531c'), shade: cssColour('--chart-shade', '31, 95, 191'),
  marker: cssColour('--chart-marker', '#8c959f'), page: cssColour('--page', '#fff'), ...okabeIto(),
});
export const axisStyle = () => {
  const c = colours();
  return { stroke: c.axis, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.tick, width: 1 } };
};
const charts = new Set();
// The chart drawn in a container, for export.mjs (PNG and SVG of a chart).
const byElement = new WeakMap();
export const chartOf = (element) => byElement.get(element) ?? null;
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  for (const chart of charts) chart.redraw();
});

// ---- numbers as text -------------------------------------------------------

/** Probabilities and acceptances as the legend and the table show them. */
export function formatValue(value) {
  if (value == null || Number.isNaN(value)) return 'n/a';
  if (value === 0) return '0';
  const size = Math.abs(value);
  if (size >= 1e-3 && size < 1e6) return value.toFixed(6);
  return value.toExponential(4);
}

// Decimals that write `step` exactly (0.25 -> 2, 0.005 -> 3, 2 -> 0).
function decimalsOf(step) {
  for (let digits = 0; digits <= 12; digits++) {
    const scaled = step * 10 ** digits;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return digits;
  }
  return 12;
}

/**
 * Tick labels with as many decimals as the spacing of the ticks needs (uPlot
 * gives it, `incr`; else the smallest gap), then more until no two labels
 * read the same. A null tick (hidden for lack of room) gets ''.
 */
export function honestTicks(u, ticks, axis, space, incr) {
  const shown = ticks.filter((t) => t != null);
  let step = incr;
  if (!(step > 0)) {
    step = Infinity;
    for (let k = 1; k < shown.length; k++) step = Math.min(step, Math.abs(shown[k] - shown[k - 1]) || Infinity);
    if (!Number.isFinite(step)) step = 0.01;
  }
  let digits = decimalsOf(step);
  while (digits < 12 && new Set(shown.map((t) => t.toFixed(digits))).size < new Set(shown).size) digits++;
  return ticks.map((t) => (t == null ? '' : t.toFixed(digits)));
}

// Log-axis ticks: powers of ten inside [min, max], thinned to fit the
// height; never empty (a range inside one decade gets its two ends).
function logSplits(u, axis, min, max) {
  const low = Math.ceil(Math.log10(min) - 1e-9);
  const high = Math.floor(Math.log10(max) + 1e-9);
  if (high < low) return [min, max];
  const room = Math.max(2, Math.floor(u.bbox.height / devicePixelRatio / 22));
  const step = Math.max(1, Math.ceil((high - low + 1) / room));
  const out = [];
  for (let e = high; e >= low; e -= step) out.push(10 ** e);
  return out.reverse();
}
// uPlot hands the formatter null for a tick it hides for lack of room. A
// power of ten reads 0.01, 0.1, 1 or 1e-5; any other tick (the two ends of a
// range inside one decade) gets the digits that write it, up to 12.
export function logTicks(u, ticks) {
  const label = (t) => {
    for (let digits = 1; digits <= 12; digits++) {
      const text = t >= 0.01 ? String(+t.toPrecision(digits)) : t.toExponential(digits - 1);
      if (Math.abs(Number(text) - t) <= 1e-9 * t) return text;
    }
    return String(t);
  };
  return ticks.map((t) => (t == null ? '' : label(t)));
}
export const integerTicks = (u, ticks) => ticks.map((t) => (t == null || !Number.isInteger(t) ? '' : t.toLocaleString('en')));

// ---- markers and swatches --------------------------------------------------

// Marker shapes in a unit box (SVG path data), drawn on the canvas through
// Path2D and in the legend's swatches. `open` shapes are strokes only.
const shapes = (() => {
  const polygon = (corners, radius, turn = -Math.PI / 2) => `${Array.from({ length: corners }, (_, k) => {
    const angle = turn + (2 * Math.PI * k) / corners;
    return `${k ? 'L' : 'M'}${(radius * Math.cos(angle)).toFixed(3)} ${(radius * Math.sin(angle)).toFixed(3)}`;
  }).join('')}Z`;
  const star = `${Array.from({ length: 10 }, (_, k) => {
    const angle = -Math.PI / 2 + (Math.PI * k) / 5, radius = k % 2 ? 0.5 : 1.2;
    return `${k ? 'L' : 'M'}${(radius * Math.cos(angle)).toFixed(3)} ${(radius * Math.sin(angle)).toFixed(3)}`;
  }).join('')}Z`;
  return {
    circle: { d: 'M1 0A1 1 0 1 1 -1 0A1 1 0 1 1 1 0Z' },
    square: { d: 'M-0.85 -0.85H0.85V0.85H-0.85Z' },
    triangle: { d: 'M0 -1.15L1.05 0.75H-1.05Z' },
    'triangle-down': { d: 'M0 1.15L1.05 -0.75H-1.05Z' },
    diamond: { d: 'M0 -1.2L1 0L0 1.2L-1 0Z' },
    star: { d: star },
    hexagon: { d: polygon(6, 1.05, 0) },
    plus: { d: 'M-1.15 0H1.15M0 -1.15V1.15', open: true },
    cross: { d: 'M-0.9 -0.9L0.9 0.9M-0.9 0.9L0.9 -0.9', open: true },
  };
})();
const paths2d = new Map();
const path2d = (shape) => {
  if (!paths2d.has(shape)) paths2d.set(shape, new Path2D(shapes[shape].d));
  return paths2d.get(shape);
};

// Draws a series' markers at each of its points (uPlot's own points are
// circles only).
export function drawMarkers(u, seriesIndex, style, colour, page) {
  const shape = shapes[style.marker] ? style.marker : 'circle';
  const radius = (style.hollow ? 5 : 3.6) * devicePixelRatio;
  const xs = u.data[0], ys = u.data[seriesIndex];
  const { ctx } = u;
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left - radius * 2, u.bbox.top - radius * 2, u.bbox.width + radius * 4, u.bbox.height + radius * 4);
  ctx.clip();
  for (let i = 0; i < xs.length; i++) {
    if (ys[i] == null) continue;
    const x = u.valToPos(xs[i], 'x', true), y = u.valToPos(ys[i], 'y', true);
    ctx.save();
    ctx.translate(x, y);
    ctx.scale(radius, radius);
    ctx.lineWidth = (style.hollow ? 1.6 : 1.4) * devicePixelRatio / radius;
    ctx.setLineDash([]);
    ctx.strokeStyle = colour;
    const path = path2d(shape);
    if (!shapes[shape].open) {
      // Filled markers sit on a ring of the page colour, so that one on top of
      // a hollow marker or a line stays readable.
      ctx.fillStyle = style.hollow ? 'transparent' : colour;
      if (!style.hollow) {
        ctx.save();
        ctx.lineWidth = 3.2 * devicePixelRatio / radius;
        ctx.strokeStyle = page;
        ctx.stroke(path);
        ctx.restore();
        ctx.fill(path);
      }
    } else {
      ctx.save();
      ctx.lineWidth = 4 * devicePixelRatio / radius;
      ctx.strokeStyle = page;
      ctx.stroke(path);
      ctx.restore();
      ctx.lineWidth = 2 * devicePixelRatio / radius;
    }
    ctx.stroke(path);
    ctx.restore();
  }
  ctx.restore();
}

const svgNs = 'http://www.w3.org/2000/svg';
function svgElement(name, attributes) {
  const element = document.createElementNS(svgNs, name);
  for (const [key, value] of Object.entries(attributes)) if (value != null) element.setAttribute(key, String(value));
  return element;
}
// A legend swatch: the series' line with its dash and marker, a bar (filled
// or hatched), or a shaded box.
function swatch(key) {
  const svg = svgElement('svg', { width: 30, height: 16, viewBox: '0 0 30 16', 'aria-hidden': 'true', focusable: 'false', class: 'chart-swatch' });
  if (key.kind === 'line') {
    svg.append(svgElement('line', { x1: 1, x2: 29, y1: 8, y2: 8, stroke: key.colour, 'stroke-width': Math.min(3, key.width ?? 2), 'stroke-dasharray': key.dash?.join(' ') }));
    if (key.marker) {
      const shape = shapes[key.marker] ?? shapes.circle;
      const radius = key.hollow ? 4.5 : 3.5;
      svg.append(svgElement('path', {
        d: shape.d, transform: `translate(15 8) scale(${radius})`, 'vector-effect': 'non-scaling-stroke',
        fill: key.hollow || shape.open ? 'none' : key.colour, stroke: key.colour, 'stroke-width': shape.open ? 2 : 1.5,
      }));
    }
  } else if (key.kind === 'band') {
    // An interval: its two ends as lines (the series' dash) with the band between.
    svg.append(svgElement('rect', { x: 1, y: 3, width: 28, height: 10, fill: key.colour, 'fill-opacity': 0.2, stroke: 'none' }));
    for (const y of [3, 13]) svg.append(svgElement('line', { x1: 1, x2: 29, y1: y, y2: y, stroke: key.colour, 'stroke-width': 1.5, 'stroke-dasharray': key.dash?.join(' ') }));
    if (key.marker) {
      const shape = shapes[key.marker] ?? shapes.circle;
      svg.append(svgElement('path', {
        d: shape.d, transform: 'translate(15 8) scale(3.5)', 'vector-effect': 'non-scaling-stroke',
        fill: key.hollow || shape.open ? 'none' : key.colour, stroke: key.colour, 'stroke-width': shape.open ? 2 : 1.5,
      }));
    }
  } else if (key.kind === 'bar' || key.kind === 'hatch') {
    if (key.kind === 'hatch') svg.append(hatchLines(svg, { x: 8, y: 2, width: 14, height: 12 }, key.colour, 1.2));
    svg.append(svgElement('rect', { x: 8, y: 2, width: 14, height: 12, fill: key.kind === 'bar' ? key.colour : 'none', stroke: key.colour, 'stroke-width': 1.5 }));
  } else {
    svg.append(svgElement('rect', { x: 4, y: 1, width: 22, height: 14, fill: key.colour, 'fill-opacity': key.opacity ?? 0.25, stroke: key.outline ?? 'none' }));
    if (key.hatched) svg.append(hatchLines(svg, { x: 4, y: 1, width: 22, height: 14 }, key.outline, 1));
  }
  return svg;
}
// Diagonal lines clipped to a box (the clip's id is unique in the page).
function hatchLines(svg, box, colour, width) {
  const id = `chart-swatch-${++swatchCount}`;
  const clip = svgElement('clipPath', { id });
  clip.append(svgElement('rect', box));
  svg.append(clip);
  const group = svgElement('g', { 'clip-path': `url(#${id})`, stroke: colour, 'stroke-width': width });
  for (let offset = -box.height; offset < box.width; offset += 5) {
    group.append(svgElement('line', { x1: box.x + offset, y1: box.y + box.height, x2: box.x + offset + box.height, y2: box.y }));
  }
  return group;
}
let swatchCount = 0;
// The uPlot series a legend key shows or hides: one, both ends of a band, or none.
const seriesOfKey = (key) => (key.series == null ? [] : [].concat(key.series));

// A diagonal hatch in a colour, as a canvas pattern (for the draft's bars and
// the ranks with no mass).
function hatch(ctx, colour, { spacing = 6, width = 1.5, background = null } = {}) {
  const size = Math.round(spacing * devicePixelRatio);
  const tile = document.createElement('canvas');
  tile.width = tile.height = size;
  const t = tile.getContext('2d');
  if (background) {
    t.fillStyle = background;
    t.fillRect(0, 0, size, size);
  }
  t.strokeStyle = colour;
  t.lineWidth = width * devicePixelRatio;
  t.beginPath();
  for (const shift of [-size, 0, size]) {
    t.moveTo(shift, size);
    t.lineTo(shift + size, 0);
  }
  t.stroke();
  return ctx.createPattern(tile, 'repeat');
}

// ---- one chart --------------------------------------------------------------

// One uPlot in a container, rebuilt on new data, resized with its container;
// beside it, the legend and the data table. The container (index.html's
// .chart, with the chart's name as aria-label) becomes a group of the three:
// the plot is the image, the legend and the table its text.
export class Chart {
  #element;
  #plotBox;
  #legend;
  #at;
  #keys;
  #details;
  #tableBox;
  #plot = null;
  #redraw = null;
  #view = null;
  #figure = null;
  #tableStale = true;
  /** Legend labels the user switched off; kept across new data. */
  hidden = new Set();

  constructor(element) {
    this.#element = element;
    charts.add(this);
    byElement.set(element, this);
    const name = element.getAttribute('aria-label') ?? 'Chart';
    element.setAttribute('role', 'group');
    element.classList.add('chart-group');
    this.#plotBox = Object.assign(document.createElement('div'), { className: 'chart-plot' });
    this.#plotBox.setAttribute('role', 'img');
    this.#plotBox.setAttribute('aria-label', `${name}; its values are in the legend and the data table below it`);
    this.#legend = Object.assign(document.createElement('div'), { className: 'chart-legend', hidden: true });
    this.#at = Object.assign(document.createElement('p'), { className: 'chart-legend-at' });
    this.#keys = Object.assign(document.createElement('ul'), { className: 'chart-keys' });
    this.#keys.setAttribute('aria-label', `Series of the ${name.replace(/^Chart of /, 'chart of ')}: press to show or hide`);
    this.#legend.append(this.#at, this.#keys);
    this.#details = Object.assign(document.createElement('details'), { className: 'chart-data', hidden: true });
    const summary = document.createElement('summary');
    summary.textContent = 'Data table';
    this.#tableBox = Object.assign(document.createElement('div'), { className: 'table-wrap chart-table', tabIndex: 0 });
    this.#tableBox.setAttribute('role', 'region');
    this.#tableBox.setAttribute('aria-label', `Data of the ${name.replace(/^Chart of /, 'chart of ')}`);
    this.#details.append(summary, this.#tableBox);
    this.#details.addEventListener('toggle', () => { if (this.#details.open) this.#fillTable(); });
    element.append(this.#plotBox, this.#legend, this.#details);
    new ResizeObserver(() => {
      if (!this.#plot) return;
      const size = this.#size();
      // Across the phone width the labels change: draw again.
      if ((size.width < 500) !== (this.#plot.width < 500)) this.redraw();
      else if (size.width !== this.#plot.width || size.height !== this.#plot.height) this.#plot.setSize(size);
    }).observe(element);
  }

  // Draws the last data again, e.g. in the colours of a new colour scheme.
  redraw() {
    if (this.#plot && this.#redraw) this.#redraw();
  }

  /** Remembers how to draw the current data (with colours read afresh). */
  remember(redraw) {
    this.#redraw = redraw;
  }

  #size() {
    const width = Math.max(240, this.#element.clientWidth);
    return { width, height: width < 500 ? 220 : 280 };
  }

  /**
   * Draws `options`/`data` with uPlot. `figure` describes the drawing in data
   * terms (ranges, series, shading), for an SVG export that plots the same
   * numbers: uPlot only draws pixels. `view` is the text beside it:
   *   keys: [{label, kind: 'line'|'band'|'bar'|'hatch'|'shade', colour, dash, marker,
   *           hollow, series (uPlot index, an array of them for a band's two
   *           ends, or null for a drawing of a hook),
   *           toggle (false: a key that only explains), value(idx) -> text}]
   *   at(idx) -> text, initial (the index shown when nothing is hovered),
   *   table() -> {caption, columns, rows}.
   */
  draw(options, data, figure, view) {
    this.#plot?.destroy();
    this.#view = view;
    this.#figure = figure;
    const setCursor = (u) => this.#showValues(u.cursor.idx ?? null);
    const hooks = { ...(options.hooks ?? {}), setCursor: [...(options.hooks?.setCursor ?? []), setCursor] };
    const series = options.series.map((s, i) => {
      const key = view.keys.find((k) => seriesOfKey(k).includes(i));
      return key && this.hidden.has(key.label) ? { ...s, show: false } : s;
    });
    this.#plot = new uPlot({ ...options, series, hooks, legend: { show: false }, ...this.#size() }, data, this.#plotBox);
    this.#buildLegend();
    this.#showValues(null);
    this.#details.hidden = false;
    this.#tableStale = true;
    if (this.#details.open) this.#fillTable();
  }

  /** Whether the chart is drawn at phone width (below 500 px). */
  get narrow() {
    return this.#size().width < 500;
  }

  /** Whether a key is shown (for the hooks that draw shading). */
  shows(label) {
    return !this.hidden.has(label);
  }

  #buildLegend() {
    // A key with the focus keeps it across a redraw (new data, a new colour scheme).
    const focused = this.#keys.contains(document.activeElement) ? document.activeElement.closest('.chart-key')?.querySelector('.chart-key-label')?.textContent : null;
    const buttons = this.#view.keys.map((key) => {
      const item = document.createElement('li');
      const entry = document.createElement(key.toggle === false ? 'span' : 'button');
      entry.className = 'chart-key';
      const label = Object.assign(document.createElement('span'), { className: 'chart-key-label', textContent: key.label });
      const value = Object.assign(document.createElement('span'), { className: 'chart-key-value' });
      entry.append(swatch(key), label, value);
      if (key.toggle !== false) {
        entry.type = 'button';
        if (key.series != null) entry.dataset.series = key.label;
        else entry.dataset.shade = key.label;
        const sync = () => entry.setAttribute('aria-pressed', String(!this.hidden.has(key.label)));
        sync();
        entry.addEventListener('click', () => {
          if (this.hidden.has(key.label)) this.hidden.delete(key.label);
          else this.hidden.add(key.label);
          sync();
          if (key.series != null) for (const index of seriesOfKey(key)) this.#plot.setSeries(index, { show: !this.hidden.has(key.label) });
          else this.#plot.redraw(false, false);
        });
      } else {
        entry.classList.add('static');
      }
      item.append(entry);
      return { item, value, key };
    });
    this.#keys.replaceChildren(...buttons.map(({ item }) => item));
    if (focused != null) buttons.find(({ key }) => key.label === focused)?.item.firstChild.focus?.();
    this.#legendValues = buttons;
    this.#legend.hidden = false;
  }

  #legendValues = [];

  // The values at `idx` (hovered), or at the view's initial point.
  #showValues(idx) {
    const view = this.#view;
    if (!view) return;
    const at = idx ?? view.initial;
    this.#at.textContent = at == null ? '' : `${view.at(at)}${idx == null ? (view.hint ? ` (${view.hint})` : '') : ''}`;
    for (const { value, key } of this.#legendValues) value.textContent = key.value && at != null ? key.value(at) : '';
  }

  #fillTable() {
    if (!this.#tableStale || !this.#view) return;
    this.#tableStale = false;
    const { caption, columns, rows } = this.#view.table();
    const table = document.createElement('table');
    const cap = document.createElement('caption');
    cap.textContent = caption;
    const head = document.createElement('thead');
    const headRow = document.createElement('tr');
    for (const [k, column] of columns.entries()) {
      const th = Object.assign(document.createElement('th'), { scope: 'col', textContent: column });
      if (k > 0) th.className = 'number';
      headRow.append(th);
    }
    head.append(headRow);
    const body = document.createElement('tbody');
    for (const row of rows) {
      const tr = document.createElement('tr');
      row.forEach((cell, k) => {
        const td = document.createElement(k === 0 ? 'th' : 'td');
        if (k === 0) td.scope = 'row';
        else td.className = 'number';
        td.textContent = cell;
        tr.append(td);
      });
      body.append(tr);
    }
    table.append(cap, head, body);
    this.#tableBox.replaceChildren(table);
  }

  /** The uPlot drawn (its axes' tick labels are `plot.axes[k]._values`), or null. */
  get plot() {
    return this.#plot;
  }

  /** The canvas uPlot draws on, or null when nothing is drawn. */
  get canvas() {
    return this.#plot?.ctx.canvas ?? null;
  }

  /** What export.mjs writes as SVG: the series shown (the legend's choice), in data terms. */
  get figure() {
    if (!this.#figure) return null;
    const shown = this.#figure.series.filter((series) => !this.hidden.has(series.key ?? series.label));
    return { ...this.#figure, series: shown, shade: this.hidden.has(this.#figure.shadeLabel) ? [] : this.#figure.shade };
  }

  clear() {
    this.#plot?.destroy();
    this.#plot = null;
    this.#redraw = null;
    this.#figure = null;
    this.#view = null;
    this.#legendValues = [];
    this.#keys.replaceChildren();
    this.#at.textContent = '';
    this.#legend.hidden = true;
    this.#details.hidden = true;
    this.#tableBox.replaceChildren();
    this.#tableStale = true;
  }
}

const methodNames = { with_replacement: 'with replacement', without_replacement: 'without replacement', greedy: 'greedy' };

/** p and q in p/q order with one method's certificate shaded. */
export class DistributionChart extends Chart {
  update(chart, method) {
    this.remember(() => this.update(chart, method));
    const c = colours();
    const small = chart.binSize === 1 && chart.size <= 40;
    const inside = chart.certificates[method];
    const log = !small;
    const bins = chart.p.length;
    // A rank with no mass in p nor q (top-p or top-k removed it from both,
    // or a zero weight) is no token the draft or the target can produce: it
    // is hatched as such and never shaded as part of H, whatever the
    // certificate lists. (A bin of several ranks is shaded when some have mass.)
    const empty = Array.from({ length: bins }, (_, b) => !(chart.p[b] > 0) && !(chart.q[b] > 0));
    const share = (b) => (inside && !empty[b] ? inside[b] : 0);
    // On the log axis a zero cannot be drawn: it goes to a floor below the
    // visible range, so the step drops out of the plot instead of breaking
    // the line (a lone token with mass, e.g. after top-p, still shows).
    let low = Infinity, high = 0;
    for (const values of [chart.p, chart.q]) {
      for (const v of values) {
        if (v > 0 && v < low) low = v;
        if (v > high) high = v;
      }
    }
    // A decade strictly below the smallest mass, so that it stays visible.
    const bottom = low === Infinity ? 1e-3 : 10 ** (Math.ceil(Math.log10(low) - 1e-9) - 1);
    const top = high > 0 ? high * 1.5 : 1;
    const clean = (values) => Array.from(values, (v) => (log && v <= 0 ? bottom / 100 : v));
    // Steps start at each bin's left edge; a closing edge at the end draws the
    // last bin too (it may be the only one with mass).
    const closed = (values) => (small ? values : [...values, values[values.length - 1]]);
    const x = small ? Array.from(chart.x) : [...chart.x, chart.size];
    const edges = (b) => (small ? [chart.x[b] - 0.5, chart.x[b] + 0.5] : [chart.x[b], Math.min(chart.size, chart.x[b] + chart.binSize)]);
    const shadeLabel = `certificate H (${methodNames[method] ?? method})`;
    const emptyLabel = 'no mass in p or q';
    const anyEmpty = empty.some(Boolean);
    // Drawn per pixel column of the plot: a column takes the largest share
    // of H among the bins it covers (bins narrower than a pixel would
    // otherwise stack their translucent fills into a darker shade), and is
    // hatched when no bin in it has mass.
    const shade = (u) => {
      const { ctx } = u;
      const { left: plotLeft, top: plotTop, width: plotWidth, height } = u.bbox;
      const columns = Math.max(1, Math.ceil(plotWidth));
      const shares = new Float32Array(columns), mass = new Uint8Array(columns), none = new Uint8Array(columns);
      const showH = this.shows(shadeLabel);
      for (let b = 0; b < bins; b++) {
        const [from, to] = edges(b);
        const left = Math.max(0, Math.floor(u.valToPos(from, 'x', true) - plotLeft));
        const right = Math.min(columns, Math.max(left + 1, Math.ceil(u.valToPos(to, 'x', true) - plotLeft)));
        for (let col = left; col < right; col++) {
          if (empty[b]) none[col] = 1;
          else {
            mass[col] = 1;
            if (showH && share(b) > shares[col]) shares[col] = share(b);
          }
        }
      }
      ctx.save();
      const removed = anyEmpty ? hatch(ctx, c.grey, { spacing: 5, width: 1 }) : null;
      for (let col = 0; col < columns;) {
        let end = col + 1;
        const kind = mass[col] ? (shares[col] > 0 ? 'H' : '') : none[col] ? 'empty' : '';
        while (end < columns && (mass[end] ? (shares[end] > 0 ? 'H' : '') : none[end] ? 'empty' : '') === kind && shares[end] === shares[col]) end++;
        if (kind === 'empty') {
          ctx.fillStyle = removed;
          ctx.globalAlpha = 0.4;
          ctx.fillRect(plotLeft + col, plotTop, end - col, height);
          ctx.globalAlpha = 1;
        } else if (kind === 'H') {
          ctx.fillStyle = `rgba(${c.shade}, ${(0.06 + 0.12 * shares[col]).toFixed(3)})`;
          ctx.fillRect(plotLeft + col, plotTop, end - col, height);
        }
        col = end;
      }
      ctx.restore();
    };
    const bars = small ? uPlot.paths.bars : null;
    const xLabel = small ? 'token id, in p/q order' : `rank in p/q order (${chart.size.toLocaleString('en')} tokens${chart.binSize > 1 ? `, means of ${chart.binSize}` : ''})`;
    const qHatch = (u) => hatch(u.ctx, c.q, { spacing: 5, width: 1.5 });
    const pValues = closed(clean(chart.p)), qValues = closed(clean(chart.q));
    // The index a legend shows first: the most likely target token (its bin).
    let initial = 0;
    for (let b = 1; b < bins; b++) if (chart.p[b] > chart.p[initial]) initial = b;
    const where = (b) => {
      if (b >= bins) b = bins - 1;
      if (small) return `token ${chart.tokens ? chart.tokens[b] : b} (rank ${b + 1} of ${chart.size} in p/q order)`;
      const [from, to] = edges(b);
      return chart.binSize > 1
        ? `ranks ${(from + 1).toLocaleString('en')}–${to.toLocaleString('en')} of ${chart.size.toLocaleString('en')} (means)`
        : `rank ${(from + 1).toLocaleString('en')} of ${chart.size.toLocaleString('en')}${chart.tokens ? `, token ${chart.tokens[b]}` : ''}`;
    };
    const inH = (b) => {
      if (b >= bins) b = bins - 1;
      if (empty[b]) return 'no mass';
      if (!inside) return 'none';
      return chart.binSize > 1 ? `${(100 * share(b)).toFixed(0)}% of ranks` : share(b) > 0 ? 'in H' : 'not in H';
    };
    const value = (values) => (b) => formatValue(values[Math.min(b, bins - 1)]);
    this.draw({
      cursor: { points: { show: small } },
      scales: {
        x: small ? { time: false, range: [-0.5, chart.size - 0.5] } : { time: false, range: [0, chart.size] },
        y: log ? { distr: 3, range: () => [bottom, top] } : { range: (u, min, max) => [0, max * 1.08] },
      },
      axes: [
        {
          ...axisStyle(),
          // At phone width the token count stays in the note under the chart.
          label: this.narrow && !small ? 'rank in p/q order' : xLabel,
          values: small ? (u, ticks) => ticks.map((t) => (Number.isInteger(t) && t >= 0 && t < chart.size ? String(chart.tokens ? chart.tokens[t] : t) : '')) : integerTicks,
          splits: small ? () => Array.from({ length: chart.size }, (_, i) => i) : undefined,
          incrs: small ? undefined : [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2500, 5e3, 1e4, 2e4, 25e3, 5e4, 1e5, 2e5, 25e4, 5e5, 1e6, 2e6, 5e6],
        },
        { ...axisStyle(), label: 'probability', size: 64,
          splits: log ? logSplits : undefined,
          filter: log ? (u, splits) => splits : undefined,
          values: log ? logTicks : honestTicks },
      ],
      series: [
        { label: small ? 'position' : 'rank' },
        { label: 'p (target)', stroke: c.p, width: small ? 1 : 1.75, fill: small ? `${c.p}d9` : undefined,
          paths: small ? bars({ size: [0.36, 60], align: -1 }) : uPlot.paths.stepped({ align: 1 }), points: { show: false } },
        { label: 'q (draft)', stroke: c.q, width: small ? 1.5 : 1.75, dash: small ? undefined : [6, 3], fill: small ? qHatch : undefined,
          paths: small ? bars({ size: [0.36, 60], align: 1 }) : uPlot.paths.stepped({ align: 1 }), points: { show: false } },
      ],
      hooks: { drawClear: [shade] },
    }, [x, pValues, qValues], {
      xLabel,
      yLabel: 'probability',
      xRange: small ? [-0.5, chart.size - 0.5] : [0, chart.size],
      yRange: log ? [bottom, top] : [0, Math.max(high, 1e-300) * 1.08],
      yLog: log,
      xTicks: small ? Array.from({ length: chart.size }, (_, i) => ({ value: i, label: chart.tokens ? String(chart.tokens[i]) : String(i) })) : null,
      x,
      series: [
        { label: 'p (target)', stroke: c.p, kind: small ? 'bars' : 'step', bar: [-0.36, 0], values: pValues },
        { label: 'q (draft)', stroke: c.q, kind: small ? 'bars' : 'step', bar: [0, 0.36], values: qValues, dash: small ? undefined : [6, 3] },
      ],
      shadeLabel,
      shade: inside ? Array.from({ length: bins }, (_, b) => (share(b) > 0 ? {
        from: edges(b)[0], to: edges(b)[1], colour: `rgb(${c.shade})`, opacity: 0.06 + 0.12 * share(b),
      } : null)).filter(Boolean) : [],
    }, {
      keys: [
        { label: 'p (target)', kind: small ? 'bar' : 'line', colour: c.p, width: 2, series: 1, value: value(chart.p) },
        { label: 'q (draft)', kind: small ? 'hatch' : 'line', colour: c.q, width: 2, dash: small ? undefined : [6, 3], series: 2, value: value(chart.q) },
        ...(inside ? [{ label: shadeLabel, kind: 'shade', colour: `rgb(${c.shade})`, opacity: 0.3, series: null, value: inH }] : []),
        ...(anyEmpty ? [{ label: emptyLabel, kind: 'shade', colour: 'transparent', outline: c.grey, hatched: true, opacity: 0, series: null, toggle: false }] : []),
      ],
      at: where,
      initial,
      hint: chart.binSize > 1 ? 'the bin of the largest mean p; hover or tap the chart for others' : 'the most likely target token; hover or tap the chart for others',
      table: () => ({
        caption: `p and q ${small ? 'by token' : chart.binSize > 1 ? `in bins of ${chart.binSize} ranks (means)` : 'by rank'}, in p/q order${inside ? `, with the certificate H of ${methodNames[method] ?? method}` : ''}`,
        columns: [small || chart.binSize === 1 ? 'rank' : 'ranks', ...(chart.tokens ? ['token id'] : []), chart.binSize > 1 ? 'p (mean)' : 'p', chart.binSize > 1 ? 'q (mean)' : 'q', ...(inside || anyEmpty ? ['certificate H'] : [])],
        rows: Array.from({ length: bins }, (_, b) => {
          const [from, to] = edges(b);
          const rank = chart.binSize > 1 ? `${(from + 1).toLocaleString('en')}–${to.toLocaleString('en')}` : String(b + 1);
          return [rank, ...(chart.tokens ? [String(chart.tokens[b])] : []), formatValue(chart.p[b]), formatValue(chart.q[b]), ...(inside || anyEmpty ? [inH(b)] : [])];
        }),
      }),
    });
  }
}

/**
 * Acceptance against a swept parameter, one series per method and verifier.
 * update(points, marker): points are {x, 'optimal.<method>': value,
 * 'verifiers.<name>': value}, each value a number, null (none at that x) or
 * an interval {low, high} (embed/values.mjs rangeOf: where the core bounds
 * alpha* without pinning it, partial lists). A series with an interval is
 * drawn as a band from low to high with a whisker at each point and its two
 * ends as lines (dashed) with markers; its legend value and data-table cell
 * give both ends ("0.770000 – 0.967000"). A series is never left out
 * because its values are intervals.
 */
export class SweepChart extends Chart {
  #xLabel;

  #integerX;

  constructor(element, xLabel, { integerX = false } = {}) {
    super(element);
    this.#xLabel = xLabel;
    this.#integerX = integerX;
  }

  update(points, marker) {
    this.remember(() => this.update(points, marker));
    const c = colours();
    const ends = (value) => {
      if (value == null) return null;
      if (typeof value === 'number') return Number.isFinite(value) ? { low: value, high: value } : null;
      return Number.isFinite(value.low) && Number.isFinite(value.high) ? { low: value.low, high: value.high } : null;
    };
    const present = (key) => points.some((point) => ends(point[key]) != null);
    const others = [...new Set(points.flatMap((point) => Object.keys(point)))]
      .filter((key) => /^(optimal|verifiers)\./.test(key) && !seriesStyle[key]).sort();
    const keys = [...Object.keys(seriesStyle), ...others].filter(present);
    const styles = keys.map((key) => styleOf(key, others.indexOf(key)));
    const sorted = [...points].sort((a, b) => a.x - b.x);
    const x = sorted.map((point) => point.x);
    const values = keys.map((key) => sorted.map((point) => ends(point[key])));
    const banded = values.map((column) => column.some((v) => v && v.low !== v.high));
    // The uPlot series: one per key, two (the low end, then the high end) per banded key.
    const data = [x];
    const indices = values.map((column, k) => {
      if (!banded[k]) {
        data.push(column.map((v) => v?.low ?? null));
        return [data.length - 1];
      }
      data.push(column.map((v) => v?.low ?? null), column.map((v) => v?.high ?? null));
      return [data.length - 2, data.length - 1];
    });
    // A band's ends are dashed, a bound's (solid when exact) too.
    const dashOf = (k) => (banded[k] ? styles[k].dash ?? [5, 3] : styles[k].dash);
    const text = (v) => (v == null ? 'n/a' : v.low === v.high ? formatValue(v.low) : `${formatValue(v.low)} – ${formatValue(v.high)}`);
    const stroke = (style) => c[style.hue] ?? c.ink;
    const markLine = (u) => {
      if (marker == null) return;
      const { ctx } = u;
      const at = u.valToPos(marker, 'x', true);
      ctx.save();
      ctx.strokeStyle = c.marker;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(at, u.bbox.top);
      ctx.lineTo(at, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.restore();
    };
    // Each band: its area from low to high over each run of points, and a
    // whisker at each point (a lone point is a whisker alone).
    // Fainter as they are more, so that overlapping bands stay readable.
    const bandAlpha = Math.max(0.06, 0.18 / Math.sqrt(Math.max(1, banded.filter(Boolean).length)));
    const bands = (u) => {
      const { ctx } = u;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      keys.forEach((key, k) => {
        if (!banded[k] || !u.series[indices[k][0]].show) return;
        const [lows, highs] = [data[indices[k][0]], data[indices[k][1]]];
        const px = (i) => u.valToPos(x[i], 'x', true);
        const py = (v) => u.valToPos(v, 'y', true);
        const colour = stroke(styles[k]);
        ctx.fillStyle = colour;
        ctx.globalAlpha = bandAlpha;
        for (let i = 0; i < x.length;) {
          if (lows[i] == null) { i++; continue; }
          let j = i;
          while (j + 1 < x.length && lows[j + 1] != null) j++;
          if (j > i) {
            ctx.beginPath();
            ctx.moveTo(px(i), py(lows[i]));
            for (let m = i + 1; m <= j; m++) ctx.lineTo(px(m), py(lows[m]));
            for (let m = j; m >= i; m--) ctx.lineTo(px(m), py(highs[m]));
            ctx.closePath();
            ctx.fill();
          }
          i = j + 1;
        }
        ctx.globalAlpha = 1;
        ctx.strokeStyle = colour;
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.setLineDash([]);
        ctx.beginPath();
        for (let m = 0; m < x.length; m++) {
          if (lows[m] == null) continue;
          ctx.moveTo(px(m), py(lows[m]));
          ctx.lineTo(px(m), py(highs[m]));
        }
        ctx.stroke();
      });
      ctx.restore();
    };
    const markers = (u) => {
      styles.forEach((style, k) => {
        for (const index of indices[k]) if (u.series[index].show) drawMarkers(u, index, style, stroke(style), c.page);
      });
    };
    const all = data.slice(1).flat().filter((v) => v != null);
    // Room around the data in proportion to its spread, so that values all
    // close to 1 spread over the plot instead of lying on its top edge.
    const yRange = (() => {
      if (!all.length) return [0, 1];
      const min = Math.min(...all), max = Math.max(...all);
      const pad = Math.max(0.08 * (max - min), 0.002);
      return [Math.max(0, min - pad), Math.min(Math.max(1, max) + pad / 2, max + pad)];
    })();
    // The point the legend shows first: the current n (or temperature), else the last.
    let initial = x.length - 1;
    if (marker != null) {
      const found = x.findIndex((v) => Math.abs(v - marker) < 1e-9);
      if (found >= 0) initial = found;
    }
    const xText = (v) => (this.#integerX ? String(v) : String(+v.toPrecision(6)));
    const name = this.#xLabel.replace(/^drafts n$/, 'n');
    const endLabels = (k) => (banded[k] ? [`${styles[k].label} (low end)`, `${styles[k].label} (high end)`] : [styles[k].label]);
    this.draw({
      scales: { x: { time: false }, y: { range: () => yRange } },
      axes: [
        { ...axisStyle(), label: this.#xLabel, ...(this.#integerX ? { splits: () => x, values: (u, ticks) => ticks.map((t) => (t == null ? '' : String(t))) } : { values: honestTicks }) },
        { ...axisStyle(), label: 'acceptance', size: 60, values: honestTicks },
      ],
      series: [
        { label: this.#xLabel },
        ...keys.flatMap((key, k) => endLabels(k).map((label) => ({
          label, stroke: stroke(styles[k]), dash: dashOf(k),
          width: banded[k] ? 1.5 : styles[k].width ?? 2, points: { show: false }, spanGaps: false,
        }))),
      ],
      hooks: { drawClear: [markLine], draw: [bands, markers] },
    }, data, {
      xLabel: this.#xLabel, yLabel: 'acceptance', yLog: false,
      xRange: [x[0], x.at(-1)],
      yRange,
      xTicks: this.#integerX ? x.map((value) => ({ value, label: String(value) })) : null,
      x,
      // An interval as its two ends, each a line: `key` is the legend's label, which hides both.
      series: keys.flatMap((key, k) => endLabels(k).map((label, end) => ({
        label, key: styles[k].label, stroke: stroke(styles[k]), dash: dashOf(k), marker: styles[k].marker, hollow: !!styles[k].hollow,
        kind: 'line', values: data[indices[k][end]],
      }))),
      marker: marker ?? null,
    }, {
      keys: keys.map((key, k) => ({
        label: styles[k].label, kind: banded[k] ? 'band' : 'line', colour: stroke(styles[k]), dash: dashOf(k), marker: styles[k].marker, hollow: styles[k].hollow,
        width: styles[k].width ?? 2, series: banded[k] ? indices[k] : indices[k][0], value: (idx) => text(values[k][idx]),
      })),
      at: (idx) => `at ${name} = ${xText(x[idx])}`,
      initial: x.length ? initial : null,
      hint: marker != null && x[initial] === marker ? 'the current inputs; hover or tap the chart for other points' : 'the last point; hover or tap the chart for others',
      table: () => ({
        caption: `Acceptance against ${this.#xLabel}${banded.some(Boolean) ? ' (an interval: its low – high ends, where α* is bounded, not pinned)' : ''}`,
        columns: [this.#xLabel, ...styles.map((style) => style.label)],
        rows: x.map((v, i) => [xText(v), ...values.map((column) => text(column[i]))]),
      }),
    });
  }
}

/** Per-position alpha* counts (the summary's histograms), one stepped series per method. */
export class HistogramChart extends Chart {
  update(histograms) {
    this.remember(() => this.update(histograms));
    const c = colours();
    const methods = Object.keys(histograms).filter((method) => histograms[method]);
    if (methods.length === 0) return this.clear();
    const { bins, range: [low, high] } = histograms[methods[0]];
    const width = (high - low) / bins;
    // A closing edge so that the last bin shows as a step.
    const x = Array.from({ length: bins + 1 }, (_, b) => low + b * width);
    const series = methods.map((method) => [...histograms[method].counts, histograms[method].counts.at(-1)]);
    const most = Math.max(1, ...series.flat());
    const unknown = methods.filter((method) => !seriesStyle[`optimal.${method}`]);
    const styles = methods.map((method) => styleOf(`optimal.${method}`, unknown.indexOf(method)));
    const stroke = (style) => c[style.hue] ?? c.ink;
    // Dashes of their own (the histograms' steps carry no markers).
    const dashes = methods.map((method, k) => [undefined, [7, 3], [2, 2], [10, 3, 2, 3], [4, 4], [1, 3]][k % 6]);
    const binText = (b) => {
      const b0 = Math.min(b, bins - 1);
      const digits = Math.max(2, decimalsOf(width));
      return `${(low + b0 * width).toFixed(digits)}–${(low + (b0 + 1) * width).toFixed(digits)}`;
    };
    let initial = 0;
    for (let b = 1; b < bins; b++) if (series[0][b] > series[0][initial]) initial = b;
    this.draw({
      scales: { x: { time: false, range: [low, high] }, y: { range: [0, most * 1.08] } },
      axes: [
        { ...axisStyle(), label: 'α* of a position', values: honestTicks },
        { ...axisStyle(), label: 'positions', size: 56, values: integerTicks, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6] },
      ],
      series: [
        { label: 'α*' },
        ...methods.map((method, k) => ({
          label: styles[k].label, stroke: stroke(styles[k]), width: [3, 2.25, 1.75][k] ?? 1.5, dash: dashes[k], fill: k === 0 ? `${stroke(styles[k])}22` : undefined,
          paths: uPlot.paths.stepped({ align: 1 }), points: { show: false },
        })),
      ],
    }, [x, ...series], {
      xLabel: 'α* of a position', yLabel: 'positions', yLog: false, xRange: [low, high], yRange: [0, most * 1.08], x,
      series: methods.map((method, k) => ({ label: styles[k].label, stroke: stroke(styles[k]), dash: dashes[k], kind: 'step', values: series[k] })),
    }, {
      keys: methods.map((method, k) => ({
        label: styles[k].label, kind: 'line', colour: stroke(styles[k]), dash: dashes[k], width: [3, 2.25, 1.75][k] ?? 1.5, series: k + 1,
        value: (b) => `${histograms[method].counts[Math.min(b, bins - 1)]} positions`,
      })),
      at: (b) => `α* from ${binText(b)}`,
      initial,
      hint: 'the fullest bin; hover or tap the chart for others',
      table: () => ({
        caption: 'Positions by their α*',
        columns: ['α* of a position', ...styles.map((style) => style.label)],
        rows: Array.from({ length: bins }, (_, b) => [binText(b), ...methods.map((method) => String(histograms[method].counts[b]))]),
      }),
    });
  }
}
