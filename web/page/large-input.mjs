// Large inputs, read off the main thread (parse-worker.mjs): pasted text
// above `largeText` characters and every loaded file. Each call resolves to
// {values, kind} or rejects with an InputError naming the field or entry.
// Short text is still read at once on the main thread (inputs.mjs): that is
// instant, and its errors show while typing.
import { InputError } from './inputs.mjs';

/** Text longer than this (about 5,000 numbers) is parsed in the worker. */
export const largeText = 50000;

let worker = null;
let nextId = 0;
const pending = new Map();

function ask(message, transfer = []) {
  if (!worker) {
    worker = new Worker(new URL('./parse-worker.mjs', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      const entry = pending.get(data.id);
      pending.delete(data.id);
      if (data.error) entry?.reject(new InputError(data.error.field, data.error.message));
      else entry?.resolve({ values: data.values, kind: data.kind });
    };
  }
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, ...message }, transfer);
  });
}

/** Pasted or typed text to numbers, in the worker. */
export const parseText = (field, text) => ask({ field, text });

/** A loaded file to numbers: read by the browser, parsed in the worker. */
export async function parseLoadedFile(field, file) {
  const bytes = await file.arrayBuffer();
  return ask({ field, name: file.name, bytes }, [bytes]);
}

// What the last large text read per field gave (its numbers or its error),
// so that the link and the job reuse it instead of reading megabytes of text
// again on the main thread.
const parsed = { target: null, draft: null };

export function rememberParsed(field, text, values, error = null) {
  parsed[field] = { text, values, error };
}

/** {values} or {error} of `text` when it was read before, else null. */
export function parsedResult(field, text) {
  return parsed[field]?.text === text ? parsed[field] : null;
}

/** A size in the words people use: 7.0 MB, 120 kB, 107 bytes. */
export function sizeText(characters) {
  if (characters >= 1 << 20) return `${(characters / (1 << 20)).toFixed(1)} MB`;
  if (characters >= 1024) return `${Math.round(characters / 1024)} kB`;
  return `${characters} byte${characters === 1 ? '' : 's'}`;
}
