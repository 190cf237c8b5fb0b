// The calculator page: reads the inputs, asks the worker, shows the result.
// Every number of the result carries data-testid (its key in the result JSON,
// e.g. "optimal.greedy.alpha") and data-value (full precision); derived
// numbers use the prefix "tokens." (expected tokens per target call).
import { InputError, parseNumbers, parseFile, parseNumberField, tokensPerCall, speedUp } from './inputs.mjs';
import { termButton } from './terms.mjs';
import { setupExports } from './export.mjs';

// The worker first: loading the WebAssembly module is the longest step.
const workerUrl = new URL('./worker.mjs', import.meta.url);
let worker = null;
let features = null;          // {verifiers, simulate} once the worker is ready
let running = null;           // {id, lastMessage} of the job in flight
function startWorker() {
  worker = new Worker(workerUrl, { type: 'module' });
  worker.onmessage = ({ data }) => onWorkerMessage(data);
  worker.onerror = (event) => {
    event.preventDefault();
    showRequestError(`The calculator failed to load: ${event.message ?? 'unknown error'}`);
  };
}
startWorker();

const charts = import('./charts.mjs');
const exampleRequest = fetch(new URL('./examples/builtin.json', import.meta.url)).then((response) => response.json());

const $ = (id) => document.getElementById(id);
const form = $('inputs');
const methods = ['with_replacement', 'without_replacement', 'greedy'];
const methodLabels = {
  with_replacement: 'with replacement (i.i.d.)',
  without_replacement: 'without replacement',
  greedy: 'greedy',
};
const verifierLabels = {
  rrs_with_replacement: 'RRS, with replacement',
  rrs_without_replacement: 'RRS, without replacement',
  kseq: 'K-SEQ (SpecTr)',
  greedy: 'greedy verifier',
  spechub: 'SpecHub',
  optimal_lp: 'optimal (LP plan)',
};
const sweepDrafts = [1, 2, 3, 4, 5, 6, 7, 8];
const sweepTemperatures = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1, 1.2, 1.5, 2];
const syntheticVocab = 152064;
// Longer inputs are kept as arrays (shown as a summary), not as text.
const textLimit = 5000;
// GLPK's time grows quickly with the vocabulary (a minute at 20,000 tokens):
// above this size the page leaves the LP out and says so.
const lpVocabLimit = 2000;
// Longer inputs are left out of the link.
const linkLimit = 4096;

const theoryRows = [
  [[0.3, 0.4, 0.3], [0.6, 0.3, 0.1], 2],
  [[0.3, 0.4, 0.3], [0.6, 0.3, 0.1], 3],
  [[0.5, 0.3, 0.2], [0.2, 0.3, 0.5], 2],
  [[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1], 3],
  [[0.6, 0.2, 0.1, 0.05, 0.05], [0.3, 0.3, 0.2, 0.1, 0.1], 2],
  [[0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1], 2],
];
const presets = {
  equal: { target: [0.4, 0.3, 0.2, 0.1], draft: [0.4, 0.3, 0.2, 0.1], drafts: 3 },
  peaked: { target: [0.9, 0.05, 0.025, 0.015, 0.01], draft: [0.72, 0.14, 0.07, 0.04, 0.03], drafts: 2 },
  flat: { target: [0.15, 0.14, 0.13, 0.12, 0.12, 0.12, 0.11, 0.11], draft: [0.11, 0.11, 0.12, 0.12, 0.12, 0.13, 0.14, 0.15], drafts: 3 },
  ...Object.fromEntries(theoryRows.map(([target, draft, drafts], i) => [`theory-${i + 1}`, { target, draft, drafts }])),
};

// ---- inputs --------------------------------------------------------------

// A distribution given as an array rather than text: a large file or the
// synthetic pair. {label, values} or {label, synthetic: {vocab, seed}}.
const loaded = { target: null, draft: null };

const numberText = (values) => Array.from(values, (v) => (v === -Infinity ? '-inf' : String(v))).join(', ');

function setText(field, values) {
  loaded[field] = null;
  form[field].value = numberText(values);
  showLoaded(field);
}

function setLoaded(field, entry) {
  if (entry.values && entry.values.length <= textLimit) return setText(field, entry.values);
  loaded[field] = entry;
  form[field].value = '';
  showLoaded(field);
}

function showLoaded(field) {
  const box = $(`${field}-loaded`);
  box.hidden = loaded[field] === null;
  form[field].hidden = loaded[field] !== null;
  if (loaded[field]) {
    box.querySelector('span').textContent = loaded[field].label;
    box.querySelector('button').textContent = loaded[field].synthetic ? 'Clear' : 'Edit as text';
  }
}

function fieldKind(field) {
  return $(`${field}-kind`).value;
}

// The fields are text inputs read strictly (inputs.mjs): a number input
// would read "0,7" as 7 and "abc" as empty, and compute from that.
const numberFields = {
  drafts: { integer: true, min: 1, max: 64 },
  temperature: { above: 0 },  // shown as 1 by default: empty is a misread, not 1
  top_k: { integer: true, min: 1, optional: true },
  top_p: { above: 0, max: 1, optional: true },
  samples: { integer: true, min: 1, max: 100000000 },
  depth: { integer: true, min: 0, max: 64 },
  cost: { min: 0 },
  seed: { integer: true, min: 0, max: 2 ** 53 },
};

function readNumberField(name) {
  return parseNumberField(form[name].value, name, numberFields[name]);
}

function readSampling() {
  const temperature = readNumberField('temperature');
  const top_k = readNumberField('top_k');
  const top_p = readNumberField('top_p');
  return { temperature: temperature ?? 1, top_k, top_p };
}

function readDistribution(field, sampling) {
  const entry = loaded[field];
  if (entry?.synthetic) return { synthetic: entry.synthetic };
  const values = entry ? entry.values : Float64Array.from(parseNumbers(form[field].value, field));
  if (fieldKind(field) === 'logits') {
    const out = { logits: values, temperature: sampling.temperature };
    if (sampling.top_k !== undefined) out.top_k = sampling.top_k;
    if (sampling.top_p !== undefined) out.top_p = sampling.top_p;
    return out;
  }
  return { values };
}

