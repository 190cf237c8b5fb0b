// Shared by the Node tests: the independent test vectors and small helpers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../', import.meta.url));
export const nativeCli = `${repo}build/native/mdsd`;

/** tests/data/small.jsonl: computed by an independent enumerator and LP (tests/data/README.md). */
export function sharedCases() {
  return readFileSync(`${repo}tests/data/small.jsonl`, 'utf8')
    .split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line));
}

/** README mathematics §6: p, q, n, alpha* with / without / greedy. */
export const theoryTable = [
  [[0.3, 0.4, 0.3], [0.6, 0.3, 0.1], 2, 0.89, 0.9928571429, 0.95],
  [[0.3, 0.4, 0.3], [0.6, 0.3, 0.1], 3, 0.971, 1, 1],
  [[0.5, 0.3, 0.2], [0.2, 0.3, 0.5], 2, 0.86, 0.9857142857, 0.9],
  [[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1], 3, 0.871, 1, 0.9333333333],
  [[0.6, 0.2, 0.1, 0.05, 0.05], [0.3, 0.3, 0.2, 0.1, 0.1], 2, 0.91, 0.9702380952, 1],
  [[0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1], 2, 0.76, 1, 1],
].map(([target, draft, drafts, with_replacement, without_replacement, greedy]) => ({
  target, draft, drafts, expected: { with_replacement, without_replacement, greedy },
}));
// The table prints 10 decimals.
export const kTableTolerance = 1e-9;

/** A small seeded generator (mulberry32) for random instances. */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomDistribution(next, size, zeroChance = 0.15) {
  const values = Array.from({ length: size }, () => (next() < zeroChance ? 0 : next()));
  if (values.every((v) => v === 0)) values[0] = 1;
  const total = values.reduce((a, b) => a + b, 0);
  return values.map((v) => v / total);
}

/** Debian's Chromium under playwright-core, headless, with no network of its own. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const userDataDir = mkdtempSync(`${tmpdir()}/mdsd-chromium-`);
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * The page as the README's start command serves it, and a browser: what the
 * browser tests open before their tests and close after. Screenshots go to
 * test-artifacts/.
 */
export async function openSite(serverOptions = {}) {
  const { startServer } = await import('../../web/server/serve.mjs');
  const { mkdirSync } = await import('node:fs');
  const server = await startServer({ port: 0, ...serverOptions });
  const port = server.address().port;
  const browser = await launchChromium();
  mkdirSync(`${repo}test-artifacts`, { recursive: true });
  return { server, browser, port, origin: `http://127.0.0.1:${port}` };
}

export async function closeSite({ server, browser } = {}) {
  await browser?.close();
  server?.close();
}

/**
 * A new page of the site's browser (`site`: {browser, origin}), and the page
 * errors and console errors it reports ("page error: ..." and "console:
 * ..."), listened to from before it loads. Options: `viewport` ({width,
 * height}); `initScript`, run in the page before its own scripts; `path`, to
 * open (`site.origin` + "/" + path) once the listeners are on; `waitFor`, a
 * selector to wait for after opening.
 */
export async function watchedPage(site, { viewport, initScript, path, waitFor } = {}) {
  const page = await site.browser.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  if (initScript) await page.addInitScript(initScript);
  if (path !== undefined) await page.goto(`${site.origin}/${path}`);
  if (waitFor) await page.locator(waitFor).waitFor();
  return { page, problems };
}
