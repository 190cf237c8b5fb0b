// The packed npm package, imported by name from a fresh folder exactly as a
// Node script that installed it would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { repo, theoryTable, kTableTolerance } from './support.mjs';

test('npm pack, npm install, import { load } from "mdsd-calculator"', () => {
  const consumer = mkdtempSync(`${tmpdir()}/mdsd-consumer-`);
  const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });
  const tarball = npm(['pack', '--pack-destination', consumer], repo).trim().split('\n').pop();
  writeFileSync(`${consumer}/package.json`, JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  npm(['install', `./${tarball}`], consumer);
  const row = theoryTable[0];
  writeFileSync(`${consumer}/script.mjs`, `
    import { load } from 'mdsd-calculator';
    const calculator = await load();
    const result = calculator.solve(${JSON.stringify({ target: row.target, draft: row.draft, drafts: row.drafts })});
    console.log(JSON.stringify(result.optimal));`);
  const optimal = JSON.parse(execFileSync('node', ['script.mjs'], { cwd: consumer, encoding: 'utf8' }));
  for (const method of ['with_replacement', 'without_replacement', 'greedy']) {
    assert.ok(Math.abs(optimal[method].alpha - row.expected[method]) <= kTableTolerance, method);
  }
});