function checkedValues(name) {
  return [...form.querySelectorAll(`input[name="${name}"]`)].filter((box) => box.checked).map((box) => box.value);
}

function readJob() {
  const anyLogits = ['target', 'draft'].some((field) => fieldKind(field) === 'logits' && !loaded[field]?.synthetic);
  const sampling = anyLogits ? readSampling() : {};
  const job = {
    target: readDistribution('target', sampling),
    draft: readDistribution('draft', sampling),
    drafts: readNumberField('drafts'),
    lp: form.lp.checked,
    methods: checkedValues('method'),
    sweeps: { drafts: sweepDrafts, temperatures: anyLogits ? sweepTemperatures : [] },
  };
  const vocab = (entry) => entry.synthetic?.vocab ?? (entry.logits ?? entry.values).length;
  const size = Math.max(vocab(job.target), vocab(job.draft));
  job.lpSkipped = job.lp && size > lpVocabLimit;
  if (job.lpSkipped) job.lp = false;
  $('lp-note').textContent = job.lpSkipped
    ? `Not run above ${lpVocabLimit.toLocaleString('en')} tokens (GLPK would take minutes); the fast α* is exact.`
    : '';
  if (job.methods.length === 0) throw new InputError('methods', 'methods: choose at least one draft sampling method');
  if (job.methods.length === methods.length) delete job.methods;
  // The LP-plan verifier solves an LP: it goes with the LP toggle.
  if (features?.verifiers) job.verifiers = checkedValues('verifier').filter((name) => name !== 'optimal_lp' || job.lp);
  if (features?.simulate && form.simulate.checked) {
    job.simulate = { samples: readNumberField('samples'), seed: 1 };
  }
  return job;
}

// Depth and cost only change derived numbers: a bad one blanks those
// numbers (and says why next to its field), the rest of the result stands.
function readDerivedField(name) {
  try {
    const value = readNumberField(name);
    $(`${name}-error`).textContent = '';
    form[name].removeAttribute('aria-invalid');
    return value;
  } catch (error) {
    $(`${name}-error`).textContent = error.message;
    form[name].setAttribute('aria-invalid', 'true');
    return null;
  }
}

const readDepth = () => readDerivedField('depth');
const readCost = () => readDerivedField('cost');

// ---- the link ------------------------------------------------------------

// The inputs as a hash: #target=0.3,0.4,0.3&draft=0.6,0.3,0.1&drafts=2.
// Returns {hash, complete}: arrays over linkLimit values are left out.
function currentHash() {
  const parts = [];
  let complete = true;
  const add = (key, value) => parts.push(`${key}=${encodeURIComponent(value).replace(/%2C/g, ',')}`);
  const synthetic = loaded.target?.synthetic;
  if (synthetic) {
    add('synthetic', synthetic.vocab);
    add('seed', synthetic.seed);
  } else {
    for (const field of ['target', 'draft']) {
      const key = fieldKind(field) === 'logits' ? `${field}_logits` : field;
      let values;
      if (loaded[field]) values = loaded[field].values;
      else {
        try { values = parseNumbers(form[field].value, field); } catch { values = null; }
      }
      if (values === null) add(key, form[field].value.trim().replace(/\s*[\s,;]\s*/g, ','));
      else if (values.length > linkLimit) complete = false;
      else add(key, Array.from(values, (v) => (v === -Infinity ? '-inf' : String(v))).join(','));
    }
  }
  add('drafts', form.drafts.value.trim());
  if (['target', 'draft'].some((field) => fieldKind(field) === 'logits')) {
    if (form.temperature.value.trim() !== '') add('temperature', form.temperature.value.trim());
    if (form.top_k.value.trim() !== '') add('top_k', form.top_k.value.trim());
    if (form.top_p.value.trim() !== '') add('top_p', form.top_p.value.trim());
  }
  const chosen = checkedValues('method');
  if (chosen.length !== methods.length) add('methods', chosen.join(','));
  if (features?.verifiers) {
    const verifiers = checkedValues('verifier');
    if (verifiers.length !== form.querySelectorAll('input[name="verifier"]').length) add('verifiers', verifiers.join(','));
  }
  add('lp', form.lp.checked ? 1 : 0);
  if (features?.simulate && form.simulate.checked) add('simulate', form.samples.value.trim());
  add('d', form.depth.value.trim());
  add('c', form.cost.value.trim());
  if (document.body.classList.contains('compact')) add('view', 'compact');
  return { hash: `#${parts.join('&')}`, complete };
}

// Every input as the page's markup sets it (verifier boxes: all checked).
function resetInputs() {
  for (const element of form.elements) {
    if (element.type === 'checkbox') element.checked = element.defaultChecked;
    else if (element.tagName === 'SELECT') for (const option of element.options) option.selected = option.defaultSelected;
    else if (element.tagName === 'TEXTAREA' || (element.tagName === 'INPUT' && element.type !== 'file')) element.value = element.defaultValue;
  }
  for (const field of ['target', 'draft']) {
    loaded[field] = null;
    showLoaded(field);
  }
  pendingVerifiers = null;
  $('seed-field').hidden = true;
}

