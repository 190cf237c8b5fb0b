// The WebAssembly module through the package entry, as a Node script uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { load, MdsdInputError } from '../../web/package/mdsd.mjs';
import { sharedCases, theoryTable, kTableTolerance, random, randomDistribution, nativeCli } from './support.mjs';

const calculator = await load();
const kExact = 1e-9;          // shared cases are given to ~1e-15
const kSameBuild = 1e-12;     // native and WebAssembly run the same code
const methods = ['with_replacement', 'without_replacement', 'greedy'];

test('every shared case: optimal alpha* and the error entries', () => {
  const cases = sharedCases();
  assert.ok(cases.length >= 50);
  for (const [index, c] of cases.entries()) {
    const result = calculator.solve({ target: c.target, draft: c.draft, drafts: c.drafts });
    for (const method of methods) {
      const expected = c.expected.optimal[method];
      const actual = result.optimal[method];
      if ('error' in expected) {
        assert.ok('error' in actual, `case ${index} ${method}: expected an error, got ${JSON.stringify(actual)}`);
        assert.match(actual.error, /at least n = \d+ draft tokens/);
      } else {
        assert.ok(Math.abs(actual.alpha - expected.alpha) <= kExact,
          `case ${index} ${method}: ${actual.alpha} vs ${expected.alpha}`);
      }
    }
  }
});

test('test-vector table, fast path and LP', () => {
  for (const row of theoryTable) {
    const result = calculator.solve({ target: row.target, draft: row.draft, drafts: row.drafts, lp: true });
    for (const method of methods) {
      assert.ok(Math.abs(result.optimal[method].alpha - row.expected[method]) <= kTableTolerance, method);
      assert.equal(result.lp[method].status, 'optimal');
      assert.ok(Math.abs(result.lp[method].alpha - row.expected[method]) <= kTableTolerance, `lp ${method}`);
    }
  }
});

test('the certificate reproduces alpha* = 1 + p(H) - Q(H) for with replacement', () => {
  const next = random(7);
  for (let trial = 0; trial < 50; trial++) {
    const size = 2 + Math.floor(next() * 6);
    const target = randomDistribution(next, size);
    const draft = randomDistribution(next, size);
    const drafts = 1 + Math.floor(next() * 4);
    const { alpha, certificate } = calculator.solve({ target, draft, drafts, methods: ['with_replacement'] })
      .optimal.with_replacement;
    // With replacement Q(H) = q(H)^n: a closed form independent of the scan.
    const pH = certificate.reduce((s, i) => s + target[i], 0);
    const qH = certificate.reduce((s, i) => s + draft[i], 0);
    assert.ok(Math.abs(alpha - (1 + pH - qH ** drafts)) <= kExact);
  }
});

test('fast alpha* equals the LP on random small instances, all methods', () => {
  const next = random(11);
  for (let trial = 0; trial < 40; trial++) {
    const size = 2 + Math.floor(next() * 5);
    const request = {
      target: randomDistribution(next, size), draft: randomDistribution(next, size),
      drafts: 1 + Math.floor(next() * 3), lp: true,
    };
    const result = calculator.solve(request);
    for (const method of methods) {
      if ('error' in result.optimal[method]) {
        assert.ok('error' in result.lp[method]);
        continue;
      }
      assert.ok(Math.abs(result.optimal[method].alpha - result.lp[method].alpha) <= kExact,
        `${method} ${JSON.stringify(request)}`);
    }
  }
});

test('n = 1 gives 1 - TV, p = q gives 1, without >= with', () => {
  const next = random(3);
  for (let trial = 0; trial < 30; trial++) {
    const size = 2 + Math.floor(next() * 8);
    const target = randomDistribution(next, size);
    const draft = randomDistribution(next, size);
    const overlap = target.reduce((s, p, i) => s + Math.min(p, draft[i]), 0);
    const single = calculator.solve({ target, draft, drafts: 1 }).optimal;
    for (const method of methods) assert.ok(Math.abs(single[method].alpha - overlap) <= kExact);
    const same = calculator.solve({ target, draft: target, drafts: 2 }).optimal;
    assert.ok(Math.abs(same.with_replacement.alpha - 1) <= kExact);
    const two = calculator.solve({ target, draft, drafts: 2 }).optimal;
    if (!('error' in two.without_replacement)) {
      assert.ok(two.without_replacement.alpha >= two.with_replacement.alpha - 1e-12);
    }
  }
});

