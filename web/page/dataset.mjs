// The page's Dataset panel: files (or the demo) in, a dedicated worker
// (dataset-worker.mjs) computes, the summary of `mdsd batch` out. Every
// number carries data-testid (its path in the summary JSON with the prefix
// "dataset.", e.g. "dataset.mean.optimal.greedy.alpha" or
// "dataset.sweep.1.mean.verifiers.kseq.alpha") and data-value. Only a
// complete run is shown: on cancel or error the panel shows no summary.
import { DatasetError, parseDrafts, parseTemperatures, positionsCsv } from './dataset-files.mjs';
import { parseMeasured } from './dataset-measured.mjs';
import { methodLabel, verifierLabel } from './labels.mjs';
import { rangeOf } from '../embed/values.mjs';

const $ = (id) => document.getElementById(id);
const workerUrl = new URL('./dataset-worker.mjs', import.meta.url);
const demo = { positions: 64, vocab: 32000 };


// 'npy' is any pair of files (.npy, llama.cpp logits, engine responses): the
// worker tells them apart by content.
let source = null;     // {kind: 'jsonl', file} | {kind: 'npy', target, draft} | {kind: 'demo'}
let worker = null;
let runId = 0;
let running = null;    // {id, done, total, started}
let output = null;     // {summary, positions} of the last complete run
/** The last complete run's {summary, positions}, or null (the Draft trees panel reads the summary). */
export const datasetOutput = () => output;
let charts = null;     // {histogram, drafts, temperature} once uPlot is loaded

// ---- the source --------------------------------------------------------------

// A file size as people read it: bytes below 1 kB (a 107-byte file is not "1 kB").
const size = (bytes) => {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
};

function describeSource() {
  const text = !source ? 'No dataset chosen.'
    : source.kind === 'jsonl' ? `JSON Lines: ${source.file.name} (${size(source.file.size)}).`
      : source.kind === 'demo' ? `Demo: ${demo.positions} synthetic LLM-like (target, draft) pairs, V = ${demo.vocab.toLocaleString('en')} (seeds 1–${demo.positions}), generated in your browser. Synthetic: not any model's output.`
        : `Target: ${source.target ? `${source.target.name} (${size(source.target.size)})` : 'choose a file'}; draft: ${source.draft ? `${source.draft.name} (${size(source.draft.size)})` : 'choose a file'}.`;
  $('dataset-source').textContent = text;
  $('dataset-values').disabled = source?.kind === 'jsonl' || source?.kind === 'demo';
}

function choose(kind, file) {
  if (kind === 'jsonl') source = { kind, file };
  else if (kind === 'target' || kind === 'draft') {
    if (source?.kind !== 'npy') source = { kind: 'npy', target: null, draft: null };
    source[kind] = file;
  } else source = { kind: 'demo' };
  cancelRun();
  clearResults();
  $('dataset-error').textContent = '';
  $('dataset-status').textContent = '';
  describeSource();
}

for (const [id, kind] of [['dataset-jsonl', 'jsonl'], ['dataset-target', 'target'], ['dataset-draft', 'draft']]) {
  $(id).addEventListener('change', (event) => {
    const file = event.target.files?.[0];
    if (file) choose(kind, file);
    event.target.value = '';
  });
}

// Dropped files: two (any format) or one .npy are the target and the draft
// (by "draft" or "target" in the name, else in the order given); one other
// file is JSON Lines.
const drop = $('dataset-drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  const files = [...(event.dataTransfer?.files ?? [])];
  const npy = files.length >= 2 ? files : files.filter((file) => file.name.toLowerCase().endsWith('.npy'));
  if (npy.length) {
    const draft = npy.find((file) => /draft/i.test(file.name)) ?? (npy.length > 1 ? npy[1] : null);
    const target = npy.find((file) => file !== draft && /target/i.test(file.name)) ?? npy.find((file) => file !== draft) ?? null;
    if (target) choose('target', target);
    if (draft) choose('draft', draft);
  } else if (files.length) choose('jsonl', files[0]);
});

$('dataset-demo').addEventListener('click', () => {
  choose('demo');
  start();
});

// ---- settings ----------------------------------------------------------------

