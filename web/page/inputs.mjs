// Turning what a person pastes or loads into number arrays. No mathematics
// here: the core validates values (negative, NaN, sizes) and names the entry.
// Each error carries `field`, the key the page flags (e.g. "draft[4]").

export class InputError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

// "-inf", "-Infinity" and "inf" are accepted for logits (a masked token).
function toNumber(token) {
  const lower = token.toLowerCase();
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
  return token.trim() === '' ? NaN : Number(token);
}

/**
 * "0.3, 0.4 0.3", one number a line, or "[0.3, 0.4, 0.3]" to numbers.
 * Throws InputError naming `${field}[i]` for a token that is not a number.
 */
export function parseNumbers(text, field) {
  const trimmed = text.trim();
  if (trimmed === '') throw new InputError(field, `${field}: empty; paste numbers or load a file`);
  if (trimmed.startsWith('[')) {
    let parsed;
    try {
      parsed = JSON.parse(trimmed.replace(/-Infinity/g, '"-Infinity"'));
    } catch (error) {
      throw new InputError(field, `${field}: not a valid JSON array (${error.message})`);
    }
    return fromJsonArray(parsed, field);
  }
  const tokens = trimmed.split(/[\s,;]+/).filter(Boolean);
  return tokens.map((token, i) => {
    const value = toNumber(token);
    if (Number.isNaN(value)) throw new InputError(`${field}[${i}]`, `${field}[${i}]: "${token}" is not a number`);
    return value;
  });
}

function fromJsonArray(parsed, field) {
  if (!Array.isArray(parsed)) throw new InputError(field, `${field}: expected a JSON array of numbers`);
  return parsed.map((value, i) => {
    if (value === '-Infinity') return -Infinity;
    if (typeof value !== 'number') {
      throw new InputError(`${field}[${i}]`, `${field}[${i}]: ${JSON.stringify(value)} is not a number`);
    }
    return value;
  });
}

/**
 * A loaded file to {values, kind}: kind is "logits" when the file says so
 * (a JSON {"logits": [...]}), else null (the page's choice stands).
 * JSON: an array, or {"logits": [...]} / {"probabilities": [...]}.
 * CSV: one column or one row of numbers, an optional header line.
 * .npy: one-dimensional float32 or float64, little-endian, C order.
 */
