// The page's charts, drawn by uPlot (vendored, see site.mjs). Data arrive
// ready to plot from the worker: binned p and q, certificate fractions, and
// sweep points; this file only maps them to uPlot options.
import uPlot from './vendor/uPlot.mjs';

export const seriesStyle = {
  'optimal.with_replacement': { label: 'α* with replacement', stroke: '#1f5fbf' },
  'optimal.without_replacement': { label: 'α* without replacement', stroke: '#23845a' },
  'optimal.greedy': { label: 'α* greedy', stroke: '#b8531c' },
  'verifiers.rrs_with_replacement': { label: 'RRS with repl.', stroke: '#1f5fbf', dash: [6, 4] },
  'verifiers.rrs_without_replacement': { label: 'RRS without repl.', stroke: '#23845a', dash: [6, 4] },
  'verifiers.kseq': { label: 'K-SEQ', stroke: '#7a4fb5', dash: [6, 4] },
  'verifiers.greedy': { label: 'greedy verifier', stroke: '#b8531c', dash: [2, 3] },
  'verifiers.spechub': { label: 'SpecHub', stroke: '#8a6a00', dash: [6, 4] },
  'verifiers.optimal_lp': { label: 'optimal (LP plan)', stroke: '#3b4450', dash: [2, 3] },
};

// Canvas colours do not follow CSS: they are read from style.css's custom
// properties when a chart is drawn, and charts are redrawn when the colour
// scheme changes (dark mode).
const cssColour = (name, fallback) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
const colours = () => ({
  axis: cssColour('--chart-axis', '#3b4450'), grid: cssColour('--chart-grid', '#e6e9ed'), tick: cssColour('--chart-tick', '#d0d7de'),
  p: cssColour('--chart-p', '#1b1f24'), q: cssColour('--chart-q', '#b8531c'), shade: cssColour('--chart-shade', '31, 95, 191'),
  marker: cssColour('--chart-marker', '#8c959f'),
});
const axisStyle = () => {
  const c = colours();
  return { stroke: c.axis, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.tick, width: 1 } };
};
const fmt = (digits) => (u, value) => (value == null ? '–' : value.toFixed(digits));
const charts = new Set();
// The chart drawn in a container, for export.mjs (PNG and SVG of a chart).
const byElement = new WeakMap();
export const chartOf = (element) => byElement.get(element) ?? null;
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  for (const chart of charts) chart.redraw();
});

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
// As many decimals as the tick spacing needs, so that no two labels read the same.
function honestTicks(u, ticks) {
  const values = ticks.filter((t) => t != null);
  const step = values.length > 1 ? Math.abs(values[1] - values[0]) : 0.01;
  const digits = Math.min(6, Math.max(2, Math.ceil(-Math.log10(step) - 1e-9)));
  return ticks.map((t) => (t == null ? '' : t.toFixed(digits)));
}
// uPlot hands the formatter null for a tick it hides for lack of room.
const logLabel = (t) => (t == null ? '' : t >= 0.01 ? String(+t.toPrecision(2)) : t.toExponential(0));

// One uPlot in a container, rebuilt on new data, resized with its container.
class Chart {
  #element;
  #plot = null;
  #options = null;
  #data = null;