function readSettings() {
  const drafts = parseDrafts($('dataset-drafts').value);
  const temperatures = parseTemperatures($('dataset-temperatures').value);
  const boxes = [...document.querySelectorAll('input[name="dataset-verifier"]')];
  const verifiers = boxes.filter((box) => box.checked).map((box) => box.value);
  const settings = { drafts: drafts.length === 1 ? drafts[0] : drafts, verifiers };
  // Every box checked: the core's own default (every verifier but the LP plan, as for
  // mdsd batch), so that a verifier the core adds is not left out by this list.
  if (verifiers.length === boxes.length) delete settings.verifiers;
  if (temperatures.length) settings.temperatures = temperatures;
  const measured = readMeasured(drafts, temperatures, verifiers);
  if (measured) settings.measured = [measured];
  if (!source) throw new DatasetError('Choose a dataset: a JSON Lines file, two .npy files, or the demo.');
  if (source.kind === 'npy') {
    if (!source.target || !source.draft) throw new DatasetError(`Choose the ${source.target ? 'draft' : 'target'} file too.`);
    const values = $('dataset-values').value;
    // Other pairs (llama.cpp logits, engine responses) are recognised by the worker.
    const npy = [source.target, source.draft].every((file) => file.name.toLowerCase().endsWith('.npy'));
    if (npy && !values) throw new DatasetError('Say whether the .npy rows hold logits or probabilities.', 'values');
    if (npy && values === 'probabilities' && temperatures.length) {
      throw new DatasetError('temperatures: apply to logits; these .npy rows hold probabilities', 'temperatures');
    }
    return { settings, job: { kind: 'npy', target: source.target, draft: source.draft, values } };
  }
  if (source.kind === 'jsonl') return { settings, job: { kind: 'jsonl', file: source.file } };
  return { settings, job: { kind: 'demo', ...demo } };
}

// ---- the measured acceptance -----------------------------------------------------

const measuredInputs = ['kind', 'rates', 'steps', 'accepted', 'drafts', 'temperature', 'verifier'];

function readMeasured(drafts, temperatures, verifiers) {
  const fields = Object.fromEntries(measuredInputs.map((key) => [key, $(`dataset-measured-${key}`).value]));
  const labels = Object.fromEntries(verifiers.concat(fields.verifier || []).map((name) => [name, verifierLabel(name)]));
  return parseMeasured(fields, { drafts, temperatures, verifiers }, labels);
}

function showMeasuredKind() {
  const counters = $('dataset-measured-kind').value === 'counters';
  $('dataset-measured-rates-field').hidden = counters;
  $('dataset-measured-steps-field').hidden = !counters;
  $('dataset-measured-accepted-field').hidden = !counters;
}

function clearMeasuredError() {
  $('dataset-measured-error').textContent = '';
  for (const key of measuredInputs) $(`dataset-measured-${key}`).removeAttribute('aria-invalid');
}

// A message about the measurement goes beside its fields, the input it names
// marked: the page's own ('measured.rates', ...) or the core's
// ("settings.measured[0].per_position[1]: ...", "measured: drafts = 5 is not a setting of the sweep").
function showMeasuredError(field, message) {
  clearMeasuredError();
  let input = /^measured\.(\w+)$/.exec(field ?? '')?.[1];
  if (!input) {
    const part = /^(?:settings\.)?measured(?:\[\d+\])?(?:\.|: )(\w+)/.exec(message)?.[1];
    input = { per_position: 'rates', steps: 'steps', accepted: 'accepted', drafts: 'drafts', temperature: 'temperature', verifier: 'verifier' }[part]
      ?? ($('dataset-measured-kind').value === 'counters' ? 'steps' : 'rates');
  }
  $('dataset-measured-error').textContent = message;
  $(`dataset-measured-${input}`).setAttribute('aria-invalid', 'true');
}

const isMeasuredError = (field, message) => /^measured\./.test(field ?? '') ||
  (field === 'settings' && /^(?:settings\.)?measured\b/.test(message));

$('dataset-measured-kind').addEventListener('change', () => {
  showMeasuredKind();
  clearMeasuredError();
});
for (const key of measuredInputs.slice(1)) $(`dataset-measured-${key}`).addEventListener('input', clearMeasuredError);
showMeasuredKind();

