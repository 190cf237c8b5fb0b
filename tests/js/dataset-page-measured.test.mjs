// The Dataset panel's measured acceptance and partial lists, in Node and in
// a real browser (Debian's Chromium): the "Measured acceptance" fields are
// read strictly (web/page/dataset-measured.mjs), an error beside them names
// the problem; the page's summary (its "Summary JSON") equals `mdsd batch
// --measured ...` on the same files, the comparison is shown and exported;
// a JSON Lines file of partial lists ({"ids", "logprobs"}, some lines with
// "vocab") gives the summary of `mdsd batch` with its intervals shown as
// intervals, in the tables and as bands in the sweep charts. Screenshots at
// 1280x800 and 390x844 go to test-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeCli, repo, openSite, closeSite, random, randomDistribution } from './support.mjs';
import { DatasetError, parseJsonLine } from '../../web/page/dataset-files.mjs';
import { parseMeasured, parseRates, parseAccepted } from '../../web/page/dataset-measured.mjs';

const tolerance = 1e-9;
const scratch = mkdtempSync(join(tmpdir(), 'mdsd-dataset-measured-'));
const at = (name) => join(scratch, name);
const artifacts = `${repo}test-artifacts`;
const sizes = [{ width: 1280, height: 800 }, { width: 390, height: 844 }];
let site;

const cli = (args) => JSON.parse(execFileSync(nativeCli, ['batch', ...args], { cwd: scratch, maxBuffer: 1 << 26, encoding: 'utf8' }));

/** Asserts two summaries equal: the same keys in the same order, numbers within `tolerance`. */
function assertSameJson(actual, expected, path = 'summary') {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= tolerance, `${path}: ${actual} vs ${expected}`);
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    assert.equal(actual, expected, path);
    return;
  }
  assert.equal(Array.isArray(actual), Array.isArray(expected), `${path}: array or not`);
  assert.deepEqual(Object.keys(actual), Object.keys(expected), `${path}: keys`);
  for (const key of Object.keys(expected)) assertSameJson(actual[key], expected[key], `${path}.${key}`);
}

// Partial lists from synthetic values: a target over 60 tokens and a draft
// near it, each side cut to its 12 most likely tokens (ids and
// log-probabilities, as an engine's top-k reports them), every third line
// stating "vocab"; and one full position of 3 logits, so that the
// vocabularies differ.
function writePartial(name) {
  const next = random(11);
  const normalised = (p) => {
    const total = p.reduce((a, b) => a + b, 0);
    return p.map((v) => v / total);
  };
  const top = (p) => {
    const ids = p.map((_, i) => i).filter((i) => p[i] > 0).sort((a, b) => p[b] - p[a] || a - b).slice(0, 12);
    return { ids, logprobs: ids.map((i) => Math.log(p[i])) };
  };
  const lines = Array.from({ length: 9 }, (_, i) => {
    const target = normalised(randomDistribution(next, 60, 0.1).map((v) => v ** 6));
    const draft = normalised(target.map((v) => v * (0.4 + next()) + 0.002 * next()));
    return JSON.stringify({ target: top(target), draft: top(draft), ...(i % 3 === 1 ? { vocab: 60 } : {}) });
  });
  lines.push(JSON.stringify({ target: { logits: [0.5, 0.3, 0.2] }, draft: { logits: [0.4, 0.4, 0.2] } }));
  writeFileSync(at(name), `${lines.join('\n')}\n`);
}

before(async () => {
  execFileSync(nativeCli, ['synthetic-dataset', '12', '300', '7', 't.npy', 'd.npy'], { cwd: scratch });
  writePartial('partial.jsonl');
  site = await openSite();
});

after(async () => {
  await closeSite(site);
  rmSync(scratch, { recursive: true, force: true });
});

