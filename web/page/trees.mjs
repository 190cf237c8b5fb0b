// The Draft trees panel (README "The page", Draft trees): a sibling
// acceptance vector (typed in, computed from the inputs above at n = 1..B, or
// read from the Dataset panel's summary), a budget and a depth, optional
// costs; out come the best tree drawn, the expected tokens against the budget
// for the best tree and for chains, and exports. Its inputs go into the
// page's link (tree_* keys, link.mjs's panel keys); loaded by trees-loader.mjs.
import { $ } from './dom.mjs';
import { readJob } from './form.mjs';
import { registerPanelKeys } from './link.mjs';
import { updateHash } from './history.mjs';
import { treeSvg, treeTable, rankLegend, svgText } from './tree-drawing.mjs';
import { BudgetChart } from './tree-chart.mjs';
import { download } from './export.mjs';
import { formatValue } from './charts.mjs';

const form = $('tree-form');
const worker = new Worker(new URL('./tree-worker.mjs', import.meta.url), { type: 'module' });
const chart = new BudgetChart($('tree-budget-chart'));

// ---- inputs ------------------------------------------------------------------

/** The panel's fields at their defaults, as a new tab shows them. */
const defaults = { source: 'typed', verifier: 'rrs_without_replacement', width: '4', acceptance: '0.5, 0.3, 0.1', budget: '16', depth: '4', draftTime: '', targetTimes: '' };
const controls = {
  source: $('tree-source'), verifier: $('tree-verifier'), width: $('tree-width'), acceptance: $('tree-acceptance'),
  budget: $('tree-budget'), depth: $('tree-depth'), draftTime: $('tree-draft-time'), targetTimes: $('tree-target-times'),
};
// Each field's error slot, and the core's field names that land there.
const slots = ['source', 'width', 'acceptance', 'budget', 'depth', 'draft-time', 'target-times'];
function slotOf(field) {
  if (/^acceptance\b/.test(field)) return 'acceptance';
  if (/^(budget|depth)\b/.test(field)) return field.match(/^(budget|depth)/)[1];
  if (/^cost\.draft_time\b/.test(field)) return 'draft-time';
  if (/^cost\b/.test(field)) return 'target-times';
  if (/^max_width\b/.test(field)) return 'width';
  return 'source';
}
const controlOfSlot = { source: 'source', width: 'width', acceptance: 'acceptance', budget: 'budget', depth: 'depth', 'draft-time': 'draftTime', 'target-times': 'targetTimes' };

class FieldError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

function clearErrors() {
  for (const slot of slots) {
    $(`tree-${slot}-error`).textContent = '';
    controls[controlOfSlot[slot]].removeAttribute('aria-invalid');
  }
}

function showError(field, message) {
  const slot = slotOf(field);
  $(`tree-${slot}-error`).textContent = message;
  controls[controlOfSlot[slot]].setAttribute('aria-invalid', 'true');
}

// A number field as the core reads it: text that is no number is named here.
function numberOf(text, field) {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value)) throw new FieldError(field, `${field}: must be a number, got "${trimmed}"`);
  return value;
}

/** The typed vector: numbers separated by commas, spaces or semicolons. */
export function parseAcceptance(text) {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) throw new FieldError('acceptance', 'acceptance: give p[1], p[2], …: the chance that sibling b is the accepted one');
  return parts.map((part, k) => numberOf(part, `acceptance[${k}]`));
}

/** "1.2" (one time for every tree) or "1:1, 4:1.1, 8:1.3" (tokens:time pairs). */
export function parseTargetTimes(text) {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 1 && !parts[0].includes(':')) return { target_time: numberOf(parts[0], 'cost.target_time') };
  return {
    target_times: parts.map((part, k) => {
      const pair = part.split(':');
      if (pair.length !== 2) throw new FieldError(`cost.target_times[${k}]`, `cost.target_times[${k}]: "${part}" is not tokens:time (e.g. 4:1.1)`);
      return [numberOf(pair[0], `cost.target_times[${k}][0]`), numberOf(pair[1], `cost.target_times[${k}][1]`)];
    }),
  };
}

