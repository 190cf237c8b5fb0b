// The packed npm package behind a bundler: a consumer imports it by name,
// esbuild (from npm) bundles the consumer for browsers, and the bundle runs
// in Node and in Chromium with no file to fetch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { build } from 'esbuild';
import { startServer } from '../../web/server/serve.mjs';
import { repo, theoryTable, kTableTolerance, launchChromium } from './support.mjs';

const row = theoryTable[3];
let consumer, bundle;

before(async () => {
  consumer = mkdtempSync(`${tmpdir()}/mdsd-bundle-`);
  const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });
  const tarball = npm(['pack', '--pack-destination', consumer], repo).trim().split('\n').pop();
  writeFileSync(`${consumer}/package.json`, JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  npm(['install', `./${tarball}`], consumer);
  writeFileSync(`${consumer}/entry.ts`, `
    import { load, MdsdInputError, type Result } from 'mdsd-calculator';
    export async function run(): Promise<string> {
      const calculator = await load();
      const result: Result = calculator.solve(${JSON.stringify({ target: row.target, draft: row.draft, drafts: row.drafts })});
      let field = '';
      try { calculator.solve({ target: [0.5, -0.5], draft: [0.5, 0.5], drafts: 2 }); }
      catch (error) { if (error instanceof MdsdInputError) field = error.field; }
      return JSON.stringify({ optimal: result.optimal, field });
    }
    const output = await run();
    (globalThis as any).mdsdOutput = output;
    if (typeof document === 'undefined') console.log(output);`);
  await build({
    entryPoints: [`${consumer}/entry.ts`], bundle: true, format: 'esm', platform: 'browser',
    target: 'es2022', outfile: `${consumer}/bundle.mjs`, logLevel: 'error', absWorkingDir: consumer,
  });
  bundle = readFileSync(`${consumer}/bundle.mjs`, 'utf8');
});

function check(output) {
  const { optimal, field } = JSON.parse(output);
  for (const method of ['with_replacement', 'without_replacement', 'greedy']) {
    assert.ok(Math.abs(optimal[method].alpha - row.expected[method]) <= kTableTolerance, method);
  }
  assert.equal(field, 'target[1]');
}

test('the esbuild bundle of a consumer runs in Node', () => {
  check(execFileSync('node', ['bundle.mjs'], { cwd: consumer, encoding: 'utf8' }).trim());
});

test('the esbuild bundle of a consumer runs in Chromium, fetching nothing but itself', async () => {
  const server = await startServer({
    port: 0,
    extraFiles: {
      '/consumer/': '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="bundle.mjs"></script></head><body></body></html>',
      '/consumer/bundle.mjs': bundle,
    },
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const requests = [];
    const problems = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${origin}/consumer/`);
    await page.waitForFunction(() => globalThis.mdsdOutput);
    check(await page.evaluate(() => globalThis.mdsdOutput));
    assert.deepEqual(requests.filter((url) => !url.startsWith('data:')), [`${origin}/consumer/`, `${origin}/consumer/bundle.mjs`]);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    server.close();
  }
});
