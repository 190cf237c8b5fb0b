// Dataset mode's file formats and settings, with no DOM and no calculator:
// shared by the page (dataset.mjs) and its worker (dataset-worker.mjs):
// .npy pairs, JSON Lines of positions, llama.cpp logits pairs and JSON Lines
// of engine responses (README "Engine files"), read as `mdsd batch` reads them.
// Errors are DatasetError with the message shown to the person, naming the
// file and, where there is one, the row (.npy rows from 0 as in NumPy; JSON
// Lines lines from 1 as in an editor; the CLI `mdsd batch` counts the same).

export class DatasetError extends Error {
  constructor(message, field = 'file') {
    super(message);
    this.name = 'DatasetError';
    this.field = field;
  }
}

export const maxVocabulary = 4194304;
export const maxDrafts = 64;

/** "4", "1,2,4", "1-8", "1-3,8" to a sorted list without repeats, or a DatasetError. */
export function parseDrafts(text) {
  const items = String(text).split(',').map((item) => item.trim());
  const drafts = [];
  const fail = () => { throw new DatasetError(`drafts: "${String(text).trim()}": give n, a list like 2,4,8 or a range like 1-8, each from 1 to ${maxDrafts}`, 'drafts'); };
  if (items.every((item) => item === '')) fail();
  for (const item of items) {
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(item);
    if (!match) fail();
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (first < 1 || last > maxDrafts || first > last) fail();
    for (let n = first; n <= last; n++) if (!drafts.includes(n)) drafts.push(n);
  }
  return drafts;
}

/** "" (as given) or "0.7, 1, 1.3" to a list of numbers > 0. */
export function parseTemperatures(text) {
  const trimmed = String(text).trim();
  if (trimmed === '') return [];
  return trimmed.split(/[\s,;]+/).filter(Boolean).map((item) => {
    const value = Number(item);
    if (!Number.isFinite(value) || value <= 0) {
      throw new DatasetError(`temperatures: "${item}" is not a number > 0`, 'temperatures');
    }
    return value;
  });
}

// ---- .npy ------------------------------------------------------------------

const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];  // \x93NUMPY
const itemSizes = { '<f2': 2, '<f4': 4, '<f8': 8 };

/**
 * The header of an [N, V] .npy file from its first bytes. Returns
 * {rows, columns, descr, itemSize, dataOffset}, or {needBytes} when `bytes`
 * stops inside the header.
 */
export function parseNpyHeader(bytes, name) {
  const fail = (text) => { throw new DatasetError(`${name}: ${text}`); };
  if (bytes.length < 10 || !magic.every((byte, i) => bytes[i] === byte)) fail('not a NumPy .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) return { needBytes: 8 + lengthBytes };
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (bytes.length < dataOffset) return { needBytes: dataOffset };
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataOffset));
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail('malformed .npy header');
  const itemSize = itemSizes[descr];
  if (itemSize === undefined) {
    fail(`dtype '${descr}' is not supported: the rows must be float16, float32 or float64, little-endian ('<f2', '<f4', '<f8')`);
  }
  if (fortran === 'True') fail('Fortran (column-major) order is not supported; save with C order');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean);
  if (shape.length !== 2 || !shape.every((s) => /^\d+$/.test(s))) {
    fail(`shape (${shape.join(', ')}${shape.length === 1 ? ',' : ''}) has ${shape.length} dimensions; expected [N, V] (N positions of V tokens)`);
  }
  const [rows, columns] = shape.map(Number);
  if (rows < 1) fail('holds no positions (N = 0)');
  if (columns < 1 || columns > maxVocabulary) fail(`${columns} tokens per row; expected 1 to ${maxVocabulary.toLocaleString('en')}`);
  return { rows, columns, descr, itemSize, dataOffset };
}

/** Throws when a file of `size` bytes stops before the rows its header promises. */
export function checkNpySize(header, size, name) {
  const rowBytes = header.columns * header.itemSize;
  const complete = Math.floor(Math.max(0, size - header.dataOffset) / rowBytes);
  if (complete < header.rows) {
    throw new DatasetError(`${name}: row ${complete}: the file ends early (truncated; the header promises ` +
      `${header.rows.toLocaleString('en')} rows of ${header.columns.toLocaleString('en')} values, the file holds ${complete.toLocaleString('en')})`);
  }
}

/** Throws unless the two headers have the same [N, V]. */
export function checkSameShape(target, draft, targetName, draftName) {
  if (target.rows !== draft.rows || target.columns !== draft.columns) {
    throw new DatasetError(`${draftName}: shape [${draft.rows}, ${draft.columns}] does not match ${targetName}'s [${target.rows}, ${target.columns}]` +
      (target.rows !== draft.rows ? ' (a different number of positions N)' : ' (a different vocabulary V)'));
  }
}

let halfTable = null;
// IEEE half to float32 (exact), by table.
function halfToFloat() {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    let value;
    if (exponent === 0) value = fraction * 2 ** -24;
    else if (exponent === 31) value = fraction ? NaN : Infinity;
    else value = (1 + fraction / 1024) * 2 ** (exponent - 15);
    halfTable[bits] = sign * value;
  }
  return halfTable;
}

/**
 * Row `k` of a chunk (an ArrayBuffer holding whole rows, starting at a row)
 * as a typed array: a view for float32 and float64, a float32 copy for float16.
 */
export function npyRow(buffer, header, k) {
  const { columns, itemSize } = header;
  const offset = k * columns * itemSize;
  if (itemSize === 4) return new Float32Array(buffer, offset, columns);
  if (itemSize === 8) return new Float64Array(buffer, offset, columns);
  const table = halfToFloat();
  const bits = new Uint16Array(buffer, offset, columns);
  const out = new Float32Array(columns);
  for (let j = 0; j < columns; j++) out[j] = table[bits[j]];
  return out;
}

