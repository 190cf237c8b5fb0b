// Dataset mode through the package entry: calculator.createBatch against the
// native `mdsd batch` on the same positions. The .npy files are parsed and
// written here by the format (numpy.lib.format), not by the code under test.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, MdsdInputError } from '../../web/package/mdsd.mjs';
import { nativeCli } from './support.mjs';

const calculator = await load();
const kSameBuild = 1e-12;  // native and WebAssembly run the same code
const methods = ['with_replacement', 'without_replacement', 'greedy'];
const verifiers = ['rrs_with_replacement', 'rrs_without_replacement', 'kseq', 'greedy', 'spechub'];

const scratch = mkdtempSync(join(tmpdir(), 'mdsd-batch-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function cli(args) {
  return execFileSync(nativeCli, args, { cwd: scratch, maxBuffer: 1 << 26, encoding: 'utf8' });
}

/** Rows of a [N, V] .npy file ('<f4' or '<f8', C order) as typed arrays. */
function readNpy(path) {
  const bytes = readFileSync(path);
  assert.equal(bytes.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const major = bytes[6];
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = lengthBytes === 2 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const header = bytes.subarray(8 + lengthBytes, 8 + lengthBytes + headerLength).toString('latin1');
  const descr = /'descr':\s*'([^']*)'/.exec(header)[1];
  assert.match(header, /'fortran_order':\s*False/);
  const [rows, columns] = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(header).slice(1).map(Number);
  const offset = 8 + lengthBytes + headerLength;
  const size = { '<f4': 4, '<f8': 8 }[descr];
  assert.ok(size, `dtype ${descr}`);
  assert.equal(bytes.length, offset + rows * columns * size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: rows }, (_, i) => {
    const row = size === 4 ? new Float32Array(columns) : new Float64Array(columns);
    for (let j = 0; j < columns; j++) {
      const at = offset + (i * columns + j) * size;
      row[j] = size === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true);
    }
    return row;
  });
}

/** Writes rows (Float64Arrays of one length) as a '<f8' [N, V] .npy file, version 1.0. */
function writeNpyFloat64(path, rows) {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows.length}, ${rows[0].length}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const preamble = Buffer.alloc(10);
  preamble.write('\x93NUMPY', 0, 'latin1');
  preamble[6] = 1;
  preamble[7] = 0;
  preamble.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(rows.length * rows[0].length * 8);
  rows.forEach((row, i) => row.forEach((value, j) => data.writeDoubleLE(value, (i * row.length + j) * 8)));
  writeFileSync(path, Buffer.concat([preamble, Buffer.from(header, 'latin1'), data]));
}

/** Asserts two JSON values equal, numbers within `tolerance`; `path` names the spot. */
function assertClose(actual, expected, tolerance, path = 'summary') {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= tolerance, `${path}: ${actual} vs ${expected}`);
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    assert.equal(actual, expected, path);
    return;
  }
  assert.equal(Array.isArray(actual), Array.isArray(expected), path);
  assert.deepEqual(Object.keys(actual), Object.keys(expected), `${path}: keys`);
  for (const key of Object.keys(expected)) assertClose(actual[key], expected[key], tolerance, `${path}.${key}`);
}

/** The entries of a summary, one per setting (single setting or sweep). */
function settingsOf(summary) {
  return summary.sweep ?? [{ drafts: summary.drafts, temperature: summary.temperature, mean: summary.mean }];
}