// Applies a hash; false when it holds no distribution. A link defines the
// whole state: a key the hash does not give is at its default (as when the
// link is opened in a new tab), never left as the previous hash set it.
function applyHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const list = (key) => params.get(key).split(/[\s,]+/).filter(Boolean).join(', ');
  resetInputs();
  document.body.classList.toggle('compact', params.get('view') === 'compact');
  let found = false;
  if (params.has('synthetic')) {
    const vocab = Number(params.get('synthetic'));
    const seed = Number(params.get('seed') ?? 1);
    applySynthetic(Number.isInteger(vocab) && vocab > 0 ? vocab : syntheticVocab, seed);
    found = true;
  } else {
    for (const field of ['target', 'draft']) {
      for (const [key, kind] of [[field, 'probabilities'], [`${field}_logits`, 'logits']]) {
        if (!params.has(key)) continue;
        form[field].value = list(key);
        $(`${field}-kind`).value = kind;
        found = true;
      }
    }
    setPreset('custom');
  }
  if (params.has('drafts')) form.drafts.value = params.get('drafts');
  for (const key of ['temperature', 'top_k', 'top_p']) if (params.has(key)) form[key].value = params.get(key);
  if (params.has('methods')) {
    const chosen = new Set(params.get('methods').split(','));
    for (const box of form.querySelectorAll('input[name="method"]')) box.checked = chosen.has(box.value);
  }
  if (params.has('verifiers')) pendingVerifiers = new Set(params.get('verifiers').split(',').filter(Boolean));
  if (pendingVerifiers) {
    for (const box of form.querySelectorAll('input[name="verifier"]')) box.checked = pendingVerifiers.has(box.value);
  }
  if (params.has('lp')) form.lp.checked = params.get('lp') !== '0';
  syncVerifiers();
  if (params.has('d')) form.depth.value = params.get('d');
  if (params.has('c')) form.cost.value = params.get('c');
  form.simulate.checked = params.has('simulate');
  if (params.has('simulate')) form.samples.value = params.get('simulate');
  syncSampling();
  return found;
}
let pendingVerifiers = null;

// The preset the inputs show. The select's own value is not enough: at its
// 'change' event it already names the new preset, and a history entry must
// record the one it replaces.
let shownPreset = 'custom';
function setPreset(name) {
  shownPreset = name;
  $('preset').value = name;
}

function applySynthetic(vocab, seed) {
  const synthetic = { vocab, seed };
  const what = `Synthetic LLM-like pair, V = ${vocab.toLocaleString('en')}, seed ${seed}`;
  loaded.target = { label: `${what}: the target`, synthetic };
  loaded.draft = { label: `${what}: the draft`, synthetic };
  for (const field of ['target', 'draft']) {
    form[field].value = '';
    $(`${field}-kind`).value = 'probabilities';
    showLoaded(field);
  }
  setPreset(vocab === syntheticVocab ? 'synthetic' : 'custom');
  $('seed-field').hidden = false;
  form.seed.value = seed;
}

function applyPreset(name, example) {
  if (name === 'synthetic') {
    applySynthetic(syntheticVocab, Number(form.seed.value) || 1);
    form.drafts.value = 4;
    // The LP is the small-vocabulary cross-check; at 152,064 tokens it is slow.
    form.lp.checked = false;
    syncVerifiers();
    return;
  }
  const preset = name === 'builtin' ? example : presets[name];
  if (!preset) return;
  for (const field of ['target', 'draft']) {
    setText(field, preset[field]);
    $(`${field}-kind`).value = 'probabilities';
  }
  form.drafts.value = preset.drafts;
  if (name === 'builtin') form.lp.checked = Boolean(example.lp);
  $('seed-field').hidden = true;
  syncSampling();
}

function syncVerifiers() {
  const box = form.querySelector('input[name="verifier"][value="optimal_lp"]');
  if (!box) return;
  box.disabled = !form.lp.checked;
  box.parentElement.title = form.lp.checked ? '' : 'Solves an LP: turn on the LP cross-check';
  box.parentElement.classList.toggle('disabled', !form.lp.checked);
}

function syncSampling() {
  const anyLogits = ['target', 'draft'].some((field) => fieldKind(field) === 'logits' && !loaded[field]?.synthetic);
  $('sampling').hidden = !anyLogits;
}

// ---- errors and staleness ------------------------------------------------

const errorSlots = ['target', 'draft', 'drafts', 'temperature', 'top_k', 'top_p', 'methods', 'verifiers', 'lp', 'request'];
const invalidControls = { target: 'target', draft: 'draft', drafts: 'drafts', temperature: 'temperature', top_k: 'top_k', top_p: 'top_p' };

function slotFor(field) {
  const sampling = /^(?:target|draft)\.(temperature|top_k|top_p)\b/.exec(field);
  if (sampling) return sampling[1];
  const root = /^(drafts|draft|target|temperature|top_k|top_p|methods|verifiers|lp|simulate|samples)\b/.exec(field)?.[1];
  if (root === 'simulate' || root === 'samples') return 'lp';
  return root ?? 'request';
}

function showError(field, message) {
  const slot = slotFor(field);
  $(`${slot}-error`).textContent = message;
  const control = /^samples\b/.test(field) ? 'samples' : invalidControls[slot];
  if (control) form[control].setAttribute('aria-invalid', 'true');
  if (slot === 'target' || slot === 'draft') $(`${slot}-box`).classList.add('invalid');
}

function showRequestError(message) {
  $('request-error').textContent = message;
}

function clearErrors() {
  for (const slot of errorSlots) $(`${slot}-error`).textContent = '';
  for (const control of [...Object.values(invalidControls), 'samples']) form[control].removeAttribute('aria-invalid');
  for (const field of ['target', 'draft']) $(`${field}-box`).classList.remove('invalid');
}

const results = $('results');

// Numbers of an older input are dimmed and lose their data-testid until
// the new ones arrive: nothing stale reads as current.
function markStale() {
  results.classList.add('stale');
  results.setAttribute('aria-busy', 'true');
  for (const element of results.querySelectorAll('[data-testid]')) {
    element.dataset.staleTestid = element.dataset.testid;
    delete element.dataset.testid;
  }
}

function clearResults() {
  for (const id of ['optimal-table', 'verifiers-table', 'simulation-table']) $(id).tBodies[0].replaceChildren();
  $('verifiers-section').hidden = true;
  $('simulation-section').hidden = true;
  $('warnings').replaceChildren();
  $('optimal-notes').replaceChildren();
  $('headline').hidden = true;
  $('headline-list').replaceChildren();
  lastResult = null;
  chartState.chart = null;
  chartState.sweeps = { drafts: [], temperature: [] };
  charts.then(() => {
    distributionChart?.clear();
    draftsChart?.clear();
    temperatureChart?.clear();
  });
  $('dist-note').textContent = '';
  $('temperature-figure').hidden = true;
  results.classList.remove('stale');
  results.removeAttribute('aria-busy');
}

// ---- rendering -----------------------------------------------------------

