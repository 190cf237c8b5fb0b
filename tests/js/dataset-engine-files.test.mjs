// The Dataset panel's readers of engine files (web/page/dataset-files.mjs:
// llama.cpp logits pairs, JSON Lines of engine responses) against `mdsd
// batch` on the same files, in Node: the same summary from good files, the
// same one-line message from every bad one. The files are written here: the
// llama.cpp ones as llama-perplexity writes them (float arithmetic emulated
// with Math.fround), the responses in the engines' shapes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { File } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeCli } from './support.mjs';
import { encodeRow, llamaBytes, llamaRuns, vocab, texts, shapes, writeResponses } from './engine-files.mjs';
import { load } from '../../web/package/mdsd.mjs';
import {
  DatasetError, sniffFormat, pairFormat, openLlamaPair, responsePairPositions, parseEngineResponse, pairPositions,
  duplicateKey, decodeLlamaRow, parseLlamaHeader,
} from '../../web/page/dataset-files.mjs';

// MDSD_CLI: another build of the CLI than build/native (a helper's own build).
const cli = process.env.MDSD_CLI ?? nativeCli;
const scratch = mkdtempSync(join(tmpdir(), 'mdsd-engine-files-'));
const at = (name) => join(scratch, name);
let calculator;

before(async () => { calculator = await load(); });
after(() => rmSync(scratch, { recursive: true, force: true }));

// ---- the two routes ----------------------------------------------------------------

const fileOf = (name) => new File([readFileSync(at(name))], name);

/** `mdsd batch ARGS` in the scratch folder: {status, summary | message}. */
function runCli(args) {
  const run = spawnSync(cli, ['batch', ...args], { cwd: scratch, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status === 0) return { status: 0, summary: JSON.parse(run.stdout) };
  assert.equal(run.stderr.split('\n').length, 2, `one line: ${run.stderr}`);
  return { status: run.status, message: run.stderr.replace(/^mdsd: /, '').trimEnd() };
}

/** What the panel's worker does with a pair of files (web/page/dataset-worker.mjs). */
async function runPage(targetName, draftName, settings) {
  const target = fileOf(targetName), draft = fileOf(draftName);
  const sniff = async (file) => sniffFormat(new Uint8Array(await file.slice(0, 4096).arrayBuffer()));
  const batch = calculator.createBatch(settings);
  try {
    const format = pairFormat(await sniff(target), await sniff(draft), target.name, draft.name);
    const positions = format === 'llama' ? (await openLlamaPair(target, draft, 4096)).positions
      : responsePairPositions(target, draft, 4096);
    for await (const { position, where } of positions) {
      try {
        batch.add(position);
      } catch (error) {
        throw new DatasetError(`${where}: ${error.message.replace(/^position \d+: /, '')}`);
      }
    }
    return { status: 0, summary: batch.summary() };
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    return { status: 2, message: error.message };
  } finally {
    batch.dispose();
  }
}

// Two summaries equal but for rounding: WebAssembly's exp and log are not
// glibc's (README: native and WebAssembly agree to about 1e-15).
function assertClose(actual, expected, path = 'summary') {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= 1e-12, `${path}: ${actual} vs ${expected}`);
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    assert.deepEqual(actual, expected, path);
    return;
  }
  assert.equal(typeof actual, 'object', path);
  assert.deepEqual(Object.keys(actual ?? {}).sort(), Object.keys(expected).sort(), path);
  for (const key of Object.keys(expected)) assertClose(actual[key], expected[key], `${path}.${key}`);
}

// The CLI writes "t.jsonl:3" where the panel writes "t.jsonl line 3".
const asPage = (message) => message.replace(/([\w.-]+\.jsonl):(\d+)/g, '$1 line $2');

const settings = { drafts: [1, 2, 3], verifiers: ['rrs_with_replacement', 'kseq'] };
const cliSettings = ['--drafts', '1-3', '--verifiers', 'rrs_with_replacement,kseq'];