// ---- runs ----------------------------------------------------------------------

function showProgress(visible) {
  $('dataset-progress').hidden = !visible;
  $('dataset-run').disabled = visible;
}

function cancelRun() {
  if (!running) return null;
  const stopped = running;
  running = null;
  runId++;
  worker?.terminate();
  worker = null;
  showProgress(false);
  return stopped;
}

function start() {
  $('dataset-error').textContent = '';
  clearMeasuredError();
  let request;
  try {
    request = readSettings();
  } catch (error) {
    if (isMeasuredError(error.field, error.message)) showMeasuredError(error.field, error.message);
    else $('dataset-error').textContent = error.message;
    return;
  }
  cancelRun();
  clearResults();
  const id = ++runId;
  if (!worker) {
    worker = new Worker(workerUrl, { type: 'module' });
    worker.onmessage = ({ data }) => onMessage(data);
    worker.onerror = (event) => {
      event.preventDefault();
      fail(`The dataset worker failed: ${event.message ?? 'unknown error'}`);
    };
  }
  running = { id, done: 0, total: null, started: performance.now() };
  $('dataset-progress-bar').value = 0;
  $('dataset-progress-text').textContent = 'starting…';
  showProgress(true);
  $('dataset-status').textContent = 'Computing…';
  worker.postMessage({ type: 'run', id, settings: request.settings, source: request.job });
}

function fail(message, field = null) {
  cancelRun();
  clearResults();
  if (isMeasuredError(field, message)) showMeasuredError(field, message);
  else $('dataset-error').textContent = message;
  $('dataset-status').textContent = 'Stopped: no summary (a partial dataset is never summarised).';
  $('dataset').classList.add('failed');
}

function onMessage(data) {
  if (!running || data.id !== running.id) return;
  if (data.type === 'progress') {
    running.done = data.done;
    running.total = data.total;
    const bar = $('dataset-progress-bar');
    if (data.fraction === null) bar.removeAttribute('value');
    else bar.value = data.fraction;
    const text = data.total ? `${data.done.toLocaleString('en')} / ${data.total.toLocaleString('en')} positions`
      : `${data.done.toLocaleString('en')} positions, ${Math.floor(100 * data.fraction)}% of the file`;
    $('dataset-progress-text').textContent = text;
    bar.setAttribute('aria-valuetext', text);
  } else if (data.type === 'error') {
    fail(data.message, data.field);
  } else if (data.type === 'summary') {
    const seconds = (performance.now() - running.started) / 1000;
    running = null;
    showProgress(false);
    if (data.summary.complete !== true) return fail('The run did not complete: no summary.');
    output = { summary: data.summary, positions: data.positions };
    document.dispatchEvent(new CustomEvent('dataset-summary', { detail: output }));
    $('dataset-status').textContent = `Complete: ${data.summary.positions.toLocaleString('en')} positions in ${seconds.toFixed(1)} s.` +
      (data.positions === null ? ` No per-position downloads (${data.perPositionNote}); mdsd batch --per-position writes them.` : '');
    $('dataset-download-csv').disabled = $('dataset-download-json').disabled = data.positions === null;
    render(data.summary);
  }
}

$('dataset-form').addEventListener('submit', (event) => {
  event.preventDefault();
  start();
});

$('dataset-cancel').addEventListener('click', () => {
  const stopped = cancelRun();
  if (!stopped) return;
  clearResults();
  $('dataset-status').textContent = `Cancelled after ${stopped.done.toLocaleString('en')}${stopped.total ? ` of ${stopped.total.toLocaleString('en')}` : ''} positions: no summary (a partial dataset is never summarised).`;
});

// ---- rendering -----------------------------------------------------------------