const digits = { alpha: 10, mass: 8, tokens: 4 };
function formatNumber(value, kind) {
  if (kind === 'count') return value.toLocaleString('en');
  if (kind === 'gap') return Math.abs(value) < 1e-4 && value !== 0 ? value.toExponential(2) : value.toFixed(6);
  if (kind === 'p') return value < 1e-4 && value !== 0 ? value.toExponential(2) : value.toFixed(4);
  return value.toFixed(digits[kind] ?? 6);
}

function numberCell(testid, value, kind = 'alpha') {
  const cell = document.createElement('td');
  cell.className = 'number';
  if (value === undefined || value === null) {
    cell.textContent = '–';
    return cell;
  }
  cell.dataset.testid = testid;
  cell.dataset.value = String(value);
  cell.textContent = formatNumber(value, kind);
  cell.title = String(value);
  return cell;
}

// The core's message, then what it means in plain words when we know.
function errorCell(testid, text, span) {
  const cell = document.createElement('td');
  cell.className = 'outcome-error';
  if (span) cell.colSpan = span;
  const message = document.createElement('span');
  message.dataset.testid = testid;
  message.textContent = text;
  cell.append(message);
  const why = explainError(text);
  if (why) {
    const note = document.createElement('span');
    note.className = 'why';
    note.dataset.testid = testid.replace(/\.error$/, '.why');
    note.textContent = why;
    cell.append(note);
  }
  return cell;
}

// Plain words for the core's "does not apply" messages (src/api: methods,
// verifiers and the LP name the same conditions).
const needsDrafts = /^(\w+) needs at least n = (\d+) draft tokens with positive probability; draft has (\d+)/;
function explainError(text) {
  let match = needsDrafts.exec(text);
  if (match) {
    const [, name, n, have] = match;
    const how = name === 'greedy'
      ? `Greedy fixes the ${n - 1} most likely draft tokens and samples one more from the rest`
      : `Without replacement, the ${n} drafts must be ${n} different tokens`;
    return `Does not apply: ${how}, but the draft gives positive probability to only ${have} token${have === '1' ? '' : 's'}. Use n ≤ ${have}, or drafts with replacement.`;
  }
  if (/does not apply: fewer than n draft tokens/.test(text)) {
    return 'Does not apply: the draft has fewer tokens with positive probability than n, so n different drafts cannot be drawn.';
  }
  match = /^spechub is defined for n = 2 drafts/.exec(text);
  if (match) return 'SpecHub pairs a hub token with one sampled draft: it exists for n = 2 only. Set n = 2 to see it.';
  if (/columns, more than the limit of/.test(text)) {
    return 'The LP grows like V^n / n! columns; this one is too large to solve here. The fast α* is exact without it.';
  }
  return '';
}

// A row's name, with its definition when "How it works" has one.
function headerCell(text, term) {
  const cell = document.createElement('th');
  cell.scope = 'row';
  if (term && document.getElementById(`def-${term}`)) cell.append(termButton(term, text));
  else cell.textContent = text;
  return cell;
}

function intervalCell(testid, interval) {
  const cell = document.createElement('td');
  cell.className = 'number';
  if (!Array.isArray(interval)) {
    cell.textContent = '–';
    return cell;
  }
  interval.forEach((bound, k) => {
    const span = document.createElement('span');
    span.dataset.testid = `${testid}.${k}`;
    span.dataset.value = String(bound);
    span.title = String(bound);
    span.textContent = bound.toFixed(6);
    cell.append(span);
    if (k === 0) cell.append(' – ');
  });
  return cell;
}

function tokensCell(key, alpha, depth) {
  if (depth === null || alpha === undefined) return numberCell('', null);
  return numberCell(`tokens.${key}`, tokensPerCall(alpha, depth), 'tokens');
}

// Values that look like a bug but are not, said in plain words.
function renderNotes(result) {
  const notes = [];
  const note = (testid, text) => {
    const item = Object.assign(document.createElement('li'), { textContent: text });
    item.dataset.testid = testid;
    notes.push(item);
  };
  const entries = Object.entries(result.optimal ?? {}).filter(([, outcome]) => !('error' in outcome));
  const names = (list) => new Intl.ListFormat('en').format(list.map(([method]) => methodLabels[method] ?? method));
  const one = entries.filter(([, outcome]) => outcome.alpha >= 1 - 1e-12);
  const empty = one.filter(([, outcome]) => outcome.certificate_size === 0);
  if (empty.length) {
    note('explain.alpha_one', `${names(empty)}: α* = 1 with |H| = 0 is not a missing value. The certificate is the empty set: no set H of tokens `
      + 'makes p(H) − Q(H) negative (the draft never puts all n drafts in a set more often than the target picks it), so nothing bounds '
      + 'the acceptance below 1, and a verifier exists that always accepts one of the drafts while its output still follows p exactly.');
  }
  const full = one.filter(([, outcome]) => outcome.certificate_size > 0);
  if (full.length) {
    note('explain.alpha_one_full', `${names(full)}: α* = 1 with a non-empty H: for this H, p(H) = Q(H), so its bound is 1 as well; `
      + 'no set bounds the acceptance below 1.');
  }
  if (result.drafts === 1 && entries.length > 1) {
    note('explain.one_draft', 'With n = 1 the three methods draw the same single draft, so their α* agree: the sum over tokens of min(p, q).');
  }
  const rounding = Object.entries(result.verifiers ?? {}).filter(([, outcome]) => typeof outcome.gap === 'number' && outcome.gap !== 0 && Math.abs(outcome.gap) < 1e-12);
  if (rounding.length) {
    note('explain.gap_rounding', `${new Intl.ListFormat('en').format(rounding.map(([name]) => verifierLabels[name] ?? name))}: a gap of about 1e-16 is rounding in the last digit; the verifier reaches α* here.`);
  }
  $('optimal-notes').replaceChildren(...notes);
}

