// The calculator page's entry: wires the inputs to the calculator and starts
// it. What each part does lives in its own file:
//   form.mjs          the inputs and how they are read into a job
//   large-input.mjs   long pastes and files, read in parse-worker.mjs
//   link.mjs          the inputs as the URL hash;  history.mjs  Back and Forward
//   share.mjs         Copy link and what a link cannot hold
//   jobs.mjs          the calculator's worker (worker.mjs: first-numbers.mjs,
//                     then worker-core.mjs), stages, Cancel
//   result-view.mjs   what the tables and the headline say (plain data)
//   result-tables.mjs ... on screen;  result-charts.mjs  the charts' data
//   progress.mjs      the progress bar, percentage and time left
//   embed-dialog.mjs  the Embed dialog;  compact-view.mjs  the iframe's view
//   panels.mjs        the Dataset panel (dataset.mjs), loaded after the first numbers
//   trees-loader.mjs  the Draft trees panel (trees.mjs), loaded the same way
// Every number of the result carries data-testid (its key in the result
// JSON, e.g. "optimal.greedy.alpha") and data-value (full precision).
import { $, form } from './dom.mjs';
import {
  loaded, textLimit, setLoaded, showLoaded, numberText, setPreset, currentPreset, applyPreset,
  applySynthetic, readNumberField, syncSampling, syncVerifiers,
} from './form.mjs';
import { exampleRequest, syntheticVocab } from './presets.mjs';
import { applyHash, currentHash } from './link.mjs';
import { checkpoint, pushEntry, restoreInputs, updateHash } from './history.mjs';
import { onCalculatorReady, compute, rerender, refuseInput, markPending, firstNumbers } from './jobs.mjs';
import { copyLink, showLinkLimit } from './share.mjs';
import { largeText, parseText, parseLoadedFile, rememberParsed, sizeText } from './large-input.mjs';
import './compact-view.mjs';
import './panels.mjs';
import './trees-loader.mjs';

// The Embed dialog loads once the first numbers are on screen, or at the
// first press of its button (pressed again then, for the dialog's handler).
let embedDialog = null, embedDialogLoaded = false;
const loadEmbedDialog = () => (embedDialog ??= import('./embed-dialog.mjs').then(() => { embedDialogLoaded = true; }));
firstNumbers.then(loadEmbedDialog);
$('embed').addEventListener('click', () => embedDialogLoaded || loadEmbedDialog().then(() => $('embed').click()));

const undo = $('preset-undo');

// Text fields compute shortly after typing stops; their results go stale at once.
let typingTimer = null;
function computeNow() {
  clearTimeout(typingTimer);
  compute();
}
function computeSoon() {
  markPending();
  clearTimeout(typingTimer);
  typingTimer = setTimeout(compute, 150);
}

// A long text (a paste of thousands of numbers) is read in the worker, never
// on the main thread. Past textLimit numbers it is then kept as numbers,
// like a loaded file, and the textarea stays empty: laying out megabytes of
// text in it took seconds, and again on each keystroke. A long paste never
// enters the textarea at all; long typed or dropped text is read once typing
// pauses. A newer change of the field supersedes a read still running.
const reads = { target: 0, draft: 0 };
const largeTimers = {};
async function readLargeText(field, text, pasted = false) {
  const ticket = ++reads[field];
  markPending(`Reading ${sizeText(text.length)} of numbers…`);
  let values;
  try {
    ({ values } = await parseText(field, text));
  } catch (error) {
    if (ticket !== reads[field]) return;
    // The text goes where it can be fixed.
    if (pasted) form[field].value = text;
    rememberParsed(field, text, null, error);
    refuseInput(error.field ?? field, error.message);
    return;
  }
  if (ticket !== reads[field]) return;
  if (values.length > textLimit) {
    const focused = document.activeElement === form[field];
    setLoaded(field, { label: `Pasted text: ${values.length.toLocaleString('en')} numbers (${sizeText(text.length)}), kept as numbers`, values });
    if (focused) $(`${field}-loaded`).querySelector('button').focus();
  } else {
    if (pasted) form[field].value = text;
    rememberParsed(field, text, values);
  }
  computeNow();
}
function readLargeTextSoon(field) {
  markPending(`Reading ${sizeText(form[field].value.length)} of numbers…`);
  clearTimeout(typingTimer);
  clearTimeout(largeTimers[field]);
  largeTimers[field] = setTimeout(() => readLargeText(field, form[field].value), 300);
}
for (const field of ['target', 'draft']) {
  form[field].addEventListener('paste', (event) => {
    const pasted = event.clipboardData?.getData('text/plain') ?? '';
    if (pasted.length <= largeText) return;
    event.preventDefault();
    const area = form[field];
    const text = area.value.slice(0, area.selectionStart) + pasted + area.value.slice(area.selectionEnd);
    undo.hidden = true;
    setPreset('custom');
    clearTimeout(typingTimer);
    clearTimeout(largeTimers[field]);
    readLargeText(field, text, true);
  });
}