/** The tree request of the fields, with `acceptance` given (typed or computed). */
function treeRequest(acceptance) {
  const request = {
    acceptance,
    budget: numberOf(controls.budget.value, 'budget'),
    depth: numberOf(controls.depth.value, 'depth'),
    by_budget: true,
  };
  const draftTime = controls.draftTime.value.trim(), targetTimes = controls.targetTimes.value.trim();
  if (draftTime !== '' || targetTimes !== '') {
    request.cost = {};
    if (draftTime !== '') request.cost.draft_time = numberOf(draftTime, 'cost.draft_time');
    if (targetTimes !== '') Object.assign(request.cost, parseTargetTimes(targetTimes));
  }
  return request;
}

function syncSource() {
  const source = controls.source.value;
  $('tree-verifier-field').hidden = source === 'typed';
  $('tree-width-field').hidden = source !== 'inputs';
  controls.acceptance.readOnly = source !== 'typed';
  $('tree-acceptance-hint').textContent = source === 'typed'
    ? 'p[b]: the chance that sibling b is the accepted one; they exclude each other, so they sum to at most 1.'
    : 'Read from the source above (the sibling vector of the verifier chosen); choose “typed in” to edit it.';
}

// ---- the worker ----------------------------------------------------------------

let nextId = 0;
const pending = new Map();
worker.onmessage = ({ data }) => {
  const entry = pending.get(data.id);
  if (!entry) return;
  pending.delete(data.id);
  if (data.type === 'error') entry.reject(new FieldError(data.error.field, data.error.message));
  else entry.resolve(data);
};
worker.onerror = (event) => {
  event.preventDefault();
  $('tree-status').textContent = `The tree calculator failed to load: ${event.message ?? 'unknown error'}`;
};
function ask(message) {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...message, id });
  });
}

// ---- the vector's source -----------------------------------------------------

let datasetSummary = null;  // the Dataset panel's last complete summary
document.addEventListener('dataset-summary', (event) => {
  datasetSummary = event.detail?.summary ?? null;
  if (controls.source.value === 'dataset') computeSoon();
});

/** The source message for the worker, or null for a typed vector. */
async function vectorSource() {
  const source = controls.source.value;
  if (source === 'typed') return null;
  if (source === 'dataset') {
    if (!datasetSummary) {
      const { datasetOutput } = await import('./dataset.mjs');
      datasetSummary = datasetOutput()?.summary ?? null;
    }
    if (!datasetSummary) throw new FieldError('source', 'The Dataset panel has no summary yet: compute one there with Drafts n = 1-8 (a range from 1), then come back.');
    return { kind: 'summary', summary: datasetSummary };
  }
  let job;
  try {
    job = readJob();
  } catch (error) {
    throw new FieldError('source', `The inputs above cannot be read (${error.message}): fix them there.`);
  }
  return { kind: 'inputs', job: { target: job.target, draft: job.draft }, maxWidth: numberOf(controls.width.value, 'max_width'), verifier: controls.verifier.value };
}

function siblingOf(vector, verifier) {
  const entry = vector.sibling?.[verifier];
  if (!entry) throw new FieldError('source', `This source has no sibling vector for ${verifier}.`);
  if (entry.error) throw new FieldError('source', entry.error);
  // An estimate below 0 (a difference of noisy means) is read as 0, as mdsd tree --from does.
  return { p: entry.p.map((v) => Math.max(0, v)), note: entry.note ?? '', exact: entry.exact };
}

// ---- computing -----------------------------------------------------------------

let latest = 0;
let shown = null;  // {request, result, source, vector} on screen
let timer = null;
function computeSoon(delay = 200) {
  clearTimeout(timer);
  timer = setTimeout(compute, delay);
}