// The headline: tokens per target call and speed-up for the best alpha* and,
// when verifiers are computed, for the best of them.
function renderHeadline(result, depth, cost) {
  const best = (entries) => entries.filter(([, outcome]) => typeof outcome.alpha === 'number')
    .reduce((top, entry) => (top === null || entry[1].alpha > top[1].alpha ? entry : top), null);
  const bound = best(Object.entries(result.optimal ?? {}));
  const verifier = best(Object.entries(result.verifiers ?? {}).filter(([name]) => name !== 'optimal_lp'));
  $('headline').hidden = bound === null;
  for (const element of document.querySelectorAll('.cost-value')) element.textContent = cost ?? '?';
  const item = (key, title, name, alpha) => {
    const term = document.createElement('dt');
    term.append(`${title}: `, name, ', ');
    const alphaText = Object.assign(document.createElement('span'), { className: 'number', textContent: `α = ${alpha.toFixed(4)}` });
    Object.assign(alphaText.dataset, { testid: `headline.${key}.alpha`, value: String(alpha) });
    term.append(alphaText);
    const value = document.createElement('dd');
    if (depth === null || cost === null) {
      value.textContent = `fix the ${depth === null ? 'depth' : 'draft cost'} to see the tokens per call and the speed-up`;
      return [term, value];
    }
    const tokens = tokensPerCall(alpha, depth);
    const speed = speedUp(tokens, depth, cost);
    const big = (testid, number, text) => {
      const span = Object.assign(document.createElement('span'), { className: 'big', textContent: text });
      Object.assign(span.dataset, { testid, value: String(number) });
      return span;
    };
    // Each number stays on one line with its words when the line wraps.
    const pair = (...parts) => {
      const span = Object.assign(document.createElement('span'), { className: 'pair' });
      span.append(...parts);
      return span;
    };
    value.append(pair(big(`headline.${key}.tokens`, tokens, tokens.toFixed(2)), ' tokens per target call'), ', ',
      pair('speed-up ', big(`headline.${key}.speedup`, speed, `${speed.toFixed(2)}×`)));
    return [term, value];
  };
  const list = [];
  if (bound) list.push(...item('optimal', 'Best possible', `α* ${methodLabels[bound[0]] ?? bound[0]}`, bound[1].alpha));
  if (verifier) list.push(...item('verifier', 'Best verifier here', verifierLabels[verifier[0]] ?? verifier[0], verifier[1].alpha));
  $('headline-list').replaceChildren(...list);
}

let lastResult = null;

function render(result) {
  lastResult = result;
  const depth = readDepth();
  const cost = readCost();
  for (const element of document.querySelectorAll('.depth-value')) element.textContent = depth ?? '?';
  renderHeadline(result, depth, cost);
  renderNotes(result);
  results.classList.remove('stale');
  results.removeAttribute('aria-busy');

  const optimalBody = $('optimal-table').tBodies[0];
  optimalBody.replaceChildren(...Object.entries(result.optimal ?? {}).map(([method, outcome]) => {
    const row = document.createElement('tr');
    row.append(headerCell(methodLabels[method] ?? method, method));
    if ('error' in outcome) {
      row.append(errorCell(`optimal.${method}.error`, outcome.error, 6));
      return row;
    }
    row.append(
      numberCell(`optimal.${method}.alpha`, outcome.alpha),
      numberCell(`optimal.${method}.certificate_size`, outcome.certificate_size, 'count'),
      numberCell(`optimal.${method}.certificate_target_mass`, outcome.certificate_target_mass, 'mass'),
      numberCell(`optimal.${method}.certificate_draft_mass`, outcome.certificate_draft_mass, 'mass'));
    const lp = result.lp?.[method];
    if (lp && 'error' in lp) row.append(errorCell(`lp.${method}.error`, lp.error));
    else {
      const cell = numberCell(`lp.${method}.alpha`, lp?.alpha);
      if (lp) cell.title = `${lp.alpha} (GLPK: ${lp.status}, ${lp.columns.toLocaleString('en')} columns; certificate gives ${lp.certificate_alpha})`;
      if (!lp && form.lp.checked) cell.textContent = '';
      row.append(cell);
    }
    row.append(tokensCell(`optimal.${method}`, outcome.alpha, depth));
    return row;
  }));
  if (result.lp?.joint) {
    const row = document.createElement('tr');
    row.append(headerCell('explicit joint law'));
    row.append(...['', '', '', ''].map(() => numberCell('', null)));
    row.append('error' in result.lp.joint ? errorCell('lp.joint.error', result.lp.joint.error) : numberCell('lp.joint.alpha', result.lp.joint.alpha));
    optimalBody.append(row);
  }

  const verifiers = Object.entries(result.verifiers ?? {});
  $('verifiers-section').hidden = verifiers.length === 0;
  $('verifiers-table').tBodies[0].replaceChildren(...verifiers.map(([name, outcome]) => {
    const row = document.createElement('tr');
    row.append(headerCell(verifierLabels[name] ?? name, `v-${name}`));
    if ('error' in outcome) {
      row.append(errorCell(`verifiers.${name}.error`, outcome.error, 6));
      return row;
    }
    const drafts = document.createElement('td');
    const draftLabel = (methodLabels[outcome.draft_method] ?? outcome.draft_method ?? '').replace(' (i.i.d.)', '');
    if (document.getElementById(`def-${outcome.draft_method}`)) drafts.append(termButton(outcome.draft_method, draftLabel));
    else drafts.textContent = draftLabel;
    const acceptance = numberCell(`verifiers.${name}.alpha`, outcome.alpha);
    if (outcome.exact === false) {
      acceptance.classList.add('estimate');
      acceptance.textContent = `≈ ${acceptance.textContent}`;
    }
    row.append(drafts, acceptance,
      outcome.exact === false ? intervalCell(`verifiers.${name}.ci95`, outcome.ci95) : Object.assign(numberCell('', null), { textContent: 'exact' }),
      numberCell(`verifiers.${name}.gap`, outcome.gap, 'gap'),
      numberCell(`verifiers.${name}.rho`, outcome.rho, 'mass'),
      tokensCell(`verifiers.${name}`, outcome.alpha, depth));
    return row;
  }));

  const simulation = Object.entries(result.simulation ?? {});
  $('simulation-section').hidden = simulation.length === 0;
  $('simulation-table').tBodies[0].replaceChildren(...simulation.map(([name, outcome]) => {
    const row = document.createElement('tr');
    row.append(headerCell(verifierLabels[name] ?? name, `v-${name}`));
    if ('error' in outcome) {
      row.append(errorCell(`simulation.${name}.error`, outcome.error, 6));
      return row;
    }
    row.append(
      numberCell(`simulation.${name}.acceptance`, outcome.acceptance, 'mass'),
      intervalCell(`simulation.${name}.acceptance_ci95`, outcome.acceptance_ci95),
      numberCell(`simulation.${name}.hit_rate`, outcome.hit_rate, 'mass'),
      intervalCell(`simulation.${name}.hit_rate_ci95`, outcome.hit_rate_ci95),
      numberCell(`simulation.${name}.chi2_p_value`, outcome.chi2_p_value, 'p'),
      numberCell(`simulation.${name}.samples`, outcome.samples, 'count'));
    return row;
  }));

  $('warnings').replaceChildren(...(result.warnings ?? []).map((text) => {
    const item = document.createElement('li');
    item.textContent = text;
    return item;
  }));
}