function clearResults() {
  output = null;
  $('dataset').classList.remove('failed');
  $('dataset-results').hidden = true;
  for (const id of ['dataset-optimal-table', 'dataset-verifiers-table', 'dataset-sweep-optimal', 'dataset-sweep-verifiers', 'dataset-measured-table']) {
    $(id).tBodies[0].replaceChildren();
  }
  $('dataset-sweep-optimal').tHead.replaceChildren();
  $('dataset-sweep-verifiers').tHead.replaceChildren();
  $('dataset-about').replaceChildren();
  $('dataset-warnings').replaceChildren();
  $('dataset-measured-results').hidden = true;
  $('dataset-measured-about').replaceChildren();
  $('dataset-measured-notes').replaceChildren();
  $('dataset-histogram-note').textContent = '';
  if (charts) for (const chart of Object.values(charts)) chart.clear();
}

function number(testid, value, digits = 6, tag = 'span') {
  const element = document.createElement(tag);
  if (value === null || value === undefined) {
    element.textContent = '–';
    element.title = 'no position gives a value';
    return element;
  }
  element.dataset.testid = testid;
  element.dataset.value = String(value);
  element.title = String(value);
  element.textContent = digits === 0 ? value.toLocaleString('en') : digits === null ? String(value)
    : Math.abs(value) < 1e-4 && value !== 0 ? value.toExponential(2) : value.toFixed(digits);
  return element;
}

// A mean acceptance: one number, or, where the core bounds alpha* by an
// interval (mean.optimal.<method>.interval), both ends of the mean interval.
function acceptance(prefix, mean) {
  const range = rangeOf(mean);
  if (!range || range.point) return number(`${prefix}.alpha`, range?.low);
  const span = document.createElement('span');
  span.className = 'bounds';
  span.append(number(`${prefix}.interval.0`, range.low), ' – ', number(`${prefix}.interval.1`, range.high));
  return span;
}

function cell(...children) {
  const td = document.createElement('td');
  td.className = 'number';
  td.append(...children);
  return td;
}

function interval(testid, bounds) {
  const span = document.createElement('span');
  span.className = 'interval';
  if (!Array.isArray(bounds) || bounds[0] === null) {
    span.textContent = '–';
    span.title = 'needs at least two positions';
    return span;
  }
  span.append('[', number(`${testid}.0`, bounds[0]), ', ', number(`${testid}.1`, bounds[1]), ']');
  return span;
}

// The 95% interval of a mean: ci95, or, for a mean interval, interval_ci95
// (the lower 95% end of its low end to the upper of its high end).
function spread(prefix, mean) {
  return mean && 'interval_ci95' in mean ? interval(`${prefix}.interval_ci95`, mean.interval_ci95) : interval(`${prefix}.ci95`, mean?.ci95);
}

function header(text) {
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = text;
  return th;
}