async function compute() {
  clearTimeout(timer);
  const ticket = ++latest;
  clearErrors();
  $('tree-status').textContent = 'Computing…';
  $('tree-results').classList.add('stale');  // dimmed until the new numbers come
  let source = null, vector = null, note = '';
  try {
    source = await vectorSource();
    let acceptance;
    if (source) {
      vector = (await ask({ type: 'vector', source })).vector;
      if (ticket !== latest) return;
      const sibling = siblingOf(vector, controls.verifier.value);
      acceptance = sibling.p;
      note = [sibling.note, sibling.exact ? '' : 'p is estimated (Monte Carlo, or means over positions).'].filter(Boolean).join(' ');
      controls.acceptance.value = acceptance.map((v) => String(+v.toPrecision(12))).join(', ');
    } else {
      acceptance = parseAcceptance(controls.acceptance.value);
    }
    const request = treeRequest(acceptance);
    const { result } = await ask({ type: 'tree', request });
    if (ticket !== latest) return;
    shown = { request, result, source, vector };
    render(result, note);
    $('tree-status').textContent = `Best tree: ${result.nodes} draft nodes, ${formatValue(result.expected_tokens)} expected tokens per target call.`;
  } catch (error) {
    if (ticket !== latest) return;
    showError(error.field ?? 'source', error.message);
    $('tree-status').textContent = 'No tree: see the message next to the field.';
    // No number of older inputs stays on screen.
    $('tree-results').hidden = true;
    shown = null;
  }
  updateHash();
}

// ---- on screen -------------------------------------------------------------------

function term(name, value, testid, text = formatValue(value)) {
  const dt = Object.assign(document.createElement('dt'), { textContent: name });
  const dd = document.createElement('dd');
  const number = Object.assign(document.createElement('span'), { textContent: text });
  number.dataset.testid = testid;
  number.dataset.value = String(value);
  dd.append(number);
  return [dt, dd];
}

// The drawing's room: the panel's width (the results may still be hidden).
const drawingWidth = () => Math.min(960, Math.max(240, $('trees').clientWidth - 4));

const summaryOf = (result) => `The best tree for budget ${result.budget} and depth ${result.depth}: ${formatValue(result.expected_tokens)} expected tokens per target call.`;

function render(result, note) {
  $('tree-results').hidden = false;
  $('tree-results').classList.remove('stale');
  const items = [
    ...term('Best tree', result.expected_tokens, 'tree.expected_tokens'),
    ...term('Independent chains', result.independent_chains.expected_tokens, 'tree.independent_chains.expected_tokens',
      `${formatValue(result.independent_chains.expected_tokens)} (${result.independent_chains.chains} × ${result.independent_chains.depth})`),
    ...term('One chain', result.chain.expected_tokens, 'tree.chain.expected_tokens',
      `${formatValue(result.chain.expected_tokens)} (${result.chain.nodes} nodes)`),
  ];
  if (result.time) {
    items.push(...term('Best for time: speed-up', result.time.best.speedup, 'tree.time.best.speedup',
      `${formatValue(result.time.best.speedup)} (${result.time.best.nodes} nodes, depth ${result.time.best.depth})`));
    items.push(...term('Best chain for time: speed-up', result.time.chain.speedup, 'tree.time.chain.speedup',
      `${formatValue(result.time.chain.speedup)} (${result.time.chain.nodes} nodes)`));
  }
  $('tree-numbers').replaceChildren(...items);
  $('tree-note').textContent = [note, ...(result.warnings ?? [])].filter(Boolean).join(' ');
  $('tree-drawing').replaceChildren(treeSvg(result, { summary: summaryOf(result), fit: drawingWidth() }));
  $('tree-legend').replaceChildren(rankLegend(result));
  $('tree-table').replaceChildren(treeTable(result));
  chart.update(result.by_budget);
  const computed = shown?.vector != null;
  $('tree-download-vector-json').hidden = !computed;
  $('tree-download-vector-csv').hidden = !computed;
}

