// Numbers that used to come out wrong as if right (issue: every number right
// or refused), through the JS API and the page: the WebAssembly build runs the
// same core as the native suite, and the values asserted here come from
// closed forms (stated beside each) or from the native CLI, whose own tests
// compare it with enumeration, the LP and a binary128 evaluation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { load } from '../../web/package/mdsd.mjs';
import { nativeCli, openSite, closeSite } from './support.mjs';

const calculator = await load();
const methods = ['with_replacement', 'without_replacement', 'greedy'];
const kExact = 1e-9;

test('a draft mass outside H below the smallest normal double: alpha* = 0.2, not 1', () => {
  // H = {0, 1} holds all but 1e-310 of the draft: both drafts fall in H, so
  // alpha* = 1 + p(H) - 1 = 0.2 for every method.
  for (const tiny of [1e-310, 5e-324, 1e-300]) {
    const result = calculator.solve({ target: [0.1, 0.1, 0.8], draft: [0.5, 0.5, tiny], drafts: 2, lp: true, verifiers: [] });
    for (const method of methods) {
      assert.ok(Math.abs(result.optimal[method].alpha - 0.2) <= kExact, `${tiny} ${method}: ${result.optimal[method].alpha}`);
      assert.ok(Math.abs(result.lp[method].alpha - 0.2) <= kExact, `${tiny} LP ${method}`);
    }
    assert.deepEqual(result.optimal.without_replacement.certificate, [0, 1]);
    // The native CLI says the same.
    const request = JSON.stringify({ target: [0.1, 0.1, 0.8], draft: [0.5, 0.5, tiny], drafts: 2, verifiers: [] });
    const native = JSON.parse(execFileSync(nativeCli, ['solve', '-'], { input: request, encoding: 'utf8' }));
    for (const method of methods) assert.ok(Math.abs(native.optimal[method].alpha - 0.2) <= kExact, `CLI ${tiny} ${method}`);
  }
  // The same through logits 720 apart (exp(-720) is subnormal) and through
  // a temperature of 1/720 on logits 1 apart.
  const viaLogits = calculator.solve({ target: [0.1, 0.1, 0.8], draft: { logits: [0, 0, -720] }, drafts: 2, verifiers: [] });
  const viaTemperature = calculator.solve({ target: [0.1, 0.1, 0.8], draft: { logits: [1, 1, 0], temperature: 1 / 720 }, drafts: 2, verifiers: [] });
  for (const method of methods) {
    assert.ok(Math.abs(viaLogits.optimal[method].alpha - 0.2) <= kExact, `logits ${method}`);
    assert.ok(Math.abs(viaTemperature.optimal[method].alpha - 0.2) <= kExact, `temperature ${method}`);
  }
});

test('K-SEQ with p = q: rho = 1 and acceptance 1 exactly, up to n = 64', () => {
  // rho beta(rho) >= 1 - (1 - beta(rho))^n holds at rho = 1 with equality.
  const size = 1000;
  const p = Array.from({ length: size }, (_, i) => 1 / (i + 1));
  for (const drafts of [2, 16, 64]) {
    const result = calculator.solve({ target: p, draft: p, drafts, verifiers: ['kseq'] });
    assert.equal(result.verifiers.kseq.rho, 1, `n = ${drafts}`);
    assert.equal(result.verifiers.kseq.alpha, 1, `n = ${drafts}`);
  }
});