test('typed arrays and plain arrays give the same result', () => {
  const target = [0.5, 0.3, 0.2];
  const draft = [0.2, 0.3, 0.5];
  const plain = calculator.solve({ target, draft, drafts: 2 });
  assert.deepEqual(calculator.solve({ target: Float64Array.from(target), draft: new Float64Array(draft), drafts: 2 }), plain);
  const logits = calculator.solve({ target: { logits: new Float32Array([0, 1, 2]) }, draft: { logits: [2, 1, 0] }, drafts: 2 });
  const softmax = (l) => { const e = l.map(Math.exp); const s = e.reduce((a, b) => a + b); return e.map((x) => x / s); };
  const direct = calculator.solve({ target: softmax([0, 1, 2]), draft: softmax([2, 1, 0]), drafts: 2 });
  for (const method of methods) assert.ok(Math.abs(logits.optimal[method].alpha - direct.optimal[method].alpha) <= 1e-12);
});

test('bad input throws MdsdInputError naming the field', () => {
  const base = { target: [0.3, 0.4, 0.3], draft: [0.6, 0.3, 0.1], drafts: 2 };
  const cases = [
    [{ ...base, target: [0.3, -0.2, 0.3] }, 'target[1]', /negative value -0\.2/],
    [{ ...base, draft: [0.3, NaN, 0.3] }, 'draft[1]', /not a finite number/],
    [{ ...base, draft: [0.3, 'x', 0.3] }, 'draft[1]', /expected a number, got a string/],
    [{ ...base, draft: [0.5, 0.5] }, 'draft', /has 2 tokens but target has 3/],
    [{ ...base, drafts: 0 }, 'drafts', /integer from 1 to 64/],
    [{ ...base, drafts: 2.5 }, 'drafts', /got 2\.5/],
    [{ ...base, target: [0, 0, 0] }, 'target', /all values are zero/],
    [{ ...base, target: [] }, 'target', /empty/],
    [{ ...base, methods: ['greedy', 'magic'] }, 'methods[1]', /unknown method "magic"/],
    [{ ...base, lp: { max_columns: 0 } }, 'lp.max_columns', /integer from 1/],
    [{ ...base, draft: { logits: [1, 2, 3], temperature: 0 } }, 'draft.temperature', /> 0/],
    [{ ...base, extra: 1 }, 'extra', /unknown key/],
    [{ target: [0.5, 0.5], draft_joint: [{ drafts: [0, 5], prob: 1 }] }, 'draft_joint[0].drafts[1]', /integer from 0 to 1/],
    [null, 'request', /must be an object/],
  ];
  for (const [request, field, message] of cases) {
    assert.throws(() => calculator.solve(request), (error) => {
      assert.ok(error instanceof MdsdInputError, `${field}: ${error}`);
      assert.equal(error.field, field);
      assert.match(error.message, message);
      return true;
    });
  }
});

test('a forced GLPK failure is an error in the result and the next solve works', async () => {
  await calculator.loadGlpk();
  const request = { target: [0.3, 0.4, 0.3], draft: [0.6, 0.3, 0.1], drafts: 2 };
  for (let round = 0; round < 3; round++) {
    const failed = calculator.solve({ ...request, lp: { inject_glpk_error: true } });
    for (const method of methods) assert.match(failed.lp[method].glpk.error, /GLPK reported an internal error: glp_set_obj_coef/);
    assert.ok(Math.abs(failed.optimal.without_replacement.alpha - 0.9928571429) <= kTableTolerance);
    const ok = calculator.solve({ ...request, lp: { glpk: true } });
    assert.ok(Math.abs(ok.lp.without_replacement.glpk.alpha - 0.9928571429) <= kTableTolerance);
  }
});

