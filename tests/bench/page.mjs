// The page's cost to a visitor: time from navigation to the first numbers on
// screen (median over repeats, fresh browser profile each time: nothing
// cached), and what it transfers, raw and gzipped.
//   node tests/bench/page.mjs [REPEATS=7] [--static]
// --static measures the built folder (web/build-site.mjs) instead of web/.
import { gzipSync } from 'node:zlib';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer } from '../../web/serve.mjs';
import { buildSite } from '../../web/build-site.mjs';
import { launchChromium } from '../js/support.mjs';

const repeats = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 7);
const useStatic = process.argv.includes('--static');
const root = useStatic ? await buildSite(`${mkdtempSync(`${tmpdir()}/mdsd-site-`)}/site`) : undefined;
const server = await startServer({ port: 0, ...(root ? { root } : {}) });
const origin = `http://127.0.0.1:${server.address().port}`;

const times = [];
let transfer = null;
for (let k = 0; k < repeats; k++) {
  const browser = await launchChromium();
  const page = await browser.newPage();
  const bodies = new Map();
  page.on('response', async (response) => {
    if (response.url().startsWith(origin)) bodies.set(response.url(), await response.body().catch(() => Buffer.alloc(0)));
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
    transfer = [...bodies].map(([url, body]) => ({ file: url.slice(origin.length), raw: body.length, gzip: gzipSync(body, { level: 9 }).length }));
  }
  process.stderr.write(`run ${k + 1}: ${times.at(-1).toFixed(0)} ms in the page, ${wall} ms wall\n`);
  await browser.close();
}
server.close();

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`first numbers after navigation (${useStatic ? 'static build' : 'npm start'}), median of ${repeats}: ${median.toFixed(0)} ms (min ${sorted[0].toFixed(0)}, max ${sorted.at(-1).toFixed(0)}; target 1500 ms)`);
console.log('\n| file | bytes | gzip -9 |\n|---|---|---|');
for (const { file, raw, gzip } of transfer.sort((a, b) => b.raw - a.raw)) console.log(`| ${file} | ${raw.toLocaleString('en')} | ${gzip.toLocaleString('en')} |`);
const total = transfer.reduce((sum, { raw, gzip }) => [sum[0] + raw, sum[1] + gzip], [0, 0]);
console.log(`| total | ${total[0].toLocaleString('en')} | ${total[1].toLocaleString('en')} |`);