// ---- JSON Lines --------------------------------------------------------------

/**
 * One line of a JSON Lines dataset to {target, draft} (distributions as
 * calculator.solve takes them), or a DatasetError naming file and line.
 */
export function parseJsonLine(text, name, line) {
  const where = `${name} line ${line}`;
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(`${where}: not valid JSON (${error.message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DatasetError(`${where}: a line must be an object {"target": ..., "draft": ...}`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'target' && key !== 'draft' && key !== 'vocab') {
      throw new DatasetError(`${where}: ${key}: unknown key (a line gives target, draft and vocab; drafts and temperatures are the panel's settings)`);
    }
  }
  for (const key of ['target', 'draft']) {
    if (!(key in value)) throw new DatasetError(`${where}: ${key}: is missing`);
  }
  // "vocab": the size of the vocabulary of the line's token lists; the core checks it.
  return 'vocab' in value ? { target: value.target, draft: value.draft, vocab: value.vocab } : { target: value.target, draft: value.draft };
}

/**
 * Splits decoded text into lines across chunks: push(text) returns the
 * complete lines so far, finish() the last one.
 */
export class LineSplitter {
  #rest = '';

  push(text) {
    const parts = (this.#rest + text).split('\n');
    this.#rest = parts.pop();
    return parts;
  }

  finish() {
    const rest = this.#rest;
    this.#rest = '';
    return rest === '' ? [] : [rest];
  }
}

// ---- recognising a pair of files ---------------------------------------------

/**
 * What a file's first bytes say it holds, as `mdsd batch` recognises it:
 * 'npy', 'llama' (llama-perplexity --kl-divergence-base), 'responses' (JSON
 * text: its first non-blank character is '{'), or null.
 */
export function sniffFormat(bytes) {
  if (bytes.length >= 6 && magic.every((byte, i) => bytes[i] === byte)) return 'npy';
  if (bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 8)) === '_logits_') return 'llama';
  for (const byte of bytes) {
    if (byte === 0x7b) return 'responses';
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== 0x0a) return null;
  }
  return null;
}

export const formatNames = { npy: 'a .npy file', llama: 'a llama.cpp logits file', responses: 'JSON (engine responses)' };

/** Throws unless both files were recognised, as one format; returns it. */
export function pairFormat(target, draft, targetName, draftName) {
  for (const [format, name] of [[target, targetName], [draft, draftName]]) {
    if (!format) {
      throw new DatasetError(`${name}: not a format the Dataset panel reads: expected a .npy file, a llama.cpp logits file ` +
        '(llama-perplexity --kl-divergence-base) or JSON Lines of engine responses');
    }
  }
  if (target !== draft) {
    throw new DatasetError(`${targetName} is ${formatNames[target]} but ${draftName} is ${formatNames[draft]}: give two files of one format`);
  }
  return target;
}

// ---- llama.cpp logits files ----------------------------------------------------
// What llama-perplexity --kl-divergence-base writes (README "Engine files"):
// "_logits_", int32 n_ctx, n_vocab, n_chunk, the n_ctx * n_chunk tokens, then
// n_ctx - 1 - n_ctx/2 rows per chunk of float scale, float min_log_prob and
// n_vocab uint16 v (padded to even), log p = scale * v + min_log_prob. The
// same reading, checks and messages as src/dataset/llama_logits_file.cpp.

/** Half a quantisation step plus this is how far a decoded value may be off. */
export const llamaRoundingSlack = 1e-5;
/** A row within this of 16 nats (65535 * scale) is taken as clamped. */
export const llamaClampMargin = 1 / 256;
const maxContext = 2 ** 24;
const rowSlack = 1e-3;

function llamaRange(nCtx, nVocab, nChunk) {
  if (nCtx < 3 || nCtx > maxContext) {
    if (nCtx === 1 || nCtx === 2) return `n_ctx ${nCtx} leaves no rows (llama-perplexity writes n_ctx - 1 - n_ctx/2 rows per chunk)`;
    return `n_ctx ${nCtx} is outside 3 to ${maxContext}`;
  }
  if (nVocab < 1 || nVocab > maxVocabulary) return `n_vocab ${nVocab} is outside 1 to ${maxVocabulary}`;
  if (nChunk < 1) return `n_chunk ${nChunk}: the file holds no chunks`;
  return null;
}

const swap32 = (value) => new DataView(Uint32Array.of(value >>> 0).buffer).getInt32(0, false);

/**
 * The header of a llama.cpp logits file from its first 20 (or fewer) bytes
 * and the file's size: {nCtx, nVocab, nChunk, rowsPerChunk, rows, rowBytes,
 * dataOffset}, or a DatasetError naming the file.
 */
