// solve(request, {onProgress}) (web/package/mdsd.mjs, README "JavaScript
// API"): the module reports its Monte Carlo runs while one call runs, which
// the page's worker turns into its progress bar. It only observes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, MdsdInputError } from '../../web/package/mdsd.mjs';

const request = { target: [0.3, 0.4, 0.3], draft: [0.6, 0.3, 0.1], drafts: 2, verifiers: ['rrs_with_replacement', 'kseq', 'spechub'], simulate: { samples: 200000, seed: 3 } };

test('onProgress sees every run of the call, step counts rising to each run\'s samples, and changes nothing', async () => {
  const calculator = await load();
  const calls = [];
  const watched = calculator.solve(request, { onProgress: (progress) => calls.push(progress) });
  assert.deepEqual(watched, calculator.solve(request));
  // Three verifiers, each one simulation of 200,000 steps: a call every 65,536 steps and one at the end.
  assert.deepEqual([...new Set(calls.map(({ run }) => run))], [0, 1, 2]);
  for (const run of [0, 1, 2]) {
    const done = calls.filter((call) => call.run === run).map((call) => call.done);
    assert.deepEqual(done, [65536, 131072, 196608, 200000]);
  }
  assert.ok(calls.every(({ samples }) => samples === 200000));
  // Without simulate (and no estimate): no call.
  const quiet = [];
  calculator.solve({ ...request, simulate: undefined }, { onProgress: (progress) => quiet.push(progress) });
  assert.deepEqual(quiet, []);
});

test('a bad onProgress is an input error; one that throws is thrown after the call, and the calculator goes on', async () => {
  const calculator = await load();
  assert.throws(() => calculator.solve(request, { onProgress: 5 }), (error) => error instanceof MdsdInputError && /^onProgress: must be a function/.test(error.message));
  assert.throws(() => calculator.solve(request, { onProgress: () => { throw new Error('from the callback'); } }), /from the callback/);
  assert.equal(calculator.solve(request).simulation.kseq.samples, 200000);
});
