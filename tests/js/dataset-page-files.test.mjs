// The Dataset panel's file and settings readers (web/dataset-files.mjs) in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DatasetError, parseDrafts, parseTemperatures, parseNpyHeader, checkNpySize, npyRow, parseJsonLine, LineSplitter, positionsCsv,
} from '../../web/page/dataset-files.mjs';

test('drafts and temperatures', () => {
  assert.deepEqual(parseDrafts('4'), [4]);
  assert.deepEqual(parseDrafts('1-8'), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(parseDrafts(' 2, 4 ,8,4'), [2, 4, 8]);
  assert.deepEqual(parseDrafts('1-3,8'), [1, 2, 3, 8]);
  for (const bad of ['', '0', '65', '3-1', 'a', '1.5', '1-', '2,,3']) {
    assert.throws(() => parseDrafts(bad), (error) => error instanceof DatasetError && error.field === 'drafts', bad);
  }
  assert.deepEqual(parseTemperatures(''), []);
  assert.deepEqual(parseTemperatures('0.7, 1 1.3'), [0.7, 1, 1.3]);
  for (const bad of ['0', '-1', 'x', 'Infinity']) assert.throws(() => parseTemperatures(bad), DatasetError, bad);
});

function header(text, major = 1) {
  const body = Buffer.from(text, 'latin1');
  const lengthBytes = major === 1 ? 2 : 4;
  const out = Buffer.alloc(8 + lengthBytes + body.length);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(out);
  if (major === 1) out.writeUInt16LE(body.length, 8); else out.writeUInt32LE(body.length, 8);
  body.copy(out, 8 + lengthBytes);
  return new Uint8Array(out);
}

test('.npy headers: shape, dtype, order, truncation', () => {
  const good = header("{'descr': '<f4', 'fortran_order': False, 'shape': (12, 300), }\n");
  assert.deepEqual(parseNpyHeader(good, 'a.npy'), { rows: 12, columns: 300, descr: '<f4', itemSize: 4, dataOffset: good.length });
  assert.equal(parseNpyHeader(header("{'descr': '<f2', 'fortran_order': False, 'shape': (1, 3), }", 2), 'a.npy').itemSize, 2);
  assert.ok(parseNpyHeader(good.subarray(0, 20), 'a.npy').needBytes > 20);
  for (const [text, pattern] of [
    ["{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", /a\.npy: dtype '<i4' is not supported/],
    ["{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", /dtype '>f8'/],
    ["{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", /Fortran/],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", /1 dimensions; expected \[N, V\]/],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 4), }", /3 dimensions/],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", /no positions/],
    ["{'descr': '<f8', 'shape': (2, 3), }", /malformed/],
  ]) {
    assert.throws(() => parseNpyHeader(header(text), 'a.npy'), (error) => error instanceof DatasetError && pattern.test(error.message), text);
  }
  assert.throws(() => parseNpyHeader(new Uint8Array(20), 'a.npy'), /no \\x93NUMPY magic/);
  const h = parseNpyHeader(good, 't.npy');
  checkNpySize(h, good.length + 12 * 300 * 4, 't.npy');
  assert.throws(() => checkNpySize(h, good.length + 7 * 1200 + 5, 't.npy'), /t\.npy: row 7: the file ends early/);
});

test('rows: float16 by table, float32 and float64 as views', () => {
  const half = new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0xfc00, 0x7e00, 0x0000]);
  const row = npyRow(half.buffer, { columns: 8, itemSize: 2 }, 0);
  assert.deepEqual(Array.from(row.slice(0, 6)), [1, -2, 0.333251953125, 2 ** -24, Infinity, -Infinity]);
  assert.ok(Number.isNaN(row[6]));
  const doubles = new Float64Array([1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(npyRow(doubles.buffer, { columns: 3, itemSize: 8 }, 1)), [4, 5, 6]);
});

test('JSON Lines: lines across chunks; bad lines are named', () => {
  const lines = new LineSplitter();
  assert.deepEqual(lines.push('{"a"'), []);
  assert.deepEqual(lines.push(': 1}\n{"b": 2}\n{"c"'), ['{"a": 1}', '{"b": 2}']);
  assert.deepEqual(lines.finish(), ['{"c"']);
  assert.deepEqual(parseJsonLine('{"target": [0.5, 0.5], "draft": {"logits": [1, 2]}}', 'x.jsonl', 3),
    { target: [0.5, 0.5], draft: { logits: [1, 2] } });
  for (const [text, pattern] of [
    ['{"target": [1]', /^x\.jsonl line 3: not valid JSON/],
    ['[1, 2]', /^x\.jsonl line 3: a line must be an object/],
    ['{"target": [1], "draft": [1], "drafts": 2}', /^x\.jsonl line 3: drafts: unknown key/],
    ['{"target": [1]}', /^x\.jsonl line 3: draft: is missing/],
  ]) {
    assert.throws(() => parseJsonLine(text, 'x.jsonl', 3), (error) => error instanceof DatasetError && pattern.test(error.message), text);
  }
});

test('per-position CSV has the CLI columns', () => {
  const csv = positionsCsv([
    { position: 0, drafts: 2, temperature: null, optimal: { greedy: 0.5 }, verifiers: { kseq: 0.25, spechub: null } },
    { position: 0, drafts: 3, temperature: 0.7, optimal: { greedy: 0.75 }, verifiers: { kseq: 0.5, spechub: null } },
  ]);
  assert.equal(csv, 'position,drafts,temperature,optimal.greedy,verifiers.kseq,verifiers.spechub\n0,2,,0.5,0.25,\n0,3,0.7,0.75,0.5,\n');
});
