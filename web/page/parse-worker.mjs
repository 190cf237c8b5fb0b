// Reads pasted text and loaded files into numbers off the page's main thread:
// a 7 MB paste takes a few hundred milliseconds to split and convert, which on
// the main thread froze typing. The same readers as for short text
// (inputs.mjs), so a message names the same entry either way.
//
// In:  {id, field, text} or {id, field, name, bytes} (an ArrayBuffer, transferred).
// Out: {id, values, kind} (values a Float64Array, transferred; kind as
//      parseFile gives it, null for text) or {id, error: {field, message}}.
import { parseNumbers, parseFile } from './inputs.mjs';

self.onmessage = ({ data }) => {
  const { id, field } = data;
  try {
    let values, kind = null;
    if (typeof data.text === 'string') values = Float64Array.from(parseNumbers(data.text, field));
    else ({ values, kind } = parseFile(data.name, new Uint8Array(data.bytes), field));
    self.postMessage({ id, values, kind }, [values.buffer]);
  } catch (error) {
    self.postMessage({ id, error: { field: error.field ?? field, message: error.message } });
  }
};