function row(...cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

const temperatureText = (t) => (t === null ? 'as given' : String(t));

function settingsOf(summary) {
  return summary.sweep ?? [{ drafts: summary.drafts, temperature: summary.temperature, mean: summary.mean }];
}

function render(summary) {
  const about = $('dataset-about');
  const single = !summary.sweep;
  about.append(number('dataset.positions', summary.positions, 0), ' positions, ');
  // Positions may differ in vocabulary (JSON Lines), or not state one (partial lists).
  const range = summary.vocab_range;
  if (summary.vocab !== null) about.append(number('dataset.vocab', summary.vocab, 0), ' tokens each');
  else if (Array.isArray(range)) {
    about.append('vocabularies of ', number('dataset.vocab_range.0', range[0], 0), ' to ', number('dataset.vocab_range.1', range[1], 0),
      ' tokens (of the positions that state one)');
  } else about.append('vocabulary not stated (partial lists)');
  about.append('; complete.');
  if (single) {
    about.append(' Drafts n = ', number('dataset.drafts', summary.drafts, 0), ', temperature ');
    about.append(summary.temperature === null ? 'as given' : number('dataset.temperature', summary.temperature, null));
    about.append('.');
  } else {
    about.append(` A sweep over ${summary.sweep.length} settings.`);
  }
  $('dataset-single').hidden = !single;
  $('dataset-sweep').hidden = single;
  if (single) renderSingle(summary.mean);
  else renderSweep(summary.sweep);
  $('dataset-warnings').replaceChildren(...(summary.warnings ?? []).map((text) => Object.assign(document.createElement('li'), { textContent: text })));
  renderMeasured(summary);
  $('dataset-results').hidden = false;
  setupChartControls(summary);
  drawCharts();
}

function renderSingle(mean) {
  const p = 'dataset.mean';
  $('dataset-optimal-table').tBodies[0].replaceChildren(...Object.entries(mean.optimal).map(([method, m]) => row(
    header(methodLabel(method)),
    cell(acceptance(`${p}.optimal.${method}`, m)),
    cell(spread(`${p}.optimal.${method}`, m)),
    cell(number(`${p}.optimal.${method}.positions`, m.positions, 0)))));
  $('dataset-verifiers-table').tBodies[0].replaceChildren(...Object.entries(mean.verifiers).map(([name, v]) => {
    const mean = acceptance(`${p}.verifiers.${name}`, v);
    if (v.exact === false) mean.title += ' (Monte Carlo estimates per position)';
    return row(
      header(`${verifierLabel(name)}${v.exact === false ? ' (estimated)' : ''}`),
      cell(mean),
      cell(spread(`${p}.verifiers.${name}`, v)),
      cell(number(`${p}.verifiers.${name}.gap`, v.gap)),
      cell(interval(`${p}.verifiers.${name}.gap_ci95`, v.gap_ci95)),
      cell(number(`${p}.verifiers.${name}.positions`, v.positions, 0)));
  }));
}

function temperatureCell(temperature, testid) {
  const td = document.createElement('td');
  td.append(temperature === null ? 'as given' : number(testid, temperature, null));
  return td;
}

function renderSweep(sweep) {
  const methods = Object.keys(sweep[0].mean.optimal);
  const verifiers = Object.keys(sweep[0].mean.verifiers);
  const headRow = (labels) => row(...['n', 'temperature', ...labels].map((text, k) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.className = k === 1 ? '' : 'number';
    th.textContent = text;
    return th;
  }));
  const settingCells = (s, k) => [
    cell(number(`dataset.sweep.${k}.drafts`, s.drafts, 0)),
    temperatureCell(s.temperature, `dataset.sweep.${k}.temperature`),
  ];
  const optimal = $('dataset-sweep-optimal');
  optimal.tHead.replaceChildren(headRow(methods.map((m) => `α* ${methodLabel(m)}`)));
  optimal.tBodies[0].replaceChildren(...sweep.map((s, k) => row(...settingCells(s, k), ...methods.map((m) => {
    const p = `dataset.sweep.${k}.mean.optimal.${m}`;
    return cell(acceptance(p, s.mean.optimal[m]), document.createElement('br'), spread(p, s.mean.optimal[m]));
  }))));
  const table = $('dataset-sweep-verifiers');
  table.tHead.replaceChildren(headRow(verifiers.map((v) => verifierLabel(v))));
  table.tBodies[0].replaceChildren(...sweep.map((s, k) => row(...settingCells(s, k), ...verifiers.map((v) => {
    const p = `dataset.sweep.${k}.mean.verifiers.${v}`;
    const m = s.mean.verifiers[v];
    const gap = document.createElement('span');
    gap.className = 'gap';
    // Each value with its interval may go to its own line: the table reflows before it scrolls.
    const gapValue = Object.assign(document.createElement('span'), { className: 'keep' });
    gapValue.append('gap ', number(`${p}.gap`, m.gap));
    gap.append(gapValue, ' ', interval(`${p}.gap_ci95`, m.gap_ci95));
    return cell(acceptance(p, m), ' ', spread(p, m), document.createElement('br'), gap);
  }))));
}

// ---- the measured acceptance beside the bound -------------------------------------

// A computed value (alpha*, or a verifier's exact acceptance) beside the
// measurement, with the gap (computed - measured): numbers, or intervals
// where the core bounds alpha* by one.
function comparedCells(prefix, entry) {
  const range = rangeOf(entry);
  const computed = range && !range.point
    ? acceptance(prefix, entry)
    : number(`${prefix}.alpha`, range?.low ?? null);
  let gap;
  if (Array.isArray(entry?.gap)) {
    gap = document.createElement('span');
    gap.className = 'bounds';
    gap.append(number(`${prefix}.gap.0`, entry.gap[0]), ' – ', number(`${prefix}.gap.1`, entry.gap[1]));
  } else gap = number(`${prefix}.gap`, entry?.gap ?? null);
  return [cell(computed), cell(gap)];
}

