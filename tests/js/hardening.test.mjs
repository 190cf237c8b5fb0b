// Hardening of the WebAssembly module behind web/mdsd.mjs: the heap stays flat
// across 10,000 consecutive solves (results, input errors, LP solves, forced
// GLPK failures), and hostile inputs come back as MdsdInputError, never as a
// crash or a broken calculator.
//
// How the heap is observed without changing the package: the test wraps
// WebAssembly.instantiate while load() runs, keeps the instance's exports
// (its Memory, and malloc/free, whose minified export names it reads from
// web/generated/mdsd-core.mjs), and restores it.
// Criterion: the requests cycle through a fixed mix; after a warm-up of about
// 1,000 solves (whole cycles), (a) the memory size (memory.buffer.byteLength)
// never grows again and (b) a fresh 8 MiB malloc, freed at once, which lands
// at the top of the used malloc heap, lands no higher after each further
// ~1,000 solves (whole cycles; 10,010 in all). (b) sees leaks far below a
// page: leaking the smallest block (one malloc(1)) once per solve moves it,
// which the second test checks on purpose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load, MdsdInputError } from '../../web/mdsd.mjs';
import { repo } from './support.mjs';

const generated = readFileSync(`${repo}web/generated/mdsd-core.mjs`, 'utf8');
function exportNameOf(name) {
  const match = generated.match(new RegExp(`Module\\["${name}"\\]=Module\\["asm"\\]\\["(\\w+)"\\]`));
  assert.ok(match, `cannot find the export behind Module["${name}"] in mdsd-core.mjs`);
  return match[1];
}

async function loadObserved() {
  const original = WebAssembly.instantiate;
  let exports = null;
  WebAssembly.instantiate = async function (...args) {
    const result = await original.apply(this, args);
    exports = (result.instance ?? result).exports;
    return result;
  };
  try {
    const calculator = await load();
    assert.ok(exports, 'load() did not go through WebAssembly.instantiate');
    const memory = Object.values(exports).find((value) => value instanceof WebAssembly.Memory);
    assert.ok(memory);
    return { calculator, memory, malloc: exports[exportNameOf('_malloc')], free: exports[exportNameOf('_free')] };
  } finally {
    WebAssembly.instantiate = original;
  }
}

const { calculator, memory, malloc, free } = await loadObserved();
const kProbeBytes = 8 << 20;
const heapTop = () => {
  const pointer = malloc(kProbeBytes);
  assert.notEqual(pointer, 0);
  free(pointer);
  return pointer;
};

const base = { target: [0.3, 0.4, 0.3], draft: [0.6, 0.3, 0.1], drafts: 2 };
const ramp = (n) => Array.from({ length: n }, (_, i) => (i + 1) / ((n * (n + 1)) / 2));
// [request, what comes back]: 'ok', 'input-error' (MdsdInputError), 'glpk' (result with an LP error).
const mix = [
  [base, 'ok'],
  [{ ...base, lp: true }, 'ok'],
  [{ ...base, lp: { inject_glpk_error: true } }, 'glpk'],
  [{ ...base, target: [0.3, -0.2, 0.3] }, 'input-error'],
  [{ ...base, draft: { logits: [1, 2, -Infinity], temperature: 0.7, top_k: 2, top_p: 0.9 } }, 'ok'],
  [{ target: ramp(8), draft: ramp(8).reverse(), drafts: 2, lp: true }, 'ok'],
  [{ target: [1 / 3, 1 / 3, 1 / 3], draft_joint: [{ drafts: [0, 1], prob: 0.5 }, { drafts: [2], prob: 0.5 }] }, 'ok'],
  [{ ...base, unknown: 1 }, 'input-error'],
  [{ ...base, drafts: 65 }, 'input-error'],
  [{ ...base, draft: [0.5, 0.5] }, 'input-error'],
  [{ target: new Float64Array(ramp(60)), draft: new Float64Array(ramp(60).reverse()), drafts: 4 }, 'ok'],
  [{ ...base, target: { logits: [1e300, -1e300, -Infinity] } }, 'ok'],
  [null, 'input-error'],
];

function solveOne([request, expected]) {
  try {
    const result = calculator.solve(request);
    assert.notEqual(expected, 'input-error', `expected an MdsdInputError for ${JSON.stringify(request)}`);
    if (expected === 'glpk') {
      for (const entry of Object.values(result.lp)) assert.match(entry.error, /GLPK reported an internal error/);
    } else {
      for (const entry of Object.values(result.optimal ?? {})) if (!('error' in entry)) assert.ok(entry.alpha >= 0 && entry.alpha <= 1);
      for (const entry of Object.values(result.lp ?? {})) if (!('error' in entry)) assert.equal(entry.status, 'optimal');
    }
  } catch (error) {
    if (!(error instanceof MdsdInputError)) throw error;
    assert.equal(expected, 'input-error', `unexpected error ${error.message}`);
  }
}

test('the WebAssembly heap stays flat across 10,000 consecutive solves', () => {
  const rounds = 10;
  const perRound = mix.length * Math.ceil(1000 / mix.length);  // whole cycles of the mix
  let count = 0;
  for (; count < perRound; count++) solveOne(mix[count % mix.length]);
  const size = memory.buffer.byteLength;
  const top = heapTop();
  for (let round = 1; round <= rounds; round++) {
    for (let k = 0; k < perRound; k++, count++) solveOne(mix[count % mix.length]);
    assert.equal(memory.buffer.byteLength, size, `memory grew after ${round * perRound} solves past the warm-up`);
    const now = heapTop();
    assert.ok(now <= top, `the malloc heap rose from ${top} to ${now} after ${round * perRound} solves past the warm-up`);
  }
  assert.ok(count - perRound >= 10000);
});

