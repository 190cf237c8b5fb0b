// The first module (web/page/first-numbers.mjs, mdsd-first) against the full
// solve of the core (web/package/mdsd.mjs): for every input, alpha* of each
// method bit for bit, H's ids, p(H), Q(H), the warnings and the method
// errors the same; and it finds an error exactly where the full solve
// rejects the request (or declines the job, which the core then answers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadFirstNumbers } from '../../web/page/first-numbers.mjs';
import { load } from '../../web/package/mdsd.mjs';
import { repo, random } from './support.mjs';

const first = await loadFirstNumbers({ wasmBinary: readFileSync(`${repo}web/generated/web/mdsd-first.wasm`) });
const core = await load();

// The core's request for a worker job, as worker-core.mjs builds it (no
// verifiers: they do not change `optimal` and would only slow this down).
function requestOf(job) {
  const side = (distribution, role) => {
    if (distribution.synthetic) return core.syntheticPair(distribution.synthetic)[role];
    if (distribution.logits) {
      const out = { logits: distribution.logits, temperature: distribution.temperature ?? 1 };
      if (distribution.top_k != null) out.top_k = distribution.top_k;
      if (distribution.top_p != null) out.top_p = distribution.top_p;
      return out;
    }
    return distribution.values;
  };
  const request = { target: side(job.target, 'target'), draft: side(job.draft, 'draft'), drafts: job.drafts, verifiers: [] };
  if (job.methods) request.methods = job.methods;
  return request;
}

let compared = 0, errors = 0, declined = 0;

/** Both answers of one job; returns the full result (or null when it errors). */
function check(job, label) {
  const answer = first.answer(job, { ids: true });
  let full = null, fullError = null;
  try {
    full = core.solve(requestOf(job));
  } catch (error) {
    fullError = error;
  }
  if (answer === null) {
    declined++;
    return full;
  }
  if ('error' in answer) {
    assert.ok(fullError, `${label}: the first module says "${answer.error}", the full solve gives a result`);
    errors++;
    return null;
  }
  assert.equal(fullError, null, `${label}: the full solve says "${fullError?.message}", the first module gives numbers`);
  const { result } = answer;
  assert.equal(result.vocab, full.vocab, `${label}: vocab`);
  assert.equal(result.drafts, full.drafts, `${label}: drafts`);
  assert.deepEqual(result.warnings, full.warnings, `${label}: warnings`);
  assert.deepEqual(Object.keys(result.optimal), Object.keys(full.optimal), `${label}: methods`);
  for (const [method, expected] of Object.entries(full.optimal)) {
    const actual = result.optimal[method];
    if ('error' in expected) {
      assert.deepEqual(actual, expected, `${label} ${method}: the error entry`);
      continue;
    }
    for (const key of ['alpha', 'certificate_size', 'certificate_target_mass', 'certificate_draft_mass']) {
      assert.ok(Object.is(actual[key], expected[key]), `${label} ${method}.${key}: ${actual[key]} vs ${expected[key]}`);
    }
    assert.deepEqual(actual.certificate, expected.certificate, `${label} ${method}: H`);
  }
  compared++;
  return full;
}

const weights = (values) => ({ values });
const logits = (values, options = {}) => ({ logits: values, ...options });

test('random weights, with zeros and ties, every n from 1 to V + 1', () => {
  const next = random(11);
  for (let trial = 0; trial < 120; trial++) {
    const size = 1 + Math.floor(next() * (trial < 60 ? 8 : 60));
    const draw = () => Array.from({ length: size }, () => {
      const u = next();
      if (u < 0.15) return 0;
      if (u < 0.35) return 0.25;                      // ties
      return trial % 3 === 0 ? Math.floor(next() * 4) : next();   // small integers: more ties, unnormalised
    });
    const target = draw(), draft = draw();
    if (target.every((v) => v === 0)) target[0] = 1;
    if (draft.every((v) => v === 0)) draft[size - 1] = 2;
    for (let n = 1; n <= size + 1; n += size > 12 ? 5 : 1) {
      check({ target: weights(Float64Array.from(target)), draft: weights(draft), drafts: n }, `weights #${trial} n=${n}`);
    }
  }
  assert.ok(compared > 500);
});