// The two modules (README "JavaScript API"): GLPK's cross-check goes to the
// GLPK module, loaded on demand and once; everything else to the core.
test('lp.glpk goes to the GLPK module, loaded once when asked; solve before that says so', async () => {
  const fresh = await load();
  const request = { target: [0.3, 0.4, 0.3], draft: [0.6, 0.3, 0.1], drafts: 2, lp: { glpk: true } };
  assert.equal(fresh.glpkLoaded, false);
  assert.throws(() => fresh.solve(request), (error) => error instanceof MdsdInputError && error.field === 'lp.glpk');
  // The core alone answers everything else, the LP without GLPK included.
  const core = fresh.solve({ ...request, lp: true });
  assert.equal(core.lp.without_replacement.glpk, undefined);
  assert.ok(Math.abs(core.lp.without_replacement.alpha - 0.9928571429) <= kTableTolerance);
  const result = await fresh.solveAsync(request);
  assert.equal(fresh.glpkLoaded, true);
  assert.equal(fresh.loadGlpk(), fresh.loadGlpk(), 'one load');
  for (const method of methods) {
    // GLPK's simplex against the closed-form alpha* of the fast path (§6 row values).
    assert.ok(Math.abs(result.lp[method].glpk.alpha - result.optimal[method].alpha) <= kExact, method);
  }
  assert.ok(Math.abs(result.optimal.without_replacement.alpha - 0.9928571429) <= kTableTolerance);
  // A malformed lp.glpk is the core's input error, not a GLPK load.
  assert.throws(() => fresh.solve({ ...request, lp: { glpk: 'yes' } }), (error) => error instanceof MdsdInputError && /^lp\.glpk/.test(error.field));
});

test('the core module has no GLPK: a GLPK request that reaches it is an error entry, the rest stands', async () => {
  const coreOnly = () => import('../../web/generated/mdsd-core.mjs');
  const calculatorOfCore = await load({ modules: { core: coreOnly, glpk: coreOnly }, glpk: true });
  const result = calculatorOfCore.solve({ target: [0.3, 0.4, 0.3], draft: [0.6, 0.3, 0.1], drafts: 2, lp: { glpk: true } });
  for (const method of methods) {
    assert.match(result.lp[method].glpk.error, /GLPK is not in this build/);
    assert.ok(Math.abs(result.lp[method].alpha - result.optimal[method].alpha) <= kExact, method);
  }
  await assert.rejects(load({ modules: { core: coreOnly } }), /modules\.glpk must be a function/);
});

test('the max-flow solves 365,560 columns and the LP refuses past its column limit', () => {
  // p = q uniform: every draft set is accepted, alpha* = 1 (closed form).
  const uniform = (size) => Array(size).fill(1 / size);
  const solved = calculator.solve({ target: uniform(40), draft: uniform(40), drafts: 4, lp: true, methods: ['without_replacement'], verifiers: [] });
  assert.equal(solved.lp.without_replacement.solver, 'max_flow');
  assert.equal(solved.lp.without_replacement.columns, 4 * (40 * 39 * 38 * 37) / 24);
  assert.ok(Math.abs(solved.lp.without_replacement.alpha - 1) <= kExact);
  // 4 * C(200, 4) = 258,706,400 columns, more than the default 2,000,000.
  const refused = calculator.solve({ target: uniform(200), draft: uniform(200), drafts: 4, lp: true, methods: ['without_replacement'], verifiers: [] });
  assert.match(refused.lp.without_replacement.error, /more than the limit of 2000000 \(lp\.max_columns\)/);
  assert.ok(Math.abs(refused.optimal.without_replacement.alpha - 1) <= kExact);
});

test('an explicit joint law is solved by the LP', () => {
  // Drafts {0,1} w.p. 0.5 and {2} w.p. 0.5; p uniform. Best plan accepts
  // p(0) + p(1) = 2/3 from the first set and 1/3 from the second: alpha = 5/6.
  const result = calculator.solve({
    target: [1 / 3, 1 / 3, 1 / 3],
    draft_joint: [{ drafts: [0, 1], prob: 0.25 }, { drafts: [1, 0], prob: 0.25 }, { drafts: [2, 2], prob: 0.5 }],
  });
  assert.ok(Math.abs(result.lp.joint.alpha - 5 / 6) <= kExact);
  assert.ok(Math.abs(result.lp.joint.certificate_alpha - 5 / 6) <= kExact);
});

