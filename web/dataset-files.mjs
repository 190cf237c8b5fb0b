// Dataset mode's file formats and settings, with no DOM and no calculator:
// shared by the page (dataset.mjs) and its worker (dataset-worker.mjs).
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
    if (key !== 'target' && key !== 'draft') {
      throw new DatasetError(`${where}: ${key}: unknown key (a line gives target and draft; drafts and temperatures are the panel's settings)`);
    }
  }
  for (const key of ['target', 'draft']) {
    if (!(key in value)) throw new DatasetError(`${where}: ${key}: is missing`);
  }
  return { target: value.target, draft: value.draft };
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

// ---- per-position output -----------------------------------------------------

/** The per-position rows as CSV, the columns of `mdsd batch --per-position FILE.csv`. */
export function positionsCsv(rows) {
  if (rows.length === 0) return '';
  const methods = Object.keys(rows[0].optimal);
  const verifiers = Object.keys(rows[0].verifiers);
  const cell = (value) => (value === null || value === undefined ? '' : String(value));
  const lines = [['position', 'drafts', 'temperature', ...methods.map((m) => `optimal.${m}`), ...verifiers.map((v) => `verifiers.${v}`)].join(',')];
  for (const row of rows) {
    lines.push([row.position, row.drafts, cell(row.temperature), ...methods.map((m) => cell(row.optimal[m])),
      ...verifiers.map((v) => cell(row.verifiers[v]))].join(','));
  }
  return `${lines.join('\n')}\n`;
}