// Depth only changes the derived column: no new computation.
function rerenderTokens() {
  if (lastResult) render(lastResult);
}

// ---- charts --------------------------------------------------------------

let distributionChart = null, draftsChart = null, temperatureChart = null;
const chartState = { chart: null, sweeps: { drafts: [], temperature: [] }, drafts: null, temperature: null };
charts.then(({ DistributionChart, SweepChart }) => {
  distributionChart = new DistributionChart($('dist-chart'));
  draftsChart = new SweepChart($('drafts-chart'), 'drafts n', { integerX: true });
  temperatureChart = new SweepChart($('temperature-chart'), 'temperature');
  drawCharts();
});

function drawCharts() {
  if (!distributionChart) return;
  const { chart } = chartState;
  if (chart) {
    const select = $('chart-method');
    const available = Object.keys(chart.certificates);
    const current = select.value;
    select.replaceChildren(...available.map((method) => new Option(methodLabels[method], method)));
    select.value = available.includes(current) ? current : (available.includes('without_replacement') ? 'without_replacement' : available[0] ?? '');
    select.disabled = available.length === 0;
    distributionChart.update(chart, select.value);
    const inside = select.value ? lastResult?.optimal?.[select.value]?.certificate_size : undefined;
    $('dist-note').textContent = chart.binSize > 1
      ? `${chart.size.toLocaleString('en')} tokens shown as ${chart.p.length.toLocaleString('en')} bins of ${chart.binSize} (bin means, log scale); shading darkens with the share of a bin in H${inside !== undefined ? ` (|H| = ${inside.toLocaleString('en')})` : ''}.`
      : '';
  }
  if (chartState.sweeps.drafts.length) draftsChart.update(chartState.sweeps.drafts, chartState.drafts);
  $('temperature-figure').hidden = chartState.sweeps.temperature.length === 0;
  if (chartState.sweeps.temperature.length) {
    $('temperature-n').textContent = String(chartState.drafts ?? '');
    temperatureChart.update(chartState.sweeps.temperature, chartState.temperature);
  }
}
$('chart-method').addEventListener('change', drawCharts);

// ---- jobs ----------------------------------------------------------------

let latest = 0;
let progressTimer = null;
const status = $('status');

function setProgress(fraction, visible = true) {
  const bar = $('progress-bar');
  if (fraction === null) bar.removeAttribute('value');
  else bar.value = fraction;
  $('progress').hidden = !visible;
}

function finishJob() {
  running = null;
  clearTimeout(progressTimer);
  setProgress(0, false);
}

function compute() {
  clearTimeout(typingTimer);
  // The first job waits for the worker to say which request keys its core knows.
  if (features === null) return;
  clearErrors();
  let job;
  try {
    job = readJob();
  } catch (error) {
    latest++;
    clearResults();
    finishJob();
    showError(error.field ?? 'request', error.message);
    status.textContent = 'Fix the input to compute.';
    updateHash();
    return;
  }
  updateHash();
  const id = ++latest;
  // A job stuck in one long stage is cut short: a fresh worker is quicker.
  if (running && features && performance.now() - running.lastMessage > 300) restartWorker();
  markStale();
  status.textContent = 'Computing…';
  running = { id, lastMessage: performance.now(), hasResult: false, job };
  chartState.drafts = job.drafts;
  chartState.temperature = job.target.logits?.temperature ?? job.draft.logits?.temperature ?? null;
  chartState.pendingSweeps = { drafts: [], temperature: [] };
  clearTimeout(progressTimer);
  progressTimer = setTimeout(() => { if (running?.id === id) setProgress(null); }, 250);
  worker.postMessage({ id, job });
}

// The whole result as JSON comes from the worker: the page holds the result
// without its certificate ids (they can be 100,000+), the worker has it all.
const exportRequests = new Map();
let exportCount = 0;
let lastJob = null;           // {id, job} that gave the result on screen
function resultJson() {
  if (!lastResult || !lastJob) return Promise.resolve(null);
  const exportId = ++exportCount;
  const message = { type: 'export', exportId, ...lastJob };
  return new Promise((resolve) => {
    exportRequests.set(exportId, { message, resolve: (data) => resolve(data.text ?? null) });
    worker.postMessage(message);
  });
}
setupExports({ resultJson });

function restartWorker() {
  worker.terminate();
  features = features ?? null;
  startWorker();
  // An export asked of the old worker is asked again (the new one re-solves).
  for (const { message } of exportRequests.values()) worker.postMessage(message);
}

