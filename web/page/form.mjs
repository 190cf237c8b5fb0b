// The inputs form: what it holds and how it is read into a job for the
// worker. A distribution is either the text of its field or, for a long file
// or paste and for the synthetic pair, an array kept beside it (`loaded`,
// shown as a one-line summary: a textarea holding megabytes of numbers makes
// every keystroke slow). Number fields are text read strictly (inputs.mjs).
import { $, form } from './dom.mjs';
import { InputError, parseNumbers, parseNumberField } from './inputs.mjs';
import { presets, syntheticVocab } from './presets.mjs';
import { methodLabel } from './labels.mjs';
import { largeText, parsedResult } from './large-input.mjs';

// Longer inputs are kept as arrays (shown as a summary), not as text.
export const textLimit = 5000;
// The LP is a max-flow: the core's own column limit (lp.max_columns, about a
// second) answers with an error entry past it, so the page sets none. GLPK's
// simplex grows quickly with the vocabulary (a minute at 20,000 tokens):
// above this size the page leaves GLPK's cross-check out and says so.
const glpkVocabLimit = 2000;
const sweepDrafts = [1, 2, 3, 4, 5, 6, 7, 8];
const sweepTemperatures = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1, 1.2, 1.5, 2];

/** What the worker's core knows ({verifiers, simulate, verifierNames, methodNames}), once it said. */
export let features = null;
export function setFeatures(found) { features = found; }

// A distribution given as an array rather than text: a large file or paste,
// or the synthetic pair. {label, values} or {label, synthetic: {vocab, seed}}.
export const loaded = { target: null, draft: null };

export const numberText = (values) => Array.from(values, (v) => (v === -Infinity ? '-inf' : String(v))).join(', ');

export function setText(field, values) {
  loaded[field] = null;
  form[field].value = numberText(values);
  showLoaded(field);
}

export function setLoaded(field, entry) {
  if (entry.values && entry.values.length <= textLimit) return setText(field, entry.values);
  loaded[field] = entry;
  form[field].value = '';
  showLoaded(field);
}

export function showLoaded(field) {
  const box = $(`${field}-loaded`);
  box.hidden = loaded[field] === null;
  form[field].hidden = loaded[field] !== null;
  if (loaded[field]) {
    box.querySelector('span').textContent = loaded[field].label;
    box.querySelector('button').textContent = loaded[field].synthetic ? 'Clear' : 'Edit as text';
  }
}

export const fieldKind = (field) => $(`${field}-kind`).value;
export const anyLogits = () => ['target', 'draft'].some((field) => fieldKind(field) === 'logits' && !loaded[field]?.synthetic);

/**
 * The numbers of a distribution field: its loaded array, the numbers of a
 * long text already read in the worker, or its short text read now. Throws
 * InputError for text that is not numbers.
 */
export function fieldValues(field) {
  if (loaded[field]?.values) return loaded[field].values;
  const text = form[field].value;
  const before = text.length > largeText ? parsedResult(field, text) : null;
  if (before?.error) throw before.error;
  if (before) return before.values;
  return parseNumbers(text, field);
}

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

export const readNumberField = (name) => parseNumberField(form[name].value, name, numberFields[name]);

function readDistribution(field, sampling) {
  const entry = loaded[field];
  if (entry?.synthetic) return { synthetic: entry.synthetic };
  // A loaded array goes as it is (no copy): the worker keeps it between jobs.
  const found = fieldValues(field);
  const values = found instanceof Float64Array ? found : Float64Array.from(found);
  if (fieldKind(field) === 'logits') {
    const out = { logits: values, temperature: sampling.temperature };
    if (sampling.top_k !== undefined) out.top_k = sampling.top_k;
    if (sampling.top_p !== undefined) out.top_p = sampling.top_p;
    return out;
  }
  return { values };
}

export const checkedValues = (name) => [...form.querySelectorAll(`input[name="${name}"]`)].filter((box) => box.checked).map((box) => box.value);