function renderMeasured(summary) {
  const entries = summary.measured ?? [];
  $('dataset-measured-results').hidden = entries.length === 0;
  if (!entries.length) return;
  const settings = settingsOf(summary);
  const estimated = (c, name) => settings.find((s) => s.drafts === c.drafts && s.temperature === c.temperature)?.mean.verifiers[name]?.exact === false;
  const about = $('dataset-measured-about');
  const rows = [];
  const notes = [];
  const several = entries.reduce((count, entry) => count + entry.comparisons.length, 0) > 1;
  entries.forEach((entry, k) => {
    const p = `dataset.measured.${k}`;
    const line = document.createElement('span');
    line.className = 'measured-line';
    line.append(entries.length > 1 ? `Measurement ${k + 1}, per draft position, position 1 first: ` : 'Measured per draft position, position 1 first: ');
    entry.per_position.forEach((rate, i) => line.append(i ? ', ' : '', number(`${p}.per_position.${i}`, rate)));
    if (entry.per_position.length > 1) {
      line.append(' (given the position before: ');
      entry.conditional.forEach((rate, i) => line.append(i ? ', ' : '', number(`${p}.conditional.${i}`, rate)));
      line.append(')');
    }
    line.append('. Position 1 is compared. For ');
    line.append(...(entry.drafts !== undefined ? ['n = ', number(`${p}.drafts`, entry.drafts, 0)] : ['every n']));
    line.append(', ');
    line.append(...(entry.temperature !== undefined ? ['temperature ', number(`${p}.temperature`, entry.temperature, null)] : ['every temperature']));
    line.append(entry.verifier ? `; the engine's verifier: ${verifierLabel(entry.verifier)}.` : '; every verifier computed.');
    about.append(line, ' ');
    entry.comparisons.forEach((c, j) => {
      const q = `${p}.comparisons.${j}`;
      // On a phone the n and temperature columns give way to a line above the row's name (CSS, not in the export).
      const start = () => [
        Object.assign(cell(number(`${q}.drafts`, c.drafts, 0)), { className: 'number setting-col' }),
        Object.assign(temperatureCell(c.temperature, `${q}.temperature`), { className: 'setting-col' }),
      ];
      const rowName = (text) => {
        const th = header(text);
        if (several) th.dataset.setting = `n = ${c.drafts}, temperature ${temperatureText(c.temperature)}`;
        return th;
      };
      // The same for each row: on a phone only in the line above (the export keeps the column).
      const measured = () => Object.assign(cell(number(`${q}.measured`, c.measured)), { className: 'number measured-col' });
      for (const [method, m] of Object.entries(c.optimal)) {
        const [computed, gap] = comparedCells(`${q}.optimal.${method}`, m);
        rows.push(row(...start(), rowName(`α* ${methodLabel(method)}`), computed, measured(), gap));
      }
      for (const [name, v] of Object.entries(c.verifiers)) {
        const label = `${verifierLabel(name)}${estimated(c, name) ? ' (estimated)' : ''}`;
        const [computed, gap] = comparedCells(`${q}.verifiers.${name}`, v);
        rows.push(row(...start(), rowName(label), computed, measured(), gap));
      }
      // The measurement above alpha* of every method: not these distributions.
      const highs = Object.values(c.optimal).map((m) => rangeOf(m)?.high).filter((v) => typeof v === 'number');
      if (highs.length && highs.every((high) => high < c.measured - 1e-12)) {
        notes.push(`At n = ${c.drafts}, temperature ${temperatureText(c.temperature)}: the measured ${c.measured} is above α* of every draft sampling method ` +
          '(at most ' + Math.max(...highs).toFixed(6) + '): no lossless verifier accepts that often on these distributions, so the engine drew from others ' +
          '(another temperature, top-k or top-p, other text) or counted something else than single-step acceptance.');
      }
    });
  });
  $('dataset-measured-table').tBodies[0].replaceChildren(...rows);
  $('dataset-measured-notes').replaceChildren(...notes.map((text) => Object.assign(document.createElement('li'), { textContent: text })));
}

// ---- charts ----------------------------------------------------------------------