export function parseLlamaHeader(bytes, name, size) {
  const fail = (text) => { throw new DatasetError(`${name}: ${text}`); };
  if (sniffFormat(bytes.subarray(0, 8)) !== 'llama') {
    fail('not a llama.cpp logits file (it does not start with "_logits_", as what llama-perplexity --kl-divergence-base writes does)');
  }
  if (bytes.length < 12) fail('the header is truncated: it ends before n_ctx');
  if (bytes.length === 12) {
    fail('the header ends after n_ctx: llama-perplexity wrote no tokens (it stops there when the text has fewer than 2 * n_ctx tokens)');
  }
  if (bytes.length < 20) fail('the header is truncated: it ends inside n_vocab and n_chunk');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [nCtx, nVocab, nChunk] = [8, 12, 16].map((offset) => view.getInt32(offset, true));
  const range = llamaRange(nCtx, nVocab, nChunk);
  if (range) {
    const [a, b, c] = [nCtx, nVocab, nChunk].map(swap32);
    fail(range + (llamaRange(a, b, c) ? '' : ` (with its bytes swapped the header reads n_ctx ${a}, n_vocab ${b}, n_chunk ${c}: ` +
      'a file written on a big-endian machine is not supported)'));
  }
  const rowsPerChunk = nCtx - 1 - Math.floor(nCtx / 2);
  const rows = rowsPerChunk * nChunk;
  const rowBytes = 8 + 4 * Math.floor((nVocab + 1) / 2);
  const tokenCount = nCtx * nChunk;
  const promise = ` (the header promises ${nChunk} chunks of ${nCtx} tokens and ${rowsPerChunk} rows of ${nVocab} values per chunk)`;
  const tokenAt = (k) => `chunk ${Math.floor(k / nCtx)}, position ${k % nCtx}`;
  const header = { nCtx, nVocab, nChunk, rowsPerChunk, rows, rowBytes, tokenCount, dataOffset: 20 + 4 * tokenCount };
  const afterHeader = size - 20;
  if (Math.floor(afterHeader / 4) < tokenCount) fail(`truncated: it ends in the header's tokens, at ${tokenAt(Math.floor(afterHeader / 4))}${promise}`);
  const afterTokens = afterHeader - 4 * tokenCount;
  if (Math.floor(afterTokens / rowBytes) < rows) {
    const row = Math.floor(afterTokens / rowBytes);
    fail(`truncated: it ends in row ${row} (${llamaPosition(header, row)}) of ${rows}${promise}`);
  }
  if (afterTokens !== rows * rowBytes) {
    fail(`${afterTokens - rows * rowBytes} bytes after the last of its ${rows} rows${promise}: not a file llama-perplexity wrote, or its header is wrong`);
  }
  return header;
}

/** "chunk 3, position 300": where the token row `row` predicts is. */
export function llamaPosition(header, row) {
  return `chunk ${Math.floor(row / header.rowsPerChunk)}, position ${Math.floor(header.nCtx / 2) + (row % header.rowsPerChunk) + 1}`;
}

/** The header's tokens (the bytes after the first 20), each checked to be below n_vocab. */
export function llamaTokens(bytes, header, name) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tokens = new Int32Array(header.tokenCount);
  for (let k = 0; k < header.tokenCount; k++) {
    const token = view.getInt32(4 * k, true);
    if (token < 0 || token >= header.nVocab) {
      throw new DatasetError(`${name}: the header's token at chunk ${Math.floor(k / header.nCtx)}, position ${k % header.nCtx} is ` +
        `${token}, outside 0 to n_vocab - 1 = ${header.nVocab - 1}`);
    }
    tokens[k] = token;
  }
  return tokens;
}

/** Throws at the first difference between the two files' n_vocab, n_ctx, n_chunk and tokens. */
export function checkLlamaPair(target, draft, targetTokens, draftTokens, targetName, draftName) {
  if (draft.nVocab !== target.nVocab) {
    throw new DatasetError(`${draftName}: n_vocab is ${draft.nVocab} but ${targetName}'s is ${target.nVocab}: target and draft must share one tokenizer`);
  }
  if (draft.nCtx !== target.nCtx) {
    throw new DatasetError(`${draftName}: n_ctx is ${draft.nCtx} but ${targetName}'s is ${target.nCtx}: run llama-perplexity with the same -c for both`);
  }
  if (draft.nChunk !== target.nChunk) {
    throw new DatasetError(`${draftName}: ${draft.nChunk} chunks but ${targetName} has ${target.nChunk}: ` +
      'run llama-perplexity on the same text with the same -c and --chunks');
  }
  for (let k = 0; k < targetTokens.length; k++) {
    if (targetTokens[k] !== draftTokens[k]) {
      throw new DatasetError(`${draftName}: the token at chunk ${Math.floor(k / target.nCtx)}, position ${k % target.nCtx} is ` +
        `${draftTokens[k]} but ${targetName}'s is ${targetTokens[k]}: the two files do not hold the same tokenised text`);
    }
  }
}

