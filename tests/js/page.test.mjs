// The calculator page in a real browser (Debian's Chromium), served the way
// the README's start command serves it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startServer } from '../../web/serve.mjs';
import { launchChromium, theoryTable, kTableTolerance, repo } from './support.mjs';

let server, browser, origin;
const artifacts = `${repo}test-artifacts`;

before(async () => {
  server = await startServer({ port: 0 });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

// Opens the page and records console errors and requests to other origins.
async function openPage() {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) problems.push(`request: ${request.url()}`);
  });
  await page.goto(`${origin}/`);
  return { page, problems };
}

const valueOf = async (page, testid) =>
  Number(await page.locator(`[data-testid="${testid}"]`).getAttribute('data-value'));

test('the built-in example is computed on load and matches THEORY.md', async () => {
  const { page, problems } = await openPage();
  const row = theoryTable[4];  // the built-in example is this row
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  for (const method of ['with_replacement', 'without_replacement', 'greedy']) {
    assert.ok(Math.abs(await valueOf(page, `optimal.${method}.alpha`) - row.expected[method]) <= kTableTolerance, method);
    assert.ok(Math.abs(await valueOf(page, `lp.${method}.alpha`) - row.expected[method]) <= kTableTolerance, `lp ${method}`);
  }
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.screenshot({ path: `${artifacts}/page-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${artifacts}/page-phone.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('THEORY.md vectors typed into the inputs give its values', async () => {
  const { page, problems } = await openPage();
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  for (const row of theoryTable) {
    await page.fill('#target', row.target.join(' '));
    await page.fill('#draft', JSON.stringify(row.draft));
    await page.fill('#drafts', String(row.drafts));
    await page.locator('#status', { hasText: `${row.drafts} drafts` }).waitFor();
    await page.waitForFunction((n) => document.querySelector('#status').textContent.includes(`Vocabulary ${n}`), row.target.length);
    for (const method of ['with_replacement', 'without_replacement', 'greedy']) {
      assert.ok(Math.abs(await valueOf(page, `optimal.${method}.alpha`) - row.expected[method]) <= kTableTolerance,
        `${method} for ${row.target}`);
    }
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
  await page.fill('#drafts', '2');
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  assert.equal(await page.locator('#draft-error').textContent(), '');
  await page.close();
});
