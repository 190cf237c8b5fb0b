// The page's Dataset panel in a real browser (Debian's Chromium): files
// through the panel's inputs give the same summary as `mdsd batch` on the
// same files; bad files are named with their row and leave no summary;
// cancel leaves no summary. The .npy files are written here by the format.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeCli, repo, openSite, closeSite, watchedPage } from './support.mjs';

const tolerance = 1e-9;
const scratch = mkdtempSync(join(tmpdir(), 'mdsd-dataset-page-'));
const at = (name) => join(scratch, name);
const artifacts = `${repo}test-artifacts`;
let server, browser, origin;

const cli = (args) => JSON.parse(execFileSync(nativeCli, args, { cwd: scratch, maxBuffer: 1 << 26, encoding: 'utf8' }));

/** A .npy file, version 1.0: `descr` '<f2' | '<f4' | '<f8' | anything (bytes then given raw). */
function npy(path, rows, { descr = '<f8', shape = `(${rows.length}, ${rows[0]?.length ?? 0})`, raw = null } = {}) {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const preamble = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  preamble.writeUInt16LE(header.length, 8);
  let data = raw;
  if (!data) {
    const size = { '<f2': 2, '<f4': 4, '<f8': 8 }[descr];
    data = Buffer.alloc(rows.length * rows[0].length * size);
    rows.forEach((row, i) => row.forEach((value, j) => {
      const offset = (i * row.length + j) * size;
      if (size === 8) data.writeDoubleLE(value, offset);
      else if (size === 4) data.writeFloatLE(value, offset);
      else data.writeUInt16LE(toHalf(value), offset);
    }));
  }
  writeFileSync(path, Buffer.concat([preamble, Buffer.from(header, 'latin1'), data]));
}

// Half bits of a value exactly representable as a normal float16 (the tests use only such).
function toHalf(value) {
  if (value === 0) return 0;
  const sign = value < 0 ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  const exponent = Math.floor(Math.log2(magnitude));
  const fraction = magnitude / 2 ** exponent - 1;
  const bits = Math.round(fraction * 1024);
  assert.equal((1 + bits / 1024) * 2 ** exponent, magnitude, `${value} is not a float16`);
  return sign | ((exponent + 15) << 10) | bits;
}

/** Rows of a float32 [N, V] .npy as plain arrays. */
function readRows(path) {
  const bytes = readFileSync(path);
  const offset = 10 + bytes.readUInt16LE(8);
  const [rows, columns] = /\((\d+), (\d+)\)/.exec(bytes.subarray(10, offset).toString('latin1')).slice(1).map(Number);
  return Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => bytes.readFloatLE(offset + 4 * (i * columns + j))));
}

before(async () => {
  execFileSync(nativeCli, ['synthetic-dataset', '12', '300', '7', 't.npy', 'd.npy'], { cwd: scratch });
  ({ server, browser, origin } = await openSite());
});

after(async () => {
  await closeSite({ server, browser });
  rmSync(scratch, { recursive: true, force: true });
});

// The page once its built-in example is solved.
const openPage = () => watchedPage({ browser, origin }, { path: '', waitFor: '[data-testid="optimal.greedy.alpha"]' });

/** Every dataset number on the page: testid -> value. */
const shown = (page) => page.$$eval('[data-testid^="dataset."]', (elements) =>
  Object.fromEntries(elements.map((e) => [e.dataset.testid, Number(e.dataset.value)])));

const settingsOf = (summary) => summary.sweep ?? [{ drafts: summary.drafts, temperature: summary.temperature, mean: summary.mean }];

