// The alpha* benchmark: `node tests/bench/optimal.mjs [repeats]` after the
// set-up (npm start or npm test builds everything). Runs the native half
// (build/native/bench_optimal) and times the WebAssembly module in this Node
// process on the same synthetic pairs, then prints a Markdown table of
// medians: native core, native API, WebAssembly API (JS solve, arrays
// included), their ratio, and the time to sort V doubles natively and in JS.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { load } from '../../web/package/mdsd.mjs';

const repeats = Math.max(5, Number(process.argv[2] ?? 5));
const repo = fileURLToPath(new URL('../../', import.meta.url));
const methods = ['with_replacement', 'without_replacement', 'greedy'];

const median = (work) => {
  work();  // warm-up: the first call pays for JIT and memory growth
  const times = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
};

const native = execFileSync(`${repo}build/native/bench_optimal`, [String(repeats)], { encoding: 'utf8' })
  .trim().split('\n').map((line) => JSON.parse(line));
const calculator = await load();
const pairs = new Map();
// Warm-up of the whole path: V8 runs WebAssembly from its baseline compiler
// until the optimising tier has caught up (about 20 calls here).
const warm = calculator.syntheticPair({ vocab: 32000, seed: 2 });
for (let r = 0; r < 30; r++) calculator.solve({ target: warm.target, draft: warm.draft, drafts: 2 + (r % 3), verifiers: [] });

console.log(`Medians over ${repeats} runs, ms. Synthetic LLM-like pairs (seed 1). ` +
  'core: the C++ computation; API: request with arrays in memory to result object (alpha* only, no verifiers).');
console.log('| V | n | method | native core | native API | wasm API | wasm / native API | alpha* | sort V doubles native / JS |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of native) {
  if (!pairs.has(row.vocab)) {
    const pair = calculator.syntheticPair({ vocab: row.vocab, seed: 1 });
    pair.sortMs = median(() => pair.target.slice().sort());
    pairs.set(row.vocab, pair);
  }
  const pair = pairs.get(row.vocab);
  for (const method of methods) {
    let alpha;
    const wasmMs = median(() => {
      alpha = calculator.solve({ target: pair.target, draft: pair.draft, drafts: row.drafts, methods: [method], verifiers: [] })
        .optimal[method].alpha;
    });
    const difference = Math.abs(alpha - row[method].alpha);
    if (difference > 1e-12) throw new Error(`native and wasm alpha* differ by ${difference} (${row.vocab}, ${row.drafts}, ${method})`);
    const cells = [row.vocab, row.drafts, method, row[method].core_ms.toFixed(1), row[method].api_ms.toFixed(1),
      wasmMs.toFixed(1), (wasmMs / row[method].api_ms).toFixed(2), alpha.toFixed(10),
      `${row.sort_ms.toFixed(1)} / ${pair.sortMs.toFixed(1)}`];
    console.log(`| ${cells.join(' | ')} |`);
  }
}