/** The per-setting checks named in the contract, then everything else. */
function assertSameSummary(actual, expected) {
  assert.equal(actual.positions, expected.positions);
  assert.equal(actual.vocab, expected.vocab);
  assert.equal(actual.complete, true);
  assert.deepEqual(actual.warnings, expected.warnings);
  const actualSettings = settingsOf(actual);
  const expectedSettings = settingsOf(expected);
  assert.equal(actualSettings.length, expectedSettings.length);
  for (const [s, want] of expectedSettings.entries()) {
    const got = actualSettings[s];
    const where = `drafts ${want.drafts} temperature ${want.temperature}`;
    assert.equal(got.drafts, want.drafts, where);
    assert.equal(got.temperature, want.temperature, where);
    for (const method of methods) {
      const [a, e] = [got.mean.optimal[method], want.mean.optimal[method]];
      assert.equal(a.positions, e.positions, `${where} ${method} positions`);
      assertClose(a.alpha, e.alpha, kSameBuild, `${where} ${method} alpha`);
      assertClose(a.ci95, e.ci95, kSameBuild, `${where} ${method} ci95`);
      assert.deepEqual(a.histogram, e.histogram, `${where} ${method} histogram`);
    }
    for (const verifier of verifiers) {
      const [a, e] = [got.mean.verifiers[verifier], want.mean.verifiers[verifier]];
      assert.equal(a.positions, e.positions, `${where} ${verifier} positions`);
      assertClose(a.alpha, e.alpha, kSameBuild, `${where} ${verifier} alpha`);
      assertClose(a.ci95, e.ci95, kSameBuild, `${where} ${verifier} ci95`);
      assertClose(a.gap, e.gap, kSameBuild, `${where} ${verifier} gap`);
      assertClose(a.gap_ci95, e.gap_ci95, kSameBuild, `${where} ${verifier} gap_ci95`);
      assert.equal(a.exact, e.exact, `${where} ${verifier} exact`);
    }
  }
  assertClose(actual, expected, kSameBuild);
}

function batchOf(settings, targets, drafts, asLogits) {
  const batch = calculator.createBatch(settings);
  try {
    for (let i = 0; i < targets.length; i++) {
      batch.add(asLogits ? { target: { logits: targets[i] }, draft: { logits: drafts[i] } }
        : { target: targets[i], draft: drafts[i] });
    }
    return batch.summary({ perPosition: true });
  } finally {
    batch.dispose();
  }
}

// One synthetic dataset for the tests below: 12 positions of 200 logits.
cli(['synthetic-dataset', '12', '200', '5', 't.npy', 'd.npy']);
const targetRows = readNpy(join(scratch, 't.npy'));
const draftRows = readNpy(join(scratch, 'd.npy'));

test('the synthetic dataset parses as float32 [12, 200] logits', () => {
  assert.equal(targetRows.length, 12);
  assert.equal(draftRows.length, 12);
  for (const row of [...targetRows, ...draftRows]) {
    assert.ok(row instanceof Float32Array);
    assert.equal(row.length, 200);
    assert.ok(row.every(Number.isFinite));
  }
  assert.notDeepEqual(targetRows[0], draftRows[0]);
  assert.notDeepEqual(targetRows[0], targetRows[1]);
});

test('createBatch on the rows equals mdsd batch --logits, per setting, method and verifier', () => {
  const native = JSON.parse(cli(['batch', '--drafts', '2,3', '--logits', 't.npy', 'd.npy', '--per-position', 'rows.json']));
  const wasm = batchOf({ drafts: [2, 3] }, targetRows, draftRows, true);
  assert.equal(wasm.summary.positions, 12);
  assert.equal(wasm.summary.vocab, 200);
  assert.equal(wasm.summary.complete, true);
  assert.deepEqual(wasm.summary.warnings, []);
  assert.equal(wasm.summary.sweep.length, 2);
  assertSameSummary(wasm.summary, native);
  // Per position too: positions x settings rows.
  const rows = JSON.parse(readFileSync(join(scratch, 'rows.json'), 'utf8'));
  assert.equal(rows.length, 12 * 2);
  assertClose(wasm.positions, rows, kSameBuild, 'positions');
});

test('a temperature sweep and a single setting also match the CLI', () => {
  const native = JSON.parse(cli(['batch', '--drafts', '3', '--temperature', '0.7,1.3', '--logits', 't.npy', 'd.npy']));
  const wasm = batchOf({ drafts: 3, temperatures: [0.7, 1.3] }, targetRows, draftRows, true).summary;
  assert.equal(wasm.sweep.length, 2);
  assert.deepEqual(wasm.sweep.map((s) => s.temperature), [0.7, 1.3]);
  assertSameSummary(wasm, native);

  const one = JSON.parse(cli(['batch', '--drafts', '2', '--logits', 't.npy', 'd.npy']));
  const oneWasm = batchOf({ drafts: 2 }, targetRows, draftRows, true).summary;
  assert.equal(oneWasm.drafts, 2);
  assert.equal(oneWasm.temperature, null);
  assert.ok(!('sweep' in oneWasm));
  assertSameSummary(oneWasm, one);
});