// ---- llama.cpp ---------------------------------------------------------------------

test('llama.cpp pair: the panel gives the summary of mdsd batch', async () => {
  const [target, draft] = llamaRuns({ nCtx: 24, nVocab: 301, nChunk: 3, seed: 4 });
  writeFileSync(at('t.kld'), llamaBytes(target));
  writeFileSync(at('d.kld'), llamaBytes(draft));
  const expected = runCli([...cliSettings, 't.kld', 'd.kld']);
  assert.equal(expected.status, 0, expected.message);
  assert.equal(expected.summary.positions, 33);
  assert.equal(expected.summary.vocab, 301);
  const page = await runPage('t.kld', 'd.kld', settings);
  assert.equal(page.status, 0, page.message);
  assertClose(page.summary, expected.summary);
});

test('llama.cpp pair with clamped rows (intervals): the panel gives the summary of mdsd batch', async () => {
  const [target, draft] = llamaRuns({ nCtx: 12, nVocab: 500, nChunk: 2, spread: 4, limit: 0, seed: 6 });
  writeFileSync(at('tc.kld'), llamaBytes(target));
  writeFileSync(at('dc.kld'), llamaBytes(draft));
  const expected = runCli([...cliSettings, 'tc.kld', 'dc.kld']);
  assert.equal(expected.status, 0, expected.message);
  assert.ok(Array.isArray(expected.summary.sweep[0].mean.optimal.with_replacement.interval), 'clamped rows give intervals');
  const page = await runPage('tc.kld', 'dc.kld', settings);
  assert.equal(page.status, 0, page.message);
  assertClose(page.summary, expected.summary);
});

test('llama.cpp rows decode as the writer encodes: unclamped rows are logits, clamped ones a floor', () => {
  const [target] = llamaRuns({ nCtx: 6, nVocab: 9, nChunk: 1, spread: 6, limit: 0, seed: 2 });
  const bytes = llamaBytes(target);
  const header = parseLlamaHeader(new Uint8Array(bytes.subarray(0, 20)), 't.kld', bytes.length);
  assert.deepEqual([header.nCtx, header.nVocab, header.nChunk, header.rows, header.rowBytes], [6, 9, 1, 2, 28]);
  const rows = bytes.buffer.slice(bytes.byteOffset + header.dataOffset, bytes.byteOffset + bytes.length);
  for (let k = 0; k < header.rows; k++) {
    const dist = decodeLlamaRow(rows, header, k);
    const { scale, minLogProb, values } = encodeRow(target.rows[k]);
    const clamped = scale * 65535 > 16 - 1 / 256;
    if (!clamped) {
      assert.deepEqual(Array.from(dist.logits), Array.from(values, (v) => scale * v + minLogProb));
      continue;
    }
    assert.deepEqual(dist.ids, [...values.keys()].filter((i) => values[i] > 0));
    assert.deepEqual(dist.logprobs, dist.ids.map((i) => scale * values[i] + minLogProb));
    assert.equal(dist.unlisted.at_most_logprob, minLogProb + 0.5 * scale + 1e-5);
  }
});

