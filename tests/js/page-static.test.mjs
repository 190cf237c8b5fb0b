// The static build (web/server/build-site.mjs): one folder that works from any static
// host under any subpath, offline, with no request outside its own folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildSite } from '../../web/server/build-site.mjs';
import { startServer } from '../../web/server/serve.mjs';
import { launchChromium, theoryTable, kTableTolerance } from './support.mjs';

let server, browser, origin, site;
const base = '/some/deep/subpath/';

before(async () => {
  site = await buildSite(`${mkdtempSync(`${tmpdir()}/mdsd-site-`)}/site`);
  server = await startServer({ port: 0, root: site, base });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('the built folder holds the page, the modules and uPlot', () => {
  for (const file of ['index.html', 'page/app.mjs', 'page/worker.mjs', 'package/mdsd.mjs', 'embed/embed.mjs', 'generated/mdsd-core.mjs',
    'generated/mdsd-glpk.mjs', 'generated/web/mdsd-core.mjs', 'generated/web/mdsd-core.wasm', 'generated/web/mdsd-glpk.mjs',
    'generated/web/mdsd-glpk.wasm', 'vendor/uPlot.mjs', 'vendor/uPlot.min.css']) {
    assert.ok(existsSync(`${site}/${file}`), file);
  }
});

test('served under a subpath, the built page computes with requests only inside its folder', async () => {
  const page = await browser.newPage();
  const outside = [];
  const problems = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}${base}`) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
  });
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  page.on('pageerror', (error) => problems.push(error.message));
  const row = theoryTable[1];
  await page.goto(`${origin}${base}#target=${row.target.join(',')}&draft=${row.draft.join(',')}&drafts=${row.drafts}`);
  await page.waitForFunction(() => document.querySelector('#status').textContent.includes('Vocabulary 3, 3 drafts'));
  for (const method of ['with_replacement', 'without_replacement', 'greedy']) {
    const value = Number(await page.locator(`[data-testid="optimal.${method}.alpha"]`).getAttribute('data-value'));
    assert.ok(Math.abs(value - row.expected[method]) <= kTableTolerance, method);
  }
  await page.locator('#drafts-chart canvas').waitFor();
  assert.deepEqual(outside, []);
  assert.deepEqual(problems, []);
  await page.close();
});
