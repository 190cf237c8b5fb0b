// The first load (README "Page benchmark"): what the page and the element
// fetch before their first numbers (the small first module, not the core,
// nothing of GLPK, the charts or the Dataset panel), within the budgets of
// the performance issue (gzip -9 of the files: 120 KB for the page, 100 KB
// for the element), with the bytes printed as the server sent them; and the
// GLPK module, fetched only when the GLPK cross-check is asked for, once.
// Bytes are the bodies the server sent (Content-Length, whatever encoding it
// chose: a server started here sends gzip -9 until brotli is ready) and gzip
// -9 of the same files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { repo, openSite, closeSite } from './support.mjs';


const hostPages = {
  '/embed-host.html': '<!doctype html><html lang="en"><title>host</title><script type="module" src="/embed/embed.mjs"></script>'
    + '<mdsd-calculator target="0.3,0.4,0.3" draft="0.6,0.3,0.1" drafts="2"></mdsd-calculator>',
  '/embed-bad.html': '<!doctype html><html lang="en"><title>host</title><script type="module" src="/embed/embed.mjs"></script>'
    + '<mdsd-calculator target="0.3,-0.4,0.3" draft="0.6,0.3,0.1" drafts="2"></mdsd-calculator>',
};

const kPageBudget = 120_000;      // gzip -9 bytes before the page's first numbers
const kElementBudget = 100_000;   // ... before the element's

let site;
let served = [];   // {path, started, bytes, encoding} per response the server finished
before(async () => {
  site = await openSite({ extraFiles: hostPages });
  site.server.on('request', (request, response) => {
    const started = Date.now();
    // The server gives its headers to writeHead (getHeader does not see those).
    const sent = { status: 0, bytes: 0, encoding: 'identity' };
    const writeHead = response.writeHead.bind(response);
    response.writeHead = (status, headers = {}) => {
      Object.assign(sent, { status, bytes: Number(headers['content-length'] ?? 0), encoding: headers['content-encoding'] ?? 'identity' });
      return writeHead(status, headers);
    };
    response.on('finish', () => {
      if (sent.status !== 200) return;   // a 304 has no body; a 404 (the host page's favicon) is no file
      served.push({ path: new URL(request.url, 'http://x').pathname, started, bytes: request.method === 'HEAD' ? 0 : sent.bytes, encoding: sent.encoding });
    });
  });
});
after(() => closeSite(site));

// gzip -9 of a site file as the browser got it (uPlot is vendored: minified from node_modules).
async function gzipBytes(path) {
  const name = path === '/' ? 'index.html' : path.slice(1);
  if (name.startsWith('vendor/')) {
    const { vendorFiles } = await import('../../web/server/site.mjs');
    return gzipSync((await vendorFiles()).get(name), { level: 9 }).length;
  }
  return gzipSync(readFileSync(`${repo}web/${name}`), { level: 9 }).length;
}

// What was requested from `since` to `until` (ms since the epoch, the page's
// clock: the same machine's). `since` leaves out what a page closed before
// was still fetching.
async function before_(since, until, skip = () => false) {
  const files = served.filter((entry) => entry.started >= since && entry.started <= until && !skip(entry.path));
  const sent = files.reduce((sum, entry) => sum + entry.bytes, 0);
  let gzip = 0;
  for (const { path } of files) gzip += await gzipBytes(path);
  return { files, sent, gzip, list: files.map((entry) => `${entry.path} ${entry.bytes} (${entry.encoding})`).join('\n') };
}

// A page as a first visit sees it: the browser's cache emptied (the tests share one profile).
async function freshPage() {
  const page = await site.browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  return page;
}

// Holds every request whose path matches `pattern` until release(): the
// first numbers must come while they wait, whatever the timing (a module
// asked for just after the numbers appear is then never counted before them).
async function holding(page, pattern) {
  const held = [];
  let released = false;
  await page.route((url) => pattern.test(url.pathname), (route) => (released ? route.continue() : held.push(route)));
  return {
    async release() {
      released = true;
      for (const route of held) await route.continue();
    },
  };
}

// Waits for a selector (in the page, or in the element's shadow root) and returns the page's Date.now() then.
const numbersAt = (page, inElement) => page.waitForFunction((inside) => {
  const root = inside ? document.querySelector('mdsd-calculator')?.shadowRoot : document;
  return root?.querySelector('[data-testid="optimal.greedy.alpha"]') ? Date.now() : false;
}, inElement, { polling: 'raf', timeout: 60000 }).then((handle) => handle.jsonValue());

// What the first numbers must come without: the full calculator (its worker
// part, the package and the core module), GLPK, the charts, the exports, the
// Dataset and Draft trees panels.
const later = /^\/(?:page\/(?:charts|dataset|dataset-files|dataset-measured|export|trees|worker-core)\.mjs|package\/mdsd\.mjs|vendor\/uPlot\.mjs|generated\/web\/mdsd-(?:core|glpk)\.(?:mjs|wasm))$/;