/** Asserts that the page shows every number of the CLI's summary, within `tolerance`. */
async function assertShows(page, expected) {
  const values = await shown(page);
  const near = (testid, want) => {
    if (want === null) {
      assert.ok(!(testid in values), `${testid}: shown, expected none`);
      return;
    }
    assert.ok(testid in values, `${testid}: not shown`);
    assert.ok(Math.abs(values[testid] - want) <= tolerance, `${testid}: ${values[testid]} vs ${want}`);
  };
  near('dataset.positions', expected.positions);
  near('dataset.vocab', expected.vocab);
  const settings = settingsOf(expected);
  settings.forEach((setting, k) => {
    const prefix = expected.sweep ? `dataset.sweep.${k}` : 'dataset';
    if (expected.sweep) {
      near(`${prefix}.drafts`, setting.drafts);
      near(`${prefix}.temperature`, setting.temperature);
    }
    for (const [method, m] of Object.entries(setting.mean.optimal)) {
      near(`${prefix}.mean.optimal.${method}.alpha`, m.alpha);
      near(`${prefix}.mean.optimal.${method}.ci95.0`, m.ci95[0]);
      near(`${prefix}.mean.optimal.${method}.ci95.1`, m.ci95[1]);
    }
    for (const [name, v] of Object.entries(setting.mean.verifiers)) {
      near(`${prefix}.mean.verifiers.${name}.alpha`, v.alpha);
      near(`${prefix}.mean.verifiers.${name}.ci95.0`, v.ci95[0]);
      near(`${prefix}.mean.verifiers.${name}.ci95.1`, v.ci95[1]);
      near(`${prefix}.mean.verifiers.${name}.gap`, v.gap);
      near(`${prefix}.mean.verifiers.${name}.gap_ci95.0`, v.gap_ci95[0]);
      near(`${prefix}.mean.verifiers.${name}.gap_ci95.1`, v.gap_ci95[1]);
    }
  });
}

async function setNpy(page, target, draft, values = 'logits') {
  await page.setInputFiles('#dataset-target', at(target));
  await page.setInputFiles('#dataset-draft', at(draft));
  await page.selectOption('#dataset-values', values);
}

async function compute(page, { drafts = '3', temperatures = '' } = {}) {
  await page.fill('#dataset-drafts', drafts);
  await page.fill('#dataset-temperatures', temperatures);
  await page.click('#dataset-run');
}

const waitForSummary = (page) => page.locator('[data-testid="dataset.positions"]').waitFor({ timeout: 60000 });

