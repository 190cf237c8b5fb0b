// The repository stands alone: a clone with nothing beside it passes the
// README's test command. CI clones the repository next to other folders, so
// a test that read one of them would still pass there; this test fails
// instead when a tracked file reads or cites anything outside the clone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { repo, sharedCases } from './support.mjs';

function trackedFiles() {
  return execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' })
    .split('\0').filter((path) => path && existsSync(`${repo}${path}`));
}

test('no tracked file reads or cites a folder beside the repository', () => {
  // Paths that leave the clone: a sibling folder, this machine's layout, or
  // the reference notes the test vectors were copied from.
  const outside = [/\.\.\/shared\b/, /\/work\/shared/, /\bTHEORY\.md\b/, /MDSD_SHARED_DIR/];
  const offenders = [];
  for (const path of trackedFiles()) {
    if (path === 'tests/js/standalone.test.mjs') continue;  // this list itself
    const text = readFileSync(`${repo}${path}`, 'latin1');
    if (text.includes('\0')) continue;  // binary
    for (const pattern of outside) {
      if (pattern.test(text)) offenders.push(`${path}: ${pattern}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the independent test vectors are in the repository, with their provenance', () => {
  const cases = sharedCases();
  assert.equal(cases.length, 60);
  for (const entry of cases) {
    assert.ok(Array.isArray(entry.target) && Array.isArray(entry.draft) && entry.expected?.optimal);
  }
  const provenance = readFileSync(`${repo}tests/data/README.md`, 'utf8');
  assert.match(provenance, /independent enumerator/);
  // The native suite reads the same file, through a path inside the source tree.
  const cmake = readFileSync(`${repo}CMakeLists.txt`, 'utf8');
  assert.match(cmake, /MDSD_TEST_DATA_DIR="\$\{CMAKE_SOURCE_DIR\}\/tests\/data"/);
});