  constructor(element) {
    this.#element = element;
    charts.add(this);
    byElement.set(element, this);
    new ResizeObserver(() => {
      if (this.#plot) this.#plot.setSize(this.#size());
    }).observe(element);
  }

  // Draws the last data again, e.g. in the colours of a new colour scheme.
  redraw() {
    if (this.#plot && this.#redraw) this.#redraw();
  }

  #redraw = null;

  /** Remembers how to draw the current data (with colours read afresh). */
  remember(redraw) {
    this.#redraw = redraw;
  }

  #size() {
    const width = Math.max(240, this.#element.clientWidth);
    return { width, height: width < 500 ? 220 : 280 };
  }

  // `figure` describes the drawing in data terms (ranges, series, shading),
  // for an SVG export that plots the same numbers: uPlot only draws pixels.
  draw(options, data, figure) {
    this.#plot?.destroy();
    this.#options = options;
    this.#data = data;
    this.figure = figure;
    this.#plot = new uPlot({ ...options, ...this.#size() }, data, this.#element);
  }

  /** The canvas uPlot draws on, or null when nothing is drawn. */
  get canvas() {
    return this.#plot?.ctx.canvas ?? null;
  }

  figure = null;

  clear() {
    this.#plot?.destroy();
    this.#plot = null;
    this.#redraw = null;
    this.figure = null;
  }
}

/** p and q in p/q order with one method's certificate shaded. */
export class DistributionChart extends Chart {
  update(chart, method) {
    this.remember(() => this.update(chart, method));
    const c = colours();
    const small = chart.binSize === 1 && chart.size <= 40;
    const inside = chart.certificates[method];
    const log = !small;
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
    const shade = (u) => {
      if (!inside) return;
      const { ctx } = u;
      const { top, height } = u.bbox;
      ctx.save();
      for (let b = 0; b < inside.length; b++) {
        if (inside[b] <= 0) continue;
        const from = small ? chart.x[b] - 0.5 : chart.x[b];
        const to = small ? chart.x[b] + 0.5 : Math.min(chart.size, chart.x[b] + chart.binSize);
        const left = u.valToPos(from, 'x', true);
        const right = u.valToPos(to, 'x', true);
        ctx.fillStyle = `rgba(${c.shade}, ${(0.06 + 0.12 * inside[b]).toFixed(3)})`;
        ctx.fillRect(left, top, Math.max(1, right - left), height);
      }
      ctx.restore();
    };
    const bars = small ? uPlot.paths.bars : null;
    this.draw({
      legend: { live: !small ? false : true },
      cursor: { points: { show: small } },
      scales: {
        x: small ? { time: false, range: [-0.5, chart.size - 0.5] } : { time: false, range: [0, chart.size] },
        y: log ? { distr: 3, range: () => [bottom, top] } : { range: (u, min, max) => [0, max * 1.08] },
      },
      axes: [
        {
          ...axisStyle(),
          label: small ? 'token id, in p/q order' : `rank in p/q order (${chart.size.toLocaleString('en')} tokens${chart.binSize > 1 ? `, means of ${chart.binSize}` : ''})`,
          values: small ? (u, ticks) => ticks.map((t) => (Number.isInteger(t) && chart.tokens ? String(chart.tokens[t]) : '')) : undefined,
          splits: small ? () => Array.from({ length: chart.size }, (_, i) => i) : undefined,
        },
        { ...axisStyle(), label: 'probability', size: 60,
          splits: log ? logSplits : undefined,
          filter: log ? (u, splits) => splits : undefined,
          values: (u, ticks) => ticks.map((t) => (log ? logLabel(t) : t == null ? '' : t.toFixed(2))) },
      ],
      series: [
        { label: small ? 'position' : 'rank', value: (u, v) => (v == null ? '–' : small && chart.tokens ? `token ${chart.tokens[Math.round(v)]}` : String(Math.round(v))) },
        { label: 'p (target)', stroke: c.p, width: 1.5, fill: small ? `${c.p}bf` : undefined,
          paths: small ? bars({ size: [0.36, 60], align: -1 }) : uPlot.paths.stepped({ align: 1 }), points: { show: false }, value: fmt(6) },
        { label: 'q (draft)', stroke: c.q, width: 1.5, fill: small ? `${c.q}bf` : undefined,
          paths: small ? bars({ size: [0.36, 60], align: 1 }) : uPlot.paths.stepped({ align: 1 }), points: { show: false }, value: fmt(6) },
      ],
      hooks: { drawClear: [shade] },
    }, [x, closed(clean(chart.p)), closed(clean(chart.q))], {
      xLabel: small ? 'token id, in p/q order' : `rank in p/q order (${chart.size.toLocaleString('en')} tokens${chart.binSize > 1 ? `, means of ${chart.binSize}` : ''})`,
      yLabel: 'probability',
      xRange: small ? [-0.5, chart.size - 0.5] : [0, chart.size],
      yRange: log ? [bottom, top] : [0, Math.max(high, 1e-300) * 1.08],
      yLog: log,
      xTicks: small ? Array.from({ length: chart.size }, (_, i) => ({ value: i, label: chart.tokens ? String(chart.tokens[i]) : String(i) })) : null,
      x,
      series: [
        { label: 'p (target)', stroke: c.p, kind: small ? 'bars' : 'step', bar: [-0.36, 0], values: closed(clean(chart.p)) },
        { label: 'q (draft)', stroke: c.q, kind: small ? 'bars' : 'step', bar: [0, 0.36], values: closed(clean(chart.q)) },
      ],
      shade: inside ? Array.from(inside, (share, b) => (share > 0 ? {
        from: small ? chart.x[b] - 0.5 : chart.x[b],
        to: small ? chart.x[b] + 0.5 : Math.min(chart.size, chart.x[b] + chart.binSize),
        colour: `rgb(${c.shade})`, opacity: 0.06 + 0.12 * share,
      } : null)).filter(Boolean) : [],
    });
  }
}

/** Acceptance against a swept parameter, one series per method and verifier. */
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
    const keys = Object.keys(seriesStyle).filter((key) => points.some((point) => point[key] != null));
    const sorted = [...points].sort((a, b) => a.x - b.x);
    const data = [sorted.map((point) => point.x), ...keys.map((key) => sorted.map((point) => point[key] ?? null))];
    const markLine = (u) => {
      if (marker == null) return;
      const { ctx } = u;
      const x = u.valToPos(marker, 'x', true);
      ctx.save();
      ctx.strokeStyle = c.marker;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.restore();
    };
    this.draw({
      scales: { x: { time: false }, y: { range: (u, min, max) => [Math.max(0, Math.min(min, 1) - 0.02), Math.min(1.005, max + 0.02)] } },
      axes: [
        { ...axisStyle(), label: this.#xLabel, ...(this.#integerX ? { splits: () => data[0], values: (u, ticks) => ticks.map(String) } : {}) },
        { ...axisStyle(), label: 'acceptance', size: 56, values: honestTicks },
      ],
      series: [
        { label: this.#xLabel, value: (u, v) => (v == null ? '–' : String(v)) },
        ...keys.map((key) => ({
          // The neutral series takes the axis colour, which stays visible in dark mode.
          label: seriesStyle[key].label, stroke: seriesStyle[key].stroke === '#3b4450' ? c.axis : seriesStyle[key].stroke, dash: seriesStyle[key].dash,
          width: 1.75, points: { show: true, size: 5 }, value: fmt(6), spanGaps: false,
        })),
      ],
      hooks: { drawClear: [markLine] },
    }, data, {
      xLabel: this.#xLabel, yLabel: 'acceptance', yLog: false,
      xRange: [data[0][0], data[0].at(-1)],
      yRange: (() => {
        const all = data.slice(1).flat().filter((v) => v != null);
        const min = Math.min(...all), max = Math.max(...all);
        return [Math.max(0, Math.min(min, 1) - 0.02), Math.min(1.005, max + 0.02)];
      })(),
      xTicks: this.#integerX ? data[0].map((value) => ({ value, label: String(value) })) : null,
      x: data[0],
      series: keys.map((key, k) => ({
        label: seriesStyle[key].label, stroke: seriesStyle[key].stroke === '#3b4450' ? c.axis : seriesStyle[key].stroke,
        dash: seriesStyle[key].dash, kind: 'line', values: data[k + 1],
      })),
      marker: marker ?? null,
    });
  }
}

/** Per-position alpha* counts (the summary's histograms), one stepped series per method. */
export class HistogramChart extends Chart {
  update(histograms) {
    this.remember(() => this.update(histograms));
    const methods = Object.keys(histograms).filter((method) => histograms[method]);
    if (methods.length === 0) return this.clear();
    const { bins, range: [low, high] } = histograms[methods[0]];
    const width = (high - low) / bins;
    // A closing edge so that the last bin shows as a step.
    const x = Array.from({ length: bins + 1 }, (_, b) => low + b * width);
    const series = methods.map((method) => [...histograms[method].counts, histograms[method].counts.at(-1)]);
    const most = Math.max(1, ...series.flat());
    this.draw({
      scales: { x: { time: false, range: [low, high] }, y: { range: [0, most * 1.08] } },
      axes: [
        { ...axisStyle(), label: 'α* of a position' },
        { ...axisStyle(), label: 'positions', size: 56, values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) },
      ],
      series: [
        { label: 'α*', value: (u, v) => (v == null ? '–' : `${v.toFixed(2)}–${(v + width).toFixed(2)}`) },
        ...methods.map((method) => {
          const style = seriesStyle[`optimal.${method}`] ?? { label: method, stroke: '#3b4450' };
          return {
            label: style.label, stroke: style.stroke, width: 1.5, fill: `${style.stroke}22`,
            paths: uPlot.paths.stepped({ align: 1 }), points: { show: false }, value: (u, v) => (v == null ? '–' : String(v)),
          };
        }),
      ],
    }, [x, ...series], {
      xLabel: 'α* of a position', yLabel: 'positions', yLog: false, xRange: [low, high], yRange: [0, most * 1.08], x,
      series: methods.map((method, k) => {
        const style = seriesStyle[`optimal.${method}`] ?? { label: method, stroke: '#3b4450' };
        return { label: style.label, stroke: style.stroke, kind: 'step', values: series[k] };
      }),
    });
  }
}