function onWorkerMessage(data) {
  if (data.type === 'ready') {
    const first = features === null;
    features = data.features;
    if (first) {
      setupFeatures();
      compute();
    }
    return;
  }
  if (data.type === 'fatal') {
    showRequestError(`The calculator failed to load: ${data.message}`);
    return;
  }
  if (data.type === 'export') {
    exportRequests.get(data.exportId)?.resolve(data);
    exportRequests.delete(data.exportId);
    return;
  }
  if (data.id !== latest) return;  // a newer input superseded this one
  if (running) running.lastMessage = performance.now();
  switch (data.type) {
    case 'error':
      finishJob();
      clearResults();
      showError(data.error.field, data.error.message);
      status.textContent = 'Fix the input to compute.';
      break;
    case 'result':
      running.hasResult = true;
      lastJob = { id: data.id, job: running.job };
      render(data.result);
      chartState.sweeps = chartState.pendingSweeps;
      status.textContent = `Vocabulary ${data.result.vocab.toLocaleString('en')}, ${data.result.drafts} draft${data.result.drafts === 1 ? '' : 's'}. Computed in ${Math.max(1, Math.round(data.ms))} ms.`;
      break;
    case 'chart':
      chartState.chart = data.chart;
      drawCharts();
      break;
    case 'sweep':
      chartState.sweeps[data.kind].push(data.point);
      setProgress(data.done / data.total, true);
      $('progress-bar').setAttribute('aria-valuetext', `sweep ${data.done} of ${data.total}`);
      drawCharts();
      break;
    case 'done':
      finishJob();
      break;
    default:
  }
}

$('cancel').addEventListener('click', () => {
  if (!running) return;
  const hadResult = running.hasResult;
  latest++;
  finishJob();
  restartWorker();
  if (hadResult) {
    status.textContent = `${status.textContent} Sweeps cancelled (the charts show what was done).`;
  } else {
    clearResults();
    status.textContent = 'Cancelled. Change an input to compute again.';
  }
});

function setupFeatures() {
  if (features.verifiers) {
    const list = $('verifier-list');
    const names = features.verifierNames.length ? features.verifierNames : Object.keys(verifierLabels);
    list.replaceChildren(...names.map((name) => [name, verifierLabels[name] ?? name]).map(([name, label]) => {
      const wrap = document.createElement('label');
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'verifier', value: name });
      if (document.getElementById(`def-v-${name}`)) box.setAttribute('aria-describedby', `def-v-${name}`);
      box.defaultChecked = true;  // the default a link without "verifiers" means
      box.checked = pendingVerifiers ? pendingVerifiers.has(name) : true;
      wrap.append(box, ` ${label}`);
      return wrap;
    }));
    $('verifiers-box').hidden = false;
    syncVerifiers();
  }
  $('simulate-box').hidden = !features.simulate;
}

// ---- link, embed ---------------------------------------------------------

// Typing only replaces the current history entry; a deliberate change (an
// example, a file, Copy link) pushes one, so that Back returns to the inputs
// before it. Each entry's state holds a snapshot of the inputs when its hash
// cannot carry them all (a long file), and always for an entry left by a
// deliberate change: Back restores the snapshot exactly.
function updateHash() {
  const { hash, complete } = currentHash();
  if (hash !== location.hash) writeHistory('replaceState', hash, complete ? null : { inputs: snapshotInputs() });
}

function writeHistory(method, hash, state) {
  try {
    history[method](state, '', hash);
  } catch {
    // A snapshot too large for the browser's history: the hash alone.
    history[method](null, '', hash);
  }
}

// Before a deliberate change: the current inputs, exactly, in the current entry.
function checkpoint() {
  writeHistory('replaceState', currentHash().hash, { inputs: snapshotInputs() });
}

// After it: a new entry for the new inputs.
function pushEntry() {
  writeHistory('pushState', currentHash().hash, { inputs: snapshotInputs() });
}

function snapshotInputs() {
  const values = {};
  for (const element of form.elements) {
    if (element.type === 'file' || element.id === 'preset' || !(element.id || element.name)) continue;
    const key = element.id || `${element.name}=${element.value}`;
    values[key] = element.type === 'checkbox' ? element.checked : element.value;
  }
  return { values, loaded: { ...loaded }, preset: shownPreset, compact: document.body.classList.contains('compact') };
}

function restoreInputs(snapshot) {
  for (const element of form.elements) {
    if (element.type === 'file' || element.id === 'preset' || !(element.id || element.name)) continue;
    const value = snapshot.values[element.id || `${element.name}=${element.value}`];
    if (value === undefined) continue;
    if (element.type === 'checkbox') element.checked = value;
    else element.value = value;
  }
  for (const field of ['target', 'draft']) {
    loaded[field] = snapshot.loaded[field] ?? null;
    showLoaded(field);
  }
  document.body.classList.toggle('compact', snapshot.compact);
  setPreset(snapshot.preset);
  $('seed-field').hidden = !loaded.target?.synthetic;
  syncVerifiers();
  syncSampling();
}

const undo = $('preset-undo');
undo.addEventListener('click', () => {
  undo.hidden = true;
  history.back();
});

function pageUrl(hash = '') {
  return `${new URL('.', location.href.replace(/#.*$/, '')).href}${hash}`;
}

$('share').addEventListener('click', async () => {
  const { hash, complete } = currentHash();
  const url = pageUrl(hash);
  // The copied state is a point to come back to: later typing goes to a new entry.
  checkpoint();
  pushEntry();
  undo.hidden = true;
  let copied = true;
  try { await navigator.clipboard.writeText(url); } catch { copied = false; }
  $('share-note').textContent = (copied ? 'Link copied.' : `Link: ${url}`) +
    (complete ? '' : ' The loaded file is too long for a link and is not in it.');
  $('share-note').dataset.url = url;
});

const escapeAttribute = (text) => String(text).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function compactHash() {
  const { hash } = currentHash();
  return hash.includes('view=compact') ? hash : `${hash}&view=compact`;
}

function embedSnippets() {
  const attributes = [];
  let note = '';
  const synthetic = loaded.target?.synthetic;
  if (synthetic) attributes.push(['synthetic', synthetic.vocab], ['seed', synthetic.seed]);
  else {
    for (const field of ['target', 'draft']) {
      const name = fieldKind(field) === 'logits' ? `${field}-logits` : field;
      let values = loaded[field]?.values;
      if (!values) {
        try { values = parseNumbers(form[field].value, field); } catch { values = []; }
      }
      if (values.length > linkLimit) note = 'The loaded file is too long to go into a snippet; the element needs its values as an attribute.';
      attributes.push([name, Array.from(values, (v) => (v === -Infinity ? '-inf' : String(v))).join(',')]);
    }
  }
  attributes.push(['drafts', form.drafts.value.trim()]);
  if (['target', 'draft'].some((field) => fieldKind(field) === 'logits')) {
    for (const key of ['temperature', 'top_k', 'top_p']) {
      if (form[key].value.trim() !== '') attributes.push([key.replace('_', '-'), form[key].value.trim()]);
    }
  }
  if (form.lp.checked) attributes.push(['lp', '']);
  const element = `<mdsd-calculator ${attributes.map(([k, v]) => (v === '' ? k : `${k}="${escapeAttribute(v)}"`)).join(' ')}></mdsd-calculator>`;
  const script = `<script type="module" src="${pageUrl('embed.mjs')}"></script>`;
  const iframe = `<iframe src="${escapeAttribute(pageUrl(compactHash()))}" title="MDSD calculator" width="100%" height="720" style="border:0" loading="lazy"></iframe>`;
  return { element: `${script}\n${element}`, iframe, note };
}