/** The job for the worker (worker.mjs "In"); throws InputError naming the field. */
export function readJob() {
  const logits = anyLogits();
  const sampling = logits
    ? { temperature: readNumberField('temperature') ?? 1, top_k: readNumberField('top_k'), top_p: readNumberField('top_p') }
    : {};
  const job = {
    target: readDistribution('target', sampling),
    draft: readDistribution('draft', sampling),
    drafts: readNumberField('drafts'),
    lp: form.lp.checked,
    methods: checkedValues('method'),
    sweeps: { drafts: sweepDrafts, temperatures: logits ? sweepTemperatures : [] },
  };
  const vocab = (entry) => entry.synthetic?.vocab ?? (entry.logits ?? entry.values).length;
  const size = Math.max(vocab(job.target), vocab(job.draft));
  // The GLPK cross-check (lp.glpk) runs in the GLPK module, loaded when first asked.
  const glpk = job.lp && features?.glpk && form.glpk.checked;
  const glpkSkipped = glpk && size > glpkVocabLimit;
  if (glpk && !glpkSkipped) job.lp = { glpk: true };
  $('lp-note').textContent = glpkSkipped
    ? `GLPK not run above ${glpkVocabLimit.toLocaleString('en')} tokens (it would take minutes); the max-flow answers the LP.` : '';
  if (job.methods.length === 0) throw new InputError('methods', 'methods: choose at least one draft sampling method');
  // Exactly the core's default methods: left to the core, as a request without "methods".
  const defaults = features?.defaultMethods ?? [];
  if (job.methods.length === defaults.length && defaults.every((name) => job.methods.includes(name))) delete job.methods;
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
export const readDepth = () => readDerivedField('depth');
export const readCost = () => readDerivedField('cost');

// The preset the inputs show. The select's own value is not enough: at its
// 'change' event it already names the new preset, and a history entry must
// record the one it replaces.
let shownPreset = 'custom';
export const currentPreset = () => shownPreset;
export function setPreset(name) {
  shownPreset = name;
  $('preset').value = name;
}

export function applySynthetic(vocab, seed) {
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

export function applyPreset(name, example) {
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

export function syncVerifiers() {
  form.glpk.disabled = !form.lp.checked;
  $('glpk-box').classList.toggle('disabled', !form.lp.checked);
  const box = form.querySelector('input[name="verifier"][value="optimal_lp"]');
  if (!box) return;
  box.disabled = !form.lp.checked;
  box.parentElement.title = form.lp.checked ? '' : 'Solves an LP: turn on the LP cross-check';
  box.parentElement.classList.toggle('disabled', !form.lp.checked);
}

export function syncSampling() {
  $('sampling').hidden = !anyLogits();
}

// Verifier and method boxes a link asked for before the worker said which exist.
let pendingVerifiers = null;
let pendingMethods = null;
export function setPendingVerifiers(names) {
  pendingVerifiers = names;
  if (names) for (const box of form.querySelectorAll('input[name="verifier"]')) box.checked = names.has(box.value);
}
export function setPendingMethods(names) {
  pendingMethods = names;
  if (names) for (const box of form.querySelectorAll('input[name="method"]')) box.checked = names.has(box.value);
}

// Every input as the page's markup sets it (verifier boxes: all checked).
export function resetInputs() {
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
  pendingMethods = null;
  $('seed-field').hidden = true;
}

function checkbox(name, value, label, term) {
  const wrap = document.createElement('label');
  const box = Object.assign(document.createElement('input'), { type: 'checkbox', name, value });
  if (document.getElementById(`def-${term}`)) box.setAttribute('aria-describedby', `def-${term}`);
  box.defaultChecked = true;  // the default a link without "verifiers"/"methods" means
  box.checked = true;
  wrap.append(box, ` ${label}`);
  return wrap;
}

/** The controls the worker's core has: its verifiers, a method the markup lacks (top_n), Monte Carlo. */
export function setupFeatures(verifierLabel) {
  if (features.verifiers) {
    const list = $('verifier-list');
    list.replaceChildren(...features.verifierNames.map((name) => {
      const wrap = checkbox('verifier', name, verifierLabel(name), `v-${name}`);
      wrap.firstChild.checked = pendingVerifiers ? pendingVerifiers.has(name) : true;
      return wrap;
    }));
    $('verifiers-box').hidden = false;
    syncVerifiers();
  }
  const box = $('methods-box');
  const known = new Set([...form.querySelectorAll('input[name="method"]')].map((input) => input.value));
  for (const name of features.methodNames ?? []) {
    if (known.has(name)) continue;
    const wrap = checkbox('method', name, methodLabel(name).replace(' (i.i.d.)', ''), name);
    wrap.firstChild.checked = pendingMethods ? pendingMethods.has(name) : true;
    box.insertBefore(wrap, $('methods-error'));
  }
  $('simulate-box').hidden = !features.simulate;
  $('glpk-box').hidden = !features.glpk;
  syncVerifiers();
}
