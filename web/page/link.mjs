// The inputs as the URL hash, both ways: #target=0.3,0.4,0.3&draft=0.6,0.3,0.1&drafts=2
// (README "The page", Links). A link defines the whole state: a key it
// leaves out is at its default, as in a new tab. A distribution of more than
// `linkLimit` numbers does not go into a link (browsers and chat programs cut
// long URLs): currentHash() says which were left out, so the page can say so.
import { $, form } from './dom.mjs';
import {
  loaded, fieldKind, fieldValues, checkedValues, features, resetInputs, applySynthetic, setPreset,
  setPendingVerifiers, setPendingMethods, syncVerifiers, syncSampling,
} from './form.mjs';
import { syntheticVocab } from './presets.mjs';
import { largeText, parsedResult, sizeText } from './large-input.mjs';

/** Numbers per distribution a link carries at most. */
export const linkLimit = 4096;

const isCompact = () => document.body.classList.contains('compact');

// Keys of a panel loaded later (trees.mjs: tree_*): the panel registers how
// it writes and reads them; until it has, a hash's keys of that kind are kept
// as they came, so that a link opened before the panel loads loses nothing.
const panels = [];
let heldPanelKeys = [];
const isPanelKey = (key) => key.startsWith('tree_');
/** panel: {write(add), read(params)}; read runs at once with the hash last applied. */
export function registerPanelKeys(panel) {
  panels.push(panel);
  panel.read(new URLSearchParams(heldPanelKeys));
}

/**
 * {hash, complete, left: [{field, count}]}: `left` lists the distributions
 * too long for a link (left out of `hash`), `complete` is true when none is.
 */
export function currentHash() {
  const parts = [];
  const left = [];
  const add = (key, value) => parts.push(`${key}=${encodeURIComponent(value).replace(/%2C/g, ',')}`);
  const synthetic = loaded.target?.synthetic;
  if (synthetic) {
    add('synthetic', synthetic.vocab);
    add('seed', synthetic.seed);
  } else {
    for (const field of ['target', 'draft']) {
      const key = fieldKind(field) === 'logits' ? `${field}_logits` : field;
      const text = form[field].value;
      // Megabytes of text are never read again here (nor put in a link).
      if (!loaded[field] && text.length > largeText && !parsedResult(field, text)?.values) {
        left.push({ field, count: null, characters: text.length });
        continue;
      }
      let values;
      try { values = fieldValues(field); } catch { values = null; }
      if (values === null) add(key, text.trim().replace(/\s*[\s,;]\s*/g, ','));
      else if (values.length > linkLimit) left.push({ field, count: values.length });
      else add(key, Array.from(values, (v) => (v === -Infinity ? '-inf' : String(v))).join(','));
    }
  }
  add('drafts', form.drafts.value.trim());
  if (['target', 'draft'].some((field) => fieldKind(field) === 'logits')) {
    for (const key of ['temperature', 'top_k', 'top_p']) {
      if (form[key].value.trim() !== '') add(key, form[key].value.trim());
    }
  }
  const boxes = form.querySelectorAll('input[name="method"]');
  const chosen = checkedValues('method');
  if (chosen.length !== boxes.length) add('methods', chosen.join(','));
  if (features?.verifiers) {
    const verifiers = checkedValues('verifier');
    if (verifiers.length !== form.querySelectorAll('input[name="verifier"]').length) add('verifiers', verifiers.join(','));
  }
  add('lp', form.lp.checked ? 1 : 0);
  if (features?.glpk && form.lp.checked && form.glpk.checked) add('glpk', 1);
  if (features?.simulate && form.simulate.checked) add('simulate', form.samples.value.trim());
  add('d', form.depth.value.trim());
  add('c', form.cost.value.trim());
  if (panels.length) for (const panel of panels) panel.write(add);
  else for (const [key, value] of heldPanelKeys) add(key, value);
  if (isCompact()) add('view', 'compact');
  return { hash: `#${parts.join('&')}`, complete: left.length === 0, left };
}

const names = { target: 'the target p', draft: 'the draft q' };

/** What a link leaves out, in plain words ('' when nothing): for the note beside "Copy link". */
export function leftOutText(left) {
  if (left.length === 0) return '';
  const what = left.map(({ field, count, characters }) => `${names[field]} (${count === null ? `${sizeText(characters)} of text` : `${count.toLocaleString('en')} numbers`})`);
  const list = new Intl.ListFormat('en').format(what);
  return `The link cannot hold ${list}: a link carries at most ${linkLimit.toLocaleString('en')} numbers per distribution. `
    + `It keeps the other inputs; whoever opens it sees the built-in example in place of ${left.length === 2 ? 'them' : 'it'}. `
    + 'Share the numbers as a file.';
}

/**
 * Applies a hash; false when it holds no distribution. A key the hash does
 * not give is at its default, never left as the previous hash set it.
 */
export function applyHash(hash) {
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
  if (params.has('methods')) setPendingMethods(new Set(params.get('methods').split(',')));
  if (params.has('verifiers')) setPendingVerifiers(new Set(params.get('verifiers').split(',').filter(Boolean)));
  if (params.has('lp')) form.lp.checked = params.get('lp') !== '0';
  form.glpk.checked = params.has('glpk') && params.get('glpk') !== '0';
  syncVerifiers();
  if (params.has('d')) form.depth.value = params.get('d');
  if (params.has('c')) form.cost.value = params.get('c');
  form.simulate.checked = params.has('simulate');
  if (params.has('simulate')) form.samples.value = params.get('simulate');
  syncSampling();
  heldPanelKeys = [...params].filter(([key]) => isPanelKey(key));
  for (const panel of panels) panel.read(params);
  return found;
}

/** The page's address with a hash (the inputs' hash by default). */
export function pageUrl(hash = '') {
  return `${new URL('.', location.href.replace(/#.*$/, '')).href}${hash}`;
}