test('native CLI and WebAssembly agree to 1e-12 on the same requests', () => {
  const next = random(5);
  const requests = sharedCases().slice(0, 20).map((c) => ({ target: c.target, draft: c.draft, drafts: c.drafts, lp: true }));
  for (let trial = 0; trial < 10; trial++) {
    const size = 200 + Math.floor(next() * 2000);
    requests.push({ target: randomDistribution(next, size), draft: randomDistribution(next, size), drafts: 1 + Math.floor(next() * 6) });
  }
  for (const request of requests) {
    const native = JSON.parse(execFileSync(nativeCli, ['solve', '-'], { input: JSON.stringify(request) }));
    const wasm = calculator.solve(request);
    for (const section of ['optimal', 'lp']) {
      for (const [key, value] of Object.entries(native[section] ?? {})) {
        if ('error' in value) {
          assert.equal(wasm[section][key].error, value.error);
        } else {
          assert.ok(Math.abs(wasm[section][key].alpha - value.alpha) <= kSameBuild, `${section}.${key}`);
          if (section === 'optimal') assert.deepEqual(wasm[section][key].certificate, value.certificate);
          // A min cut is not unique where two sets H tie (alpha* = 1: H = {}
          // and H = every token), and the law's masses come from each libm's
          // pow: the LP's certificates need only certify the same optimum.
          else assert.ok(Math.abs(wasm[section][key].certificate_alpha - value.certificate_alpha) <= kSameBuild, `${section}.${key}.certificate_alpha`);
        }
      }
    }
  }
});

test('large vocabulary: the synthetic pair and alpha* agree natively and in WebAssembly', () => {
  const request = JSON.parse(execFileSync(nativeCli, ['synthetic', '32000', '3', '4', '0.8'], { maxBuffer: 1 << 26 }));
  const pair = calculator.syntheticPair({ vocab: 32000, seed: 3, temperature: 0.8 });
  // Same C++ generator; glibc's and musl's log/cos may differ in the last
  // bit, which the softmax carries to ~1e-14 relative.
  let largest = 0;
  for (let i = 0; i < 32000; i++) {
    largest = Math.max(largest, Math.abs(pair.target[i] - request.target[i]) / request.target[i]);
  }
  assert.ok(largest <= 1e-13, `generator differs by ${largest} relative`);
  const native = JSON.parse(execFileSync(nativeCli, ['solve', '-'], { input: JSON.stringify(request), maxBuffer: 1 << 26 }));
  const wasm = calculator.solve({ target: pair.target, draft: pair.draft, drafts: 4 });
  for (const method of methods) {
    assert.ok(Math.abs(wasm.optimal[method].alpha - native.optimal[method].alpha) <= kSameBuild, method);
    assert.ok(Math.abs(wasm.optimal[method].certificate_size - native.optimal[method].certificate_size) <= 1, method);
  }
});

test('syntheticPair validates its options', () => {
  for (const [options, field] of [[{ vocab: 0 }, 'vocab'], [{ vocab: 10, seed: -1 }, 'seed'],
    [{ vocab: 10, temperature: 0 }, 'temperature'], [{ vocab: 10, draft_noise: NaN }, 'draft_noise']]) {
    assert.throws(() => calculator.syntheticPair(options), (error) => error instanceof MdsdInputError && error.field === field);
  }
  const { target, draft } = calculator.syntheticPair({ vocab: 1000, seed: 9 });
  assert.ok(Math.abs(target.reduce((a, b) => a + b, 0) - 1) <= 1e-12);
  assert.ok(Math.abs(draft.reduce((a, b) => a + b, 0) - 1) <= 1e-12);
});