test('logits with temperatures, top_k, top_p and masked tokens', () => {
  const next = random(23);
  for (let trial = 0; trial < 150; trial++) {
    const size = 1 + Math.floor(next() * 40);
    const draw = () => Array.from({ length: size }, () => {
      const u = next();
      if (u < 0.1) return -Infinity;
      if (u < 0.25) return 1.5;                       // ties: top_k and top_p break them by id
      return (next() - 0.5) * 20;
    });
    const target = draw(), draft = draw();
    if (target.every((v) => v === -Infinity)) target[0] = 0;
    if (draft.every((v) => v === -Infinity)) draft[0] = 0;
    const options = () => {
      const out = { temperature: [0.25, 0.7, 1, 1.9, 40][Math.floor(next() * 5)] };
      if (next() < 0.5) out.top_k = 1 + Math.floor(next() * (size + 2));
      if (next() < 0.5) out.top_p = [0.05, 0.3, 0.5, 0.9, 0.999, 1][Math.floor(next() * 6)];
      return out;
    };
    const n = 1 + Math.floor(next() * Math.min(size + 1, 8));
    const mixed = next() < 0.2 ? weights(Array.from({ length: size }, () => next())) : logits(draft, options());
    check({ target: logits(target, options()), draft: mixed, drafts: n }, `logits #${trial} n=${n}`);
  }
});

test('subnormal and tiny masses: what normalisation loses, the warnings say', () => {
  const cases = [
    [[5e-324, 1, 1e-310, 0], [1, 5e-324, 0, 2e-308]],
    [[5e-324, 5e-324, 1e-320], [1e-320, 5e-324, 5e-324]],
    [[1e308, 1e308, 1], [1, 1, 1e-300]],                 // a sum that overflows
    [[1, 1e-17, 1e-17], [1e-17, 1, 1e-17]],
    [[0.5, 0.5 + 2e-6], [0.3, 0.7]],                      // off 1 by more than 1e-6
    [[0.5, 0.5 + 5e-7], [0.3, 0.7]],                      // within it
  ];
  for (const [k, [target, draft]] of cases.entries()) {
    for (let n = 1; n <= target.length; n++) check({ target: weights(target), draft: weights(draft), drafts: n }, `tiny #${k} n=${n}`);
  }
  check({ target: logits([0, -745, -800, -Infinity], { temperature: 1 }), draft: logits([-700, 0, -746, 0], { temperature: 1 }), drafts: 2 }, 'logits near exp underflow');
});

test('methods as asked: a subset, in the order given, repeats once', () => {
  const target = weights([0.1, 0.2, 0.3, 0.4]), draft = weights([0.4, 0.3, 0.2, 0.1]);
  for (const methods of [['greedy'], ['top_n', 'with_replacement'], ['without_replacement', 'greedy', 'without_replacement'],
    ['with_replacement', 'without_replacement', 'greedy', 'top_n']]) {
    const full = check({ target, draft, drafts: 3, methods }, methods.join(','));
    assert.deepEqual(Object.keys(full.optimal), [...new Set(methods)]);
  }
});

test('bad input: an error exactly where the full solve rejects the request', () => {
  const before = errors;
  const good = [0.2, 0.3, 0.5];
  const bad = [
    { target: weights([0.2, -0.1, 0.9]), draft: weights(good), drafts: 1 },
    { target: weights(good), draft: weights([NaN, 0.5, 0.5]), drafts: 1 },
    { target: weights([Infinity, 1, 1]), draft: weights(good), drafts: 1 },
    { target: weights([0, 0, 0]), draft: weights(good), drafts: 1 },
    { target: weights([]), draft: weights([]), drafts: 1 },
    { target: weights(good), draft: weights([0.5, 0.5]), drafts: 1 },
    { target: logits(good, { temperature: 0 }), draft: weights(good), drafts: 1 },
    { target: logits(good, { temperature: -1 }), draft: weights(good), drafts: 1 },
    { target: logits(good, { temperature: Infinity }), draft: weights(good), drafts: 1 },
    { target: logits(good, { temperature: NaN }), draft: weights(good), drafts: 1 },
    { target: logits(good, { top_p: 0 }), draft: weights(good), drafts: 1 },
    { target: logits(good, { top_p: 1.5 }), draft: weights(good), drafts: 1 },
    { target: logits(good, { top_p: -Infinity }), draft: weights(good), drafts: 1 },
    { target: logits([-Infinity, -Infinity]), draft: weights([1, 1]), drafts: 1 },
    { target: logits([Infinity, 0]), draft: weights([1, 1]), drafts: 1 },
    { target: logits([NaN, 0]), draft: weights([1, 1]), drafts: 1 },
    { target: weights(good), draft: weights(good), drafts: 0 },
    { target: weights(good), draft: weights(good), drafts: 65 },
    { target: weights(good), draft: weights(good), drafts: 1.5 },
    { target: weights(good), draft: weights(good), drafts: NaN },
    { target: weights(good), draft: weights(good), drafts: 2, methods: [] },
  ];
  for (const [k, job] of bad.entries()) {
    const answer = first.answer(job);
    assert.ok(answer === null || 'error' in answer, `bad #${k}: ${JSON.stringify(answer)}`);
    assert.throws(() => core.solve(requestOf(job)), `bad #${k}: the full solve rejects it`);
    check(job, `bad #${k}`);
  }
  assert.ok(errors - before >= bad.length - 3, 'most of them the first module finds itself');
  // What it cannot tell, it leaves to the core: no error of its own.
  for (const job of [
    { target: logits(good, { top_k: 0 }), draft: weights(good), drafts: 1 },
    { target: logits(good, { top_k: 1.5 }), draft: weights(good), drafts: 1 },
    { target: weights(['0.2', 0.3, 0.5]), draft: weights(good), drafts: 1 },
    { target: weights(good), draft: weights(good), drafts: 2, methods: ['nope'] },
    { target: weights(good), draft: weights(good), drafts: '2' },
    { target: { ids: [0], logprobs: [0] }, draft: weights(good), drafts: 1 },
    { target: weights(good), draft: weights(good), drafts: 1, draft_joint: [] },
  ]) {
    assert.equal(first.answer(job), null, JSON.stringify(job));
  }
});