export function parseFile(name, bytes, field) {
  const fail = (text) => { throw new InputError(field, `${name}: ${text}`); };
  const lower = name.toLowerCase();
  if (lower.endsWith('.npy') || startsWithNpyMagic(bytes)) {
    return { values: parseNpy(bytes, fail), kind: null };
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  if (lower.endsWith('.json') || /^\s*[[{]/.test(text)) {
    let parsed;
    try {
      parsed = JSON.parse(text.replace(/(?<!")-Infinity/g, '"-Infinity"'));
    } catch (error) {
      fail(`not valid JSON (${error.message})`);
    }
    if (Array.isArray(parsed)) return { values: fromJsonArrayNamed(parsed, name), kind: null };
    if (parsed && typeof parsed === 'object') {
      if (Array.isArray(parsed.logits)) return { values: fromJsonArrayNamed(parsed.logits, name), kind: 'logits' };
      if (Array.isArray(parsed.probabilities)) return { values: fromJsonArrayNamed(parsed.probabilities, name), kind: 'probabilities' };
    }
    fail('expected a JSON array of numbers, or {"logits": [...]} or {"probabilities": [...]}');
  }
  return { values: parseCsv(text, fail), kind: null };
}

function fromJsonArrayNamed(array, name) {
  return Float64Array.from(array, (value, i) => {
    if (value === '-Infinity') return -Infinity;
    if (typeof value !== 'number') throw new InputError(`${name}`, `${name}: entry ${i} (${JSON.stringify(value)}) is not a number`);
    return value;
  });
}

function parseCsv(text, fail) {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) fail('no numbers found');
  const rows = lines.map((line) => line.split(/[,;\t]/).map((cell) => cell.trim().replace(/^"(.*)"$/, '$1')));
  // A first line with no number at all is a header.
  if (rows[0].every((cell) => Number.isNaN(toNumber(cell)))) rows.shift();
  if (rows.length === 0) fail('no numbers found');
  const width = rows[0].length;
  let cells;
  if (rows.length === 1) cells = rows[0];
  else if (rows.every((row) => row.length === 1)) cells = rows.map((row) => row[0]);
  else fail(`expected one column or one row of numbers, found ${rows.length} rows of ${width} columns`);
  return Float64Array.from(cells, (cell, i) => {
    const value = toNumber(cell);
    if (Number.isNaN(value)) fail(`value ${i + 1} ("${cell}") is not a number`);
    return value;
  });
}

const npyMagic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];  // \x93NUMPY

function startsWithNpyMagic(bytes) {
  return bytes.length >= 6 && npyMagic.every((byte, i) => bytes[i] === byte);
}

// The format of numpy.lib.format: magic, version, header length (2 bytes in
// version 1, 4 in 2 and 3), a Python dict literal, then the raw data.
function parseNpy(bytes, fail) {
  if (!startsWithNpyMagic(bytes)) fail('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength, headerStart;
  if (major === 1) { headerLength = view.getUint16(8, true); headerStart = 10; }
  else if (major === 2 || major === 3) { headerLength = view.getUint32(8, true); headerStart = 12; }
  else fail(`unsupported .npy version ${major}.${bytes[7]}`);
  if (headerStart + headerLength > bytes.length) fail('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail(`unreadable header ${JSON.stringify(header.trim())}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.length !== 1) fail(`expected a one-dimensional array, found shape (${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
  const size = shape[0];
  const itemSize = { '<f8': 8, '<f4': 4 }[descr];
  if (itemSize === undefined) {
    fail(`dtype '${descr}' is not supported; save float32 or float64, little-endian (e.g. np.save(f, a.astype('<f8')))`);
  }
  const dataStart = headerStart + headerLength;
  if (bytes.length - dataStart < size * itemSize) fail(`truncated data: ${size} values need ${size * itemSize} bytes, found ${bytes.length - dataStart}`);
  const values = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    values[i] = itemSize === 8 ? view.getFloat64(dataStart + 8 * i, true) : view.getFloat32(dataStart + 4 * i, true);
  }
  return values;
}

// A plain decimal number: digits with an optional point and exponent. A
// comma is never a decimal mark or a thousands separator here, so "0,7" and
// "1,5" are refused rather than read as 7 or 15.
const plainNumber = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * One number field as typed, read strictly: `field` names it in messages.
 * Returns undefined for an empty optional field; throws InputError for
 * anything else that is not a number of the kind asked for.
 * {integer, min, max, optional, above} (above: an exclusive lower bound).
 */
export function parseNumberField(text, field, { integer = false, min, max, above, optional = false } = {}) {
  const trimmed = String(text).trim();
  const kind = integer ? 'an integer' : 'a number';
  const range = integer && min !== undefined && max !== undefined ? ` from ${min} to ${max}` : '';
  if (trimmed === '') {
    if (optional) return undefined;
    throw new InputError(field, `${field}: empty; enter ${kind}${range}`);
  }
  if (!plainNumber.test(trimmed)) {
    // The two usual meanings of a comma, each with what to type instead.
    let hint = '';
    if (/^\d{1,3}(?:,\d{3})+$/.test(trimmed)) hint = ` (no thousands separators: ${trimmed.replace(/,/g, '')})`;
    else if (!integer && /^[+-]?\d*,\d+$/.test(trimmed)) hint = ` (use a point for decimals: ${trimmed.replace(',', '.')})`;
    throw new InputError(field, `${field}: "${trimmed}" is not ${kind}${hint}`);
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value)) throw new InputError(field, `${field}: "${trimmed}" is too large`);
  const bounds = range || [
    above !== undefined ? ` above ${above}` : min !== undefined ? ` of at least ${min}` : '',
    max !== undefined ? ` at most ${max}` : '',
  ].filter(Boolean).join(' and');
  const outside = (min !== undefined && value < min) || (max !== undefined && value > max) || (above !== undefined && value <= above);
  if ((integer && !Number.isInteger(value)) || outside) {
    throw new InputError(field, `${field}: must be ${kind}${bounds}, got ${trimmed}`);
  }
  return value;
}

/** README mathematics §5: expected tokens per target call for depth d. */
export function tokensPerCall(alpha, depth) {
  if (alpha >= 1) return depth + 1;
  return (1 - alpha ** (depth + 1)) / (1 - alpha);
}

/**
 * The page's speed-up model: a round of d draft steps, each costing c target
 * calls (a step's n drafts computed as one batch), then one target call that
 * verifies them; plain decoding makes one token per target call.
 */
export function speedUp(tokens, depth, cost) {
  return tokens / (1 + depth * cost);
}
