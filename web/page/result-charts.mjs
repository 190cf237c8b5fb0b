// Feeds the result's charts (charts.mjs draws them, loaded on demand): p and
// q with a method's certificate, and acceptance against n and against the
// temperature, filled point by point as the worker's sweeps arrive.
import { $ } from './dom.mjs';
import { methodLabel } from './labels.mjs';

let distributionChart = null, draftsChart = null, temperatureChart = null;

// What is drawn: the worker's chart data, the sweep points so far, and
// the job's n and temperature (marked on the sweeps).
const state = { chart: null, sizes: null, sweeps: { drafts: [], temperature: [] }, pending: null, drafts: null, temperature: null };

// charts.mjs and uPlot are not needed for the first numbers: they load with
// the first chart data, which the worker sends after the first result.
let charts = null;
function loadCharts() {
  charts ??= import('./charts.mjs').then(({ DistributionChart, SweepChart }) => {
    distributionChart = new DistributionChart($('dist-chart'));
    draftsChart = new SweepChart($('drafts-chart'), 'drafts n', { integerX: true });
    temperatureChart = new SweepChart($('temperature-chart'), 'temperature');
    drawCharts();
  });
  return charts;
}

function drawCharts() {
  if (!distributionChart) return;
  const { chart } = state;
  if (chart) {
    const select = $('chart-method');
    const available = Object.keys(chart.certificates);
    const current = select.value;
    select.replaceChildren(...available.map((method) => new Option(methodLabel(method), method)));
    select.value = available.includes(current) ? current : (available.includes('without_replacement') ? 'without_replacement' : available[0] ?? '');
    select.disabled = available.length === 0;
    distributionChart.update(chart, select.value);
    const inside = select.value ? state.sizes?.[select.value] : undefined;
    $('dist-note').textContent = chart.binSize > 1
      ? `${chart.size.toLocaleString('en')} tokens shown as ${chart.p.length.toLocaleString('en')} bins of ${chart.binSize} (bin means, log scale); shading darkens with the share of a bin in H${inside !== undefined ? ` (|H| = ${inside.toLocaleString('en')})` : ''}.`
      : '';
  }
  if (state.sweeps.drafts.length) draftsChart.update(state.sweeps.drafts, state.drafts);
  $('temperature-figure').hidden = state.sweeps.temperature.length === 0;
  if (state.sweeps.temperature.length) {
    $('temperature-n').textContent = String(state.drafts ?? '');
    temperatureChart.update(state.sweeps.temperature, state.temperature);
  }
}
$('chart-method').addEventListener('change', drawCharts);

/** A new job: its n and temperature; its sweep points start empty (the old ones stay until its result). */
export function startCharts(job) {
  state.drafts = job.drafts;
  state.temperature = job.target.logits?.temperature ?? job.draft.logits?.temperature ?? null;
  state.pending = { drafts: [], temperature: [] };
}

/** The job's result is on screen: its certificate sizes, and its sweeps replace the old ones. */
export function resultShown(result) {
  state.sizes = Object.fromEntries(Object.entries(result.optimal ?? {}).map(([method, outcome]) => [method, outcome.certificate_size]));
  if (state.pending) state.sweeps = state.pending;
}

export function showChart(chart) {
  state.chart = chart;
  loadCharts();
  drawCharts();
}

export function addSweepPoint(kind, point) {
  state.sweeps[kind].push(point);
  loadCharts();
  drawCharts();
}

export function clearCharts() {
  state.chart = null;
  state.sizes = null;
  state.sweeps = { drafts: [], temperature: [] };
  charts?.then(() => {
    distributionChart?.clear();
    draftsChart?.clear();
    temperatureChart?.clear();
  });
  $('dist-note').textContent = '';
  $('temperature-figure').hidden = true;
}