$('embed').addEventListener('click', () => {
  const { element, iframe, note } = embedSnippets();
  $('embed-snippet').value = element;
  $('embed-iframe').value = iframe;
  $('embed-note').textContent = note;
  $('embed-dialog').showModal();
});
$('embed-copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('embed-snippet').value);
    $('embed-note').textContent = 'Copied.';
  } catch {
    $('embed-snippet').select();
    $('embed-note').textContent = 'Press Ctrl+C (⌘C) to copy.';
  }
});

// ---- events --------------------------------------------------------------

// Text fields compute shortly after typing stops; their results go stale at once.
let typingTimer = null;
function computeSoon() {
  markStale();
  status.textContent = 'Computing…';
  clearTimeout(typingTimer);
  typingTimer = setTimeout(compute, 150);
}

form.addEventListener('input', (event) => {
  const target = event.target;
  if (target.type === 'file') return;
  if (target.id === 'preset' || target.id === 'seed') return;
  undo.hidden = true;
  if (target.id === 'depth' || target.id === 'cost') {
    rerenderTokens();
    updateHash();
    return;
  }
  if (target.id === 'target' || target.id === 'draft') {
    setPreset('custom');
    $('seed-field').hidden = !loaded.target?.synthetic;
  }
  if (target.id?.endsWith('-kind')) syncSampling();
  if (target.id === 'lp') syncVerifiers();
  if (target.tagName === 'TEXTAREA') computeSoon();
  else compute();
});
form.addEventListener('submit', (event) => event.preventDefault());

// 'change' only: a choice made in the list. Keys that would change a closed
// select at once (arrows, Home/End, page keys, type-ahead letters) are held
// back, so that no key press alone replaces the inputs; Space, Enter,
// Alt+Down or F4 open the list, where the arrows move and Enter chooses.
$('preset').addEventListener('keydown', (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (/^(?:Arrow(?:Up|Down|Left|Right)|Home|End|PageUp|PageDown)$/.test(event.key) || (event.key.length === 1 && event.key !== ' ')) {
    event.preventDefault();
  }
});
$('preset').addEventListener('change', async () => {
  const name = $('preset').value;
  const typed = shownPreset === 'custom';
  checkpoint();
  applyPreset(name, await exampleRequest);
  setPreset(name);
  pushEntry();
  // Inputs of the user's own (typed, loaded or from a link) get an Undo beside the choice.
  undo.hidden = !typed;
  compute();
});
$('seed').addEventListener('input', () => {
  let seed;
  try {
    seed = readNumberField('seed');
  } catch (error) {
    // Nothing is computed from a misread seed: the numbers of another seed go.
    latest++;
    finishJob();
    clearResults();
    $('seed-error').textContent = error.message;
    form.seed.setAttribute('aria-invalid', 'true');
    status.textContent = 'Fix the input to compute.';
    return;
  }
  $('seed-error').textContent = '';
  form.seed.removeAttribute('aria-invalid');
  applySynthetic(loaded.target?.synthetic?.vocab ?? syntheticVocab, seed);
  compute();
});

for (const field of ['target', 'draft']) {
  $(`${field}-file`).addEventListener('change', async (event) => {
    const input = event.target;
    const file = input.files?.[0];
    if (!file) return;
    try {
      const { values, kind } = parseFile(file.name, new Uint8Array(await file.arrayBuffer()), field);
      checkpoint();
      if (loaded.target?.synthetic) {
        const other = field === 'target' ? 'draft' : 'target';
        loaded[other] = null;
        showLoaded(other);
      }
      if (kind) $(`${field}-kind`).value = kind;
      setLoaded(field, { label: `${file.name}: ${values.length.toLocaleString('en')} values`, values });
      setPreset('custom');
      $('seed-field').hidden = true;
      syncSampling();
      pushEntry();
      undo.hidden = true;
      compute();
    } catch (error) {
      latest++;
      finishJob();
      clearResults();
      clearErrors();
      showError(error.field ?? field, error.message);
      status.textContent = 'Fix the input to compute.';
    } finally {
      input.value = '';
    }
  });
}

for (const button of document.querySelectorAll('[data-clear]')) {
  button.addEventListener('click', () => {
    const field = button.dataset.clear;
    const entry = loaded[field];
    if (entry?.synthetic) {
      for (const name of ['target', 'draft']) { loaded[name] = null; showLoaded(name); }
      $('seed-field').hidden = true;
      setPreset('custom');
    } else {
      loaded[field] = null;
      showLoaded(field);
      if (entry?.values) form[field].value = numberText(entry.values);
    }
    form[field].focus();
    compute();
  });
}

// A hash as a new tab would show it: without a distribution, the built-in example.
async function openHash(hash) {
  if (!applyHash(hash)) {
    setPreset('builtin');
    applyPreset('builtin', await exampleRequest);
  }
}

// Back and Forward: an entry's snapshot when it has one, else its hash.
window.addEventListener('popstate', async (event) => {
  undo.hidden = true;
  if (event.state?.inputs) restoreInputs(event.state.inputs);
  else await openHash(location.hash);
  compute();
});
// A hash typed or followed; popstate has already applied it when it fired too.
window.addEventListener('hashchange', async () => {
  if (location.hash === currentHash().hash) return;
  await openHash(location.hash);
  compute();
});

// ---- start ---------------------------------------------------------------

await openHash(location.hash);
compute();