test('with replacement at V = 32,000, n = 64: WebAssembly equals the native CLI to 1e-13', () => {
  // The native value is checked against binary128 in the native suite.
  const request = execFileSync(nativeCli, ['synthetic', '32000', '3', '64'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const parsed = JSON.parse(request);
  parsed.methods = ['with_replacement'];
  parsed.verifiers = [];
  const native = JSON.parse(execFileSync(nativeCli, ['solve', '-'], { input: JSON.stringify(parsed), encoding: 'utf8', maxBuffer: 1 << 28 }));
  const wasm = calculator.solve(parsed);
  assert.ok(Math.abs(wasm.optimal.with_replacement.alpha - native.optimal.with_replacement.alpha) <= 1e-13);
});

test('draft_joint probs whose sum overflows are normalised: lp.joint.alpha = 1, not 0', () => {
  const result = calculator.solve({
    target: [0.5, 0.5], lp: true,
    draft_joint: [{ drafts: [0], prob: Number.MAX_VALUE }, { drafts: [1], prob: Number.MAX_VALUE }],
  });
  assert.ok(Math.abs(result.lp.joint.alpha - 1) <= kExact);
  assert.ok(Math.abs(result.lp.joint.certificate_alpha - 1) <= kExact);
  assert.ok(result.warnings.some((w) => w.includes('more than the largest double')));
  // Weights likewise: (1e308, 1e308) is (1/2, 1/2); n = 1 against (1/4, 3/4) gives 3/4.
  const weights = calculator.solve({ target: [1e308, 1e308], draft: [0.25, 0.75], drafts: 1, verifiers: [] });
  for (const method of methods) assert.ok(Math.abs(weights.optimal[method].alpha - 0.75) <= kExact);
});

let server, browser;
before(async () => ({ server, browser } = await openSite()));
after(() => closeSite({ server, browser }));

test('the page shows 0.2 for the subnormal draft mass, from a link', async () => {
  const origin = `http://127.0.0.1:${server.address().port}`;
  const page = await browser.newPage();
  await page.goto(`${origin}/#target=0.1,0.1,0.8&draft=0.5,0.5,1e-310&drafts=2`);
  await page.locator('[data-testid="optimal.without_replacement.alpha"]').waitFor();
  await page.waitForFunction(() => document.querySelector('#status').textContent.includes('Vocabulary 3, 2 drafts'));
  for (const method of methods) {
    const value = Number(await page.locator(`[data-testid="optimal.${method}.alpha"]`).getAttribute('data-value'));
    assert.ok(Math.abs(value - 0.2) <= kExact, `${method}: ${value}`);
  }
  await page.close();
});

test('createBatch().add() refuses keys it would not read; a cyclic request is a one-line error', () => {
  const batch = calculator.createBatch({ drafts: [2] });
  for (const [position, key] of [[{ target: [0.5, 0.5], draft: [0.4, 0.6], drafts: 3 }, 'drafts'],
    [{ target: [0.5, 0.5], draft: [0.4, 0.6], target2: { $buffer: 0 } }, 'target2']]) {
    assert.throws(() => batch.add(position), (error) => error.name === 'MdsdInputError' &&
      error.message === `position 0: ${key}: unknown key (a position gives target, draft and vocab; the shared settings go to createBatch)`);
  }
  batch.dispose();
  const cyclic = { target: [0.5, 0.5], draft: [0.5, 0.5], drafts: 1 };
  cyclic.self = cyclic;
  assert.throws(() => calculator.solve(cyclic), (error) => error.name === 'MdsdInputError' && !error.message.includes('\n'));
});

test('a lone UTF-16 surrogate is named where it is, in a key or a string', () => {
  const base = { target: [0.5, 0.5], draft: [0.5, 0.5], drafts: 1 };
  assert.throws(() => calculator.solve({ ...base, ['x\uD800']: 1 }), (error) => error.name === 'MdsdInputError' &&
    error.message === 'x\\ud800: the key holds a lone UTF-16 surrogate, which is not valid Unicode');
  assert.throws(() => calculator.solve({ ...base, methods: ['with\uDC00'] }), (error) => error.name === 'MdsdInputError' &&
    error.message === 'methods[0]: the string holds a lone UTF-16 surrogate, which is not valid Unicode');
  // A surrogate pair is valid Unicode: the core then names the unknown method.
  assert.throws(() => calculator.solve({ ...base, methods: ['\u{1F600}'] }), /methods\[0\]: unknown method/);
});
