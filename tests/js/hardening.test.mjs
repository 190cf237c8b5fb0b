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
// ~1,000 solves (whole cycles, an even number; 10,140 in all). (b) sees leaks far below a
// page: leaking the smallest block (one malloc(1)) once per solve moves it,
// which the second test checks on purpose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load, MdsdInputError } from '../../web/package/mdsd.mjs';
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
    return { calculator, memory, exports };
  } finally {
    WebAssembly.instantiate = original;
  }
}

const { calculator, memory, exports } = await loadObserved();
// GLPK's requests (the forced failures) run in the GLPK module, loaded after
// the core: the heap observed is the core's.
await calculator.loadGlpk();
const exportsOf = (name) => exports[exportNameOf(name)];
const malloc = exportsOf('_malloc');
const free = exportsOf('_free');
const kProbeBytes = 8 << 20;
const heapTop = () => {
  const pointer = malloc(kProbeBytes);
  assert.notEqual(pointer, 0);
  free(pointer);
  return pointer;
};
const loadedTop = heapTop();  // where the probe lands in the memory as load() left it

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
      for (const entry of Object.values(result.lp)) assert.match(entry.glpk.error, /GLPK reported an internal error/);
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
  // Whole cycles of the mix, and an even number of solves: the module keeps
  // the last result's text and swaps between two blocks from one call to the
  // next, so the probe compares like with like only every other solve.
  const perRound = 2 * mix.length * Math.ceil(1000 / (2 * mix.length));
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
    { ...base, lp: { max_columns: 1e7 + 1 } },
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

// The Content-Security-Policy README.md "Security model" states, read from
// README.md (so the two cannot drift) and checked in Chromium in both
// set-ups: the element from the page's own origin (a tiny server sends the
// policy with every file), and from another origin (the host page carries the
// policy; web/server/serve.mjs on a second port serves the element). Each runs under
// `default-src 'none'` without one violation; the package entry works under
// the first policy; and the policies are really in force: without
// 'wasm-unsafe-eval' the module fails to compile, and without the other origin
// in worker-src (what README used to say) the element fails to load.
const readme = readFileSync(`${repo}README.md`, 'utf8');
const policies = (() => {
  const same = /- `embed\.mjs` from the page's own origin:\s*`([^`]+)`/.exec(readme);
  const other = /- `embed\.mjs` from another origin, say `([^`]+)`:\s*`([^`]+)`/.exec(readme);
  assert.ok(same && other, 'README.md "Security model" no longer states the two policies this test reads');
  return { sameOrigin: same[1], otherOrigin: (origin) => other[2].replaceAll(other[1], origin) };
})();
// Stricter than any real page: nothing the README does not name, plus the
// test page's own data: favicon.
const strict = (policy) => `default-src 'none'; ${policy}; img-src 'self' data:; base-uri 'none'; form-action 'none'`;

test('under the Content-Security-Policy README states, in Chromium, from the same origin and another', async () => {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { launchChromium } = await import('./support.mjs');
  const { startServer } = await import('../../web/server/serve.mjs');
  const types = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.html': 'text/html', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm' };
  const element = (src) => `<!doctype html><link rel="icon" href="data:,"><script type="module" src="${src}"></script>
      <mdsd-calculator target="0.3,0.4,0.3" draft="0.6,0.3,0.1" drafts="2"></mdsd-calculator>`;
  const embedServer = await startServer({ port: 0 });
  const embedOrigin = `http://localhost:${embedServer.address().port}`;
  const pages = {
    '/module.html': '<!doctype html><link rel="icon" href="data:,"><script type="module" src="/module-page.mjs"></script>',
    '/module-page.mjs': `import { load } from '/web/package/mdsd.mjs';
      const calculator = await load();
      window.result = calculator.solve({ target: [0.3, 0.4, 0.3], draft: [0.6, 0.3, 0.1], drafts: 2, lp: true });`,
    '/element.html': element('/web/embed/embed.mjs'),
    '/cross-origin.html': element(`${embedOrigin}/embed/embed.mjs`),
  };
  let policy = strict(policies.sameOrigin);
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
    const computed = (page, timeout) => page.waitForFunction(() => {
      const root = document.querySelector('mdsd-calculator')?.shadowRoot;
      return root && /0\.99285/.test(root.textContent);
    }, null, { timeout });

    const { page, violations } = await open('/module.html');
    await page.waitForFunction(() => window.result, null, { timeout: 20000 });
    const alpha = await page.evaluate(() => window.result.optimal.without_replacement.alpha);
    assert.ok(Math.abs(alpha - 0.9928571429) <= 1e-9);
    assert.deepEqual([...violations, ...await page.evaluate(() => window.violations)], []);

    for (const [label, path, stated] of [['same origin', '/element.html', policies.sameOrigin],
      ['another origin', '/cross-origin.html', policies.otherOrigin(embedOrigin)]]) {
      policy = strict(stated);
      const opened = await open(path);
      await computed(opened.page, 30000);
      assert.deepEqual([...opened.violations, ...await opened.page.evaluate(() => window.violations)], [], label);
    }

    // The policies are in force: what each leaves out breaks the calculator.
    policy = strict(policies.sameOrigin).replace(" 'wasm-unsafe-eval'", '');
    const blocked = await open('/module.html');
    await blocked.page.waitForTimeout(1500);
    assert.equal(await blocked.page.evaluate(() => window.result), undefined);
    assert.ok(blocked.violations.some((text) => /wasm-unsafe-eval|WebAssembly/i.test(text)), blocked.violations.join('\n'));
    policy = strict(policies.otherOrigin(embedOrigin)).replace(`worker-src blob: ${embedOrigin}`, 'worker-src blob:');
    assert.notEqual(policy, strict(policies.otherOrigin(embedOrigin)));
    const noWorker = await open('/cross-origin.html');
    await assert.rejects(computed(noWorker.page, 5000));
  } finally {
    await browser.close();
    server.close();
    embedServer.close();
  }
});

