// support.mjs's watchedPage, which the browser tests open their pages with
// and whose `problems` they expect empty: it must hear a console error and an
// uncaught exception, from the page's first script on, and open the page as
// asked (viewport, path, a selector waited for).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openSite, closeSite, watchedPage } from './support.mjs';

let site;
const quiet = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>quiet</title>'
  + '<link rel="icon" href="data:,"></head><body><p id="here">here</p></body></html>';
before(async () => { site = await openSite({ extraFiles: { '/quiet.html': quiet } }); });
after(() => closeSite(site));

test('watchedPage reports console errors and page errors from before the page loads, labelled', async () => {
  const { page, problems } = await watchedPage(site, {
    viewport: { width: 390, height: 844 },
    initScript: () => {
      console.error('early console error');
      console.log('a log line is not a problem');
      setTimeout(() => { throw new Error('uncaught early'); }, 0);
    },
    path: 'quiet.html',
    waitFor: '#here',
  });
  assert.equal(await page.evaluate(() => window.innerWidth), 390);
  assert.equal(new URL(page.url()).pathname, '/quiet.html');
  await page.waitForFunction(() => document.readyState === 'complete');
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 50)));
  assert.deepEqual(problems.sort(), ['console: early console error', 'page error: uncaught early']);
  await page.close();
});

test('watchedPage without a path opens nothing, and a quiet page has no problems', async () => {
  const { page, problems } = await watchedPage(site);
  assert.equal(page.url(), 'about:blank');
  await page.goto(`${site.origin}/quiet.html`);
  await page.locator('#here').waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});