test('the measured fields are read strictly, as the core reads them', () => {
  const run = { drafts: [1, 2, 3], temperatures: [0.7, 1.3], verifiers: ['kseq', 'greedy'] };
  const read = (fields) => parseMeasured({ kind: 'rates', ...fields }, run);
  assert.equal(read({ rates: '' }), null);
  assert.deepEqual(read({ rates: '0.71, 0.52, 0.38' }), { per_position: [0.71, 0.52, 0.38] });
  assert.deepEqual(read({ rates: '[0.71,0.52 0.52]', drafts: '2', temperature: '1.3', verifier: 'kseq' }),
    { per_position: [0.71, 0.52, 0.52], drafts: 2, temperature: 1.3, verifier: 'kseq' });
  assert.deepEqual(parseMeasured({ kind: 'counters', steps: '1000', accepted: '700, 520, 380' }, run), { steps: 1000, accepted: [700, 520, 380] });
  assert.deepEqual(parseRates('1, 1, 0'), [1, 1, 0]);
  assert.deepEqual(parseAccepted('5 5 0', 5), [5, 5, 0]);
  const rejects = (fields, field, pattern) => assert.throws(() => parseMeasured(fields, run),
    (error) => error instanceof DatasetError && error.field === field && pattern.test(error.message), JSON.stringify(fields));
  rejects({ kind: 'rates', rates: '0.5, 0.7' }, 'measured.rates', /^measured rates: position 2: 0\.7 is above position 1's 0\.5; a draft is accepted only after the ones before it$/);
  rejects({ kind: 'rates', rates: '1.2' }, 'measured.rates', /position 1: 1\.2 is not a fraction from 0 to 1$/);
  rejects({ kind: 'rates', rates: '-0.1' }, 'measured.rates', /position 1: -0\.1 is not a fraction from 0 to 1/);
  rejects({ kind: 'rates', rates: '0,7' }, 'measured.rates', /position 2: 7 is not a fraction from 0 to 1 \(a decimal comma is not read/);
  rejects({ kind: 'rates', rates: '71%, 52%' }, 'measured.rates', /position 1: "71%": give a fraction from 0 to 1 \(71% is 0\.71\)/);
  rejects({ kind: 'rates', rates: '0.7, abc' }, 'measured.rates', /position 2: "abc" is not a number/);
  rejects({ kind: 'rates', rates: '0.7,, 0.5' }, 'measured.rates', /position 2 is empty/);
  rejects({ kind: 'rates', rates: '0x1' }, 'measured.rates', /"0x1" is not a number/);
  rejects({ kind: 'rates', rates: Array(4097).fill('0.5').join(',') }, 'measured.rates', /4097 positions is more than the limit of 4096/);
  rejects({ kind: 'rates', drafts: '2' }, 'measured.rates', /give the rates the setting is for/);
  rejects({ kind: 'rates', rates: '0.7', drafts: '4' }, 'measured.drafts', /^measured at n: 4 is not among the drafts computed \(1, 2, 3\)/);
  rejects({ kind: 'rates', rates: '0.7', drafts: '2.0' }, 'measured.drafts', /"2\.0" is not a whole number/);
  rejects({ kind: 'rates', rates: '0.7', temperature: '1' }, 'measured.temperature', /1 is not among the temperatures computed \(0\.7, 1\.3\)/);
  rejects({ kind: 'rates', rates: '0.7', temperature: '0' }, 'measured.temperature', /"0" is not a number > 0/);
  rejects({ kind: 'rates', rates: '0.7', verifier: 'spechub' }, 'measured.verifier', /spechub is not among the verifiers computed/);
  rejects({ kind: 'counters', steps: '1,000', accepted: '7' }, 'measured.steps', /"1,000" is not a whole number/);
  rejects({ kind: 'counters', steps: '0', accepted: '0' }, 'measured.steps', /must be from 1/);
  rejects({ kind: 'counters', steps: '100' }, 'measured.accepted', /give the accepted count of each draft position/);
  rejects({ kind: 'counters', accepted: '7' }, 'measured.steps', /give the number of drafting steps/);
  rejects({ kind: 'counters', steps: '100', accepted: '70, 101' }, 'measured.accepted', /position 2: 101 is more than the 100 drafting steps/);
  rejects({ kind: 'counters', steps: '100', accepted: '70, 71' }, 'measured.accepted', /position 2: 71 is above position 1's 70/);
  rejects({ kind: 'counters', steps: '100', accepted: '70, 7.5' }, 'measured.accepted', /"7\.5" is not a whole number/);
  assert.throws(() => parseMeasured({ kind: 'rates', rates: '0.7', temperature: '0.7' }, { ...run, temperatures: [] }),
    /measured at temperature: the run keeps the temperature as given \(Temperatures is empty\); add 0\.7 to Temperatures/);
});

test('a JSON Lines line may give "vocab" (its token lists\' vocabulary), passed with the position', () => {
  const partial = { ids: [3, 7], logprobs: [-0.1, -2.5] };
  assert.deepEqual(parseJsonLine(JSON.stringify({ target: partial, draft: partial, vocab: 32000 }), 'x.jsonl', 2),
    { target: partial, draft: partial, vocab: 32000 });
  assert.deepEqual(parseJsonLine('{"target": [1], "draft": [1]}', 'x.jsonl', 2), { target: [1], draft: [1] });
  assert.throws(() => parseJsonLine('{"target": [1], "draft": [1], "drafts": 2}', 'x.jsonl', 2), (error) => error instanceof DatasetError &&
    /^x\.jsonl line 2: drafts: unknown key \(a line gives target, draft and vocab; drafts and temperatures are the panel's settings\)$/.test(error.message));
});

async function openPage(size = sizes[0]) {
  const page = await site.browser.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.setViewportSize(size);
  await page.goto(`${site.origin}/`);
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  return { page, problems };
}

/** Every dataset number on the page: testid -> value. */
const shown = (page) => page.$$eval('[data-testid^="dataset."]', (elements) =>
  Object.fromEntries(elements.map((e) => [e.dataset.testid, Number(e.dataset.value)])));

async function measure(page, { kind = 'rates', rates = '', steps = '', accepted = '', drafts = '', temperature = '', verifier = '' } = {}) {
  await page.selectOption('#dataset-measured-kind', kind);
  if (kind === 'rates') await page.fill('#dataset-measured-rates', rates);
  else {
    await page.fill('#dataset-measured-steps', steps);
    await page.fill('#dataset-measured-accepted', accepted);
  }
  await page.fill('#dataset-measured-drafts', drafts);
  await page.fill('#dataset-measured-temperature', temperature);
  await page.selectOption('#dataset-measured-verifier', verifier);
}

async function compute(page, { drafts, temperatures = '' }) {
  await page.fill('#dataset-drafts', drafts);
  await page.fill('#dataset-temperatures', temperatures);
  await page.click('#dataset-run');
  await page.locator('#dataset-status', { hasText: /^(Complete|Stopped)/ }).waitFor({ timeout: 60000 });
  assert.match(await page.locator('#dataset-status').textContent(), /^Complete/, await page.locator('#dataset-error').textContent());
}

async function summaryJson(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dataset-download-summary')]);
  return JSON.parse(readFileSync(await download.path(), 'utf8'));
}

/** The page shows each number of the summary's measured comparisons under its path. */
async function assertShowsMeasured(page, expected) {
  const values = await shown(page);
  const near = (testid, want) => {
    assert.ok(testid in values, `${testid}: not shown`);
    assert.ok(Math.abs(values[testid] - want) <= tolerance, `${testid}: ${values[testid]} vs ${want}`);
  };
  expected.measured.forEach((entry, k) => {
    const p = `dataset.measured.${k}`;
    entry.per_position.forEach((rate, i) => near(`${p}.per_position.${i}`, rate));
    if (entry.per_position.length > 1) entry.conditional.forEach((rate, i) => near(`${p}.conditional.${i}`, rate));
    entry.comparisons.forEach((c, j) => {
      const q = `${p}.comparisons.${j}`;
      near(`${q}.drafts`, c.drafts);
      if (c.temperature !== null) near(`${q}.temperature`, c.temperature);
      near(`${q}.measured`, c.measured);
      for (const [group, outcomes] of [['optimal', c.optimal], ['verifiers', c.verifiers]]) {
        for (const [name, o] of Object.entries(outcomes)) {
          const r = `${q}.${group}.${name}`;
          if (o.interval) {
            near(`${r}.interval.0`, o.interval[0]);
            near(`${r}.interval.1`, o.interval[1]);
            near(`${r}.gap.0`, o.gap[0]);
            near(`${r}.gap.1`, o.gap[1]);
          } else if (o.alpha !== null) {
            near(`${r}.alpha`, o.alpha);
            near(`${r}.gap`, o.gap);
          } else {
            assert.ok(!(`${r}.alpha` in values) && !(`${r}.gap` in values), `${r}: shown, expected none`);
          }
        }
      }
    });
  });
}

test('rates per position: a sweep with the measurement at one n, its verifier named, equals mdsd batch --measured; the table exports', async () => {
  const entry = { per_position: [0.71, 0.52, 0.38], drafts: 2, verifier: 'kseq' };
  const expected = cli(['--drafts', '1-3', '--temperature', '0.7,1.3', '--logits', '--measured', JSON.stringify(entry), 't.npy', 'd.npy']);
  assert.equal(expected.measured[0].comparisons.length, 2);
  const { page, problems } = await openPage();
  await page.setInputFiles('#dataset-target', at('t.npy'));
  await page.setInputFiles('#dataset-draft', at('d.npy'));
  await page.selectOption('#dataset-values', 'logits');
  await measure(page, { rates: '0.71, 0.52, 0.38', drafts: '2', verifier: 'kseq' });
  await compute(page, { drafts: '1-3', temperatures: '0.7, 1.3' });
  assertSameJson(await summaryJson(page), expected);
  await assertShowsMeasured(page, expected);
  // One row per method and per verifier named, per setting: 2 x (4 + 1).
  assert.equal(await page.locator('#dataset-measured-table tbody tr').count(), 10);
  assert.match(await page.locator('#dataset-measured-about').textContent(), /For n = 2, every temperature; the engine's verifier: K-SEQ/);
  // The comparison's export: every number at full precision, measured and gap columns included.
  const bar = page.locator('[role="group"][aria-label^="Export: Measured acceptance"]');
  await bar.locator('select').selectOption('csv');
  const [csv] = await Promise.all([page.waitForEvent('download'), bar.locator('button', { hasText: 'Download' }).click()]);
  assert.equal(csv.suggestedFilename(), 'mdsd-dataset-measured.csv');
  const lines = readFileSync(await csv.path(), 'utf8').trim().split('\r\n').map((line) => line.split(','));
  assert.deepEqual(lines[0], ['n', 'temperature', 'compared with', 'computed α* or acceptance', 'measured', 'gap (computed − measured)']);
  const kseq = lines.find((line) => line[2] === 'K-SEQ (SpecTr)' && line[1] === '1.3');
  assert.ok(kseq, JSON.stringify(lines));
  const want = expected.measured[0].comparisons.find((c) => c.temperature === 1.3).verifiers.kseq;
  assert.deepEqual(kseq.map(Number).slice(3), [want.alpha, 0.71, want.gap]);
  await bar.locator('select').selectOption('md');
  const [md] = await Promise.all([page.waitForEvent('download'), bar.locator('button', { hasText: 'Download' }).click()]);
  assert.match(readFileSync(await md.path(), 'utf8'), /^\| n \| temperature \| compared with \|/);
  for (const size of sizes) {
    await page.setViewportSize(size);
    await page.waitForTimeout(250);
    await page.locator('#dataset-measured').screenshot({ path: `${artifacts}/dataset-measured-fields-${size.width}.png` });
    await page.locator('#dataset-measured-results').screenshot({ path: `${artifacts}/dataset-measured-${size.width}.png` });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${size.width}: the page overflows by ${overflow}px`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test("an engine's counters (steps, accepted per position) equal mdsd batch --measured '{\"steps\", \"accepted\"}'", async () => {
  const expected = cli(['--drafts', '3', '--logits', '--measured', '{"steps": 1000, "accepted": [700, 520, 380]}', 't.npy', 'd.npy']);
  const { page, problems } = await openPage(sizes[1]);
  await page.setInputFiles('#dataset-target', at('t.npy'));
  await page.setInputFiles('#dataset-draft', at('d.npy'));
  await page.selectOption('#dataset-values', 'logits');
  await measure(page, { kind: 'counters', steps: '1000', accepted: '700, 520, 380' });
  assert.equal(await page.locator('#dataset-measured-rates').isHidden(), true);
  await page.locator('#dataset-measured').screenshot({ path: `${artifacts}/dataset-measured-counters-390.png` });
  await compute(page, { drafts: '3' });
  assertSameJson(await summaryJson(page), expected);
  await assertShowsMeasured(page, expected);
  // Every method and every verifier computed, for the one setting.
  assert.equal(await page.locator('#dataset-measured-table tbody tr').count(),
    Object.keys(expected.measured[0].comparisons[0].optimal).length + Object.keys(expected.measured[0].comparisons[0].verifiers).length);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bad measurement is named beside its field, the input marked, and nothing runs', async () => {
  const { page, problems } = await openPage();
  await page.setInputFiles('#dataset-target', at('t.npy'));
  await page.setInputFiles('#dataset-draft', at('d.npy'));
  await page.selectOption('#dataset-values', 'logits');
  await page.fill('#dataset-drafts', '2, 3');
  await page.fill('#dataset-temperatures', '');
  const cases = [
    [{ rates: '0.5, 0.7' }, 'rates', /measured rates: position 2: 0\.7 is above position 1's 0\.5; a draft is accepted only after the ones before it/],
    [{ rates: '1.5' }, 'rates', /position 1: 1\.5 is not a fraction from 0 to 1/],
    [{ rates: '0.7', drafts: '4' }, 'drafts', /measured at n: 4 is not among the drafts computed \(2, 3\)/],
    [{ rates: '0.7', temperature: '0.7' }, 'temperature', /the run keeps the temperature as given/],
    [{ kind: 'counters', steps: '100', accepted: '70, 120' }, 'accepted', /position 2: 120 is more than the 100 drafting steps/],
  ];
  for (const [fields, input, pattern] of cases) {
    await measure(page, fields);
    await page.click('#dataset-run');
    await page.locator('#dataset-measured-error', { hasText: pattern }).waitFor();
    assert.equal(await page.locator(`#dataset-measured-${input}`).getAttribute('aria-invalid'), 'true', input);
    // The message is the input's description (aria-describedby).
    const described = await page.locator(`#dataset-measured-${input}`).getAttribute('aria-describedby');
    assert.ok(described.split(' ').includes('dataset-measured-error'), described);
    assert.equal(await page.locator('#dataset-progress').isHidden(), true);
    assert.equal(await page.locator('[data-testid^="dataset."]').count(), 0);
  }
  // The verifier must be one the run computes.
  await page.locator('input[name="dataset-verifier"][value="spechub"]').setChecked(false);
  await measure(page, { rates: '0.7', verifier: 'spechub' });
  await page.click('#dataset-run');
  await page.locator('#dataset-measured-error', { hasText: /SpecHub is not among the verifiers computed/ }).waitFor();
  await page.locator('#dataset-measured').screenshot({ path: `${artifacts}/dataset-measured-error-1280.png` });
  // Editing the field clears the message; a good one then runs.
  await page.selectOption('#dataset-measured-verifier', '');
  assert.equal(await page.locator('#dataset-measured-error').textContent(), '');
  assert.equal(await page.locator('#dataset-measured-rates').getAttribute('aria-invalid'), null);
  await compute(page, { drafts: '2, 3' });
  assert.equal(await page.locator('#dataset-measured-results').isVisible(), true);
  assert.equal(await page.locator('#dataset-measured-notes li').count(), 0);
  // A rate above alpha* of every method: a note says what that means.
  await measure(page, { rates: '0.999' });
  await compute(page, { drafts: '2' });
  await page.locator('#dataset-measured-notes li', { hasText: /^At n = 2, temperature as given: the measured 0\.999 is above α\* of every draft sampling method .*no lossless verifier accepts that often/ }).waitFor();
  // No measurement: no comparison, and the summary has none.
  await measure(page, {});
  await compute(page, { drafts: '2' });
  assert.equal(await page.locator('#dataset-measured-results').isHidden(), true);
  assert.equal((await summaryJson(page)).measured, undefined);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the core's own message about the measurement, should the page's reading let one through, goes beside the fields too", async () => {
  const page = await site.browser.newPage();
  // The page's reader replaced by one that passes rates the core refuses.
  await page.route('**/page/dataset-measured.mjs', (route) => route.fulfill({
    contentType: 'text/javascript',
    body: 'export function parseMeasured() { return { per_position: [0.5, 0.7] }; }\n',
  }));
  await page.goto(`${site.origin}/`);
  await page.setInputFiles('#dataset-target', at('t.npy'));
  await page.setInputFiles('#dataset-draft', at('d.npy'));
  await page.selectOption('#dataset-values', 'logits');
  await page.fill('#dataset-measured-rates', '0.5, 0.7');
  await page.fill('#dataset-drafts', '2');
  await page.click('#dataset-run');
  await page.locator('#dataset-measured-error', { hasText: /^settings\.measured\[0\]\.per_position\[1\]: 0\.7 is above the rate of position 1 \(0\.5\)/ }).waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#dataset-measured-rates').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#dataset-error').textContent(), '');
  assert.match(await page.locator('#dataset-status').textContent(), /no summary/);
  assert.equal(await page.locator('[data-testid^="dataset."]').count(), 0);
  await page.close();
});

test('partial lists in JSON Lines (ids, logprobs, some lines with vocab): the summary of mdsd batch, intervals as intervals, bands in the sweep chart', async () => {
  const entry = { per_position: [0.8, 0.6] };
  const expected = cli(['--drafts', '1-3', '--temperature', '0.7,1', '--measured', JSON.stringify(entry), 'partial.jsonl']);
  assert.equal(expected.vocab, null);
  assert.deepEqual(expected.vocab_range, [3, 60]);
  const bounded = expected.sweep[1].mean.optimal.with_replacement;
  assert.ok(bounded.interval && bounded.interval[0] < bounded.interval[1], JSON.stringify(bounded));
  for (const size of sizes) {
    const { page, problems } = await openPage(size);
    await page.setInputFiles('#dataset-jsonl', at('partial.jsonl'));
    await measure(page, { rates: '0.8, 0.6' });
    await compute(page, { drafts: '1-3', temperatures: '0.7, 1' });
    assertSameJson(await summaryJson(page), expected);
    await assertShowsMeasured(page, expected);
    const values = await shown(page);
    assert.equal(values['dataset.vocab_range.0'], 3);
    assert.equal(values['dataset.vocab_range.1'], 60);
    assert.ok(!('dataset.vocab' in values));
    assert.match(await page.locator('#dataset-about').textContent(), /10 positions, vocabularies of 3 to 60 tokens \(of the positions that state one\); complete\./);
    // Each interval of the sweep: both ends, never one number.
    expected.sweep.forEach((setting, k) => {
      for (const [group, outcomes] of Object.entries(setting.mean)) {
        for (const [name, o] of Object.entries(outcomes)) {
          const p = `dataset.sweep.${k}.mean.${group}.${name}`;
          if (o.interval) {
            assert.ok(Math.abs(values[`${p}.interval.0`] - o.interval[0]) <= tolerance, `${p}.interval.0`);
            assert.ok(Math.abs(values[`${p}.interval.1`] - o.interval[1]) <= tolerance, `${p}.interval.1`);
            // Its 95% interval (sampling noise across positions) beside it.
            o.interval_ci95.forEach((end, e) => {
              if (end === null) assert.ok(!(`${p}.interval_ci95.${e}` in values), `${p}.interval_ci95.${e}`);
              else assert.ok(Math.abs(values[`${p}.interval_ci95.${e}`] - end) <= tolerance, `${p}.interval_ci95.${e}`);
            });
            assert.ok(!(`${p}.alpha` in values), `${p}: an interval shown as one number`);
          } else if (o.alpha !== null) assert.ok(Math.abs(values[`${p}.alpha`] - o.alpha) <= tolerance, `${p}.alpha`);
        }
      }
    });
    const cellText = await page.locator('[data-testid="dataset.sweep.1.mean.optimal.with_replacement.interval.0"]').locator('xpath=..').textContent();
    assert.match(cellText, /^\d\.\d{6} – \d\.\d{6}$/);
    // The sweep's export: a column of top-n, exact at T = 1 and an interval at 0.7, aligned by name.
    if (size.width === 1280) {
      const bar = page.locator('[role="group"][aria-label="Export: Sweep of mean optimal acceptance rates"]');
      await bar.locator('select').selectOption('csv');
      const [csv] = await Promise.all([page.waitForEvent('download'), bar.locator('button', { hasText: 'Download' }).click()]);
      const [head, ...rows] = readFileSync(await csv.path(), 'utf8').trim().split('\r\n').map((line) => line.split(','));
      const column = (name) => {
        const k = head.indexOf(`α* top-n (deterministic) ${name}`);
        assert.ok(k >= 0, `${name}: ${head.join(' | ')}`);
        return rows.map((row) => (row[k] === '' ? null : Number(row[k])));
      };
      const [low, high, ciLow, ciHigh] = ['interval low', 'interval high', 'interval ci95 low', 'interval ci95 high'].map(column);
      expected.sweep.forEach(({ mean: { optimal: { top_n: m } } }, k) => {
        const [lo, hi] = m.interval ?? [m.alpha, m.alpha];
        const [cl, ch] = m.interval_ci95 ?? m.ci95;
        for (const [got, want, what] of [[low[k], lo, 'low'], [high[k], hi, 'high'], [ciLow[k], cl, 'ci95 low'], [ciHigh[k], ch, 'ci95 high']]) {
          assert.ok(want === null ? got === null : Math.abs(got - want) <= tolerance, `setting ${k} ${what}: ${got} vs ${want}`);
        }
      });
      assert.ok(expected.sweep.some((s) => s.mean.optimal.top_n.alpha !== undefined) && expected.sweep.some((s) => s.mean.optimal.top_n.interval));
    }
    // The chart against n: a bounded method is a band (its legend key gives both ends), never a missing series.
    await page.locator('#dataset-drafts-chart canvas').waitFor();
    const chart = await page.evaluate(async () => {
      const { chartOf } = await import('/page/charts.mjs');
      const found = chartOf(document.querySelector('#dataset-drafts-chart'));
      const keys = [...document.querySelectorAll('#dataset-drafts-chart .chart-key')].map((key) => ({
        label: key.querySelector('.chart-key-label').textContent, value: key.querySelector('.chart-key-value').textContent,
      }));
      return { keys, series: found.figure.series.map((s) => ({ label: s.label, key: s.key ?? null, values: s.values })) };
    });
    const withKey = chart.keys.find((key) => key.label === 'α* with replacement');
    assert.ok(withKey, JSON.stringify(chart.keys));
    // The legend shows the last point, n = 3 at the temperature first listed (0.7).
    const last = expected.sweep.find((s) => s.drafts === 3 && s.temperature === 0.7).mean.optimal.with_replacement;
    assert.equal(withKey.value, `${last.interval[0].toFixed(6)} – ${last.interval[1].toFixed(6)}`);
    const topN = chart.keys.find((key) => key.label === 'α* top n');
    assert.ok(topN && / – /.test(topN.value), JSON.stringify(chart.keys));
    const ends = chart.series.filter((s) => s.key === 'α* with replacement');
    assert.deepEqual(ends.map((s) => s.label), ['α* with replacement (low end)', 'α* with replacement (high end)']);
    const atTemperature = expected.sweep.filter((s) => s.temperature === 0.7).map((s) => s.mean.optimal.with_replacement.interval);
    assert.deepEqual(ends[0].values, atTemperature.map((i) => i[0]));
    assert.deepEqual(ends[1].values, atTemperature.map((i) => i[1]));
    // The data table gives both ends too.
    await page.locator('#dataset-drafts-chart details.chart-data summary').click();
    await page.locator('#dataset-drafts-chart table tbody tr').last().waitFor();
    const row = await page.locator('#dataset-drafts-chart table tbody tr').last().locator('td').allTextContents();
    assert.ok(row.includes(withKey.value), row.join(' | '));
    if (size.width === 1280) {
      // The SVG export draws both ends; the legend key hides both.
      const svgBar = page.locator('[role="group"][aria-label="Export: Chart of mean acceptance against the number of drafts"]');
      const [svg] = await Promise.all([page.waitForEvent('download'), svgBar.locator('button', { hasText: 'SVG' }).click()]);
      const text = readFileSync(await svg.path(), 'utf8');
      for (const end of ['low', 'high']) assert.ok(text.includes(`data-series="α* with replacement (${end} end)"`), end);
      await page.locator('#dataset-drafts-chart button.chart-key', { hasText: 'α* with replacement' }).click();
      const after = await page.evaluate(async () => {
        const { chartOf } = await import('/page/charts.mjs');
        const found = chartOf(document.querySelector('#dataset-drafts-chart'));
        return { labels: found.figure.series.map((s) => s.label), shown: found.plot.series.filter((s) => s.show).map((s) => s.label) };
      });
      assert.ok(!after.labels.some((label) => label.startsWith('α* with replacement')), after.labels.join(' | '));
      assert.ok(!after.shown.some((label) => label.startsWith('α* with replacement')), after.shown.join(' | '));
      await page.locator('#dataset-drafts-chart button.chart-key', { hasText: 'α* with replacement' }).click();
    }
    // A method bounded by an interval has no histogram; the note says so.
    assert.match(await page.locator('#dataset-histogram-note').textContent(), /No histogram for .*with replacement.*is an interval at some positions/);
    await page.waitForTimeout(250);
    await page.locator('#dataset-results').screenshot({ path: `${artifacts}/dataset-partial-${size.width}.png` });
    await page.locator('#dataset-drafts-figure').screenshot({ path: `${artifacts}/dataset-partial-chart-${size.width}.png` });
    await page.locator('#dataset-sweep-optimal').screenshot({ path: `${artifacts}/dataset-partial-sweep-${size.width}.png` });
    // The comparison's first rows (the whole is one row per method and verifier per setting).
    const box = await page.evaluate(() => {
      const { x, y, width, height } = document.querySelector('#dataset-measured-results').getBoundingClientRect();
      return { x: x + scrollX, y: y + scrollY, width, height };
    });
    await page.screenshot({ path: `${artifacts}/dataset-partial-measured-${size.width}.png`, fullPage: true,
      clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 900) } });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${size.width}: the page overflows by ${overflow}px`);
    assert.deepEqual(problems, []);
    await page.close();
  }
});
