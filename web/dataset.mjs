// The page's Dataset panel: files (or the demo) in, a dedicated worker
// (dataset-worker.mjs) computes, the summary of `mdsd batch` out. Every
// number carries data-testid (its path in the summary JSON with the prefix
// "dataset.", e.g. "dataset.mean.optimal.greedy.alpha" or
// "dataset.sweep.1.mean.verifiers.kseq.alpha") and data-value. Only a
// complete run is shown: on cancel or error the panel shows no summary.
import { DatasetError, parseDrafts, parseTemperatures, positionsCsv } from './dataset-files.mjs';

const $ = (id) => document.getElementById(id);
const workerUrl = new URL('./dataset-worker.mjs', import.meta.url);
const demo = { positions: 64, vocab: 32000 };

const methodLabels = { with_replacement: 'with replacement (i.i.d.)', without_replacement: 'without replacement', greedy: 'greedy' };
const verifierLabels = {
  rrs_with_replacement: 'RRS, with replacement', rrs_without_replacement: 'RRS, without replacement',
  kseq: 'K-SEQ (SpecTr)', greedy: 'greedy verifier', spechub: 'SpecHub',
};

let source = null;     // {kind: 'jsonl', file} | {kind: 'npy', target, draft} | {kind: 'demo'}
let worker = null;
let runId = 0;
let running = null;    // {id, done, total, started}
let output = null;     // {summary, positions} of the last complete run
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
        : `Target: ${source.target ? `${source.target.name} (${size(source.target.size)})` : 'choose a .npy file'}; draft: ${source.draft ? `${source.draft.name} (${size(source.draft.size)})` : 'choose a .npy file'}.`;
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

// Dropped files: .npy ones are the target and the draft (by "draft" or
// "target" in the name, else in the order given), anything else JSON Lines.
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
  const npy = files.filter((file) => file.name.toLowerCase().endsWith('.npy'));
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
  const verifiers = [...document.querySelectorAll('input[name="dataset-verifier"]')].filter((box) => box.checked).map((box) => box.value);
  const settings = { drafts: drafts.length === 1 ? drafts[0] : drafts, verifiers };
  if (temperatures.length) settings.temperatures = temperatures;
  if (!source) throw new DatasetError('Choose a dataset: a JSON Lines file, two .npy files, or the demo.');
  if (source.kind === 'npy') {
    if (!source.target || !source.draft) throw new DatasetError(`Choose the ${source.target ? 'draft' : 'target'} .npy file too.`);
    const values = $('dataset-values').value;
    if (!values) throw new DatasetError('Say whether the .npy rows hold logits or probabilities.', 'values');
    if (values === 'probabilities' && temperatures.length) {
      throw new DatasetError('temperatures: apply to logits; these .npy rows hold probabilities', 'temperatures');
    }
    return { settings, job: { kind: 'npy', target: source.target, draft: source.draft, values } };
  }
  if (source.kind === 'jsonl') return { settings, job: { kind: 'jsonl', file: source.file } };
  return { settings, job: { kind: 'demo', ...demo } };
}

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
  let request;
  try {
    request = readSettings();
  } catch (error) {
    $('dataset-error').textContent = error.message;
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

function fail(message) {
  cancelRun();
  clearResults();
  $('dataset-error').textContent = message;
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
    fail(data.message);
  } else if (data.type === 'summary') {
    const seconds = (performance.now() - running.started) / 1000;
    running = null;
    showProgress(false);
    if (data.summary.complete !== true) return fail('The run did not complete: no summary.');
    output = { summary: data.summary, positions: data.positions };
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
  for (const id of ['dataset-optimal-table', 'dataset-verifiers-table', 'dataset-sweep-optimal', 'dataset-sweep-verifiers']) {
    $(id).tBodies[0].replaceChildren();
  }
  $('dataset-sweep-optimal').tHead.replaceChildren();
  $('dataset-sweep-verifiers').tHead.replaceChildren();
  $('dataset-about').replaceChildren();
  $('dataset-warnings').replaceChildren();
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
  about.append(number('dataset.positions', summary.positions, 0), ' positions, ',
    number('dataset.vocab', summary.vocab, 0), ' tokens each; complete.');
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
  $('dataset-results').hidden = false;
  setupChartControls(summary);
  drawCharts();
}

function renderSingle(mean) {
  const p = 'dataset.mean';
  $('dataset-optimal-table').tBodies[0].replaceChildren(...Object.entries(mean.optimal).map(([method, m]) => row(
    header(methodLabels[method] ?? method),
    cell(number(`${p}.optimal.${method}.alpha`, m.alpha)),
    cell(interval(`${p}.optimal.${method}.ci95`, m.ci95)),
    cell(number(`${p}.optimal.${method}.positions`, m.positions, 0)))));
  $('dataset-verifiers-table').tBodies[0].replaceChildren(...Object.entries(mean.verifiers).map(([name, v]) => {
    const acceptance = number(`${p}.verifiers.${name}.alpha`, v.alpha);
    if (v.exact === false) acceptance.title += ' (Monte Carlo estimates per position)';
    return row(
      header(`${verifierLabels[name] ?? name}${v.exact === false ? ' (estimated)' : ''}`),
      cell(acceptance),
      cell(interval(`${p}.verifiers.${name}.ci95`, v.ci95)),
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
  optimal.tHead.replaceChildren(headRow(methods.map((m) => `α* ${methodLabels[m] ?? m}`)));
  optimal.tBodies[0].replaceChildren(...sweep.map((s, k) => row(...settingCells(s, k), ...methods.map((m) => {
    const p = `dataset.sweep.${k}.mean.optimal.${m}`;
    return cell(number(`${p}.alpha`, s.mean.optimal[m].alpha), document.createElement('br'), interval(`${p}.ci95`, s.mean.optimal[m].ci95));
  }))));
  const table = $('dataset-sweep-verifiers');
  table.tHead.replaceChildren(headRow(verifiers.map((v) => verifierLabels[v] ?? v)));
  table.tBodies[0].replaceChildren(...sweep.map((s, k) => row(...settingCells(s, k), ...verifiers.map((v) => {
    const p = `dataset.sweep.${k}.mean.verifiers.${v}`;
    const m = s.mean.verifiers[v];
    const gap = document.createElement('span');
    gap.className = 'gap';
    gap.append('gap ', number(`${p}.gap`, m.gap), ' ', interval(`${p}.gap_ci95`, m.gap_ci95));
    return cell(number(`${p}.alpha`, m.alpha), ' ', interval(`${p}.ci95`, m.ci95), document.createElement('br'), gap);
  }))));
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

function pointOf(x, mean) {
  const point = { x };
  for (const [method, m] of Object.entries(mean.optimal)) point[`optimal.${method}`] = m.alpha;
  for (const [name, v] of Object.entries(mean.verifiers)) point[`verifiers.${name}`] = v.alpha;
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
