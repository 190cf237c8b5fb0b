// A link defines the page's whole state (README "The page", Links): a key the
// hash leaves out means its default, so link A shows the same page whether it
// is opened in a new tab or reached after link B (a hash change, or Back).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { theoryTable, kTableTolerance, openSite, closeSite } from './support.mjs';

let server, browser, origin;

before(async () => ({ server, browser, origin } = await openSite()));
after(() => closeSite({ server, browser }));

const rowA = theoryTable[0];  // n = 2
const linkA = `#target=${rowA.target.join(',')}&draft=${rowA.draft.join(',')}&drafts=${rowA.drafts}`;
// Link B sets every key A leaves out, each away from its default.
const linkB = '#target_logits=1,2,3,0.5&draft_logits=3,2,1,0&drafts=3&temperature=0.7&top_k=4&top_p=0.999' +
  '&methods=greedy&verifiers=kseq&lp=1&simulate=2000&d=9&view=compact';

// Everything the visitor sees and can change: each input, and each number.
const stateOf = (page) => page.evaluate(() => ({
  controls: [...document.querySelectorAll('#inputs input, #inputs select, #inputs textarea')]
    .filter((element) => element.type !== 'file')
    .map((element) => `${element.name || element.id}=${element.type === 'checkbox' ? element.checked : element.value}${element.disabled ? ' (disabled)' : ''}`),
  hidden: [...document.querySelectorAll('#inputs [id]')].filter((element) => element.hidden).map((element) => element.id),
  compact: document.body.classList.contains('compact'),
  numbers: [...document.querySelectorAll('[data-testid]')].map((element) => `${element.dataset.testid}=${element.dataset.value}`),
  hash: location.hash,
}));

// Waits until the page settles (the same state twice, 300 ms apart, with the
// result of `drafts` on screen), then returns it.
async function settled(page, drafts) {
  // The Draft trees panel too (loaded after the first numbers, it is part of the state).
  await page.waitForFunction((n) => document.querySelector('#status').textContent.includes(`, ${n} drafts`) &&
    document.querySelector('[data-testid="optimal.greedy.alpha"]') &&
    /^Best tree/.test(document.querySelector('#tree-status')?.textContent ?? ''), drafts, { timeout: 30000 });
  let last = JSON.stringify(await stateOf(page));
  for (let tries = 0; tries < 50; tries++) {
    await page.waitForTimeout(300);
    const now = JSON.stringify(await stateOf(page));
    if (now === last) return JSON.parse(now);
    last = now;
  }
  throw new Error('the page did not settle');
}

test('link A after link B shows what link A shows in a new tab', async () => {
  const fresh = await browser.newPage();
  const problems = [];
  fresh.on('pageerror', (error) => problems.push(error.message));
  await fresh.goto(`${origin}/${linkA}`);
  const expected = await settled(fresh, rowA.drafts);
  // What link A means, from README: all three methods, every verifier, no LP, d = 4.
  for (const method of ['with_replacement', 'without_replacement', 'greedy']) {
    const value = Number(await fresh.locator(`[data-testid="optimal.${method}.alpha"]`).getAttribute('data-value'));
    assert.ok(Math.abs(value - rowA.expected[method]) <= kTableTolerance, method);
  }
  assert.ok(expected.numbers.some((entry) => entry.startsWith('verifiers.rrs_with_replacement.alpha=')));
  assert.ok(!expected.numbers.some((entry) => entry.startsWith('lp.')));
  assert.ok(expected.controls.includes('depth=4'));
  assert.equal(expected.compact, false);
  await fresh.close();

  const page = await browser.newPage();
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${origin}/${linkA}`);
  await settled(page, rowA.drafts);
  // To B by a hash change, then back to A twice: by Back, and by a new hash change.
  await page.evaluate((hash) => { location.hash = hash; }, linkB);
  const b = await settled(page, 3);
  assert.ok(b.controls.includes('d=9') || b.controls.includes('depth=9'), b.controls.join(' '));
  assert.ok(b.numbers.some((entry) => entry.startsWith('lp.greedy.alpha=')));
  assert.equal(b.compact, true);
  await page.goBack();
  assert.deepEqual(await settled(page, rowA.drafts), expected);
  await page.evaluate((hash) => { location.hash = hash; }, linkB);
  await settled(page, 3);
  await page.evaluate((hash) => { location.hash = hash; }, linkA);
  assert.deepEqual(await settled(page, rowA.drafts), expected);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a hash without some distribution leaves no old one in place', async () => {
  const page = await browser.newPage();
  await page.goto(`${origin}/${linkA}`);
  await settled(page, rowA.drafts);
  // Only a target: the draft is missing, as in a new tab; no number from A stays.
  await page.evaluate(() => { location.hash = '#target=0.5,0.5&drafts=2'; });
  await page.locator('#draft-error', { hasText: 'draft' }).waitFor({ timeout: 30000 });
  assert.equal(await page.inputValue('#draft'), '');
  assert.equal(await page.locator('[data-testid$=".alpha"]').count(), 0);
  await page.close();
});