test('a certificate lists each token once, below V (certain drafts beside tokens of no mass)', () => {
  // Without replacement once repeated the certain drafts in H (|H| > V),
  // and the first module wrote past its buffer of V ids per method.
  for (const job of [
    { target: weights([1, 1, 1]), draft: weights([4e-309, 1, 1]), drafts: 3, methods: ['without_replacement'] },
    { target: weights([0.25, 0.3]), draft: logits([709, 1.5]), drafts: 2, methods: ['without_replacement'] },
  ]) {
    for (let repeat = 0; repeat < 3; repeat++) {
      const full = check(job, JSON.stringify(job));
      const { certificate } = full.optimal.without_replacement;
      assert.ok(certificate.every((id, k) => id < full.vocab && (k === 0 || id > certificate[k - 1])), JSON.stringify(certificate));
    }
  }
});

test('what the core would refuse, or two synthetic pairs, the first module leaves to the core', () => {
  const good = [0.5, 0.3, 0.2];
  for (const extra of [{ lp: 'yes' }, { lp: { max_columns: -5 } }, { verifiers: ['nope'] }, { verifiers: 'greedy' },
    { simulate: { samples: 0 } }, { simulate: { samples: 100, seed: 1 } }]) {
    const job = { target: weights(good), draft: weights([0.2, 0.3, 0.5]), drafts: 2, ...extra };
    assert.equal(first.answer(job), null, JSON.stringify(extra));
  }
  for (const extra of [{ lp: true }, { lp: { glpk: true } }, { verifiers: ['greedy', 'spechub'] }]) {
    assert.notEqual(first.answer({ target: weights(good), draft: weights([0.2, 0.3, 0.5]), drafts: 2, ...extra }), null, JSON.stringify(extra));
  }
  // A target of one seed against a draft of another: one pair is kept in memory.
  const job = { target: { synthetic: { vocab: 10, seed: 1 } }, draft: { synthetic: { vocab: 10, seed: 2 } }, drafts: 2 };
  assert.equal(first.answer(job), null);
});

test('synthetic pairs, from V = 1 to 152,064', () => {
  for (const [vocab, seed, drafts] of [[1, 1, 1], [2, 3, 2], [10, 1, 4], [1000, 7, 8], [32000, 2, 3], [152064, 1, 4]]) {
    const synthetic = { vocab, seed };
    check({ target: { synthetic }, draft: { synthetic }, drafts }, `synthetic V=${vocab} seed=${seed} n=${drafts}`);
  }
  // The page's longest input as logits: a synthetic pair's logarithms at a temperature, with top-k and top-p.
  const { target, draft } = core.syntheticPair({ vocab: 152064, seed: 5 });
  check({ target: logits(target.map(Math.log), { temperature: 0.8, top_p: 0.95 }), draft: logits(draft.map(Math.log), { temperature: 1.3, top_k: 5000 }), drafts: 6 },
    'synthetic logits V=152064');
  console.log(`${compared} inputs compared bit for bit, ${errors} errors found by both, ${declined} declined`);
});
