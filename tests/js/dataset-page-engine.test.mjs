// The page's Dataset panel on engine files in a real browser (Debian's
// Chromium): a llama.cpp logits pair and a pair of JSON Lines of engine
// responses through the panel's Target and Draft inputs show the numbers of
// `mdsd batch` on the same files; a bad file is named with its row or line
// and leaves no summary. The files are written by tests/js/engine-files.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeCli, openSite, closeSite, watchedPage } from './support.mjs';
import { llamaBytes, llamaRuns, writeResponses } from './engine-files.mjs';

// MDSD_CLI: another build of the CLI than build/native (a helper's own build).
const cli = process.env.MDSD_CLI ?? nativeCli;
const tolerance = 1e-9;
const scratch = mkdtempSync(join(tmpdir(), 'mdsd-dataset-page-engine-'));
const at = (name) => join(scratch, name);
let server, browser, origin;

const verifiers = ['rrs_with_replacement', 'kseq', 'greedy'];
function batch(args) {
  const run = spawnSync(cli, ['batch', '--verifiers', verifiers.join(','), ...args], { cwd: scratch, encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

before(async () => {
  const [target, draft] = llamaRuns({ nCtx: 20, nVocab: 301, nChunk: 2, seed: 9 });
  writeFileSync(at('target.kld'), llamaBytes(target));
  writeFileSync(at('draft.kld'), llamaBytes(draft));
  const [clampedTarget, clampedDraft] = llamaRuns({ nCtx: 12, nVocab: 400, nChunk: 2, spread: 4, limit: 0, seed: 5 });
  writeFileSync(at('clamped-target.kld'), llamaBytes(clampedTarget));
  writeFileSync(at('clamped-draft.kld'), llamaBytes(clampedDraft));
  const [t, d] = writeResponses('chat', 4, 3, 40);
  writeFileSync(at('target.jsonl'), t);
  writeFileSync(at('draft.jsonl'), d);
  const cut = llamaBytes(draft);
  writeFileSync(at('cut.kld'), cut.subarray(0, cut.length - 500));
  ({ server, browser, origin } = await openSite());
});

after(async () => {
  await closeSite({ server, browser });
  rmSync(scratch, { recursive: true, force: true });
});

// The page once its built-in example is solved, with the dataset verifiers of `verifiers` ticked.
async function openPage() {
  const { page, problems } = await watchedPage({ browser, origin }, { path: '', waitFor: '[data-testid="optimal.greedy.alpha"]' });
  for (const box of await page.locator('input[name="dataset-verifier"]').all()) {
    await box.setChecked(verifiers.includes(await box.getAttribute('value')));
  }
  return { page, problems };
}

async function run(page, target, draft, drafts) {
  await page.setInputFiles('#dataset-target', at(target));
  await page.setInputFiles('#dataset-draft', at(draft));
  await page.fill('#dataset-drafts', drafts);
  await page.click('#dataset-run');
}

/**
 * Every dataset number the page shows is the summary's number at that path
 * (data-testid "dataset.a.b.0" is summary.a.b[0]), and `required` are shown.
 */
async function assertShows(page, summary, required) {
  await page.locator('[data-testid="dataset.positions"]').waitFor({ timeout: 60000 });
  const values = await page.$$eval('[data-testid^="dataset."]', (elements) =>
    Object.fromEntries(elements.map((e) => [e.dataset.testid, Number(e.dataset.value)])));
  for (const testid of required) assert.ok(testid in values, `${testid}: not shown`);
  let compared = 0;
  for (const [testid, value] of Object.entries(values)) {
    const want = testid.split('.').slice(1).reduce((node, key) => node?.[key], summary);
    if (typeof want !== 'number') continue;  // a shown number that is not a summary value (e.g. a histogram bar)
    assert.ok(Math.abs(value - want) <= tolerance, `${testid}: ${value} vs ${want}`);
    compared++;
  }
  assert.ok(compared >= required.length, `${compared} numbers compared`);
}

test('a llama.cpp logits pair shows what mdsd batch gives: intervals, widened by the quantisation, clamped or not', async () => {
  const { page, problems } = await openPage();
  await run(page, 'target.kld', 'draft.kld', '1-3');
  const expected = batch(['--drafts', '1-3', 'target.kld', 'draft.kld']);
  assert.equal(expected.positions, 18);
  // Unclamped rows: quantised values, so intervals too (README "llama.cpp").
  assert.ok(Array.isArray(expected.sweep[0].mean.optimal.with_replacement.interval));
  await assertShows(page, expected, ['dataset.positions', 'dataset.vocab', 'dataset.sweep.0.mean.optimal.with_replacement.interval.0',
    'dataset.sweep.2.mean.optimal.without_replacement.interval.1']);
  await run(page, 'clamped-target.kld', 'clamped-draft.kld', '2');
  const clamped = batch(['--drafts', '2', 'clamped-target.kld', 'clamped-draft.kld']);
  assert.ok(Array.isArray(clamped.mean.optimal.with_replacement.interval));
  await page.locator('[data-testid="dataset.mean.optimal.with_replacement.interval.0"]').waitFor({ timeout: 60000 });
  await assertShows(page, clamped, ['dataset.positions', 'dataset.mean.optimal.with_replacement.interval.0',
    'dataset.mean.optimal.with_replacement.interval.1']);
  assert.deepEqual(problems, []);
  await page.close();
});

test('JSON Lines of engine responses show what mdsd batch gives', async () => {
  const { page, problems } = await openPage();
  await run(page, 'target.jsonl', 'draft.jsonl', '2');
  const expected = batch(['--drafts', '2', 'target.jsonl', 'draft.jsonl']);
  assert.equal(expected.positions, 24);
  await assertShows(page, expected, ['dataset.positions', 'dataset.mean.optimal.with_replacement.interval.0',
    'dataset.mean.optimal.with_replacement.interval.1']);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a truncated llama.cpp file is named at its row and leaves no summary', async () => {
  const { page, problems } = await openPage();
  await run(page, 'target.kld', 'cut.kld', '2');
  await page.locator('#dataset-error', { hasText: /cut\.kld: truncated: it ends in row 17 \(chunk 1, position 19\)/ }).waitFor({ timeout: 30000 });
  assert.equal(await page.locator('[data-testid^="dataset."]').count(), 0);
  await run(page, 'target.kld', 'draft.jsonl', '2');
  await page.locator('#dataset-error', { hasText: 'target.kld is a llama.cpp logits file but draft.jsonl is JSON (engine responses)' }).waitFor({ timeout: 30000 });
  assert.equal(await page.locator('[data-testid^="dataset."]').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});