form.addEventListener('input', (event) => {
  const target = event.target;
  if (target.type === 'file') return;
  if (target.id === 'preset' || target.id === 'seed') return;
  undo.hidden = true;
  if (target.id === 'depth' || target.id === 'cost') {
    rerender();
    showLinkLimit(updateHash().left);
    return;
  }
  if (target.id === 'target' || target.id === 'draft') {
    setPreset('custom');
    $('seed-field').hidden = !loaded.target?.synthetic;
  }
  if (target.id?.endsWith('-kind')) syncSampling();
  if (target.id === 'lp') syncVerifiers();
  if (target.tagName === 'TEXTAREA') {
    reads[target.id]++;
    if (target.value.length > largeText) readLargeTextSoon(target.id);
    else computeSoon();
  } else computeNow();
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
  const typed = currentPreset() === 'custom';
  checkpoint();
  applyPreset(name, await exampleRequest);
  setPreset(name);
  pushEntry();
  // Inputs of the user's own (typed, loaded or from a link) get an Undo beside the choice.
  undo.hidden = !typed;
  computeNow();
});
undo.addEventListener('click', () => {
  undo.hidden = true;
  history.back();
});

$('seed').addEventListener('input', () => {
  let seed;
  try {
    seed = readNumberField('seed');
  } catch (error) {
    // Nothing is computed from a misread seed: the numbers of another seed go.
    refuseInput('request', '');
    $('seed-error').textContent = error.message;
    form.seed.setAttribute('aria-invalid', 'true');
    return;
  }
  $('seed-error').textContent = '';
  form.seed.removeAttribute('aria-invalid');
  applySynthetic(loaded.target?.synthetic?.vocab ?? syntheticVocab, seed);
  computeNow();
});

for (const field of ['target', 'draft']) {
  $(`${field}-file`).addEventListener('change', async (event) => {
    const input = event.target;
    const file = input.files?.[0];
    if (!file) return;
    try {
      markPending(`Reading ${file.name}…`);
      const { values, kind } = await parseLoadedFile(field, file);
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
      computeNow();
    } catch (error) {
      refuseInput(error.field ?? field, error.message);
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
      if (entry?.values) {
        form[field].value = numberText(entry.values);
        // Its numbers are known: a long text is not read again.
        rememberParsed(field, form[field].value, entry.values);
      }
    }
    form[field].focus();
    computeNow();
  });
}

$('share').addEventListener('click', () => {
  undo.hidden = true;
  copyLink();
});

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
  if (!(event.state?.inputs && restoreInputs(event.state.inputs))) await openHash(location.hash);
  computeNow();
});
// A hash typed or followed; popstate has already applied it when it fired too.
window.addEventListener('hashchange', async () => {
  if (location.hash === currentHash().hash) return;
  await openHash(location.hash);
  computeNow();
});

await openHash(location.hash);
onCalculatorReady(computeNow);