test('the page: the first numbers from the first module within 120 KB; the core, charts, exports and the Dataset panel after; nothing of GLPK', async () => {
  served = [];
  const page = await freshPage();
  const { release } = await holding(page, later);
  const since = Date.now();
  await page.goto(`${site.origin}/`);
  const at = await numbersAt(page, false);
  const first = await before_(since, at);
  assert.ok(first.files.some((entry) => entry.path === '/generated/web/mdsd-first.wasm'), first.list);
  assert.ok(!first.files.some((entry) => later.test(entry.path)), first.list);
  assert.ok(first.gzip <= kPageBudget, `${first.gzip} bytes gzip -9 before the first numbers, budget ${kPageBudget}:\n${first.list}`);
  // Until the full calculator is there, the verifiers say that they are loading.
  assert.match(await page.locator('#verifiers-table').textContent(), /Loading the full calculator/);
  await release();
  // The full result replaces the first numbers: the verifiers, then the charts.
  await page.locator('[data-testid="verifiers.rrs_with_replacement.alpha"]').waitFor({ timeout: 60000 });
  assert.ok(served.some((entry) => entry.path === '/generated/web/mdsd-core.wasm'), 'the core loaded after the first numbers');
  await page.locator('#drafts-chart canvas').waitFor();
  await page.locator('#dataset-demo').click();
  await page.locator('[data-testid="dataset.positions"]').waitFor({ timeout: 60000 });
  assert.ok(served.some((entry) => entry.path === '/page/dataset.mjs'), 'the Dataset panel loaded');
  assert.deepEqual(served.filter((entry) => /mdsd-glpk/.test(entry.path)).map((entry) => entry.path), [], 'nothing of GLPK');
  assert.deepEqual(served.filter((entry) => entry.path === '/generated/mdsd-core.mjs'), [], 'not the inlined module of the npm package');
  await page.close();
  console.log(`page, before the first numbers: ${first.sent} bytes sent, ${first.gzip} bytes gzip -9 (${first.files.length} files)`);
});

test('the element: its numbers from the first module within 100 KB, then the verifiers from the core, nothing of GLPK', async () => {
  served = [];
  const page = await freshPage();
  const asked = [];
  page.on('request', (request) => asked.push(new URL(request.url()).pathname));
  const { release } = await holding(page, later);
  const since = Date.now();
  await page.goto(`${site.origin}/embed-host.html`);
  const at = await numbersAt(page, true);
  const first = await before_(since, at, (path) => path === '/embed-host.html');
  assert.ok(first.files.some((entry) => entry.path === '/generated/web/mdsd-first.wasm'), first.list);
  assert.ok(first.gzip <= kElementBudget, `${first.gzip} bytes gzip -9 before the element's numbers, budget ${kElementBudget}:\n${first.list}`);
  // The verifiers' rows need the full calculator, asked for once the numbers are on screen.
  await release();
  await page.waitForFunction(() => document.querySelector('mdsd-calculator').shadowRoot
    .querySelector('[data-testid="verifiers.rrs_with_replacement.alpha"]'), null, { polling: 'raf', timeout: 60000 });
  assert.ok(asked.includes('/generated/web/mdsd-core.wasm'), asked.join('\n'));
  assert.ok(!asked.some((path) => /mdsd-glpk/.test(path)), 'nothing of GLPK');
  await page.close();
  console.log(`element, before its first numbers: ${first.sent} bytes sent, ${first.gzip} bytes gzip -9 (${first.files.length} files)`);
});

test('the element: an input the first module finds an error in gets the core\'s message, as before', async () => {
  served = [];
  const page = await freshPage();
  await page.goto(`${site.origin}/embed-bad.html`);
  const error = () => page.evaluate(() => document.querySelector('mdsd-calculator').shadowRoot.querySelector('.error').textContent);
  await page.waitForFunction(() => document.querySelector('mdsd-calculator')?.shadowRoot.querySelector('.error').textContent !== '', null, { timeout: 60000 });
  assert.equal(await error(), 'target[1]: negative value -0.4');
  assert.ok(served.some((entry) => entry.path === '/generated/web/mdsd-core.wasm'), 'the message is the core\'s');
  await page.close();
});

test('the GLPK module is fetched when the cross-check with GLPK is asked for, once, and its numbers agree', async () => {
  served = [];
  const page = await freshPage();
  const results = [];
  await page.goto(`${site.origin}/#target=0.3,0.4,0.3&draft=0.6,0.3,0.1&drafts=2&lp=1`);
  await page.locator('[data-testid="lp.without_replacement.alpha"]').waitFor();
  assert.ok(!served.some((entry) => /mdsd-glpk/.test(entry.path)), 'the LP cross-check alone needs no GLPK');
  await page.locator('#glpk-box').waitFor();
  // The export gives the whole result: GLPK's entries beside the LP's.
  const exported = async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#result-download')]);
    return JSON.parse(readFileSync(await download.path(), 'utf8'));
  };
  await page.locator('#glpk').check();
  await page.waitForFunction(() => /Computed/.test(document.querySelector('#status').textContent));
  results.push(await exported());
  const fetched = served.filter((entry) => /mdsd-glpk/.test(entry.path)).map((entry) => entry.path);
  assert.deepEqual(fetched.sort(), ['/generated/web/mdsd-glpk.mjs', '/generated/web/mdsd-glpk.wasm']);
  // Off and on again: the module is not fetched a second time.
  await page.locator('#glpk').uncheck();
  await page.waitForFunction(() => /Computed/.test(document.querySelector('#status').textContent));
  await page.locator('#glpk').check();
  await page.waitForFunction(() => /Computed/.test(document.querySelector('#status').textContent));
  results.push(await exported());
  assert.equal(served.filter((entry) => /mdsd-glpk/.test(entry.path)).length, 2, 'fetched once');
  for (const result of results) {
    for (const method of ['with_replacement', 'without_replacement', 'greedy']) {
      const { alpha, glpk } = result.lp[method];
      assert.equal(typeof glpk?.alpha, 'number', `lp.${method}.glpk`);
      // Two solvers of one LP; both against alpha* computed by the fast path.
      assert.ok(Math.abs(glpk.alpha - result.optimal[method].alpha) <= 1e-9, method);
      assert.ok(Math.abs(alpha - result.optimal[method].alpha) <= 1e-9, method);
    }
  }
  await page.close();
});
