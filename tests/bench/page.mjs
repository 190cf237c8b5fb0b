// The page's cost to a visitor: time from navigation to the first numbers on
// screen (median over repeats, fresh browser profile each time: nothing
// cached; the first numbers come from the small first module), then to the
// full result (the core's: the verifiers' numbers), and what it transfers: each file's bytes, the bytes on the wire as
// the server sent them (Content-Encoding negotiated with Chromium: brotli),
// and gzip -9 for comparison; then a second visit in the same profile (a
// reload: the validators make every unchanged file a 304 with no body).
// It also counts what was requested before the first numbers (the budget of
// the first load), and leaves out what came after (charts, Dataset panel...).
//   node tests/bench/page.mjs [REPEATS=7] [--static] [--throttle=MBPS]
// --static measures the built folder (web/server/build-site.mjs) instead of web/.
// --throttle=1.6 limits the browser to 1.6 Mb/s down and up (DevTools
// Network.emulateNetworkConditions, 0 ms added latency).
import { gzipSync } from 'node:zlib';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, precompress } from '../../web/server/serve.mjs';
import { buildSite } from '../../web/server/build-site.mjs';
import { launchChromium } from '../js/support.mjs';

const repeats = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 7);
const useStatic = process.argv.includes('--static');
const throttle = Number(process.argv.find((a) => a.startsWith('--throttle='))?.slice('--throttle='.length) ?? 0);
const root = useStatic ? await buildSite(`${mkdtempSync(`${tmpdir()}/mdsd-site-`)}/site`) : undefined;
const server = await startServer({ port: 0, ...(root ? { root } : {}) });
// What the server answered, as it sent it (Chromium reports a revalidated
// worker import as a 200 from its cache).
const answered = [];
server.on('request', (request, response) => {
  const started = Date.now();
  // The server gives its headers to writeHead (getHeader does not see those).
  let length = 0;
  const writeHead = response.writeHead.bind(response);
  response.writeHead = (status, headers = {}) => {
    length = Number(headers['content-length'] ?? 0);
    return writeHead(status, headers);
  };
  response.on('finish', () => {
    answered.push({ url: request.url, started, status: response.statusCode, body: length * (request.method !== 'HEAD' && response.statusCode !== 304) });
  });
});
// As npm start does: every encoding computed before the first visitor.
await precompress(root);
const origin = `http://127.0.0.1:${server.address().port}`;

const times = [];
const fullTimes = [];   // navigation to the full result (the verifiers' numbers)
let transfer = null;
let again = null;
let firstLoad = null;   // what the server sent for requests made before the first numbers
for (let k = 0; k < repeats; k++) {
  const browser = await launchChromium();
  const page = await browser.newPage();
  if (throttle > 0) {
    const cdp = await page.context().newCDPSession(page);
    const bytesPerSecond = (throttle * 1e6) / 8;
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond });
  }
  answered.length = 0;
  const bodies = new Map();
  page.on('response', async (response) => {
    if (!response.url().startsWith(origin)) return;
    const body = await response.body().catch(() => Buffer.alloc(0));
    const sizes = await response.request().sizes().catch(() => null);
    const headers = response.headers();
    // Bytes of the body on the wire: the server sends Content-Length (for a
    // worker's imports Chromium reports no sizes).
    const wire = response.status() === 304 ? 0 : Number(headers['content-length'] ?? sizes?.responseBodySize ?? body.length);
    const entry = { url: response.url(), status: response.status(), encoding: headers['content-encoding'] ?? 'identity', body, wire };
    bodies.set(response.url(), entry);
  });
  const started = Date.now();
  await page.goto(`${origin}/`);
  // performance.now() in the page, at the frame the numbers are there: from navigation start to the numbers.
  const shown = await page.waitForFunction(() => document.querySelector('[data-testid="optimal.greedy.alpha"]')
    && { now: performance.now(), epoch: Date.now() }, null, { polling: 'raf', timeout: 60000 }).then((handle) => handle.jsonValue());
  times.push(shown.now);
  const wall = Date.now() - started;
  fullTimes.push(await page.waitForFunction(() => document.querySelector('[data-testid="verifiers.rrs_with_replacement.alpha"]')
    && performance.now(), null, { polling: 'raf', timeout: 60000 }).then((handle) => handle.jsonValue()));
  if (k === 0) {
    const early = answered.filter((entry) => entry.started <= shown.epoch);
    firstLoad = { requests: early.length, body: early.reduce((sum, entry) => sum + entry.body, 0), urls: new Set(early.map((entry) => entry.url)) };
  }
  await page.locator('#drafts-chart canvas').waitFor();
  await page.waitForTimeout(300);
  if (k === 0) {
    transfer = [...bodies].map(([url, { body, wire, encoding }]) => ({
      file: url.slice(origin.length), raw: body.length, wire, encoding, gzip: gzipSync(body, { level: 9 }).length,
      first: firstLoad.urls.has(url.slice(origin.length)),
    }));
    // The second visit: the same profile, the page again.
    answered.length = 0;
    await page.reload();
    await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor({ timeout: 30000 });
    await page.locator('#drafts-chart canvas').waitFor();
    await page.waitForTimeout(300);
    again = { requests: answered.length, notModified: answered.filter((r) => r.status === 304).length, body: answered.reduce((sum, r) => sum + r.body, 0) };
  }
  process.stderr.write(`run ${k + 1}: ${times.at(-1).toFixed(0)} ms in the page (full result ${fullTimes.at(-1).toFixed(0)} ms), ${wall} ms wall\n`);
  await browser.close();
}
server.close();

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const where = `${useStatic ? 'static build' : 'npm start'}${throttle > 0 ? `, throttled to ${throttle} Mb/s` : ''}`;
console.log(`first numbers after navigation (${where}), median of ${repeats}: ${median.toFixed(0)} ms (min ${sorted[0].toFixed(0)}, max ${sorted.at(-1).toFixed(0)})`);
const fullSorted = [...fullTimes].sort((a, b) => a - b);
console.log(`full result (the verifiers) after navigation, median of ${repeats}: ${fullSorted[Math.floor(fullSorted.length / 2)].toFixed(0)} ms (min ${fullSorted[0].toFixed(0)}, max ${fullSorted.at(-1).toFixed(0)})`);
console.log('\n| file | before the first numbers | bytes | sent (encoding) | gzip -9 |\n|---|---|---|---|---|');
for (const { file, raw, wire, encoding, gzip, first } of transfer.sort((a, b) => b.first - a.first || b.raw - a.raw)) {
  console.log(`| ${file} | ${first ? 'yes' : 'after'} | ${raw.toLocaleString('en')} | ${wire.toLocaleString('en')} (${encoding}) | ${gzip.toLocaleString('en')} |`);
}
const sum = (rows) => rows.reduce((total, { raw, wire, gzip }) => [total[0] + raw, total[1] + wire, total[2] + gzip], [0, 0, 0]);
const early = sum(transfer.filter((row) => row.first));
const total = sum(transfer);
console.log(`| before the first numbers | | ${early[0].toLocaleString('en')} | ${early[1].toLocaleString('en')} | ${early[2].toLocaleString('en')} |`);
console.log(`| total | | ${total[0].toLocaleString('en')} | ${total[1].toLocaleString('en')} | ${total[2].toLocaleString('en')} |`);
console.log(`\nthe server's count before the first numbers: ${firstLoad.requests} requests, ${firstLoad.body.toLocaleString('en')} bytes of bodies`);
console.log(`\nsecond visit (reload, same profile): ${again.requests} requests, ${again.notModified} answered 304, ${again.body.toLocaleString('en')} bytes of bodies sent`);
