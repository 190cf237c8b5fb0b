// The Draft trees panel's chart: expected tokens per target call against the
// budget of draft nodes, for the best tree, the best independent chains and
// one chain (the tree result's by_budget lists). Drawn by charts.mjs's Chart,
// so it has the same legend of buttons, data table and PNG/SVG export as the
// page's other charts.
import { Chart, colours, axisStyle, drawMarkers, honestTicks, integerTicks, formatValue } from './charts.mjs';

// Okabe–Ito hues with a dash and a marker each, as charts.mjs draws its series.
const budgetSeries = [
  { key: 'best', label: 'best tree', hue: 'blue', marker: 'circle', hollow: true, width: 3 },
  { key: 'independent_chains', label: 'independent chains', hue: 'vermillion', dash: [8, 4], marker: 'square', width: 2 },
  { key: 'chain', label: 'one chain', hue: 'green', dash: [2, 3], marker: 'triangle', width: 2 },
];

/** update(byBudget): {best, chain, independent_chains}, each a list over budgets 0..M. */
export class BudgetChart extends Chart {
  update(byBudget) {
    this.remember(() => this.update(byBudget));
    const c = colours();
    const x = byBudget.best.map((_, m) => m);
    const data = [x, ...budgetSeries.map(({ key }) => byBudget[key])];
    const all = data.slice(1).flat();
    const low = Math.min(...all), high = Math.max(...all);
    const pad = Math.max(0.04 * (high - low), 0.01);
    const yRange = [Math.max(0, low - pad), high + pad];
    // Markers only where they can be told apart.
    const withMarkers = x.length <= 65;
    const stroke = (style) => c[style.hue] ?? c.ink;
    const markers = (u) => {
      if (!withMarkers) return;
      budgetSeries.forEach((style, k) => { if (u.series[k + 1].show) drawMarkers(u, k + 1, style, stroke(style), c.page); });
    };
    this.draw({
      scales: { x: { time: false, range: [0, Math.max(1, x.length - 1)] }, y: { range: () => yRange } },
      axes: [
        { ...axisStyle(), label: 'budget: draft nodes M', values: integerTicks },
        { ...axisStyle(), label: 'expected tokens per call', size: 60, values: honestTicks },
      ],
      series: [
        { label: 'budget' },
        ...budgetSeries.map((style) => ({ label: style.label, stroke: stroke(style), dash: style.dash, width: style.width, points: { show: false } })),
      ],
      hooks: { draw: [markers] },
    }, data, {
      xLabel: 'budget: draft nodes M', yLabel: 'expected tokens per call', yLog: false,
      xRange: [0, Math.max(1, x.length - 1)], yRange, xTicks: null, x, marker: null,
      series: budgetSeries.map((style, k) => ({
        label: style.label, stroke: stroke(style), dash: style.dash, marker: withMarkers ? style.marker : null, hollow: !!style.hollow,
        kind: 'line', values: data[k + 1],
      })),
    }, {
      keys: budgetSeries.map((style, k) => ({
        label: style.label, kind: 'line', colour: stroke(style), dash: style.dash, marker: style.marker, hollow: style.hollow,
        width: style.width, series: k + 1, value: (idx) => formatValue(data[k + 1][idx]),
      })),
      at: (idx) => `at most ${x[idx]} draft node${x[idx] === 1 ? '' : 's'}`,
      initial: x.length - 1,
      hint: 'the budget asked; hover or tap the chart for others',
      table: () => ({
        caption: 'Expected tokens per target call with at most M draft nodes',
        columns: ['budget M', ...budgetSeries.map((style) => style.label)],
        rows: x.map((m) => [String(m), ...budgetSeries.map(({ key }) => formatValue(byBudget[key][m]))]),
      }),
    });
  }
}
