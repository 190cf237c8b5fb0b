// Dataset-mode benchmark: `node tests/bench/batch.mjs [repeats]` after the
// set-up. Generates N = 1024 synthetic positions of V = 32,000 logits
// (build/bench/, about 260 MB, once), then times with n = 3, all methods and
// the exact verifiers (RRS with replacement, K-SEQ, greedy):
//   native: `mdsd batch` on the two .npy files, both cores;
//   WebAssembly in Node: createBatch() fed row by row (one thread, as in a
//   page's worker), the rows read from the same files.
// Prints medians and the ratio. A program to run, not a test.
import { execFileSync } from 'node:child_process';
import { openSync, readSync, closeSync } from 'node:fs';
import { cli, draft, drafts, ensureDataset, median, positions, target, verifiers, vocab } from './dataset.mjs';
import { load } from '../../web/package/mdsd.mjs';

const repeats = Math.max(1, Number(process.argv[2] ?? 3));
ensureDataset();

// The .npy files this project writes: float32, C order, header length in bytes 8-9.
function* rows(path) {
  const file = openSync(path, 'r');
  const head = Buffer.alloc(10);
  readSync(file, head, 0, 10, 0);
  let offset = 10 + head.readUInt16LE(8);
  const row = Buffer.alloc(4 * vocab);
  for (let i = 0; i < positions; i++, offset += row.length) {
    readSync(file, row, 0, row.length, offset);
    yield new Float32Array(row.buffer, row.byteOffset, vocab);
  }
  closeSync(file);
}

const nativeTimes = [];
let nativeSummary;
for (let r = 0; r < repeats; r++) {
  const start = performance.now();
  nativeSummary = JSON.parse(execFileSync(cli, ['batch', '--drafts', String(drafts), '--verifiers', verifiers.join(','),
    '--logits', target, draft], { maxBuffer: 1 << 26 }));
  nativeTimes.push((performance.now() - start) / 1000);
}

const calculator = await load();
const wasmTimes = [];
let wasmSummary;
for (let r = 0; r < repeats; r++) {
  const start = performance.now();
  const batch = calculator.createBatch({ drafts, verifiers });
  const draftRows = rows(draft);
  for (const targetRow of rows(target)) {
    batch.add({ target: { logits: targetRow }, draft: { logits: draftRows.next().value } });
  }
  wasmSummary = batch.summary();
  batch.dispose();
  wasmTimes.push((performance.now() - start) / 1000);
}

let difference = 0;
for (const [name, value] of Object.entries(nativeSummary.mean.optimal)) {
  difference = Math.max(difference, Math.abs(value.alpha - wasmSummary.mean.optimal[name].alpha));
}
console.log(`N = ${positions}, V = ${vocab}, n = ${drafts}, all methods and the exact verifiers; median of ${repeats} runs, seconds.`);
console.log('| native (2 threads) | WebAssembly in Node (1 thread) | ratio | mean alpha* with / without / greedy | native vs wasm |');
console.log('|---|---|---|---|---|');
const means = Object.values(nativeSummary.mean.optimal).map((value) => value.alpha.toFixed(4)).join(' / ');
console.log(`| ${median(nativeTimes).toFixed(2)} | ${median(wasmTimes).toFixed(2)} | ${(median(wasmTimes) / median(nativeTimes)).toFixed(2)} | ${means} | ${difference.toExponential(1)} |`);
