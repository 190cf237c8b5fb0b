// Hostile input through the JS API (web/mdsd.mjs), one class per test: values
// the caller wrote are never read as the wrapper's own protocol, numbers JSON
// cannot hold and typed arrays that cannot be read are named by their field,
// and sizes are refused before anything is copied. The expected messages are
// README.md's ("Request", "Limits"), not read back from the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, MdsdInputError } from '../../web/package/mdsd.mjs';
import { theoryTable, kTableTolerance } from './support.mjs';

const calculator = await load();
const row = theoryTable[0];  // README mathematics §6: alpha* 0.89 / 0.9928571429 / 0.95
const base = { target: row.target, draft: row.draft, drafts: row.drafts };

function rejects(call, field, pattern) {
  assert.throws(call, (error) => {
    assert.ok(error instanceof MdsdInputError, `${error}`);
    assert.equal(error.field, field, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

const checkStillRight = () => {
  const result = calculator.solve(base);
  for (const method of ['with_replacement', 'without_replacement', 'greedy']) {
    assert.ok(Math.abs(result.optimal[method].alpha - row.expected[method]) <= kTableTolerance, method);
  }
};

test('a {"$buffer": k} the caller wrote is an unknown key, never another field\'s array', () => {
  // The other fields are number arrays, so the wrapper does pass buffers 0
  // and 1: a reference the caller could forge would find them.
  const typed = new Float64Array(row.draft);
  for (const k of [0, 1, 2, -1, '0', 1.5]) {
    for (const [request, field] of [
      [{ target: { $buffer: k }, draft: typed, drafts: 2 }, 'target.$buffer'],
      [{ target: typed, draft: { $buffer: k }, drafts: 2 }, 'draft.$buffer'],
      [{ target: row.target, draft: { logits: { $buffer: k } }, drafts: 2 }, 'draft.logits'],
      [{ target: { logits: { $buffer: k }, temperature: 1 }, draft: typed, drafts: 2 }, 'target.logits'],
    ]) {
      rejects(() => calculator.solve(request), field, field.endsWith('$buffer') ? /unknown key/ : /must be an array of numbers/);
    }
  }
  // The same in dataset mode (a JSON Lines line on the page goes this way).
  const batch = calculator.createBatch({ drafts: 2 });
  batch.add({ target: row.target, draft: row.draft });
  rejects(() => batch.add({ target: { $buffer: 0 }, draft: typed }), 'position 1', /^position 1: target\.\$buffer: unknown key/);
  rejects(() => batch.add({ target: typed, draft: { logits: { $buffer: 0 } } }), 'position 1', /^position 1: draft\.logits: must be an array/);
  const summary = batch.summary();
  assert.equal(summary.positions, 1);
  assert.ok(Math.abs(summary.mean.optimal.greedy.alpha - row.expected.greedy) <= kTableTolerance);
  batch.dispose();
  checkStillRight();
});

test('NaN and infinities outside the number arrays are named, not reported as "got a null"', () => {
  for (const [request, field, shown] of [
    [{ ...base, drafts: NaN }, 'drafts', 'NaN'],
    [{ ...base, drafts: Infinity }, 'drafts', 'Infinity'],
    [{ ...base, draft: { logits: row.draft, temperature: NaN } }, 'draft.temperature', 'NaN'],
    [{ ...base, draft: { logits: row.draft, top_p: -Infinity } }, 'draft.top_p', '-Infinity'],
    [{ ...base, draft: { logits: row.draft, top_k: NaN } }, 'draft.top_k', 'NaN'],
    [{ ...base, simulate: { samples: NaN } }, 'simulate.samples', 'NaN'],
    [{ ...base, simulate: { samples: 10, seed: Infinity } }, 'simulate.seed', 'Infinity'],
    [{ ...base, lp: { max_columns: NaN } }, 'lp.max_columns', 'NaN'],
    [{ target: [0.5, 0.5], draft_joint: [{ drafts: [0], prob: 0.5 }, { drafts: [1], prob: NaN }] }, 'draft_joint[1].prob', 'NaN'],
    // Arrays that are not all numbers go as JSON: the NaN is still named.
    [{ ...base, target: [0.3, NaN, 'x'] }, 'target[1]', 'NaN'],
    [{ ...base, target: { logits: [1, 'x', Infinity] } }, 'target.logits[2]', 'Infinity'],
  ]) {
    rejects(() => calculator.solve(request), field, new RegExp(`^${field.replace(/[.[\]$]/g, '\\$&')}: not a finite number \\(${shown.replace('-', '\\-')}\\)$`));
  }
  // Batch settings and positions name theirs too.
  rejects(() => calculator.createBatch({ drafts: NaN }), 'settings.drafts', /not a finite number \(NaN\)/);
  rejects(() => calculator.createBatch({ drafts: [2], temperatures: [1, NaN] }), 'settings.temperatures[1]', /not a finite number \(NaN\)/);
  const batch = calculator.createBatch({ drafts: 2 });
  rejects(() => batch.add({ target: { logits: row.target, temperature: NaN }, draft: row.draft }), 'position 0',
    /^position 0: target\.temperature: not a finite number \(NaN\)$/);
  batch.dispose();
  // In a logits array that is not all numbers, -Infinity is still the masked token.
  const masked = calculator.solve({ ...base, draft: { logits: [Math.log(0.6), -Infinity, '-Infinity'] } });
  assert.equal(masked.vocab, 3);
  // q = (1, 0, 0): every draft is token 0, accepted with p_0 = 0.3 (H = {0}: 1 + 0.3 - 1).
  assert.ok(Math.abs(masked.optimal.with_replacement.alpha - 0.3) <= 1e-12);
  checkStillRight();
});

test('a detached typed array is an MdsdInputError naming the field', () => {
  const detached = (Type, values) => {
    const array = Type.from(values);
    structuredClone(array.buffer, { transfer: [array.buffer] });
    assert.equal(array.length, 0);
    return array;
  };
  rejects(() => calculator.solve({ ...base, target: detached(Float64Array, row.target) }), 'target', /detached/);
  rejects(() => calculator.solve({ ...base, draft: detached(Float32Array, row.draft) }), 'draft', /detached/);
  rejects(() => calculator.solve({ ...base, draft: { logits: detached(Float64Array, row.draft) } }), 'draft.logits', /detached/);
  const batch = calculator.createBatch({ drafts: 2 });
  rejects(() => batch.add({ target: row.target, draft: detached(Float64Array, row.draft) }), 'position 0', /^position 0: draft: .*detached/);
  batch.dispose();
  // A typed array of BigInts or a DataView is not an array of numbers.
  rejects(() => calculator.solve({ ...base, target: new BigInt64Array(3) }), 'target', /must be an array of numbers/);
  rejects(() => calculator.solve({ ...base, target: new DataView(new ArrayBuffer(24)) }), 'target', /must be an array of numbers/);
  checkStillRight();
});

test('sizes over the limits are refused at once, before anything is copied', () => {
  // README "Limits": 4,194,304 tokens; 2,000,000 draft_joint entries.
  const limit = 4194304;
  const plain = new Array(30e6).fill(1e-3);
  // Not all numbers (30 million holes): it used to go to the module as JSON.
  const holes = new Array(30e6);
  const timed = (call, field, pattern) => {
    const before = performance.now();
    rejects(call, field, pattern);
    // It used to take 90 s; the machine may be busy, hence the margin.
    assert.ok(performance.now() - before < 3000, `took ${performance.now() - before} ms`);
  };
  timed(() => calculator.solve({ ...base, target: plain }), 'target', new RegExp(`^target: 30000000 tokens is more than the limit of ${limit}$`));
  timed(() => calculator.solve({ ...base, draft: { logits: holes } }), 'draft.logits', /30000000 tokens is more than the limit/);
  timed(() => calculator.solve({ ...base, target: new Float32Array(limit + 1) }), 'target', /4194305 tokens is more than the limit of 4194304/);
  const batch = calculator.createBatch({ drafts: 2 });
  timed(() => batch.add({ target: holes, draft: row.draft }), 'position 0', /^position 0: target: 30000000 tokens/);
  batch.dispose();
  const joint = new Array(2000001).fill({ drafts: [0], prob: 1 });
  timed(() => calculator.solve({ target: [1], draft_joint: joint }), 'draft_joint', /2000001 entries is more than the limit of 2000000/);
  // JSON text other than the number arrays: 16 MiB in WebAssembly.
  const long = { ...base, methods: ['x'.repeat(16 << 20)] };
  const bytes = JSON.stringify({ ...long, target: null, draft: null }).length;  // the arrays go as buffers
  timed(() => calculator.solve(long), 'request', new RegExp(`^request: ${bytes} bytes of JSON is more than the limit of 16777216 bytes \\(16 MiB\\)`));
  checkStillRight();
});

test('dataset mode refuses sweeps and per-position output too large for the WebAssembly memory', () => {
  // README "Limits": 2,000,000 rows (positions times settings) held, 250,000
  // for the per-position output.
  const drafts = [1, 2, 3, 4, 5, 6, 7, 8];
  const temperatures = (count) => Array.from({ length: count }, (_, i) => 0.5 + i / count);
  rejects(() => calculator.createBatch({ drafts, temperatures: temperatures(250001) }), 'settings',
    /^settings: 2000008 settings \(drafts times temperatures\) is more than the limit of 2000000/);
  const batch = calculator.createBatch({ drafts, temperatures: temperatures(10) });
  const positions = Math.floor(250000 / 80) + 1;
  for (let i = 0; i < positions; i++) batch.add({ target: { logits: [1, 2, 3, i % 5] }, draft: { logits: [3, 2, 1, 0] } });
  rejects(() => batch.summary({ perPosition: true }), 'batch',
    new RegExp(`^batch: ${positions * 80} rows \\(positions times settings\\) is more than the limit of 250000 for per-position output`));
  const summary = batch.summary();
  assert.equal(summary.positions, positions);
  assert.equal(summary.sweep.length, 80);
  batch.dispose();
  checkStillRight();
});
