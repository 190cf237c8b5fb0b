// The page's Dataset panel against the CLI: `node tests/bench/dataset-page.mjs
// [REPEATS=3]` after the set-up. N = 1024 synthetic positions of V = 32,000
// float32 logits (build/bench/, about 260 MB, written by `mdsd
// synthetic-dataset` once), n = 3, all draft sampling methods and the
// verifiers rrs_with_replacement, kseq, greedy:
//   page: Chromium, from choosing the two files in the panel to the summary
//         on screen (one dedicated worker: one thread);
//   native: `mdsd batch --logits` on the same files (all cores).
// Prints medians, the ratio (target: page <= 3x native) and the largest
// difference between the means. A program to run, not a test.
import { execFileSync } from 'node:child_process';
import { cli, draft, drafts, ensureDataset, median, positions, target, verifiers, vocab } from './dataset.mjs';
import { startServer } from '../../web/server/serve.mjs';
import { launchChromium } from '../js/support.mjs';

const repeats = Math.max(1, Number(process.argv[2] ?? 3));
ensureDataset();

const nativeTimes = [];
let native;
for (let r = 0; r < repeats; r++) {
  const start = performance.now();
  native = JSON.parse(execFileSync(cli, ['batch', '--drafts', String(drafts), '--verifiers', verifiers.join(','),
    '--logits', target, draft], { maxBuffer: 1 << 26, encoding: 'utf8' }));
  nativeTimes.push((performance.now() - start) / 1000);
  process.stderr.write(`native run ${r + 1}: ${nativeTimes.at(-1).toFixed(2)} s\n`);
}

const server = await startServer({ port: 0 });
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launchChromium();
const pageTimes = [];
let shown;
try {
  for (let r = 0; r < repeats; r++) {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
    await page.selectOption('#dataset-values', 'logits');
    await page.fill('#dataset-drafts', String(drafts));
    for (const box of await page.locator('input[name="dataset-verifier"]').all()) {
      await box.setChecked(verifiers.includes(await box.getAttribute('value')));
    }
    const start = performance.now();
    await page.setInputFiles('#dataset-target', target);
    await page.setInputFiles('#dataset-draft', draft);
    await page.click('#dataset-run');
    await page.locator('[data-testid="dataset.positions"]').waitFor({ timeout: 600000 });
    pageTimes.push((performance.now() - start) / 1000);
    process.stderr.write(`page run ${r + 1}: ${pageTimes.at(-1).toFixed(2)} s\n`);
    shown = await page.$$eval('[data-testid^="dataset.mean."]', (elements) =>
      Object.fromEntries(elements.map((e) => [e.dataset.testid, Number(e.dataset.value)])));
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}

let difference = 0;
for (const [method, value] of Object.entries(native.mean.optimal)) {
  difference = Math.max(difference, Math.abs(value.alpha - shown[`dataset.mean.optimal.${method}.alpha`]));
}
for (const [name, value] of Object.entries(native.mean.verifiers)) {
  difference = Math.max(difference, Math.abs(value.alpha - shown[`dataset.mean.verifiers.${name}.alpha`]));
}
const means = Object.values(native.mean.optimal).map((value) => value.alpha.toFixed(4)).join(' / ');
console.log(`N = ${positions}, V = ${vocab} (float32 logits), n = ${drafts}, all methods, verifiers ${verifiers.join(', ')}; median of ${repeats} runs, seconds.`);
console.log('| page: files chosen to summary (1 worker) | native mdsd batch (all cores) | page / native | mean alpha* with / without / greedy | page vs native |');
console.log('|---|---|---|---|---|');
console.log(`| ${median(pageTimes).toFixed(2)} | ${median(nativeTimes).toFixed(2)} | ${(median(pageTimes) / median(nativeTimes)).toFixed(2)} | ${means} | ${difference.toExponential(1)} |`);