test('the heap probe sees a leak of one smallest block per solve', () => {
  const top = heapTop();
  const leaked = Array.from({ length: 10000 }, () => malloc(1));
  assert.ok(heapTop() > top, 'a leak of 10,000 blocks went unseen');
  for (const pointer of leaked) free(pointer);
  assert.equal(heapTop(), top);
});

test('hostile requests are MdsdInputError and leave the calculator working', () => {
  const deep = (depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
  const hostile = [
    { ...base, target: deep(1000) },
    { ...base, target: { logits: { $buffer: 7 } } },
    { ...base, target: { $buffer: -1 } },
    { ...base, target: [1e308, 1e308] },
    { ...base, target: { logits: [1, Infinity, 0] } },
    { ...base, target: { logits: [NaN, 1, 0] } },
    { ...base, draft: { logits: [1, 2, 3], temperature: Number.MIN_VALUE / 2 } },
    { ...base, draft: { logits: [1, 2, 3], top_k: 2 ** 53 } },
    { ...base, draft: { logits: [1, 2, 3], top_p: 0 } },
    { ...base, methods: ['greedy\u0000\n'] },
    { ...base, ['\u2028key']: 1 },
    { target: [0.5, 0.5], draft_joint: [{ drafts: [0, 2 ** 31], prob: 1 }] },
    { ...base, lp: { max_columns: 2e6 + 1 } },
  ];
  for (const request of hostile) {
    assert.throws(() => calculator.solve(request), (error) => {
      assert.ok(error instanceof MdsdInputError, `${JSON.stringify(request).slice(0, 80)}: ${error}`);
      assert.ok(!error.message.includes('\n'), error.message);
      return true;
    });
  }
  // Extreme but valid: huge logits and subnormal weights give a result.
  const result = calculator.solve({ target: { logits: [1e300, -1e300, -Infinity] }, draft: [5e-324, 5e-324, 0], drafts: 1 });
  assert.ok(Math.abs(result.optimal.with_replacement.alpha - 0.5) <= 1e-12);
  assert.ok(Math.abs(calculator.solve(base).optimal.with_replacement.alpha - 0.89) <= 1e-9);
});

// The Content-Security-Policy README.md "Security model" states, checked in
// Chromium: a tiny server sends it with every file; the package entry and the
// <mdsd-calculator> element must work under it without one violation, and
// without 'wasm-unsafe-eval' the module must fail to compile (so the policy is
// really in force).
export const kStrictCsp = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
  "connect-src 'self' data:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

test('under a strict Content-Security-Policy, in Chromium', async () => {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { launchChromium } = await import('./support.mjs');
  const types = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.html': 'text/html', '.css': 'text/css', '.json': 'application/json' };
  const pages = {
    '/module.html': '<!doctype html><script type="module" src="/module-page.mjs"></script>',
    '/module-page.mjs': `import { load } from '/web/mdsd.mjs';
      const calculator = await load();
      window.result = calculator.solve({ target: [0.3, 0.4, 0.3], draft: [0.6, 0.3, 0.1], drafts: 2, lp: true });`,
    '/element.html': `<!doctype html><script type="module" src="/web/embed.mjs"></script>
      <mdsd-calculator target="0.3,0.4,0.3" draft="0.6,0.3,0.1" drafts="2"></mdsd-calculator>`,
  };
  let policy = kStrictCsp;
  const server = createServer(async (request, response) => {
    const path = new URL(request.url, 'http://localhost').pathname;
    try {
      const body = pages[path] ?? await readFile(`${repo}${path.slice(1)}`);
      const type = types[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
      response.writeHead(200, { 'content-type': type, 'content-security-policy': policy });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await launchChromium();
  try {
    const open = async (path) => {
      const page = await browser.newPage();
      const violations = [];
      page.on('console', (message) => { if (/Content.Security.Policy|Refused/i.test(message.text())) violations.push(message.text()); });
      await page.addInitScript(() => {
        window.violations = [];
        document.addEventListener('securitypolicyviolation', (event) => window.violations.push(`${event.violatedDirective} ${event.blockedURI}`.slice(0, 120)));
      });
      await page.goto(`${origin}${path}`);
      return { page, violations };
    };
    const { page, violations } = await open('/module.html');
    await page.waitForFunction(() => window.result, null, { timeout: 20000 });
    const alpha = await page.evaluate(() => window.result.optimal.without_replacement.alpha);
    assert.ok(Math.abs(alpha - 0.9928571429) <= 1e-9);
    assert.deepEqual([...violations, ...await page.evaluate(() => window.violations)], []);

    const element = await open('/element.html');
    await element.page.waitForFunction(() => {
      const root = document.querySelector('mdsd-calculator')?.shadowRoot;
      return root && /0\.99285/.test(root.textContent);
    }, null, { timeout: 30000 });
    assert.deepEqual([...element.violations, ...await element.page.evaluate(() => window.violations)], []);

    policy = kStrictCsp.replace(" 'wasm-unsafe-eval'", '');
    const blocked = await open('/module.html');
    await blocked.page.waitForTimeout(1500);
    assert.equal(await blocked.page.evaluate(() => window.result), undefined);
    assert.ok(blocked.violations.some((text) => /wasm-unsafe-eval|WebAssembly/i.test(text)), blocked.violations.join('\n'));
  } finally {
    await browser.close();
    server.close();
  }
});
