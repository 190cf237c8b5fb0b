// The page's cost to a visitor: time from navigation to the first numbers on
// screen (median over repeats, fresh browser profile each time: nothing
// cached), and what it transfers: each file's bytes, the bytes on the wire as
// the server sent them (Content-Encoding negotiated with Chromium: brotli),
// and gzip -9 for comparison; then a second visit in the same profile (a
// reload: the validators make every unchanged file a 304 with no body).
//   node tests/bench/page.mjs [REPEATS=7] [--static]
// --static measures the built folder (web/server/build-site.mjs) instead of web/.
import { gzipSync } from 'node:zlib';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, precompress } from '../../web/server/serve.mjs';
import { buildSite } from '../../web/server/build-site.mjs';
import { launchChromium } from '../js/support.mjs';

const repeats = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 7);
const useStatic = process.argv.includes('--static');
const root = useStatic ? await buildSite(`${mkdtempSync(`${tmpdir()}/mdsd-site-`)}/site`) : undefined;
const server = await startServer({ port: 0, ...(root ? { root } : {}) });
// What the server answered, as it sent it (Chromium reports a revalidated
// worker import as a 200 from its cache).
const answered = [];
server.on('request', (request, response) => response.on('finish', () => {
  answered.push({ url: request.url, status: response.statusCode, body: Number(response.getHeader('content-length') ?? 0) * (request.method !== 'HEAD' && response.statusCode !== 304) });
}));
// As npm start does: every encoding computed before the first visitor.
await precompress(root);
const origin = `http://127.0.0.1:${server.address().port}`;

const times = [];
let transfer = null;
let again = null;
for (let k = 0; k < repeats; k++) {
  const browser = await launchChromium();
  const page = await browser.newPage();
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
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor({ timeout: 30000 });
  // performance.now() in the page: from navigation start to the numbers.
  times.push(await page.evaluate(() => performance.now()));
  const wall = Date.now() - started;
  await page.locator('#drafts-chart canvas').waitFor();
  await page.waitForTimeout(300);
  if (k === 0) {
    transfer = [...bodies].map(([url, { body, wire, encoding }]) => ({ file: url.slice(origin.length), raw: body.length, wire, encoding, gzip: gzipSync(body, { level: 9 }).length }));
    // The second visit: the same profile, the page again.
    answered.length = 0;
    await page.reload();
    await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor({ timeout: 30000 });
    await page.locator('#drafts-chart canvas').waitFor();
    await page.waitForTimeout(300);
    again = { requests: answered.length, notModified: answered.filter((r) => r.status === 304).length, body: answered.reduce((sum, r) => sum + r.body, 0) };
  }
  process.stderr.write(`run ${k + 1}: ${times.at(-1).toFixed(0)} ms in the page, ${wall} ms wall\n`);
  await browser.close();
}
server.close();

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`first numbers after navigation (${useStatic ? 'static build' : 'npm start'}), median of ${repeats}: ${median.toFixed(0)} ms (min ${sorted[0].toFixed(0)}, max ${sorted.at(-1).toFixed(0)}; target 1500 ms)`);
console.log('\n| file | bytes | sent (encoding) | gzip -9 |\n|---|---|---|---|');
for (const { file, raw, wire, encoding, gzip } of transfer.sort((a, b) => b.raw - a.raw)) {
  console.log(`| ${file} | ${raw.toLocaleString('en')} | ${wire.toLocaleString('en')} (${encoding}) | ${gzip.toLocaleString('en')} |`);
}
const total = transfer.reduce((sum, { raw, wire, gzip }) => [sum[0] + raw, sum[1] + wire, sum[2] + gzip], [0, 0, 0]);
console.log(`| total | ${total[0].toLocaleString('en')} | ${total[1].toLocaleString('en')} | ${total[2].toLocaleString('en')} |`);
console.log(`\nsecond visit (reload, same profile): ${again.requests} requests, ${again.notModified} answered 304, ${again.body.toLocaleString('en')} bytes of bodies sent`);