function fillSelect(select, values, label) {
  select.replaceChildren(...values.map((value) => new Option(label(value), String(value))));
  select.hidden = values.length < 2;
}

function setupChartControls(summary) {
  const settings = settingsOf(summary);
  const temperatures = [...new Set(settings.map((s) => s.temperature))];
  const drafts = [...new Set(settings.map((s) => s.drafts))];
  fillSelect($('dataset-histogram-setting'), settings.map((s, k) => k),
    (k) => `n = ${settings[k].drafts}, temperature ${temperatureText(settings[k].temperature)}`);
  fillSelect($('dataset-drafts-at'), temperatures, (t) => `temperature ${temperatureText(t)}`);
  fillSelect($('dataset-temperature-at'), drafts, (n) => `n = ${n}`);
  $('dataset-drafts-figure').hidden = drafts.length < 2;
  $('dataset-temperature-figure').hidden = temperatures.length < 2;
}

// A mean as the chart takes it: a number, an interval {low, high} (drawn as
// a band), or null where no position gives a value.
const plotted = (mean) => {
  const range = rangeOf(mean);
  return !range ? null : range.point ? range.low : { low: range.low, high: range.high };
};

function pointOf(x, mean) {
  const point = { x };
  for (const [method, m] of Object.entries(mean.optimal)) point[`optimal.${method}`] = plotted(m);
  for (const [name, v] of Object.entries(mean.verifiers)) point[`verifiers.${name}`] = plotted(v);
  return point;
}

async function drawCharts() {
  if (!output) return;
  if (!charts) {
    const { HistogramChart, SweepChart } = await import('./charts.mjs');
    charts ??= {
      histogram: new HistogramChart($('dataset-histogram')),
      drafts: new SweepChart($('dataset-drafts-chart'), 'drafts n', { integerX: true }),
      temperature: new SweepChart($('dataset-temperature-chart'), 'temperature'),
    };
  }
  if (!output) return;
  const settings = settingsOf(output.summary);
  const shown = settings[Number($('dataset-histogram-setting').value) || 0];
  charts.histogram.update(Object.fromEntries(Object.entries(shown.mean.optimal).map(([m, v]) => [m, v.histogram])));
  // A method bounded by an interval has no histogram of single values: say so.
  const bounded = Object.entries(shown.mean.optimal).filter(([, v]) => !v.histogram && rangeOf(v)).map(([m]) => methodLabel(m));
  $('dataset-histogram-note').textContent = bounded.length
    ? `No histogram for ${bounded.join(', ')}: ${bounded.length > 1 ? 'their' : 'its'} α* is an interval at some positions (partial lists), shown in the tables.` : '';
  const atTemperature = $('dataset-drafts-at').value;
  if (!$('dataset-drafts-figure').hidden) {
    charts.drafts.update(settings.filter((s) => String(s.temperature) === atTemperature).map((s) => pointOf(s.drafts, s.mean)));
  }
  const atDrafts = Number($('dataset-temperature-at').value);
  if (!$('dataset-temperature-figure').hidden) {
    charts.temperature.update(settings.filter((s) => s.drafts === atDrafts).map((s) => pointOf(s.temperature, s.mean)));
  }
}
for (const id of ['dataset-histogram-setting', 'dataset-drafts-at', 'dataset-temperature-at']) $(id).addEventListener('change', drawCharts);

// ---- downloads -------------------------------------------------------------------

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const baseName = () => (source?.kind === 'jsonl' ? source.file.name.replace(/\.[^.]*$/, '')
  : source?.kind === 'npy' ? source.target.name.replace(/\.[^.]*$/, '') : 'demo');

$('dataset-download-csv').addEventListener('click', () => {
  if (output?.positions) download(`${baseName()}-positions.csv`, positionsCsv(output.positions), 'text/csv');
});
$('dataset-download-json').addEventListener('click', () => {
  if (output?.positions) download(`${baseName()}-positions.json`, `${JSON.stringify(output.positions)}\n`, 'application/json');
});
$('dataset-download-summary').addEventListener('click', () => {
  if (output) download(`${baseName()}-summary.json`, `${JSON.stringify(output.summary, null, 1)}\n`, 'application/json');
});

describeSource();