test('llama.cpp: every bad file gives the message of mdsd batch', async () => {
  const [target, draft] = llamaRuns({ nCtx: 8, nVocab: 10, nChunk: 3, seed: 3 });
  const good = llamaBytes(target);
  writeFileSync(at('t.kld'), good);
  writeFileSync(at('d.kld'), llamaBytes(draft));
  const tokensEnd = 20 + 4 * 24, row = 28;
  const changed = (offset, patch) => { const copy = Buffer.from(good); Buffer.from(patch).copy(copy, offset); return copy; };
  const float = (value) => { const b = Buffer.alloc(4); b.writeFloatLE(value); return b; };
  const bad = {
    'magic.kld': Buffer.concat([Buffer.from('_logitz_'), good.subarray(8)]),
    'ctx-only.kld': good.subarray(0, 12),
    'half.kld': good.subarray(0, 16),
    'cut-tokens.kld': good.subarray(0, 20 + 4 * 13),
    'cut-rows.kld': good.subarray(0, tokensEnd + 4 * row + 7),
    'nan.kld': changed(tokensEnd + 5 * row, float(NaN)),
    'min.kld': changed(tokensEnd + 2 * row + 4, float(3)),
    'sum.kld': changed(tokensEnd + 8 * row + 8, Buffer.alloc(20, 0xff)),
    'trailing.kld': Buffer.concat([good, Buffer.alloc(6)]),
    'range.kld': changed(20 + 4 * 17, [10, 0, 0, 0]),
    'tokens.kld': changed(20 + 4 * 21, [(target.tokens[21] + 1) % 10]),
    'vocab.kld': llamaBytes(llamaRuns({ nCtx: 8, nVocab: 12, nChunk: 3, seed: 3 })[0]),
    'ctx.kld': llamaBytes(llamaRuns({ nCtx: 10, nVocab: 10, nChunk: 3, seed: 3 })[0]),
    'chunks.kld': llamaBytes(llamaRuns({ nCtx: 8, nVocab: 10, nChunk: 2, seed: 3 })[0]),
    'big.kld': changed(8, [0, 0, 0, 8, 0, 0, 0, 10, 0, 0, 0, 3]),
    'ctx2.kld': changed(8, [2, 0, 0, 0]),
    'x.npy': Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]), Buffer.alloc(120, 0x20)]),
    'text.txt': Buffer.from('hello\n'),
  };
  for (const [name, bytes] of Object.entries(bad)) writeFileSync(at(name), bytes);
  const pairs = [['magic.kld', 'd.kld'], ['ctx-only.kld', 'd.kld'], ['half.kld', 'd.kld'], ['t.kld', 'cut-tokens.kld'],
    ['t.kld', 'cut-rows.kld'], ['nan.kld', 'd.kld'], ['t.kld', 'min.kld'], ['sum.kld', 'd.kld'], ['trailing.kld', 'd.kld'],
    ['range.kld', 'd.kld'], ['t.kld', 'tokens.kld'], ['t.kld', 'vocab.kld'], ['t.kld', 'ctx.kld'], ['t.kld', 'chunks.kld'],
    ['big.kld', 'd.kld'], ['ctx2.kld', 'd.kld'], ['t.kld', 'x.npy'], ['t.kld', 'text.txt']];
  for (const [t, d] of pairs) {
    const expected = runCli(['--drafts', '2', t, d]);
    assert.equal(expected.status, 2, `${t} ${d}: ${expected.message}`);
    const page = await runPage(t, d, { drafts: 2 });
    assert.equal(page.status, 2, `${t} ${d}`);
    // The CLI says "mdsd batch reads" where the panel says "the Dataset panel reads".
    assert.equal(page.message, expected.message.replace('mdsd batch reads', 'the Dataset panel reads').replace(' (or give --format)', ''), `${t} ${d}`);
  }
});

// ---- engine responses --------------------------------------------------------------

test('engine responses: the panel reads what mdsd batch reads, and gives its summary', async () => {
  for (const shape of Object.keys(shapes)) {
    for (const k of [1, 4]) {
      const [target, draft] = writeResponses(shape, k, 3, 10 * k);
      writeFileSync(at(`t-${shape}.jsonl`), target);
      writeFileSync(at(`d-${shape}.jsonl`), draft);
      const expected = runCli([...cliSettings, `t-${shape}.jsonl`, `d-${shape}.jsonl`]);
      const page = await runPage(`t-${shape}.jsonl`, `d-${shape}.jsonl`, settings);
      assert.equal(expected.status, 0, `${shape} k=${k}: ${expected.message}`);
      assert.equal(page.status, 0, `${shape} k=${k}: ${page.message}`);
      assert.equal(expected.summary.positions, 24);
      assert.ok(Array.isArray(expected.summary.sweep[0].mean.optimal.with_replacement.interval), 'lists give intervals');
      assertClose(page.summary, expected.summary, `${shape} k=${k}`);
    }
  }
});