test('a dataset generated in JS round-trips through the CLI and the JS API', () => {
  // Probabilities from calculator.syntheticPair, written as '<f8' .npy here.
  const targets = [];
  const drafts = [];
  for (let seed = 40; seed < 50; seed++) {
    const { target, draft } = calculator.syntheticPair({ vocab: 300, seed, temperature: 0.8 });
    targets.push(target);
    drafts.push(draft);
  }
  writeNpyFloat64(join(scratch, 'p.npy'), targets);
  writeNpyFloat64(join(scratch, 'q.npy'), drafts);
  // The writer's bytes read back exactly.
  const back = readNpy(join(scratch, 'p.npy'));
  assert.equal(back.length, 10);
  assert.deepEqual(Array.from(back[3]), Array.from(targets[3]));

  const native = JSON.parse(cli(['batch', '--drafts', '1-3', '--probabilities', 'p.npy', 'q.npy', '--per-position', 'pq.json']));
  const wasm = batchOf({ drafts: [1, 2, 3] }, targets, drafts, false);
  assert.equal(wasm.summary.positions, 10);
  assert.equal(wasm.summary.vocab, 300);
  assert.equal(wasm.summary.sweep.length, 3);
  assertSameSummary(wasm.summary, native);
  assertClose(wasm.positions, JSON.parse(readFileSync(join(scratch, 'pq.json'), 'utf8')), kSameBuild, 'positions');
  // Plain arrays and Float64Arrays are the same input.
  const plain = batchOf({ drafts: [1, 2, 3] }, targets.map((t) => Array.from(t)), drafts.map((d) => Array.from(d)), false);
  assertClose(plain.summary, wasm.summary, 0);

  // The summary's means are the means of its per-position rows.
  for (const setting of wasm.summary.sweep) {
    for (const method of methods) {
      const values = wasm.positions.filter((row) => row.drafts === setting.drafts)
        .map((row) => row.optimal[method]).filter((value) => value !== null);
      assert.equal(values.length, setting.mean.optimal[method].positions);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      assert.ok(Math.abs(mean - setting.mean.optimal[method].alpha) <= kSameBuild, `${setting.drafts} ${method}`);
    }
  }
});

test('two open batches do not share state', () => {
  const first = calculator.createBatch({ drafts: 2 });
  const second = calculator.createBatch({ drafts: 2 });
  try {
    for (let i = 0; i < 6; i++) {
      first.add({ target: { logits: targetRows[i] }, draft: { logits: draftRows[i] } });
      if (i % 2 === 0) second.add({ target: { logits: targetRows[i] }, draft: { logits: draftRows[i] } });
    }
    assert.equal(first.summary().positions, 6);
    assert.equal(second.summary().positions, 3);
    const alone = batchOf({ drafts: 2 }, [0, 2, 4].map((i) => targetRows[i]), [0, 2, 4].map((i) => draftRows[i]), true);
    assertClose(second.summary(), alone.summary, 0);
  } finally {
    first.dispose();
    second.dispose();
  }
});

test('bad settings throw MdsdInputError naming the field', () => {
  for (const [settings, field] of [
    [{ drafts: 2, foo: 1 }, 'settings.foo'],
    [{ drafts: 0 }, 'settings.drafts'],
    [{ drafts: 65 }, 'settings.drafts'],
    [{ drafts: 2.5 }, 'settings.drafts'],
    [{ drafts: [2, 0] }, 'settings.drafts[1]'],
    [{ drafts: [] }, 'settings.drafts'],
    [{ drafts: 2, temperatures: [0] }, 'settings.temperatures[0]'],
    [{ drafts: 2, methods: ['fast'] }, 'settings.methods[0]'],
    [{ drafts: 2, verifiers: ['optimal_lp'] }, 'settings.verifiers[0]'],
    [null, 'settings'],
    [[2], 'settings'],
  ]) {
    assert.throws(() => calculator.createBatch(settings),
      (error) => error instanceof MdsdInputError && error.field === field && error.message.startsWith(`${field}: `),
      JSON.stringify(settings));
  }
});

