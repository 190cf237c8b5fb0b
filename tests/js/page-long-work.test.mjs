// Long work on the page, at desktop (1280x800) and phone (390x844) width.
// A long Monte Carlo check: the exact numbers stay on screen, not dimmed,
// while a progress bar gives a percentage and the time left; Cancel stops the
// check and keeps them; a check run to the end gives exactly the numbers of
// one solve with `simulate` (the same seed and counts). A 7 MB paste is read
// off the main thread and kept as numbers, typing stays quick beside it, and
// the link says plainly that it cannot hold those numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../web/package/mdsd.mjs';
import { repo, openSite, closeSite, theoryTable, watchedPage } from './support.mjs';

let site;
const artifacts = `${repo}test-artifacts`;
before(async () => { site = await openSite(); });
after(() => closeSite(site));

const widths = [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]];

// The page with its long tasks recorded from the start (window.longTasks).
const openPage = (hash, viewport) => watchedPage(site, {
  viewport,
  path: hash,
  initScript: () => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((entry) => entry.duration)))
      .observe({ type: 'longtask', buffered: true });
  },
});

const valueOf = async (page, testid) => Number(await page.locator(`[data-testid="${testid}"]`).getAttribute('data-value'));
const longest = (page) => page.evaluate(() => Math.max(0, ...window.longTasks));
const percentOf = (text) => Number(/Monte Carlo check: (\d+)%/.exec(text)?.[1] ?? NaN);