test('vocabularies of 2^20 tokens solve; more than 2^22 is refused naming the field', () => {
  const { target, draft } = calculator.syntheticPair({ vocab: 1 << 20, seed: 4 });
  const result = calculator.solve({ target, draft, drafts: 3 });
  assert.equal(result.vocab, 1 << 20);
  for (const method of methods) {
    const { alpha, certificate_target_mass: pH, certificate_draft_mass: qH } = result.optimal[method];
    assert.ok(alpha > 0 && alpha <= 1);
    assert.ok(Math.abs(alpha - (1 + pH - qH)) <= 1e-12);
  }
  // With replacement Q(H) = q(H)^n: check the certificate from the token ids.
  const { certificate, alpha } = result.optimal.with_replacement;
  let pH = 0, qH = 0;
  for (const token of certificate) { pH += target[token]; qH += draft[token]; }
  assert.ok(Math.abs(alpha - (1 + pH - qH ** 3)) <= 1e-9);
  const tooLarge = new Float64Array((1 << 22) + 1).fill(1);
  assert.throws(() => calculator.solve({ target: tooLarge, draft: tooLarge, drafts: 2 }),
    (error) => error.field === 'target' && /4194305 tokens is more than the limit of 4194304/.test(error.message));
});

test('verifiers: exact acceptance of every shared case and test-vector row', () => {
  const names = ['rrs_with_replacement', 'rrs_without_replacement', 'kseq', 'greedy'];
  for (const [index, c] of sharedCases().entries()) {
    const result = calculator.solve({ target: c.target, draft: c.draft, drafts: c.drafts, methods: ['greedy'] });
    for (const name of names) {
      const expected = c.expected.verifiers[name];
      if (!expected) continue;
      const actual = result.verifiers[name];
      if ('error' in expected) {
        assert.ok('error' in actual, `case ${index} ${name}`);
        continue;
      }
      assert.equal(actual.exact, true, `case ${index} ${name}`);
      assert.ok(Math.abs(actual.alpha - expected.alpha) <= kExact, `case ${index} ${name}: ${actual.alpha} vs ${expected.alpha}`);
      if (name === 'kseq') assert.ok(Math.abs(actual.rho - expected.rho) <= 1e-9, `case ${index} rho`);
    }
  }
  // README mathematics §6: RRS w, RRS w/o, K-SEQ (rho) of the first row.
  const first = calculator.solve({ target: [0.3, 0.4, 0.3], draft: [0.6, 0.3, 0.1], drafts: 2, lp: true }).verifiers;
  assert.ok(Math.abs(first.rrs_with_replacement.alpha - 0.82) <= kTableTolerance);
  assert.ok(Math.abs(first.rrs_without_replacement.alpha - 0.875) <= kTableTolerance);
  assert.ok(Math.abs(first.kseq.alpha - 0.84) <= kTableTolerance && Math.abs(first.kseq.rho - 1.4) <= kTableTolerance);
  assert.ok(Math.abs(first.optimal_lp.alpha - 0.9928571429) <= kTableTolerance);
  assert.ok(Math.abs(first.spechub.alpha - 0.95) <= kTableTolerance);  // = alpha*_greedy for n = 2
});

test('simulation: native and WebAssembly give identical counts for the same seed', () => {
  const { target, draft } = calculator.syntheticPair({ vocab: 500, seed: 8 });
  const request = { target: Array.from(target), draft: Array.from(draft), drafts: 2, simulate: { samples: 20000, seed: 12 } };
  const native = JSON.parse(execFileSync(nativeCli, ['solve', '-'], { input: JSON.stringify(request), maxBuffer: 1 << 26 }));
  const wasm = calculator.solve(request);
  for (const [name, expected] of Object.entries(native.simulation)) {
    if ('error' in expected) {
      assert.equal(wasm.simulation[name].error, expected.error);
      continue;
    }
    assert.deepEqual(wasm.simulation[name].output_counts, expected.output_counts, name);
    assert.equal(wasm.simulation[name].acceptance, expected.acceptance, name);
    assert.equal(wasm.simulation[name].hit_rate, expected.hit_rate, name);
  }
});
