// <mdsd-calculator> and the iframe fallback inside plain host pages served by
// the test server, on the same origin and on another one (localhost vs
// 127.0.0.1): the element renders, loads lazily, and leaves host styles alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { theoryTable, kTableTolerance, repo, openSite, closeSite } from './support.mjs';

let server, browser, origin, port;
const hostPages = {};
const methods = ['with_replacement', 'without_replacement', 'greedy'];

before(async () => ({ server, browser, origin, port } = await openSite({ extraFiles: hostPages })));
after(() => closeSite({ server, browser }));

const hostStyle = `<style>
  body { font-family: Georgia, serif; color: rgb(10, 20, 30); background: rgb(250, 245, 240); }
  p { margin: 7px; line-height: 2; } table { border: 3px solid rgb(1, 2, 3); } td { padding: 9px; }
</style>`;
const hostPage = (snippet) => `<!doctype html><html><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,">${hostStyle}</head>
<body><p id="host-text">A blog post.</p><table id="host-table"><tr><td>host cell</td></tr></table>
<div id="spacer" style="height: 3000px"></div>${snippet}<p id="after">After.</p></body></html>`;

// The snippet exactly as the page's Embed dialog gives it.
async function snippetsFor(row) {
  const page = await browser.newPage();
  await page.goto(`${origin}/#target=${row.target.join(',')}&draft=${row.draft.join(',')}&drafts=${row.drafts}`);
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  await page.click('#embed');
  await page.locator('#embed-dialog[open]').waitFor();   // the dialog's module may load on this press
  const element = await page.inputValue('#embed-snippet');
  const iframe = await page.inputValue('#embed-iframe');
  await page.close();
  return { element, iframe };
}

const hostStyles = (page) => page.evaluate(() => {
  const pick = (element) => {
    const style = getComputedStyle(element);
    return [style.fontFamily, style.color, style.backgroundColor, style.margin, style.lineHeight, style.borderTopWidth, style.padding].join('|');
  };
  return {
    styleSheets: document.styleSheets.length,
    head: document.head.innerHTML,
    body: pick(document.body), text: pick(document.querySelector('#host-text')),
    table: pick(document.querySelector('#host-table')), cell: pick(document.querySelector('#host-table td')),
    after: pick(document.querySelector('#after')),
  };
});

for (const [label, hostOrigin] of [['same origin', () => origin], ['another origin', () => `http://localhost:${port}`]]) {
  test(`the element snippet renders in a plain host page (${label}), lazily, without touching host styles`, async () => {
    const row = theoryTable[0];
    const { element } = await snippetsFor(row);
    hostPages['/host.html'] = hostPage(element);
    const page = await browser.newPage();
    const problems = [];
    const requests = [];
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    await page.setViewportSize({ width: 1000, height: 700 });
    await page.goto(`${hostOrigin()}/host.html`);
    await page.waitForFunction(() => customElements.get('mdsd-calculator'));
    const before = await hostStyles(page);
    await page.waitForTimeout(300);
    assert.ok(!requests.some((url) => url.endsWith('/worker.mjs') || url.endsWith('/mdsd.mjs')),
      'the calculator must not load before the element nears the viewport');
    await page.locator('mdsd-calculator').scrollIntoViewIfNeeded();
    await page.locator('mdsd-calculator [data-testid="optimal.greedy.alpha"]').waitFor();
    for (const method of methods) {
      const value = Number(await page.locator(`mdsd-calculator [data-testid="optimal.${method}.alpha"]`).getAttribute('data-value'));
      assert.ok(Math.abs(value - row.expected[method]) <= kTableTolerance, `${method}: ${value}`);
    }
    assert.deepEqual(await hostStyles(page), before);
    // The element's own styles stay in its shadow root.
    assert.equal(await page.evaluate(() => document.querySelectorAll('style, link[rel=stylesheet]').length), 1);
    // Editing inside the element recomputes; bad input is flagged there.
    await page.locator('mdsd-calculator textarea[name="draft"]').fill('0.6, -0.3, 0.1');
    await page.locator('mdsd-calculator .error', { hasText: 'draft[1]: negative value -0.3' }).waitFor();
    assert.equal(await page.locator('mdsd-calculator [data-testid$=".alpha"]').count(), 0);
    await page.locator('mdsd-calculator textarea[name="draft"]').fill(row.draft.join(' '));
    await page.locator('mdsd-calculator [data-testid="optimal.greedy.alpha"]').waitFor();
    await page.locator('mdsd-calculator').screenshot({ path: `${repo}test-artifacts/embed-${label.replace(' ', '-')}.png` });
    assert.ok(requests.every((url) => url.startsWith(`${origin}/`) || url.startsWith(`${hostOrigin()}/`) || url.startsWith('blob:') || url.startsWith('data:')), requests.join('\n'));
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('the iframe fallback works where scripts are stripped', async () => {
  const row = theoryTable[2];
  const { iframe } = await snippetsFor(row);
  hostPages['/host-iframe.html'] = hostPage(iframe).replace('<div id="spacer" style="height: 3000px"></div>', '');
  const page = await browser.newPage();
  await page.goto(`http://localhost:${port}/host-iframe.html`);
  const frame = page.frameLocator('iframe');
  await frame.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  for (const method of methods) {
    const value = Number(await frame.locator(`[data-testid="optimal.${method}.alpha"]`).getAttribute('data-value'));
    assert.ok(Math.abs(value - row.expected[method]) <= kTableTolerance, `${method}: ${value}`);
  }
  assert.equal(await frame.locator('header').isVisible(), false, 'the compact view hides the page header');
  await page.close();
});