for (const [label, viewport] of widths) {
  test(`a long Monte Carlo check keeps the exact numbers, shows % and time left, and Cancel keeps them (${label})`, async () => {
    // 100,000,000 samples for each of six verifiers on 152,064 tokens: minutes of work.
    const { page, problems } = await openPage('#synthetic=152064&seed=1&drafts=4&simulate=100000000', viewport);
    await page.locator('[data-testid="optimal.without_replacement.alpha"]').waitFor({ timeout: 60000 });
    // README's benchmark table: V = 152,064, n = 4, seed 1.
    const exact = await valueOf(page, 'optimal.without_replacement.alpha');
    assert.ok(Math.abs(exact - 0.9895654053) < 1e-9, `${exact}`);
    const kseq = await valueOf(page, 'verifiers.kseq.alpha');
    await page.waitForFunction(() => /Monte Carlo check: \d+% .*, about \d+ (?:s|min) left|h left/.test(document.querySelector('#progress-text').textContent), null, { timeout: 60000 });
    const first = await page.locator('#progress-text').textContent();
    await page.evaluate(() => { window.longTasks = []; });
    await page.waitForTimeout(1500);
    const later = await page.locator('#progress-text').textContent();
    assert.ok(percentOf(later) >= percentOf(first) && percentOf(first) < 100, `${first} -> ${later}`);
    assert.match(later, /\(\d[\d,]* of 600,200,000 steps\)/, "the steps of six verifiers (SpecHub does not apply at n = 4) and the 200,000 of the RRS-without-replacement estimate");
    assert.match(await page.locator('#progress-bar').getAttribute('aria-valuetext'), /Monte Carlo check: \d+%/);
    const fraction = Number(await page.locator('#progress-bar').getAttribute('value'));
    assert.ok(fraction > 0 && fraction < 1, `bar at ${fraction}`);
    // While it runs: the exact numbers are current (not stale, not dimmed) and the page answers.
    assert.equal(await page.locator('#results').evaluate((results) => results.classList.contains('stale')), false);
    assert.equal(await page.locator('#results').getAttribute('aria-busy'), null);
    assert.equal(await page.locator('#optimal-table').evaluate((table) => getComputedStyle(table.closest('.table-wrap')).opacity), '1');
    assert.equal(await valueOf(page, 'optimal.without_replacement.alpha'), exact);
    assert.ok(await longest(page) < 250, 'the main thread is free while the check runs');
    await page.evaluate(() => document.getElementById('results').scrollIntoView());
    await page.screenshot({ path: `${artifacts}/page-monte-carlo-running-${label}.png` });
    await page.click('#cancel');
    await page.locator('#progress').waitFor({ state: 'hidden' });
    assert.match(await page.locator('#status').textContent(), /Monte Carlo check cancelled; the exact results above stand/);
    assert.equal(await valueOf(page, 'optimal.without_replacement.alpha'), exact);
    assert.equal(await valueOf(page, 'verifiers.kseq.alpha'), kseq);
    assert.equal(await page.locator('#results').evaluate((results) => results.classList.contains('stale')), false);
    assert.equal(await page.locator('#simulation-section').isVisible(), false, 'no half-finished check is shown');
    await page.evaluate(() => document.getElementById('results').scrollIntoView());
    await page.screenshot({ path: `${artifacts}/page-monte-carlo-cancelled-${label}.png` });
    // The inputs still compute after a cancel.
    await page.fill('#drafts', '2');
    await page.waitForFunction(() => document.querySelector('#status').textContent.includes('2 drafts'), null, { timeout: 60000 });
    await page.click('#cancel').catch(() => {});
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('a Monte Carlo check run to the end gives exactly the numbers of one solve with simulate', async () => {
  const row = theoryTable[0];
  const { page, problems } = await openPage(`#target=${row.target}&draft=${row.draft}&drafts=${row.drafts}&simulate=300000`, widths[0][1]);
  await page.locator('[data-testid="simulation.kseq.acceptance"]').waitFor({ timeout: 60000 });
  await page.locator('#progress').waitFor({ state: 'hidden', timeout: 60000 });
  assert.match(await page.locator('#status').textContent(), /Monte Carlo check done in \d+ ms/);
  const calculator = await load();
  const probe = calculator.solve({ target: [0.5, 0.3, 0.2], draft: [0.2, 0.3, 0.5], drafts: 2 });
  const verifiers = Object.keys(probe.verifiers).filter((name) => name !== 'optimal_lp');
  const expected = calculator.solve({ target: row.target, draft: row.draft, drafts: row.drafts, lp: false, verifiers, simulate: { samples: 300000, seed: 1 } });
  for (const [name, outcome] of Object.entries(expected.simulation)) {
    if ('error' in outcome) continue;
    for (const key of ['acceptance', 'hit_rate', 'chi2_p_value', 'samples']) {
      assert.equal(await valueOf(page, `simulation.${name}.${key}`), outcome[key], `${name}.${key}`);
    }
    for (const k of [0, 1]) assert.equal(await valueOf(page, `simulation.${name}.acceptance_ci95.${k}`), outcome.acceptance_ci95[k]);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

// 500,000 numbers of 12 digits: 7.7 MB of text.
function bigText(count, bad = -1) {
  let seed = 1;
  const next = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  return Array.from({ length: count }, (_, i) => (i === bad ? 'abc' : next().toPrecision(12))).join(', ');
}

// A paste as the browser gives it: text in the clipboard event, into the
// selection. The text is handed to the page first, so that the test's own
// transfer of megabytes is not counted as the page's work.
async function paste(page, selector, text) {
  await page.evaluate(() => { window.pageMax = Math.max(window.pageMax ?? 0, ...window.longTasks); });
  await page.evaluate((text) => { window.clipboardText = text; }, text);
  await page.evaluate(() => { window.longTasks = []; });
  await page.evaluate((selector) => {
    const area = document.querySelector(selector);
    area.focus();
    area.select();
    const data = new DataTransfer();
    data.setData('text/plain', window.clipboardText);
    area.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, selector);
}

for (const [label, viewport] of widths) {
  test(`a 7 MB paste is read off the main thread, typing stays quick, the link says it cannot hold it (${label})`, async () => {
    const text = bigText(500000);
    assert.ok(text.length > 7e6);
    const { page, problems } = await openPage('', viewport);
    await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
    await page.locator('#progress').waitFor({ state: 'hidden', timeout: 60000 });
    assert.equal(await page.locator('#share-limit').isVisible(), false, 'nothing to say for the built-in example');
    await page.evaluate(() => { window.pageMax = 0; window.longTasks = []; });
    await paste(page, '#target', text);
    await paste(page, '#draft', text);
    await page.waitForFunction(() => document.querySelector('#status').textContent.includes('Vocabulary 500,000'), null, { timeout: 120000 });
    await page.locator('#progress').waitFor({ state: 'hidden', timeout: 120000 });
    // Not 3 s: what is left is the browser's own copy of 7.7 MB out of the
    // clipboard event (about 0.3 s a paste here); the reading runs in a worker.
    const pasteTask = await page.evaluate(() => Math.max(window.pageMax, ...window.longTasks));
    assert.ok(pasteTask < 1000, `a ${Math.round(pasteTask)} ms task after the paste`);
    assert.equal(await page.inputValue('#target'), '', 'megabytes of text never sit in the textarea');
    assert.match(await page.locator('#target-loaded').textContent(), /Pasted text: 500,000 numbers \(7\.\d MB\), kept as numbers/);
    assert.equal(await valueOf(page, 'optimal.with_replacement.alpha'), 1, 'p = q');
    // Each later keystroke: no long task of the page's.
    await page.evaluate(() => { window.longTasks = []; });
    await page.locator('#drafts').fill('');
    await page.locator('#drafts').pressSequentially('3', { delay: 100 });
    await page.waitForFunction(() => document.querySelector('#status').textContent.includes('Vocabulary 500,000, 3 drafts'), null, { timeout: 60000 });
    await page.locator('#depth').pressSequentially('5', { delay: 100 });
    await page.waitForTimeout(300);
    const keystroke = await longest(page);
    assert.ok(keystroke < 250, `a ${Math.round(keystroke)} ms task while typing`);
    // The link cannot carry 500,000 numbers: said plainly beside Copy link, before and after a copy.
    const limit = page.locator('#share-limit');
    assert.equal(await limit.isVisible(), true);
    const said = await limit.textContent();
    assert.match(said, /The link cannot hold the target p \(500,000 numbers\) and the draft q \(500,000 numbers\): a link carries at most 4,096 numbers per distribution/);
    assert.doesNotMatch(said, /loaded file/);
    assert.equal(await page.locator('#share').getAttribute('aria-describedby'), 'share-limit');
    await page.click('#share');
    assert.match(await page.locator('#share-note').textContent(), /It does not hold p and q/);
    const copied = await page.locator('#share-note').getAttribute('data-url');
    assert.doesNotMatch(copied, /target=/);
    assert.ok(copied.length < 400, `${copied.length} characters`);
    await page.locator('.toolbar').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${artifacts}/page-large-paste-${label}.png` });
    // Edit as text gives the numbers back as text; a short text clears the note.
    await page.click('[data-clear="target"]');
    assert.ok((await page.inputValue('#target')).startsWith('0.0000078263'), 'the numbers back as text');
    await page.locator('#target').fill('0.3, 0.4, 0.3');
    await page.click('[data-clear="draft"]');
    await page.locator('#draft').fill('0.6, 0.3, 0.1');
    await page.waitForFunction(() => document.querySelector('#status').textContent.includes('Vocabulary 3,'), null, { timeout: 60000 });
    assert.equal(await limit.isVisible(), false);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('a bad number in a long paste is named next to its field, and nothing is computed from it', async () => {
  const { page, problems } = await openPage('', widths[1][1]);
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  await paste(page, '#target', bigText(20000, 12345));
  await page.waitForFunction(() => document.querySelector('#target-error').textContent !== '', null, { timeout: 60000 });
  assert.equal(await page.locator('#target-error').textContent(), 'target[12345]: "abc" is not a number');
  assert.equal(await page.locator('#target').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#results [data-testid]').count(), 0, 'no number stays from before');
  assert.match(await page.inputValue('#target'), /abc/, 'the text stays where it can be fixed');
  // Typing elsewhere does not read the long text again on the main thread, and the error stays.
  await page.evaluate(() => { window.longTasks = []; });
  await page.locator('#drafts').fill('3');
  await page.waitForTimeout(300);
  assert.ok(await longest(page) < 250);
  assert.equal(await page.locator('#target-error').textContent(), 'target[12345]: "abc" is not a number');
  await page.screenshot({ path: `${artifacts}/page-large-paste-error-phone.png` });
  assert.deepEqual(problems, []);
  await page.close();
});