test('the demo dataset computes in the worker: 64 synthetic positions of 32,000 tokens', async () => {
  const { page, problems } = await openPage();
  await page.click('#dataset-demo');
  await page.locator('#dataset-source', { hasText: 'synthetic' }).waitFor();
  await waitForSummary(page);
  const values = await shown(page);
  assert.equal(values['dataset.positions'], 64);
  assert.equal(values['dataset.vocab'], 32000);
  for (const method of ['with_replacement', 'without_replacement', 'greedy']) {
    const alpha = values[`dataset.mean.optimal.${method}.alpha`];
    assert.ok(alpha > 0.5 && alpha <= 1, `${method} ${alpha}`);
    assert.ok(values[`dataset.mean.optimal.${method}.ci95.0`] <= alpha && alpha <= values[`dataset.mean.optimal.${method}.ci95.1`]);
    assert.equal(values[`dataset.mean.optimal.${method}.positions`], 64);
  }
  // No verifier beats the bound of its draft sampling method (README mathematics).
  assert.ok(values['dataset.mean.verifiers.kseq.alpha'] <= values['dataset.mean.optimal.with_replacement.alpha'] + 1e-12);
  assert.ok(values['dataset.mean.verifiers.kseq.gap'] >= -1e-12);
  await page.locator('#dataset-histogram canvas').waitFor();
  assert.match(await page.locator('#dataset-status').textContent(), /^Complete: 64 positions/);
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.waitForTimeout(200);
  await page.locator('#dataset').screenshot({ path: `${artifacts}/dataset-demo-desktop.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  await page.locator('#dataset').screenshot({ path: `${artifacts}/dataset-demo-phone.png` });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page overflows the phone width by ${overflow}px`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('.npy logits (float32) through the file inputs equal mdsd batch --logits; downloads match --per-position', async () => {
  const expected = cli(['batch', '--drafts', '3', '--logits', 't.npy', 'd.npy', '--per-position', 'rows.json']);
  const { page, problems } = await openPage();
  await setNpy(page, 't.npy', 'd.npy');
  await compute(page, { drafts: '3' });
  await waitForSummary(page);
  await assertShows(page, expected);
  assert.equal(await page.locator('#dataset-sweep').isHidden(), true);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dataset-download-json')]);
  const rows = JSON.parse(readFileSync(await download.path(), 'utf8'));
  const want = JSON.parse(readFileSync(at('rows.json'), 'utf8'));
  assert.equal(rows.length, want.length);
  rows.forEach((row, i) => {
    assert.equal(row.position, want[i].position);
    for (const group of ['optimal', 'verifiers']) {
      for (const [key, value] of Object.entries(want[i][group])) assert.ok(Math.abs(row[group][key] - value) <= tolerance, `${i} ${key}`);
    }
  });
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#dataset-download-csv')]);
  const lines = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  // The columns of --per-position: every method and verifier the core computed, in its order.
  assert.equal(lines[0], ['position', 'drafts', 'temperature', ...Object.keys(want[0].optimal).map((m) => `optimal.${m}`),
    ...Object.keys(want[0].verifiers).map((v) => `verifiers.${v}`)].join(','));
  assert.ok(lines[0].startsWith('position,drafts,temperature,optimal.with_replacement,optimal.without_replacement,optimal.greedy,'));
  assert.equal(lines.length, 1 + 12);
  // The same files as probabilities-or-weights (exp of the logits) with float16 and float64 rows.
  const targets = readRows(at('t.npy')).map((row) => row.map((v) => Math.round(v * 16) / 16));
  const drafts = readRows(at('d.npy')).map((row) => row.map((v) => Math.round(v * 16) / 16));
  npy(at('t16.npy'), targets, { descr: '<f2' });
  npy(at('d64.npy'), drafts.map((row) => row.map(Math.exp)), { descr: '<f8' });
  npy(at('t64.npy'), targets.map((row) => row.map(Math.exp)), { descr: '<f8' });
  npy(at('d16.npy'), drafts, { descr: '<f2' });
  await setNpy(page, 't16.npy', 'd16.npy');
  await compute(page, { drafts: '2' });
  await waitForSummary(page);
  await assertShows(page, cli(['batch', '--drafts', '2', '--logits', 't16.npy', 'd16.npy']));
  await setNpy(page, 't64.npy', 'd64.npy', 'probabilities');
  await compute(page, { drafts: '2' });
  await waitForSummary(page);
  await assertShows(page, cli(['batch', '--drafts', '2', '--probabilities', 't64.npy', 'd64.npy']));
  assert.deepEqual(problems, []);
  await page.close();
});

test('a JSON Lines file equals mdsd batch on it', async () => {
  const targets = readRows(at('t.npy'));
  const drafts = readRows(at('d.npy'));
  const lines = targets.map((row, i) => JSON.stringify(i % 3 === 2
    ? { target: row.map(Math.exp), draft: drafts[i].map(Math.exp) }   // weights, normalised by the core
    : { target: { logits: row }, draft: { logits: drafts[i] } }));
  lines.splice(5, 0, '');  // a blank line is skipped
  writeFileSync(at('data.jsonl'), `${lines.join('\n')}\n`);
  const expected = cli(['batch', '--drafts', '2,3', 'data.jsonl']);
  const { page, problems } = await openPage();
  await page.setInputFiles('#dataset-jsonl', at('data.jsonl'));
  await compute(page, { drafts: '2,3' });
  await waitForSummary(page);
  await assertShows(page, expected);
  assert.equal(await page.locator('#dataset-sweep-optimal tbody tr').count(), 2);
  assert.deepEqual(problems, []);
  await page.close();
});

// README "Limits": past 250,000 rows (positions times settings) WebAssembly
// memory has no room for the per-position output; the summary still comes,
// equal to mdsd batch's, and the per-position downloads are off, saying why.
test('past the per-position limit the summary still comes, without per-position downloads', async () => {
  const lines = Array.from({ length: 3126 }, (_, i) => JSON.stringify({ target: { logits: [1, 2, 3, (i % 11) / 4] }, draft: { logits: [3, 2, 1, (i % 7) / 3] } }));
  writeFileSync(at('long.jsonl'), `${lines.join('\n')}\n`);
  const temperatures = '0.5,0.6,0.7,0.8,0.9,1,1.1,1.2,1.3,1.4';
  const expected = cli(['batch', '--drafts', '1-8', '--temperature', temperatures, 'long.jsonl']);
  assert.equal(expected.positions * expected.sweep.length, 250080);
  const { page, problems } = await openPage();
  await page.setInputFiles('#dataset-jsonl', at('long.jsonl'));
  await compute(page, { drafts: '1-8', temperatures });
  await page.locator('[data-testid="dataset.positions"]').waitFor({ timeout: 120000 });
  await assertShows(page, expected);
  assert.match(await page.locator('#dataset-status').textContent(),
    /No per-position downloads \(batch: 250080 rows \(positions times settings\) is more than the limit of 250000/);
  assert.equal(await page.locator('#dataset-download-csv').isDisabled(), true);
  assert.equal(await page.locator('#dataset-download-json').isDisabled(), true);
  assert.equal(await page.locator('#dataset-download-summary').isDisabled(), false);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a sweep over drafts and temperatures shows one row per setting, with its plots', async () => {
  const expected = cli(['batch', '--drafts', '1-3', '--temperature', '0.7,1.3', '--logits', 't.npy', 'd.npy']);
  assert.equal(expected.sweep.length, 6);
  const { page, problems } = await openPage();
  await setNpy(page, 't.npy', 'd.npy');
  await compute(page, { drafts: '1-3', temperatures: '0.7, 1.3' });
  await waitForSummary(page);
  await assertShows(page, expected);
  assert.equal(await page.locator('#dataset-sweep-optimal tbody tr').count(), 6);
  assert.equal(await page.locator('#dataset-sweep-verifiers tbody tr').count(), 6);
  await page.locator('#dataset-drafts-chart canvas').waitFor();
  await page.locator('#dataset-temperature-chart canvas').waitFor();
  await page.locator('#dataset-histogram canvas').waitFor();
  await page.selectOption('#dataset-histogram-setting', '5');
  await page.selectOption('#dataset-temperature-at', '2');
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.waitForTimeout(200);
  await page.locator('#dataset').screenshot({ path: `${artifacts}/dataset-sweep.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test('bad files: the error names the file and the row, and no summary is shown', async () => {
  const targets = readRows(at('t.npy'));
  const drafts = readRows(at('d.npy'));
  npy(at('vector.npy'), [targets[0]], { shape: '(300,)' });
  npy(at('short.npy'), drafts.slice(0, 11), { descr: '<f4' });
  npy(at('narrow.npy'), drafts.map((row) => row.slice(0, 299)), { descr: '<f4' });
  npy(at('ints.npy'), [], { descr: '<i4', shape: '(12, 300)', raw: Buffer.alloc(12 * 300 * 4) });
  npy(at('big-endian.npy'), [], { descr: '>f4', shape: '(12, 300)', raw: Buffer.alloc(12 * 300 * 4) });
  const withNan = drafts.map((row) => row.slice());
  withNan[5][7] = NaN;
  npy(at('nan.npy'), withNan, { descr: '<f4' });
  const whole = readFileSync(at('t.npy'));
  writeFileSync(at('truncated.npy'), whole.subarray(0, whole.length - 1000));
  const line = (i) => JSON.stringify({ target: { logits: targets[i] }, draft: { logits: drafts[i] } });
  writeFileSync(at('broken.jsonl'), [line(0), line(1), '{"target": [0.5, 0.5], "draft": ', line(3)].join('\n'));
  writeFileSync(at('mixed.jsonl'), [line(0), line(1), line(2), JSON.stringify({ target: [0.5, 0.5], draft: [0.5, 0.5] })].join('\n'));
  writeFileSync(at('missing.jsonl'), [line(0), JSON.stringify({ target: [0.5, 0.5] })].join('\n'));
  writeFileSync(at('negative.jsonl'), [line(0), line(1), JSON.stringify({ target: targets[2], draft: drafts[2] })].join('\n'));
  // A line that spells what the JS wrapper once used for its own buffers.
  writeFileSync(at('forged.jsonl'), [line(0), JSON.stringify({ target: { logits: { $buffer: 1 } }, draft: { $buffer: 0 } })].join('\n'));

  const cases = [
    [['t.npy', 'vector.npy'], /vector\.npy: .*dimensions; expected \[N, V\]/],
    [['t.npy', 'short.npy'], /short\.npy: shape \[11, 300\] does not match t\.npy's \[12, 300\]/],
    [['t.npy', 'narrow.npy'], /narrow\.npy: shape \[12, 299\] does not match t\.npy's \[12, 300\]/],
    [['ints.npy', 'd.npy'], /ints\.npy: dtype '<i4' is not supported/],
    [['t.npy', 'big-endian.npy'], /big-endian\.npy: dtype '>f4' is not supported/],
    [['t.npy', 'nan.npy'], /nan\.npy row 5: draft\.logits\[7\]: not a finite number \(NaN\)/],
    [['truncated.npy', 'd.npy'], /truncated\.npy: row 11: the file ends early/],
    ['broken.jsonl', /broken\.jsonl line 3: not valid JSON/],
    ['missing.jsonl', /missing\.jsonl line 2: draft: is missing/],
    ['negative.jsonl', /negative\.jsonl line 3: target\[\d+\]: negative value/],
    ['forged.jsonl', /forged\.jsonl line 2: target\.logits: must be an array of numbers/],
  ];
  const { page, problems } = await openPage();
  // A good run first: a bad file afterwards must not leave its numbers up.
  await setNpy(page, 't.npy', 'd.npy');
  await compute(page, { drafts: '2' });
  await waitForSummary(page);
  for (const [files, pattern] of cases) {
    if (Array.isArray(files)) await setNpy(page, ...files);
    else await page.setInputFiles('#dataset-jsonl', at(files));
    await compute(page, { drafts: '2' });
    await page.locator('#dataset-error', { hasText: pattern }).waitFor({ timeout: 30000 });
    assert.equal(await page.locator('[data-testid^="dataset."]').count(), 0, String(files));
    assert.equal(await page.locator('#dataset-results').isHidden(), true);
    assert.match(await page.locator('#dataset-status').textContent(), /no summary/);
    assert.equal(await page.locator('#dataset-progress').isHidden(), true);
  }
  // Rows of different lengths are no longer an error: each position is its
  // own problem (README "Dataset mode"); the summary says the range of the
  // vocabularies, as mdsd batch's does.
  const mixed = cli(['batch', '--drafts', '2', 'mixed.jsonl']);
  assert.equal(mixed.vocab, null);
  assert.deepEqual(mixed.vocab_range, [2, 300]);
  await page.setInputFiles('#dataset-jsonl', at('mixed.jsonl'));
  await compute(page, { drafts: '2' });
  await waitForSummary(page);
  await assertShows(page, mixed);
  const values = await shown(page);
  assert.equal(values['dataset.vocab_range.0'], 2);
  assert.equal(values['dataset.vocab_range.1'], 300);
  assert.match(await page.locator('#dataset-about').textContent(), /^4 positions, vocabularies of 2 to 300 tokens \(of the positions that state one\); complete\./);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dataset-download-summary')]);
  const summary = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.deepEqual(Object.keys(summary), Object.keys(mixed));
  assert.deepEqual(summary.vocab_range, mixed.vocab_range);
  assert.equal(summary.positions, 4);
  // Settings are checked before any reading.
  await setNpy(page, 't.npy', 'd.npy');
  await compute(page, { drafts: '0-3' });
  await page.locator('#dataset-error', { hasText: 'drafts: "0-3"' }).waitFor();
  await page.selectOption('#dataset-values', 'probabilities');
  await compute(page, { drafts: '2', temperatures: '0.7' });
  await page.locator('#dataset-error', { hasText: 'temperatures: apply to logits' }).waitFor();
  assert.equal(await page.locator('[data-testid^="dataset."]').count(), 0);
  assert.deepEqual(problems.filter((text) => !/negative value|not a finite/.test(text)), []);
  await page.close();
});

test('cancel stops the run and leaves no summary', async () => {
  const { page, problems } = await openPage();
  await page.fill('#dataset-drafts', '1-8');
  await page.click('#dataset-demo');
  await page.locator('#dataset-progress-text', { hasText: /^[1-9]\d* \/ 64 positions/ }).waitFor({ timeout: 60000 });
  await page.click('#dataset-cancel');
  await page.locator('#dataset-status', { hasText: /^Cancelled after \d+ of 64 positions: no summary/ }).waitFor();
  assert.equal(await page.locator('#dataset-progress').isHidden(), true);
  await page.waitForTimeout(1500);  // nothing arrives late from the stopped worker
  assert.equal(await page.locator('[data-testid^="dataset."]').count(), 0);
  assert.equal(await page.locator('#dataset-results').isHidden(), true);
  // And the panel computes again afterwards.
  await setNpy(page, 't.npy', 'd.npy');
  await compute(page, { drafts: '2' });
  await waitForSummary(page);
  await assertShows(page, cli(['batch', '--drafts', '2', '--logits', 't.npy', 'd.npy']));
  assert.deepEqual(problems, []);
  await page.close();
});