test('a bad position throws naming it, and the batch stays usable', () => {
  const batch = calculator.createBatch({ drafts: 2 });
  try {
    batch.add({ target: [0.3, 0.4, 0.3], draft: [0.6, 0.3, 0.1] });
    batch.add({ target: [0.5, 0.25, 0.25], draft: [0.2, 0.3, 0.5] });
    for (const [position, pattern] of [
      [{ target: [0.5, -0.5, 1], draft: [0.2, 0.3, 0.5] }, /^position 2: target\[1\]: negative value -0\.5/],
      [{ target: [0.3, 0.4, 0.3], draft: [0.5, 0.5] }, /^position 2: draft/],
      [{ target: [0.3, 0.4, 0.3] }, /^position 2: draft: is missing/],
      [{ target: { logits: [0, NaN, 1] }, draft: [0.2, 0.3, 0.5] }, /^position 2: target\.logits\[1\]/],
    ]) {
      assert.throws(() => batch.add(position),
        (error) => error instanceof MdsdInputError && error.field === 'position 2' && pattern.test(error.message),
        JSON.stringify(position));
    }
    // Nothing bad was added: README mathematics §6 rows 1 and 3 give the means.
    const summary = batch.summary();
    assert.equal(summary.positions, 2);
    assert.ok(Math.abs(summary.mean.optimal.with_replacement.alpha - (0.89 + 0.86) / 2) <= 1e-9);
    assert.ok(Math.abs(summary.mean.optimal.greedy.alpha - (0.95 + 0.9) / 2) <= 1e-9);
    batch.add({ target: [0.1, 0.2, 0.7], draft: [0.3, 0.3, 0.4] });
    assert.equal(batch.summary().positions, 3);
    // Each position is its own problem: another vocabulary is not an error.
    batch.add({ target: [0.5, 0.5], draft: [0.5, 0.5] });
    const mixed = batch.summary();
    assert.equal(mixed.positions, 4);
    assert.equal(mixed.vocab, null);
    assert.deepEqual(mixed.vocab_range, [2, 3]);
  } finally {
    batch.dispose();
  }

  // Probabilities under a temperature sweep: the position is named.
  const swept = calculator.createBatch({ drafts: 2, temperatures: [0.7, 1.3] });
  try {
    swept.add({ target: { logits: [0, 1, 2] }, draft: { logits: [2, 1, 0] } });
    assert.throws(() => swept.add({ target: [0.2, 0.3, 0.5], draft: { logits: [2, 1, 0] } }),
      (error) => error instanceof MdsdInputError && error.field === 'position 1' && /temperature/.test(error.message));
  } finally {
    swept.dispose();
  }

  // No positions: no summary.
  const empty = calculator.createBatch({ drafts: 1 });
  assert.throws(() => empty.summary(), (error) => error instanceof MdsdInputError && /no positions/.test(error.message));
  empty.dispose();
});

test('use after dispose throws; dispose twice is harmless', () => {
  const batch = calculator.createBatch({ drafts: 1 });
  batch.add({ target: [0.5, 0.5], draft: [0.25, 0.75] });
  assert.equal(batch.summary().positions, 1);
  batch.dispose();
  assert.throws(() => batch.add({ target: [0.5, 0.5], draft: [0.25, 0.75] }),
    (error) => error instanceof MdsdInputError && error.field === 'batch');
  assert.throws(() => batch.summary(), (error) => error instanceof MdsdInputError && error.field === 'batch');
  batch.dispose();
  // A new batch after the old one works.
  const next = calculator.createBatch({ drafts: 1 });
  next.add({ target: [0.5, 0.5], draft: [0.25, 0.75] });
  assert.ok(Math.abs(next.summary().mean.optimal.with_replacement.alpha - 0.75) <= 1e-12);  // 1 - TV
  next.dispose();
});
