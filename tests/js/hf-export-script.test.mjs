// README "Hugging Face transformers": the export script, taken from the
// README as it is, run on two small causal torch models whose logits are
// known (transformers itself is not in Debian, and main() is not run). Needs
// Debian's python3-numpy and python3-torch (`apt-get install python3-numpy
// python3-torch`); without them the test is skipped, saying so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeCli, repo } from './support.mjs';

const cli = process.env.MDSD_CLI ?? nativeCli;
// Debian's packages are for its own interpreter, whatever python3 comes first on PATH.
const python = ['/usr/bin/python3', 'python3'].find((candidate) =>
  spawnSync(candidate, ['-c', 'import numpy, torch'], { encoding: 'utf8' }).status === 0);

/** The ```python block after the README's marker line. */
function scriptFromReadme() {
  const readme = readFileSync(`${repo}README.md`, 'utf8');
  const marker = readme.indexOf('<!-- export_logits.py: tested by tests/js/hf-export-script.test.mjs -->');
  assert.ok(marker >= 0, 'README has the marked export script');
  const start = readme.indexOf('```python\n', marker) + '```python\n'.length;
  return readme.slice(start, readme.indexOf('```\n', start));
}

// Two causal models: the logits at position t are the table's row of token
// t plus a tenth of the sum of the rows up to t, on a vocabulary padded by 3
// entries beyond the tokenizer's 50. check.py recomputes them by loops.
const runner = `
import sys, json
from types import SimpleNamespace
import numpy as np
import torch
sys.path.insert(0, sys.argv[1])
import export_logits

VOCAB, PADDED = 50, 53

class Causal(torch.nn.Module):
    def __init__(self, seed):
        super().__init__()
        self.table = torch.randn(PADDED, PADDED, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    def forward(self, ids):
        rows = self.table[ids]
        return SimpleNamespace(logits=rows + 0.1 * torch.cumsum(rows, dim=1))

target, draft = Causal(1), Causal(2)
ids = [int(x) for x in torch.randint(0, VOCAB, (40,), generator=torch.Generator().manual_seed(3))]
first = 12
positions = export_logits.export(target, draft, ids, first, VOCAB, sys.argv[1] + "/t.npy", sys.argv[1] + "/d.npy")
for model, name in ((target, "t.npy"), (draft, "d.npy")):
    saved = np.load(sys.argv[1] + "/" + name)
    assert saved.dtype == np.float32 and saved.shape == (len(ids) - first, VOCAB), saved.shape
    table = model.table.numpy()
    for j in range(len(ids) - first):
        t = first - 1 + j                       # the position whose logits predict ids[first + j]
        want = table[ids[t]] + 0.1 * sum(table[ids[s]] for s in range(t + 1))
        assert np.allclose(saved[j], want[:VOCAB].astype(np.float32), rtol=0, atol=1e-5), j
print(json.dumps({"positions": positions}))
`;

test('the README export script writes the teacher-forced rows mdsd batch reads', { skip: python ? false : 'python3-numpy and python3-torch are not installed (apt-get install python3-numpy python3-torch)' }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mdsd-hf-export-'));
  try {
    writeFileSync(join(scratch, 'export_logits.py'), scriptFromReadme());
    writeFileSync(join(scratch, 'check.py'), runner);
    const run = spawnSync(python, [join(scratch, 'check.py'), scratch], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { positions: 28 });
    const batch = spawnSync(cli, ['batch', '--drafts', '2', '--verifiers', '', '--logits', 't.npy', 'd.npy'], { cwd: scratch, encoding: 'utf8' });
    assert.equal(batch.status, 0, batch.stderr);
    const summary = JSON.parse(batch.stdout);
    assert.equal(summary.positions, 28);
    assert.equal(summary.vocab, 50);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
