// The repository stands alone, run for real: the tracked files, as they are
// in the working tree, copied into a fresh folder with nothing beside it;
// there the native build is configured from scratch and its whole suite run
// (the suite that reads the test vectors), and the standalone check of the
// Node tests. A file the repository needs but git does not track, or a test
// that reads a folder beside the clone, fails here. (CI's clean clone runs
// the whole README command; this is the part that reads files, at a few
// minutes' cost.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { repo } from './support.mjs';

test('a copy of the tracked files, alone in a folder, builds and passes the native suite', { timeout: 30 * 60 * 1000 }, () => {
  const parent = mkdtempSync(join(tmpdir(), 'mdsd-alone-'));
  const copy = join(parent, 'repository');
  try {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' }).split('\0').filter(Boolean);
    let copied = 0;
    for (const path of files) {
      let stat;
      try {
        stat = statSync(join(repo, path));
      } catch {
        continue;  // deleted in the working tree, not yet in the index
      }
      if (!stat.isFile()) continue;
      mkdirSync(dirname(join(copy, path)), { recursive: true });
      copyFileSync(join(repo, path), join(copy, path));
      copied += 1;
    }
    assert.ok(copied > 100, `only ${copied} tracked files`);
    const run = (command, args) => {
      const result = spawnSync(command, args, { cwd: copy, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${(result.stdout ?? '').slice(-4000)}\n${(result.stderr ?? '').slice(-4000)}`);
      return result.stdout;
    };
    run('cmake', ['-S', '.', '-B', 'build/native', '-DCMAKE_BUILD_TYPE=Release']);
    run('cmake', ['--build', 'build/native', '-j', String(Math.max(1, cpus().length)), '--target', 'mdsd_tests', 'mdsd']);
    const suite = run(join(copy, 'build/native/mdsd_tests'), ['--minimal']);
    assert.doesNotMatch(suite, /FAILED|ERROR/);
    run('node', ['--test', 'tests/js/standalone.test.mjs']);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
