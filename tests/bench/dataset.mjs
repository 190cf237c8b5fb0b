// Shared by the dataset-mode benchmarks (batch.mjs, dataset-page.mjs): the
// workload, its synthetic .npy files (written once to build/bench/), and medians.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../', import.meta.url));
export const cli = `${repo}build/native/mdsd`;
export const [positions, vocab, drafts] = [1024, 32000, 3];
export const verifiers = ['rrs_with_replacement', 'kseq', 'greedy'];
const folder = `${repo}build/bench`;
export const target = `${folder}/target-${positions}x${vocab}.npy`;
export const draft = `${folder}/draft-${positions}x${vocab}.npy`;

export function ensureDataset() {
  mkdirSync(folder, { recursive: true });
  if (existsSync(target) && existsSync(draft)) return;
  process.stderr.write(`writing ${target} and ${draft}\n`);
  execFileSync(cli, ['synthetic-dataset', String(positions), String(vocab), '1', target, draft]);
}

export const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