test('engine responses: the positions read, as the CLI reads them', () => {
  const line = JSON.stringify(shapes.completions([[0.6, 0.3, 0.1], [0.5, 0.2, 0.3]], [2, 0], 1));
  const positions = parseEngineResponse(line);
  assert.equal(positions.length, 2);
  // The text's token beyond the top 1 is dropped; the top 1 stays a top list.
  assert.deepEqual(positions[0].listed.map((token) => token.key), ['s: w0']);
  assert.equal(positions[0].topK, true);
  // The text's token is the top 1, alone: only the total bounds the rest.
  assert.deepEqual(positions[1].listed.map((token) => token.key), ['s: w0']);
  assert.equal(positions[1].topK, false);
  const pair = pairPositions(positions[0], parseEngineResponse(line)[0]);
  assert.deepEqual(pair.target, { ids: [0], logprobs: [Math.log(0.6)], unlisted: 'top_k' });
  assert.equal(duplicateKey('{"a": {"b": 1, "c": [{"d": 1}, {"d": 2}]}, "e": {"f": 1, "f": 2}}'), 'e.f');
  assert.equal(duplicateKey('{"a": "\\"b\\"", "b": 1, "c": {"a": 1}}'), null);
});

test('engine responses: every bad file gives the message of mdsd batch', async () => {
  const { p, q, chosen } = texts(6, 7);
  const good = (dists) => JSON.stringify(shapes.chat(dists, chosen, 3));
  const edited = (edit) => { const response = JSON.parse(good(q)); edit(response); return `${good(q)}\n${JSON.stringify(response)}\n`; };
  const content = (response) => response.choices[0].logprobs.content;
  const other = [...chosen];
  other[3] = (other[3] + 1) % vocab;
  const files = {
    't.jsonl': `${good(p)}\n${good(p)}\n`,
    'other.jsonl': `${good(q)}\n${JSON.stringify(shapes.chat(q, other, 3))}\n`,
    'none.jsonl': edited((r) => { r.choices[0].logprobs = null; }),
    'empty.jsonl': edited((r) => { content(r)[3].top_logprobs = []; }),
    'shorter.jsonl': edited((r) => { content(r).pop(); }),
    'one.jsonl': `${good(q)}\n`,
    'twice.jsonl': edited((r) => { content(r)[2].top_logprobs[1].token = content(r)[2].top_logprobs[0].token; }),
    'positive.jsonl': edited((r) => { content(r)[1].top_logprobs[0].logprob = 0.5; }),
    'unknown.jsonl': `${good(q)}\n{"hello": 1}\n`,
    'array.jsonl': `${good(q)}\n[1, 2]\n`,
    'noids.jsonl': `${good(q)}\n{"prompt_logprobs": [null, {"3": -0.5}]}\n`,
    'dup.jsonl': `${good(q)}\n{"choices": [{"logprobs": {"tokens": ["a", "b"], "token_logprobs": [null, -1.0], "top_logprobs": [null, {"b": -1.0, "b": -0.5}]}}]}\n`,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(at(name), text);
  for (const draft of Object.keys(files).filter((name) => name !== 't.jsonl')) {
    const expected = runCli(['--drafts', '2', 't.jsonl', draft]);
    assert.equal(expected.status, 2, `${draft}: ${expected.message}`);
    const page = await runPage('t.jsonl', draft, { drafts: 2 });
    assert.equal(page.status, 2, draft);
    if (draft === 'dup.jsonl') {
      // The parsers word where a key repeats in their own way.
      assert.match(expected.message, /^d?u?p?\.?jsonl?:?2?.*given twice/);
      assert.match(page.message, /^dup\.jsonl line 2: .*given twice/);
      continue;
    }
    assert.equal(page.message, asPage(expected.message), draft);
  }
});
