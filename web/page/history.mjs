// Browser history for the inputs. Typing only replaces the current entry; a
// deliberate change (an example, a file, Copy link) pushes one, so that Back
// returns to the inputs before it. Each entry's state holds a snapshot of the
// inputs when its hash cannot carry them all (a long file or paste), and
// always for an entry left by a deliberate change: Back restores the
// snapshot exactly, never loses what the user typed.
import { $, form } from './dom.mjs';
import { loaded, showLoaded, currentPreset, setPreset, syncVerifiers, syncSampling } from './form.mjs';
import { currentHash } from './link.mjs';

function writeHistory(method, hash, state) {
  try {
    history[method](state, '', hash);
  } catch {
    // A snapshot too large for the browser's history: the hash alone.
    history[method](null, '', hash);
  }
}

// Long arrays stay in this page's memory, named in the entry by a key:
// copying megabytes into the entry on each keystroke took half a second. An
// entry keeps them while the page lives; after a reload it falls back to its
// hash. Shorter arrays go into the entry itself and survive a reload too.
const inlineLimit = 100000;
const stored = new Map();
const keys = new WeakMap();
let nextKey = 0;

function toEntry(loadedEntry) {
  if (!loadedEntry?.values || loadedEntry.values.length <= inlineLimit) return loadedEntry;
  let key = keys.get(loadedEntry.values);
  if (key === undefined) {
    key = ++nextKey;
    keys.set(loadedEntry.values, key);
    stored.set(key, loadedEntry.values);
  }
  return { ...loadedEntry, values: undefined, stored: key };
}

// undefined when the array is gone (the page was reloaded).
function fromEntry(entry) {
  if (!entry?.stored) return entry ?? null;
  const values = stored.get(entry.stored);
  return values ? { ...entry, values, stored: undefined } : undefined;
}

function snapshotInputs() {
  const values = {};
  for (const element of form.elements) {
    if (element.type === 'file' || element.id === 'preset' || !(element.id || element.name)) continue;
    const key = element.id || `${element.name}=${element.value}`;
    values[key] = element.type === 'checkbox' ? element.checked : element.value;
  }
  return { values, loaded: { target: toEntry(loaded.target), draft: toEntry(loaded.draft) }, preset: currentPreset(), compact: document.body.classList.contains('compact') };
}

/** The current entry follows the inputs (typing). Returns currentHash()'s answer. */
export function updateHash() {
  const current = currentHash();
  if (current.hash !== location.hash) writeHistory('replaceState', current.hash, current.complete ? null : { inputs: snapshotInputs() });
  return current;
}

/** Before a deliberate change: the current inputs, exactly, in the current entry. */
export function checkpoint() {
  writeHistory('replaceState', currentHash().hash, { inputs: snapshotInputs() });
}

/** After it: a new entry for the new inputs. */
export function pushEntry() {
  writeHistory('pushState', currentHash().hash, { inputs: snapshotInputs() });
}

/** Puts an entry's inputs back; false when it cannot (its long arrays went with a reload). */
export function restoreInputs(snapshot) {
  const entries = { target: fromEntry(snapshot.loaded.target), draft: fromEntry(snapshot.loaded.draft) };
  if (entries.target === undefined || entries.draft === undefined) return false;
  for (const element of form.elements) {
    if (element.type === 'file' || element.id === 'preset' || !(element.id || element.name)) continue;
    const value = snapshot.values[element.id || `${element.name}=${element.value}`];
    if (value === undefined) continue;
    if (element.type === 'checkbox') element.checked = value;
    else element.value = value;
  }
  for (const field of ['target', 'draft']) {
    loaded[field] = entries[field];
    showLoaded(field);
  }
  document.body.classList.toggle('compact', snapshot.compact);
  setPreset(snapshot.preset);
  $('seed-field').hidden = !loaded.target?.synthetic;
  syncVerifiers();
  syncSampling();
  return true;
}
