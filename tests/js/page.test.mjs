// The calculator page in a real browser (Debian's Chromium), served the way
// the README's start command serves it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { theoryTable, kTableTolerance, repo, openSite, closeSite } from './support.mjs';

let server, browser, origin;
const artifacts = `${repo}test-artifacts`;
const methods = ['with_replacement', 'without_replacement', 'greedy'];

before(async () => ({ server, browser, origin } = await openSite()));
after(() => closeSite({ server, browser }));

// Opens the page and records console errors and requests to other origins.
async function openPage(path = '/') {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(`${origin}/`) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) {
      problems.push(`request: ${request.url()}`);
    }
  });
  await page.goto(`${origin}${path}`);
  return { page, problems };
}

const valueOf = async (page, testid) =>
  Number(await page.locator(`[data-testid="${testid}"]`).getAttribute('data-value'));

// Waits until the result for vocabulary V and n drafts is on screen.
async function waitForResult(page, vocab, drafts) {
  await page.waitForFunction(([v, n]) => {
    const text = document.querySelector('#status').textContent;
    return text.includes(`Vocabulary ${v.toLocaleString('en')}, ${n} drafts`) && document.querySelector('[data-testid$=".alpha"]');
  }, [vocab, drafts]);
}

async function assertTheoryRow(page, row, label) {
  for (const method of methods) {
    const value = await valueOf(page, `optimal.${method}.alpha`);
    assert.ok(Math.abs(value - row.expected[method]) <= kTableTolerance, `${label}: ${method} ${value} vs ${row.expected[method]}`);
  }
}