// A number as the CLI's messages print it (core/message_text format_number:
// C's %.<d>g with the fewest digits that read back exactly), or with
// `digits` significant digits (sums, which exp() may round differently).
export function numberText(value, digits = 0) {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  const g = (d) => {
    if (value === 0) return Object.is(value, -0) ? '-0' : '0';
    const exponential = value.toExponential(d - 1);
    const exponent = Number(exponential.slice(exponential.indexOf('e') + 1));
    const strip = (text) => (text.includes('.') ? text.replace(/\.?0+$/, '') : text);
    if (exponent < -4 || exponent >= d) {
      const [mantissa] = exponential.split('e');
      return `${strip(mantissa)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    }
    return strip(value.toFixed(d - 1 - exponent));
  };
  if (digits > 0) return g(digits);
  for (let d = 1; d < 17; d++) if (Number(g(d)) === value) return g(d);
  return g(17);
}
const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Row `k` of a chunk (an ArrayBuffer of whole rows) as a DIST for batch.add:
 * {logits: Float64Array} when nothing is clamped, else {ids, logprobs,
 * unlisted: {at_most_logprob}} of the tokens with v > 0 (vocab: n_vocab);
 * with log_tolerance, the quantisation bound.
 * Throws an Error whose message has no prefix.
 */
export function decodeLlamaRow(buffer, header, k) {
  const { nVocab, rowBytes } = header;
  const view = new DataView(buffer, k * rowBytes, rowBytes);
  const scale = view.getFloat32(0, true), minLogProb = view.getFloat32(4, true);
  const values = littleEndian ? new Uint16Array(buffer, k * rowBytes + 8, nVocab)
    : Uint16Array.from({ length: nVocab }, (_, i) => view.getUint16(8 + 2 * i, true));
  const logVocab = Math.log(nVocab);
  const notFinite = (value) => (Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity');
  if (!Number.isFinite(scale)) throw new Error(`scale is not a finite number (${notFinite(scale)})`);
  if (!Number.isFinite(minLogProb)) throw new Error(`min_log_prob is not a finite number (${notFinite(minLogProb)})`);
  if (scale < 0 || scale * 65535 > 16 + rowSlack) {
    throw new Error(`scale ${numberText(scale)} is outside what llama-perplexity writes (0 to 16/65535)`);
  }
  if (minLogProb > rowSlack || minLogProb < -16 - logVocab - rowSlack) {
    throw new Error(`min_log_prob ${numberText(minLogProb)} is outside what llama-perplexity writes (-16 - log(n_vocab) to 0)`);
  }
  let largest = 0;
  for (let i = 0; i < nVocab; i++) if (values[i] > largest) largest = values[i];
  const top = scale * largest + minLogProb;
  if (top > rowSlack || top < -logVocab - rowSlack) {
    throw new Error(`the largest value decodes to log p = ${numberText(top)}, which no distribution over n_vocab tokens has as its largest`);
  }
  // Each decoded value is within half a step plus the writer's rounding of
  // the true log p (up to a constant common to the row).
  const tolerance = 0.5 * scale + llamaRoundingSlack;
  if (!(scale * 65535 > 16 - llamaClampMargin)) {
    const logits = new Float64Array(nVocab);
    let sum = 0;
    for (let i = 0; i < nVocab; i++) {
      logits[i] = scale * values[i] + minLogProb;
      sum += Math.exp(logits[i]);
    }
    if (Math.abs(sum - 1) > rowSlack) throw new Error(`the decoded probabilities sum to ${numberText(sum, 6)}, not 1`);
    return { logits, log_tolerance: tolerance };
  }
  const floor = minLogProb + 0.5 * scale + llamaRoundingSlack;
  const ids = [];
  const logprobs = [];
  let listed = 0;
  for (let i = 0; i < nVocab; i++) {
    if (values[i] === 0) continue;
    ids.push(i);
    logprobs.push(scale * values[i] + minLogProb);
    listed += Math.exp(logprobs[logprobs.length - 1]);
  }
  const unlistedAtMost = (nVocab - ids.length) * Math.exp(floor);
  if (listed > 1 + rowSlack || listed + unlistedAtMost < 1 - rowSlack) {
    throw new Error(`the decoded probabilities sum to ${numberText(listed, 6)} above the floor and at most ` +
      `${numberText(listed + unlistedAtMost, 6)} in all, which is not 1`);
  }
  return { ids, logprobs, unlisted: { at_most_logprob: floor }, log_tolerance: tolerance };
}

// ---- engine responses ------------------------------------------------------------
// JSON Lines of responses, one file from the target and one from the draft
// (README "Engine files"); the same reading, rules and messages as
// src/dataset/engine_responses.cpp. A token is "#<id>" when the format gives
// an id, else "s:<text>".

const sumSlack = 1e-3;
const positiveSlack = 1e-6;

const kindOf = (value) => (value === null ? 'null' : Array.isArray(value) ? 'an array'
  : typeof value === 'object' ? 'an object' : typeof value === 'string' ? 'a string'
    : typeof value === 'boolean' ? 'a boolean' : 'a number');
const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const present = (value) => value !== undefined && value !== null;
const own = (object, key) => (isObject(object) && Object.hasOwn(object, key) ? object[key] : undefined);
const indexed = (path, i) => `${path}[${i}]`;
const excerptOf = (text) => (text.length > 80 ? `${text.slice(0, 80)}\u2026` : text);

/** The first key given twice in one object of valid JSON text, as "outer.key", or null. */
export function duplicateKey(text) {
  const stack = [];  // {keys: Set | null, path, expectKey}
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push({ keys: new Set(), path: stack.at(-1)?.pending ?? stack.at(-1)?.path ?? '', expectKey: true, pending: null });
    else if (c === '[') stack.push({ keys: null, path: stack.at(-1)?.pending ?? stack.at(-1)?.path ?? '', expectKey: false, pending: null });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && stack.at(-1)?.keys) stack.at(-1).expectKey = true;
    else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1));
        const path = top.path ? `${top.path}.${excerptOf(key)}` : excerptOf(key);
        if (top.keys.has(key)) return path;
        top.keys.add(key);
        top.expectKey = false;
        top.pending = path;
      }
      i = end;
    }
  }
  return null;
}

function logprobOf(value, path) {
  if (typeof value !== 'number') throw new DatasetError(`${path}: expected a log-probability (a number), got ${kindOf(value)}`);
  if (!Number.isFinite(value)) throw new DatasetError(`${path}: not a finite number`);
  if (value > positiveSlack) throw new DatasetError(`${path}: log-probability ${numberText(value)} is positive`);
  return value;
}

function idKey(value, path) {
  if (typeof value === 'string') {
    if (!/^\d+$/.test(value)) throw new DatasetError(`${path}: "${excerptOf(value)}" is not a token id`);
    value = Number(value);
  } else if (!Number.isInteger(value)) {
    throw new DatasetError(`${path}: expected a token id (an integer), got ${typeof value === 'number' ? 'a number with a fraction or out of range' : kindOf(value)}`);
  }
  if (value < 0 || value >= maxVocabulary) throw new DatasetError(`${path}: token id ${value} is outside 0 to ${maxVocabulary - 1}`);
  return `#${value}`;
}

const textKey = (text, path) => (text.startsWith('token_id:') ? idKey(text.slice(9), path) : `s:${text}`);

/** "#123" as "token 123", "s:abc" as "\"abc\"". */
export function describeToken(key) {
  return key.startsWith('#') ? `token ${key.slice(1)}` : `"${excerptOf(key.slice(2))}"`;
}

function entryToken(entry, path) {
  if (!isObject(entry)) throw new DatasetError(`${path}: expected an object {token, logprob, ...}, got ${kindOf(entry)}`);
  const id = own(entry, 'id'), text = own(entry, 'token'), bytes = own(entry, 'bytes');
  let key;
  if (present(id)) key = idKey(id, `${path}.id`);
  else if (typeof text === 'string') key = textKey(text, `${path}.token`);
  else if (Array.isArray(bytes)) {
    if (!bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) throw new DatasetError(`${path}.bytes: expected numbers 0 to 255`);
    key = `s:${new TextDecoder().decode(Uint8Array.from(bytes))}`;
  } else throw new DatasetError(`${path}: has no token, id or bytes`);
  const logprob = own(entry, 'logprob');
  if (!present(logprob)) {
    if (present(own(entry, 'prob'))) {
      throw new DatasetError(`${path}: gives "prob", the probability after the samplers (llama.cpp's post_sampling_probs); ask for "post_sampling_probs": false`);
    }
    throw new DatasetError(`${path}.logprob: is missing`);
  }
  return { key, logprob: logprobOf(logprob, `${path}.logprob`) };
}

function entryPositions(entries, path, out) {
  if (!Array.isArray(entries)) throw new DatasetError(`${path}: expected an array of token entries, got ${kindOf(entries)}`);
  entries.forEach((entry, j) => {
    const position = { path: indexed(path, j), listed: [], topK: true };
    position.chosen = entryToken(entry, position.path);
    const top = own(entry, 'top_logprobs');
    if (!present(top)) {
      throw new DatasetError(`${position.path}.top_logprobs: is missing: ask for the top log-probabilities (chat: "top_logprobs": 20; llama.cpp: "n_probs": 20)`);
    }
    if (!Array.isArray(top)) throw new DatasetError(`${position.path}.top_logprobs: expected an array, got ${kindOf(top)}`);
    top.forEach((item, i) => position.listed.push(entryToken(item, indexed(`${position.path}.top_logprobs`, i))));
    out.push(position);
  });
}

function completionPositions(logprobs, path, out) {
  const tokens = own(logprobs, 'tokens'), values = own(logprobs, 'token_logprobs'), tops = own(logprobs, 'top_logprobs');
  let echo = false;
  if (!Array.isArray(tokens)) throw new DatasetError(`${path}.tokens: expected an array, got ${kindOf(tokens)}`);
  if (!Array.isArray(values)) throw new DatasetError(`${path}.token_logprobs: expected an array`);
  if (!present(tops)) throw new DatasetError(`${path}.top_logprobs: is missing: ask for the top log-probabilities ("logprobs": 20)`);
  if (!Array.isArray(tops)) throw new DatasetError(`${path}.top_logprobs: expected an array, got ${kindOf(tops)}`);
  if (values.length !== tokens.length || tops.length !== tokens.length) {
    throw new DatasetError(`${path}: tokens, token_logprobs and top_logprobs have ${tokens.length}, ${values.length} and ${tops.length} entries`);
  }
  for (let j = 0; j < tokens.length; j++) {
    const value = values[j], top = tops[j];
    if (value === null && top === null) {
      if (j === 0) echo = true;
      continue;
    }
    const position = { path: indexed(`${path}.tokens`, j), listed: [], topK: true };
    if (value === null || top === null) {
      throw new DatasetError(`${position.path}: one of token_logprobs[${j}] and top_logprobs[${j}] is null and the other is not`);
    }
    if (typeof tokens[j] !== 'string') throw new DatasetError(`${position.path}: expected a string, got ${kindOf(tokens[j])}`);
    position.chosen = { key: textKey(tokens[j], position.path), logprob: logprobOf(value, indexed(`${path}.token_logprobs`, j)) };
    const topPath = indexed(`${path}.top_logprobs`, j);
    if (!isObject(top)) throw new DatasetError(`${topPath}: expected an object {token: logprob}, got ${kindOf(top)}`);
    for (const [text, logprob] of Object.entries(top)) {
      position.listed.push({ key: textKey(text, topPath), logprob: logprobOf(logprob, `${topPath}.${excerptOf(text)}`) });
    }
    out.push(position);
  }
  return echo;
}

function vllmPositions(list, ids, path, idsPath, out) {
  if (!Array.isArray(list)) throw new DatasetError(`${path}: expected an array of {token id: logprob} objects, got ${kindOf(list)}`);
  if (!present(ids)) {
    throw new DatasetError(`${idsPath}: is missing: without it the text's tokens are unknown (vLLM's server gives it with "return_token_ids": true; RequestOutput has it)`);
  }
  if (!Array.isArray(ids) || ids.length !== list.length) {
    throw new DatasetError(`${idsPath}: expected an array of ${list.length} token ids, one per entry of ${path}`);
  }
  list.forEach((dict, j) => {
    if (dict === null) return;
    const position = { path: indexed(path, j), listed: [], topK: true };
    if (!isObject(dict)) throw new DatasetError(`${position.path}: expected an object {token id: logprob}, got ${kindOf(dict)}`);
    const items = Object.entries(dict);
    if (items.length === 0) throw new DatasetError(`${position.path}: lists no tokens`);
    for (const [id, value] of items) {
      const itemPath = `${position.path}.${excerptOf(id)}`;
      const token = { key: idKey(id, itemPath) };
      let logprob = value;
      if (isObject(value)) {
        logprob = own(value, 'logprob');
        if (!present(logprob)) throw new DatasetError(`${itemPath}.logprob: is missing`);
        const rank = own(value, 'rank');
        if (present(rank)) {
          if (!Number.isInteger(rank) || rank < 1) throw new DatasetError(`${itemPath}.rank: expected an integer >= 1`);
          token.rank = rank;
        }
      }
      token.logprob = logprobOf(logprob, isObject(value) ? `${itemPath}.logprob` : itemPath);
      position.listed.push(token);
    }
    const chosen = idKey(ids[j], indexed(idsPath, j));
    const found = position.listed.find((token) => token.key === chosen);
    if (!found) throw new DatasetError(`${position.path}: does not list the text's token ${describeToken(chosen)} (vLLM lists it at every position)`);
    position.chosen = { ...found };
    out.push(position);
  });
}

function sglangPositions(tokens, tops, path, topPath, out) {
  if (!Array.isArray(tokens)) throw new DatasetError(`${path}: expected an array of [logprob, token_id, text], got ${kindOf(tokens)}`);
  if (!present(tops)) throw new DatasetError(`${topPath}: is missing: ask for the top log-probabilities ("top_logprobs_num": 20)`);
  if (!Array.isArray(tops) || tops.length !== tokens.length) {
    throw new DatasetError(`${topPath}: expected an array of ${tokens.length} entries, one per entry of ${path}`);
  }
  const triple = (value, where) => {
    if (!Array.isArray(value) || value.length < 2) throw new DatasetError(`${where}: expected [logprob, token_id, text], got ${kindOf(value)}`);
    const token = { key: idKey(value[1], `${where}[1]`) };
    if (value[0] === null) return { token, nullLogprob: true };
    token.logprob = logprobOf(value[0], `${where}[0]`);
    return { token, nullLogprob: false };
  };
  tokens.forEach((entry, j) => {
    const position = { path: indexed(path, j), listed: [], topK: true };
    const { token, nullLogprob } = triple(entry, position.path);
    position.chosen = token;
    const top = tops[j];
    const noTop = top === null || (Array.isArray(top) && top.length === 0);
    if (nullLogprob && noTop) return;
    if (nullLogprob) throw new DatasetError(`${position.path}[0]: is null but ${indexed(topPath, j)} lists tokens`);
    if (noTop) throw new DatasetError(`${indexed(topPath, j)}: lists no tokens: ask for the top log-probabilities ("top_logprobs_num": 20)`);
    if (!Array.isArray(top)) throw new DatasetError(`${indexed(topPath, j)}: expected an array of [logprob, token_id, text], got ${kindOf(top)}`);
    top.forEach((item, i) => {
      const where = indexed(indexed(topPath, j), i);
      const listed = triple(item, where);
      if (listed.nullLogprob) throw new DatasetError(`${where}[0]: is null`);
      position.listed.push(listed.token);
    });
    out.push(position);
  });
}

// The list made a list of the most likely tokens (the rule of
// engine_responses.cpp normalise(): the text's token is dropped when it may
// be an extra entry below the top k; a single entry that is the text's token
// leaves the unlisted tokens bounded only by their total).
function normalise(position) {
  const { listed } = position;
  if (listed.length === 0) throw new DatasetError(`${position.path}: lists no tokens: ask for at least one top log-probability`);
  const seen = new Set();
  for (const token of listed) {
    if (seen.has(token.key)) {
      throw new DatasetError(`${position.path}: lists ${describeToken(token.key)} twice` + (token.key.startsWith('s:')
        ? ': token texts do not tell these tokens apart; ask for token ids (vLLM: "return_tokens_as_token_ids": true)' : ''));
    }
    seen.add(token.key);
  }
  let sum = 0;
  for (const token of listed) sum += Math.exp(token.logprob);
  if (sum > 1 + sumSlack) throw new DatasetError(`${position.path}: the listed probabilities sum to ${numberText(sum, 6)}, more than 1`);
  const at = listed.findIndex((token) => token.key === position.chosen.key);
  if (at < 0) {
    const smallest = Math.min(...listed.map((token) => token.logprob));
    if (position.chosen.logprob > smallest + positiveSlack) {
      throw new DatasetError(`${position.path}: the text's token ${describeToken(position.chosen.key)} has log-probability ` +
        `${numberText(position.chosen.logprob)}, above the smallest listed one (${numberText(smallest)}), yet it is not listed: the list is not the most likely tokens`);
    }
    return;
  }
  const found = listed[at];
  position.chosen.logprob = found.logprob;
  const rank = position.chosen.rank ?? found.rank;
  let drop;
  if (rank !== undefined) drop = rank > listed.length;
  else if (listed.length === 1) {
    position.topK = false;
    return;
  } else drop = listed.every((token, i) => i === at || token.logprob >= found.logprob);
  if (drop) {
    listed.splice(at, 1);
    if (listed.length === 0) {
      throw new DatasetError(`${position.path}: lists only the text's token (rank ${rank}): no most likely tokens at this position; ask for at least one top log-probability`);
    }
  }
}

/** The positions of one response line, in text order (engine_responses.cpp parse_engine_response). */
export function parseEngineResponse(text) {
  let document;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(`not valid JSON (${error.message})`);
  }
  const twice = duplicateKey(text);
  if (twice !== null) throw new DatasetError(`${twice}: given twice; a key may appear once in an object`);
  if (!isObject(document)) throw new DatasetError(`a line must be one response (a JSON object), got ${kindOf(document)}`);
  const positions = [];
  const choices = own(document, 'choices');
  if (choices !== undefined) {
    if (!Array.isArray(choices) || choices.length === 0) throw new DatasetError('choices: expected a non-empty array');
    const choice = choices[0];
    if (!isObject(choice)) throw new DatasetError(`choices[0]: expected an object, got ${kindOf(choice)}`);
    const generated = [];
    let echo = false;
    const logprobs = own(choice, 'logprobs');
    if (present(logprobs)) {
      const path = 'choices[0].logprobs';
      if (!isObject(logprobs)) throw new DatasetError(`${path}: expected an object, got ${kindOf(logprobs)}`);
      if (Object.hasOwn(logprobs, 'content')) {
        if (!present(logprobs.content)) throw new DatasetError(`${path}.content: is null: the response has no log-probabilities`);
        entryPositions(logprobs.content, `${path}.content`, generated);
      } else if (present(own(logprobs, 'tokens'))) {
        echo = completionPositions(logprobs, path, generated);
      } else throw new DatasetError(`${path}: has neither content (chat) nor tokens (completions)`);
    }
    const inChoice = present(own(choice, 'prompt_logprobs'));
    const prompt = inChoice ? choice.prompt_logprobs : own(document, 'prompt_logprobs');
    if (present(prompt) && !echo) {
      let ids = inChoice ? own(choice, 'prompt_token_ids') : own(document, 'prompt_token_ids');
      if (!present(ids)) ids = own(document, 'prompt_token_ids');
      vllmPositions(prompt, ids, inChoice ? 'choices[0].prompt_logprobs' : 'prompt_logprobs',
        inChoice ? 'choices[0].prompt_token_ids' : 'prompt_token_ids', positions);
    }
    positions.push(...generated);
    if (positions.length === 0) {
      throw new DatasetError('choices[0]: the response has no log-probabilities (completions: "logprobs": 20 with "echo": true ' +
        'and "max_tokens": 0; vLLM: "prompt_logprobs": 20; chat: "logprobs": true, "top_logprobs": 20)');
    }
  } else if (own(document, 'completion_probabilities') !== undefined) {
    entryPositions(document.completion_probabilities, 'completion_probabilities', positions);
    if (positions.length === 0) throw new DatasetError('completion_probabilities: is empty: ask for them with "n_probs": 20');
  } else if (own(document, 'meta_info') !== undefined) {
    const meta = document.meta_info;
    if (!isObject(meta)) throw new DatasetError(`meta_info: expected an object, got ${kindOf(meta)}`);
    for (const part of ['input', 'output']) {
      const tokens = own(meta, `${part}_token_logprobs`);
      if (present(tokens)) {
        sglangPositions(tokens, own(meta, `${part}_top_logprobs`), `meta_info.${part}_token_logprobs`, `meta_info.${part}_top_logprobs`, positions);
      }
    }
    if (positions.length === 0) {
      throw new DatasetError('meta_info: the response has no log-probabilities ("return_logprob": true, "top_logprobs_num": 20, ' +
        'and "logprob_start_len": 0 for the prompt\'s)');
    }
  } else if (['prompt_logprobs', 'logprobs', 'outputs'].some((key) => own(document, key) !== undefined)) {
    if (present(own(document, 'prompt_logprobs'))) {
      vllmPositions(document.prompt_logprobs, own(document, 'prompt_token_ids'), 'prompt_logprobs', 'prompt_token_ids', positions);
    }
    let output = document, prefix = '';
    const outputs = own(document, 'outputs');
    if (present(outputs)) {
      if (!Array.isArray(outputs) || outputs.length === 0) throw new DatasetError('outputs: expected a non-empty array');
      [output] = outputs;
      prefix = 'outputs[0].';
    }
    const logprobs = own(output, 'logprobs');
    if (present(logprobs)) vllmPositions(logprobs, own(output, 'token_ids'), `${prefix}logprobs`, `${prefix}token_ids`, positions);
    if (positions.length === 0) throw new DatasetError('the response has no log-probabilities (vLLM: SamplingParams(prompt_logprobs=20) or logprobs=20)');
  } else {
    throw new DatasetError('not an engine response: expected choices (OpenAI-compatible), completion_probabilities (llama.cpp), ' +
      'meta_info (SGLang) or prompt_logprobs/outputs (vLLM); a JSON Lines file of {"target", "draft"} positions is given alone');
  }
  for (const position of positions) normalise(position);
  return positions;
}

const utf8 = new TextEncoder();
function compareBytes(a, b) {
  const x = utf8.encode(a), y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * The target's and the draft's position as DISTs for batch.add, over shared
 * ids ({ids, logprobs, unlisted}, ids ascending): engine_responses.cpp
 * pair_positions. Throws a DatasetError without prefix.
 */
export function pairPositions(target, draft) {
  if (target.chosen.key !== draft.chosen.key) {
    throw new DatasetError(`the text's tokens differ: the target's ${target.path} is ${describeToken(target.chosen.key)}, ` +
      `the draft's ${draft.path} is ${describeToken(draft.chosen.key)}: the draft must score the target's text, token for token` +
      (target.chosen.key[0] !== draft.chosen.key[0] ? ' (one side gives token ids, the other token texts)' : ''));
  }
  const ids = [target, draft].every((side) => side.listed.every((token) => token.key.startsWith('#')));
  const interned = new Map();
  if (!ids) {
    const keys = [...new Set([...target.listed, ...draft.listed].map((token) => token.key))].sort(compareBytes);
    keys.forEach((key, i) => interned.set(key, i));
  }
  const dist = (side) => {
    const entries = side.listed.map((token) => [ids ? Number(token.key.slice(1)) : interned.get(token.key), token.logprob]);
    entries.sort((a, b) => a[0] - b[0]);
    return { ids: entries.map(([id]) => id), logprobs: entries.map(([, logprob]) => logprob), unlisted: side.topK ? 'top_k' : 'any' };
  };
  return { target: dist(target), draft: dist(draft) };
}

// ---- reading a pair of files -------------------------------------------------------
// Files (or anything with slice(start, end).arrayBuffer() and name, size),
// read a chunk at a time: the worker's loops, also run by the Node tests.

/**
 * A pair of llama.cpp logits files: checks both headers and their tokens,
 * then {rows, positions}, positions an async generator of {position, where}
 * (position as batch.add takes it; where as `mdsd batch` names the row).
 */
export async function openLlamaPair(target, draft, chunkBytes = 8 << 20) {
  const open = async (file) => {
    const header = parseLlamaHeader(new Uint8Array(await file.slice(0, 20).arrayBuffer()), file.name, file.size);
    const tokens = llamaTokens(new Uint8Array(await file.slice(20, header.dataOffset).arrayBuffer()), header, file.name);
    return { header, tokens };
  };
  const t = await open(target);
  const d = await open(draft);
  checkLlamaPair(t.header, d.header, t.tokens, d.tokens, target.name, draft.name);
  const { header } = t;
  const { rows, rowBytes, dataOffset, nVocab } = header;
  async function* positions() {
    const rowsPerChunk = Math.max(1, Math.floor(chunkBytes / rowBytes));
    const read = (first) => {
      const count = Math.min(rowsPerChunk, rows - first);
      const start = dataOffset + first * rowBytes;
      const slice = (file) => file.slice(start, start + count * rowBytes).arrayBuffer();
      return Promise.all([slice(target), slice(draft)]).then(([tb, db]) => ({ count, tb, db }));
    };
    let next = read(0);
    for (let first = 0; first < rows;) {
      const chunk = await next;
      // The next chunk is read while this one is computed.
      if (first + chunk.count < rows) next = read(first + chunk.count);
      for (let k = 0; k < chunk.count; k++) {
        const at = `row ${first + k} (${llamaPosition(header, first + k)})`;
        const decode = (buffer, file) => {
          try {
            return decodeLlamaRow(buffer, header, k);
          } catch (error) {
            throw new DatasetError(`${file.name} ${at}: ${error.message}`);
          }
        };
        const position = { target: decode(chunk.tb, target), draft: decode(chunk.db, draft) };
        // A clamped row's floor needs the vocabulary size.
        if (position.target.ids || position.draft.ids) position.vocab = nVocab;
        yield { position, where: `${target.name}, ${draft.name} ${at}` };
      }
      first += chunk.count;
    }
  }
  return { rows, vocab: nVocab, positions: positions() };
}

// The non-blank lines of a file one at a time: next() gives {text, line}
// (lines from 1) or null at the end; fraction() how much is read.
function lineReader(file, chunkBytes) {
  const decoder = new TextDecoder('utf-8');
  const lines = new LineSplitter();
  const pending = [];
  let start = 0, line = 0, finished = false;
  return {
    line: () => line,
    fraction: () => (file.size ? start / file.size : 1),
    async next() {
      for (;;) {
        while (pending.length) {
          const text = pending.shift();
          line++;
          if (text.trim() !== '') return { text, line };
        }
        if (finished) return null;
        if (start >= file.size) {
          pending.push(...lines.finish());
          finished = true;
          continue;
        }
        const end = Math.min(file.size, start + chunkBytes);
        const buffer = await file.slice(start, end).arrayBuffer();
        start = end;
        pending.push(...lines.push(decoder.decode(buffer, { stream: end < file.size })));
      }
    },
  };
}

/**
 * Two JSON Lines files of engine responses, paired response by response
 * (blank lines skipped), then position by position: an async generator of
 * {position, where, fraction} (where: "t.jsonl line 3, d.jsonl line 3
 * position 17"). Errors name the file and line.
 */
export async function* responsePairPositions(target, draft, chunkBytes = 8 << 20) {
  const targets = lineReader(target, chunkBytes), drafts = lineReader(draft, chunkBytes);
  const parse = (file, { text, line }) => {
    try {
      return parseEngineResponse(text);
    } catch (error) {
      if (error instanceof DatasetError) throw new DatasetError(`${file.name} line ${line}: ${error.message}`);
      throw error;
    }
  };
  let done = 0;
  for (;;) {
    const t = await targets.next();
    const d = await drafts.next();
    if (t === null && d === null) break;
    if (t === null || d === null) {
      const [ended, longer, other] = t === null ? [target, draft, d] : [draft, target, t];
      throw new DatasetError(`${ended.name}: ends after line ${(t === null ? targets : drafts).line()}, but ${longer.name} line ${other.line} ` +
        'holds another response: both files need one response per text');
    }
    const tp = parse(target, t), dp = parse(draft, d);
    if (tp.length !== dp.length) {
      throw new DatasetError(`${target.name} line ${t.line} has ${tp.length} positions but ${draft.name} line ${d.line} has ${dp.length}: ` +
        "the draft's response must score exactly the target's text");
    }
    for (let j = 0; j < tp.length; j++) {
      const where = `${target.name} line ${t.line}, ${draft.name} line ${d.line} position ${j}`;
      let position;
      try {
        position = pairPositions(tp[j], dp[j]);
      } catch (error) {
        if (error instanceof DatasetError) throw new DatasetError(`${where}: ${error.message}`);
        throw error;
      }
      done++;
      yield { position, where, fraction: targets.fraction() };
    }
  }
  if (done === 0) throw new DatasetError(`${target.name}: holds no positions`);
}

// ---- per-position output -----------------------------------------------------

/** The per-position rows as CSV, the columns of `mdsd batch --per-position FILE.csv`. */
export function positionsCsv(rows) {
  if (rows.length === 0) return '';
  const methods = Object.keys(rows[0].optimal);
  const verifiers = Object.keys(rows[0].verifiers);
  // An interval [low, high] is one quoted cell, as `mdsd batch --per-position` writes it.
  const cell = (value) => (value === null || value === undefined ? ''
    : Array.isArray(value) ? `"${JSON.stringify(value)}"` : String(value));
  const lines = [['position', 'drafts', 'temperature', ...methods.map((m) => `optimal.${m}`), ...verifiers.map((v) => `verifiers.${v}`)].join(',')];
  for (const row of rows) {
    lines.push([row.position, row.drafts, cell(row.temperature), ...methods.map((m) => cell(row.optimal[m])),
      ...verifiers.map((v) => cell(row.verifiers[v]))].join(','));
  }
  return `${lines.join('\n')}\n`;
}