// README "Limits": the module checks the JSON size itself too, before parsing
// (a caller of the exports that skips the wrapper gets the same message), and
// a buffer path that does not match the request is refused, not guessed.
test('the module refuses JSON over 16 MiB and mismatched buffer paths before allocating', () => {
  const solve = exportsOf('_mdsd_solve');
  const heap = () => new Uint8Array(memory.buffer);
  const top = heapTop();
  const call = (text, paths) => {
    const bytes = [Buffer.from(`${text}\0`), Buffer.from(`${paths}\0`)];
    const pointers = bytes.map((b) => malloc(b.length));
    bytes.forEach((b, k) => heap().set(b, pointers[k]));
    const ok = malloc(4);
    const out = solve(pointers[0], pointers[1], 0, 0, 0, ok);
    const end = heap().indexOf(0, out);
    const result = { ok: new Int32Array(memory.buffer, ok, 1)[0], text: Buffer.from(heap().subarray(out, end)).toString() };
    for (const pointer of [...pointers, ok]) free(pointer);
    return result;
  };
  const text = `{"target": [1], "draft": [1], "drafts": 1, "methods": ["${'x'.repeat(16 << 20)}"]}`;
  const huge = call(text, '[]');
  assert.equal(huge.ok, 0);
  assert.equal(huge.text.slice(0, huge.text.indexOf(' (')), `request: ${text.length} bytes of JSON is more than the limit of 16777216 bytes`);
  // Paths that name no null the wrapper wrote: an internal error, not a solve.
  assert.match(call('{"target": {"$buffer": 0}, "draft": [1], "drafts": 1}', '[["target"]]').text, /^request: internal error/);
  assert.match(call('{"target": [1], "draft": [1], "drafts": 1}', '[["target"]]').text, /^request: internal error/);
  assert.equal(call('{"target": [1], "draft": [1], "drafts": 1}', '[]').ok, 1);
  assert.ok(heapTop() <= top);
});

// README "Limits": should an allocation inside the module fail anyway (here:
// the test fills the memory itself), the call is an MdsdInputError and the
// memory is put back as load() left it: the heap is where it was, the
// calculator computes the README test vectors again, and a batch opened before is
// reported lost rather than mixed up with a new one.
test('running out of WebAssembly memory is an MdsdInputError and leaves the calculator as it was', () => {
  const top = heapTop();
  const batch = calculator.createBatch({ drafts: 2 });
  batch.add({ target: base.target, draft: base.draft });
  const blocks = [];
  for (const size of [40 << 20, 1 << 20, 64 << 10]) {
    for (let pointer = malloc(size); pointer !== 0; pointer = malloc(size)) blocks.push({ pointer, size });
  }
  assert.equal(memory.buffer.byteLength, 2 ** 31, 'the test filled the whole 2 GB');
  // Room for the wrapper's two 32 MiB copies, not for the module's own work.
  const large = blocks.filter((block) => block.size === 40 << 20);
  free(large[0].pointer);
  free(large[2].pointer);
  const vocab = 1 << 22;
  const uniform = new Float64Array(vocab).fill(1 / vocab);
  assert.throws(() => calculator.solve({ target: uniform, draft: uniform.slice(), drafts: 4 }), (error) => {
    assert.ok(error instanceof MdsdInputError, `${error}`);
    assert.equal(error.message, 'request: too large for the WebAssembly memory (at most 2 GB)');
    return true;
  });
  // The test's own blocks went with the reset: nothing to free.
  assert.equal(heapTop(), loadedTop);
  assert.ok(loadedTop <= top);
  const result = calculator.solve(base);
  assert.ok(Math.abs(result.optimal.without_replacement.alpha - 0.9928571429) <= 1e-9);
  assert.throws(() => batch.add({ target: base.target, draft: base.draft }), /batch: lost when the WebAssembly memory was reset/);
  const fresh = calculator.createBatch({ drafts: 2 });
  fresh.add({ target: base.target, draft: base.draft });
  assert.equal(fresh.summary().positions, 1);
  fresh.dispose();
  batch.dispose();
  // And a full-size request fits again.
  assert.equal(calculator.solve({ target: uniform, draft: uniform, drafts: 4, methods: ['greedy'], verifiers: [] }).vocab, vocab);
  calculator.solve(base);  // the module keeps the last result's text until the next call
  // The first solves after a reset place their small blocks anew (a few KB
  // of warm-up, which the 10,000-solve test above lets settle); a leak of the
  // full-size request would move the probe by its 32 MiB arrays.
  assert.ok(heapTop() <= top + (1 << 20), `${heapTop() - top} bytes above where the probe landed before`);
});