test('the built-in example is computed on load and matches README mathematics', async () => {
  const { page, problems } = await openPage();
  const row = theoryTable[4];  // the built-in example is this row
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  for (const method of methods) {
    assert.ok(Math.abs(await valueOf(page, `optimal.${method}.alpha`) - row.expected[method]) <= kTableTolerance, method);
    assert.ok(Math.abs(await valueOf(page, `lp.${method}.alpha`) - row.expected[method]) <= kTableTolerance, `lp ${method}`);
  }
  // README mathematics §6 verifier columns, when the core reports verifiers.
  if (await page.locator('[data-testid="verifiers.kseq.alpha"]').count()) {
    const expected = { rrs_with_replacement: 0.79, rrs_without_replacement: 0.8136904762, kseq: 0.8253672504 };
    for (const [name, value] of Object.entries(expected)) {
      assert.ok(Math.abs(await valueOf(page, `verifiers.${name}.alpha`) - value) <= kTableTolerance, name);
    }
  }
  // README mathematics §5 for d = 4: (1 - alpha^5) / (1 - alpha), and d + 1 at alpha = 1.
  const alpha = row.expected.with_replacement;
  assert.ok(Math.abs(await valueOf(page, 'tokens.optimal.with_replacement') - (1 - alpha ** 5) / (1 - alpha)) <= 1e-9);
  assert.equal(await valueOf(page, 'tokens.optimal.greedy'), 5);
  await page.fill('#depth', '0');
  assert.equal(await valueOf(page, 'tokens.optimal.greedy'), 1);
  await page.fill('#depth', '4');
  // The charts are drawn by uPlot: the distributions and the sweep over n.
  await page.locator('#dist-chart canvas').waitFor();
  await page.waitForFunction(() => !document.querySelector('#progress').hidden === false);
  await page.locator('#drafts-chart canvas').waitFor();
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${artifacts}/page-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${artifacts}/page-phone.png`, fullPage: true });
  // Nothing wider than the phone's screen but the scrollable tables.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page overflows the phone width by ${overflow}px`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the test vectors typed into the inputs give its values', async () => {
  const { page, problems } = await openPage();
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  for (const row of theoryTable) {
    await page.fill('#target', row.target.join(' '));
    await page.fill('#draft', JSON.stringify(row.draft));
    await page.fill('#drafts', String(row.drafts));
    await page.locator('#status', { hasText: `${row.drafts} drafts` }).waitFor();
    await page.waitForFunction((n) => document.querySelector('#status').textContent.includes(`Vocabulary ${n}`), row.target.length);
    await assertTheoryRow(page, row, `typed ${row.target}`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('the test vectors given in the URL give its values, on load and on a hash change', async () => {
  const hashOf = (row) => `#target=${row.target.join(',')}&draft=${row.draft.join(',')}&drafts=${row.drafts}`;
  const { page, problems } = await openPage(`/${hashOf(theoryTable[0])}`);
  await waitForResult(page, 3, 2);
  await assertTheoryRow(page, theoryTable[0], 'loaded from the URL');
  for (const row of theoryTable.slice(1)) {
    await page.evaluate((hash) => { location.hash = hash; }, hashOf(row));
    await waitForResult(page, row.target.length, row.drafts);
    await assertTheoryRow(page, row, `hash ${hashOf(row)}`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('bad input shows the core message next to its field and no stale number', async () => {
  const { page } = await openPage();
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  await page.fill('#draft', '0.6, -0.3, 0.1, 0.05, 0.05');
  await page.locator('#draft-error', { hasText: 'draft[1]: negative value -0.3' }).waitFor();
  assert.equal(await page.locator('[data-testid$=".alpha"]').count(), 0);
  assert.equal(await page.locator('#draft').getAttribute('aria-invalid'), 'true');
  await page.fill('#draft', '0.3 0.3 0.2 0.1 abc');
  await page.locator('#draft-error', { hasText: 'draft[4]: "abc" is not a number' }).waitFor();
  await page.fill('#draft', '0.3 0.3 0.2 0.1 0.1');
  await page.fill('#drafts', '0');
  await page.locator('#drafts-error', { hasText: 'drafts: must be an integer from 1 to 64' }).waitFor();
  assert.equal(await page.locator('[data-testid$=".alpha"]').count(), 0);
  assert.equal(await page.locator('[data-testid^="tokens."]').count(), 0);
  await page.fill('#drafts', '2');
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  assert.equal(await page.locator('#draft-error').textContent(), '');
  // Logits with a bad temperature: flagged next to the temperature field.
  await page.selectOption('#target-kind', 'logits');
  await page.fill('#temperature', '-1');
  await page.locator('#temperature-error', { hasText: 'temperature' }).waitFor();
  assert.equal(await page.locator('[data-testid$=".alpha"]').count(), 0);
  await page.close();
});

test('a share link reproduces the result, logits and sampling included', async () => {
  const { page, problems } = await openPage();
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  await page.selectOption('#target-kind', 'logits');
  await page.selectOption('#draft-kind', 'logits');
  await page.fill('#target', '2.0, 1.5, 0.3, -1, -inf, 0.7');
  await page.fill('#draft', '1.2 1.4 0.9 0.1 0.5 -0.2');
  await page.fill('#temperature', '0.7');
  await page.fill('#top_p', '0.95');
  await page.fill('#drafts', '3');
  await page.uncheck('#lp');
  await waitForResult(page, 6, 3);
  // The temperature sweep appears for logits.
  await page.locator('#temperature-chart canvas').waitFor();
  const before = await page.$$eval('#optimal-table [data-testid]', (cells) => cells.map((c) => [c.dataset.testid, c.dataset.value]));
  await page.click('#share');
  const url = await page.locator('#share-note').getAttribute('data-url');
  assert.match(url, /#target_logits=2,1\.5,0\.3,-1,-inf,0\.7&draft_logits=1\.2,1\.4,0\.9,0\.1,0\.5,-0\.2&drafts=3&temperature=0\.7&top_p=0\.95/);
  const second = await browser.newPage();
  await second.goto(url);
  await waitForResult(second, 6, 3);
  const after = await second.$$eval('#optimal-table [data-testid]', (cells) => cells.map((c) => [c.dataset.testid, c.dataset.value]));
  assert.deepEqual(after, before);
  assert.equal(await second.inputValue('#temperature'), '0.7');
  assert.equal(await second.inputValue('#target-kind'), 'logits');
  assert.deepEqual(problems, []);
  await second.close();
  await page.close();
});

// numpy's .npy, version 1.0: magic, version, header length, a padded dict, data.
function npy(values, descr = '<f8', shape = `(${values.length},)`) {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const itemSize = descr === '<f4' ? 4 : 8;
  const buffer = Buffer.alloc(10 + header.length + values.length * itemSize);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(buffer);
  buffer.writeUInt16LE(header.length, 8);
  buffer.write(header, 10, 'latin1');
  values.forEach((v, i) => (itemSize === 4 ? buffer.writeFloatLE(v, 10 + header.length + 4 * i) : buffer.writeDoubleLE(v, 10 + header.length + 8 * i)));
  return buffer;
}

test('files load: JSON, CSV, .npy float32 and float64; a bad file is named in the error', async () => {
  const folder = mkdtempSync(`${tmpdir()}/mdsd-files-`);
  const row = theoryTable[3];  // .1 .2 .3 .4 | .4 .3 .2 .1, n = 3
  writeFileSync(`${folder}/target.json`, JSON.stringify(row.target));
  writeFileSync(`${folder}/draft.csv`, `q\n${row.draft.join('\n')}\n`);
  writeFileSync(`${folder}/target.npy`, npy(row.target));
  writeFileSync(`${folder}/draft32.npy`, npy([0.5, 0.25, 0.125, 0.125], '<f4'));
  writeFileSync(`${folder}/matrix.npy`, npy([0.1, 0.2, 0.3, 0.4], '<f8', '(2, 2)'));
  const large = Array.from({ length: 20000 }, (_, i) => 1 / (i + 1));
  writeFileSync(`${folder}/large.npy`, npy(large));
  const { page, problems } = await openPage();
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  await page.fill('#drafts', String(row.drafts));
  await page.setInputFiles('#target-file', `${folder}/target.json`);
  await page.setInputFiles('#draft-file', `${folder}/draft.csv`);
  await waitForResult(page, 4, 3);
  await assertTheoryRow(page, row, 'JSON and CSV files');
  await page.setInputFiles('#target-file', `${folder}/target.npy`);
  await page.fill('#target', '0.1 0.2 0.3 0.39');  // then back to the file: the values must come from the file
  await page.setInputFiles('#target-file', `${folder}/target.npy`);
  await waitForResult(page, 4, 3);
  await assertTheoryRow(page, row, '.npy float64 file');
  // float32: 0.5, 0.25, 0.125 are exact in float32.
  await page.setInputFiles('#draft-file', `${folder}/draft32.npy`);
  await page.waitForFunction(() => document.querySelector('#draft').value === '0.5, 0.25, 0.125, 0.125');
  await waitForResult(page, 4, 3);
  await page.setInputFiles('#draft-file', `${folder}/matrix.npy`);
  await page.locator('#draft-error', { hasText: 'matrix.npy: expected a one-dimensional array' }).waitFor();
  assert.equal(await page.locator('[data-testid$=".alpha"]').count(), 0);
  // A long file is kept as an array, summarised next to the field.
  await page.setInputFiles('#target-file', `${folder}/large.npy`);
  await page.setInputFiles('#draft-file', `${folder}/large.npy`);
  await page.locator('#target-loaded', { hasText: 'large.npy: 20,000 values' }).waitFor();
  await waitForResult(page, 20000, 3);
  assert.equal(await valueOf(page, 'optimal.with_replacement.alpha'), 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the synthetic 152,064-token preset computes without freezing the page; cancel and newer input win', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${origin}/`);
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  await page.evaluate(() => { window.longTasks = []; });
  await page.selectOption('#preset', 'synthetic');
  await waitForResult(page, 152064, 4);
  // README's benchmark table: V = 152,064, n = 4, seed 1.
  assert.ok(Math.abs(await valueOf(page, 'optimal.without_replacement.alpha') - 0.9895654053) < 1e-9);
  assert.ok((await valueOf(page, 'optimal.without_replacement.certificate_size')) > 1000);
  await page.locator('#progress').waitFor({ state: 'hidden', timeout: 60000 });
  const longest = await page.evaluate(() => Math.max(0, ...window.longTasks));
  assert.ok(longest < 250, `the main thread was blocked for ${longest} ms`);
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.screenshot({ path: `${artifacts}/page-synthetic-desktop.png`, fullPage: true });
  // Cancel the sweeps of a new computation: the numbers stay, the work stops.
  await page.fill('#drafts', '3');
  await page.locator('#progress').waitFor({ state: 'visible' });
  await page.click('#cancel');
  await page.locator('#progress').waitFor({ state: 'hidden' });
  assert.match(await page.locator('#status').textContent(), /cancelled|Cancelled/);
  // A newer input supersedes an older computation.
  await page.fill('#drafts', '2');
  await page.fill('#drafts', '5');
  await waitForResult(page, 152064, 5);
  assert.equal(await page.locator('[data-testid="optimal.greedy.alpha"]').count(), 1);
  await page.selectOption('#preset', 'theory-1');
  await waitForResult(page, 3, 2);
  await assertTheoryRow(page, theoryTable[0], 'preset after synthetic');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the embed dialog gives an element snippet and an iframe, keyboard-operable', async () => {
  const { page, problems } = await openPage('/#target=0.3,0.4,0.3&draft=0.6,0.3,0.1&drafts=2');
  await waitForResult(page, 3, 2);
  await page.focus('#embed');
  await page.keyboard.press('Enter');
  await page.locator('#embed-dialog[open]').waitFor();   // the dialog's module may load on this press
  const snippet = await page.inputValue('#embed-snippet');
  assert.ok(snippet.includes(`<script type="module" src="${origin}/embed/embed.mjs"></script>`), snippet);
  assert.ok(snippet.includes('<mdsd-calculator target="0.3,0.4,0.3" draft="0.6,0.3,0.1" drafts="2"'), snippet);
  assert.match(await page.inputValue('#embed-iframe'), /<iframe src="http:\/\/127\.0\.0\.1:\d+\/#target=0\.3,0\.4,0\.3&amp;draft=/);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#embed-dialog').getAttribute('open'), null);
  assert.deepEqual(problems, []);
  await page.close();
});