// Colours follow the scheme: the drawing is drawn again (the chart redraws itself).
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  if (shown) {
    $('tree-drawing').replaceChildren(treeSvg(shown.result, { summary: summaryOf(shown.result), fit: drawingWidth() }));
    $('tree-legend').replaceChildren(rankLegend(shown.result));
  }
});

// ---- exports ---------------------------------------------------------------------

const json = (value) => new Blob([`${JSON.stringify(value, null, 1)}\n`], { type: 'application/json;charset=utf-8' });
$('tree-download-json').addEventListener('click', () => {
  if (shown) download('mdsd-tree.json', json({ request: shown.request, result: shown.result }));
});
$('tree-download-svg').addEventListener('click', () => {
  const svg = $('tree-drawing').querySelector('svg');
  if (svg) download('mdsd-tree.svg', new Blob([svgText(svg)], { type: 'image/svg+xml;charset=utf-8' }));
});
$('tree-download-vector-json').addEventListener('click', () => {
  if (shown?.vector) download('mdsd-acceptance-vector.json', json(shown.vector));
});
$('tree-download-vector-csv').addEventListener('click', async () => {
  if (!shown?.source) return;
  try {
    const { csv } = await ask({ type: 'vector', source: shown.source, format: 'csv' });
    download('mdsd-acceptance-vector.csv', new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  } catch (error) {
    showError('source', error.message);
  }
});

// ---- the link ------------------------------------------------------------------------

// tree_from, tree_v, tree_b, tree_p, tree_m, tree_d, tree_dt, tree_tt: only
// those off their defaults. A vector read from the Dataset panel travels as
// typed numbers (a link cannot carry the dataset); one computed from the
// inputs is computed again from the inputs the link carries.
const linkKeys = [['source', 'tree_from'], ['verifier', 'tree_v'], ['width', 'tree_b'], ['acceptance', 'tree_p'], ['budget', 'tree_m'],
  ['depth', 'tree_d'], ['draftTime', 'tree_dt'], ['targetTimes', 'tree_tt']];
const squeeze = (text) => text.trim().replace(/\s*[\s,;]\s*/g, ',');
registerPanelKeys({
  write(add) {
    const source = controls.source.value;
    for (const [name, key] of linkKeys) {
      let value = controls[name].value;
      if (name === 'source' && source === 'dataset') value = 'typed';
      if (name === 'acceptance' && source === 'inputs') continue;
      if ((name === 'verifier' || name === 'width') && source !== 'inputs') continue;
      if (name === 'acceptance' || name === 'targetTimes') value = squeeze(value);
      if (value.trim() !== defaults[name].replace(/\s/g, '') && value.trim() !== defaults[name]) add(key, value.trim());
    }
  },
  read(params) {
    for (const [name, key] of linkKeys) {
      const value = params.get(key);
      controls[name].value = value === null ? defaults[name] : name === 'acceptance' || name === 'targetTimes' ? value.split(',').join(', ') : value;
    }
    if (![...controls.source.options].some((option) => option.value === controls.source.value)) controls.source.value = defaults.source;
    if (![...controls.verifier.options].some((option) => option.value === controls.verifier.value)) controls.verifier.value = defaults.verifier;
    syncSource();
    compute();
  },
});

// ---- events ------------------------------------------------------------------------

form.addEventListener('submit', (event) => event.preventDefault());
form.addEventListener('input', (event) => {
  if (event.target === controls.source) syncSource();
  computeSoon(event.target.tagName === 'SELECT' ? 0 : 200);
});
// The inputs above feed a vector computed from them.
$('inputs').addEventListener('input', () => { if (controls.source.value === 'inputs') computeSoon(400); });
$('inputs').addEventListener('change', () => { if (controls.source.value === 'inputs') computeSoon(400); });
