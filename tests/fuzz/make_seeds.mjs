// Writes the generated seed corpora of the fuzz targets into OUT/{request,
// distribution,solve}: every line of tests/data/small.jsonl (without its
// "expected"), the README's request examples, and encodings of the same
// distributions for fuzz_distribution (format in fuzz_distribution.cpp).
// Usage: node tests/fuzz/make_seeds.mjs OUT
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const out = process.argv[2];
if (!out) throw new Error('usage: node tests/fuzz/make_seeds.mjs OUT');
const repo = fileURLToPath(new URL('../../', import.meta.url));
for (const target of ['request', 'distribution', 'solve', 'npy']) mkdirSync(`${out}/${target}`, { recursive: true });

const requests = [];
for (const line of readFileSync(`${repo}tests/data/small.jsonl`, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const { target, draft, drafts } = JSON.parse(line);
  requests.push({ target, draft, drafts });
}
const base = { target: [0.3, 0.4, 0.3], draft: [0.6, 0.3, 0.1], drafts: 2 };
requests.push(
  JSON.parse(readFileSync(`${repo}web/examples/builtin.json`, 'utf8')),
  { ...base, methods: ['with_replacement', 'without_replacement', 'greedy'], lp: true },
  { ...base, lp: { max_columns: 100 } },
  { ...base, lp: { inject_glpk_error: true } },
  { ...base, draft: { logits: [1, 2, '-Infinity'], temperature: 0.8, top_k: 2, top_p: 0.9 } },
  { ...base, target: { logits: [1e300, -1e300, '-Infinity'] } },
  { target: [1 / 3, 1 / 3, 1 / 3], draft_joint: [{ drafts: [0, 1], prob: 0.25 }, { drafts: [1, 0], prob: 0.25 }, { drafts: [2, 2], prob: 0.5 }] },
  { ...base, target: [5e-324, 1e-300, 1] },
  { ...base, verifiers: ['rrs_with_replacement', 'rrs_without_replacement', 'kseq', 'greedy', 'spechub'], simulate: { samples: 500, seed: 3 } },
  // Partial lists (README "Partial lists").
  { target: { ids: [0, 1, 2], probs: [0.5, 0.3, 0.15] }, draft: { ids: [0, 1, 3], logprobs: [-0.9, -0.9, -2.3] }, drafts: 2 },
  { target: { ids: [4, 1], logprobs: [-0.1, -3], temperature: 0.5, top_p: 0.9 }, draft: [0.1, 0.2, 0.3, 0.2, 0.2], drafts: 2, vocab: 5 },
  { target: { ids: [0, 7], logprobs: [-0.2, -2], unlisted: { at_most_logprob: -16 } }, draft: { ids: [7, 0], probs: [0.6, 0.3], unlisted: 'any', temperature: 2 }, drafts: 3, vocab: 9 },
);
const write = (dir, name, bytes) => writeFileSync(`${out}/${dir}/${name}`, bytes);
requests.forEach((request, i) => {
  const text = JSON.stringify(request);
  write('request', `case-${i}`, text);
  write('solve', `case-${i}`, text);
});

// fuzz_request with in-memory buffers: JSON, NUL, one byte (buffer count - 1), doubles.
const withBuffers = (json, arrays) => {
  const doubles = Float64Array.from(arrays.flat());
  return Buffer.concat([Buffer.from(JSON.stringify(json)), Buffer.from([0, arrays.length - 1]),
    Buffer.from(doubles.buffer)]);
};
write('request', 'buffers-2', withBuffers({ target: { $buffer: 0 }, draft: { $buffer: 1 }, drafts: 2 }, [[0.3, 0.4, 0.3], [0.6, 0.3, 0.1]]));
write('request', 'buffers-logits', withBuffers({ target: { logits: { $buffer: 0 }, top_k: 2 }, draft: { $buffer: 1 }, drafts: 1 }, [[1, 2, -Infinity], [NaN, 0.5, 0.5]]));

// fuzz_distribution: flags, [temperature], [top_k int64], [top_p], values.
const spec = ({ logits = false, temperature, top_k, top_p }, values) => {
  const parts = [Buffer.from([(logits ? 1 : 0) | (temperature !== undefined ? 2 : 0) |
    (top_k !== undefined ? 4 : 0) | (top_p !== undefined ? 8 : 0)])];
  if (temperature !== undefined) parts.push(Buffer.from(Float64Array.of(temperature).buffer));
  if (top_k !== undefined) parts.push(Buffer.from(BigInt64Array.of(BigInt(top_k)).buffer));
  if (top_p !== undefined) parts.push(Buffer.from(Float64Array.of(top_p).buffer));
  parts.push(Buffer.from(Float64Array.from(values).buffer));
  return Buffer.concat(parts);
};
requests.slice(0, 20).forEach((request, i) => {
  if (Array.isArray(request.target)) write('distribution', `weights-${i}`, spec({}, request.target));
});
const specials = [
  [{}, [5e-324, 1e-300, 0]], [{}, [1e300, 1e300]], [{}, [1e308, 1e308, 1e308]], [{}, [NaN, 1]],
  [{ logits: true }, [1e300, -1e300, -Infinity]], [{ logits: true, temperature: 1e-300 }, [0, 1, 2]],
  [{ logits: true, temperature: 1e300, top_k: 1 }, [1, 1, 1]], [{ logits: true, top_p: 0.5, top_k: 2 }, [3, 2, 1, 0]],
  [{ logits: true, temperature: 5e-324 }, [-Infinity, 0, 1e-320]], [{ logits: true, top_p: 1e-300 }, [0, 0]],
];
specials.forEach(([options, values], i) => write('distribution', `special-${i}`, spec(options, values)));

// .npy seeds: valid files of each dtype and version, and corrupt headers.
const npy = (descr, shape, data, version = 1, order = 'False') => {
  let header = `{'descr': '${descr}', 'fortran_order': ${order}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const lengthBytes = version === 1 ? 2 : 4;
  header += ' '.repeat((64 - ((8 + lengthBytes + header.length + 1) % 64)) % 64) + '\n';
  const length = Buffer.alloc(lengthBytes);
  if (version === 1) length.writeUInt16LE(header.length); else length.writeUInt32LE(header.length);
  return Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([version, 0]), length, Buffer.from(header, 'latin1'), data]);
};
write('npy', 'f4', npy('<f4', [2, 3], Buffer.from(Float32Array.of(1, 2, 3, 0.5, -1, 7).buffer)));
write('npy', 'f8-v2', npy('<f8', [1, 2], Buffer.from(Float64Array.of(0.25, 0.75).buffer), 2));
write('npy', 'f2', npy('<f2', [1, 4], Buffer.from(Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001).buffer)));
write('npy', 'big-endian', npy('>f4', [1, 2], Buffer.from([0x3f, 0x80, 0, 0, 0x40, 0, 0, 0])));
write('npy', 'truncated', npy('<f4', [3, 3], Buffer.from(Float32Array.of(1, 2).buffer)));
write('npy', 'fortran', npy('<f4', [1, 1], Buffer.from(Float32Array.of(1).buffer), 1, 'True'));
write('npy', 'huge-shape', npy('<f8', [2, 99999999999999], Buffer.alloc(16)));
// Long headers (version 2.0), so that the fuzzer mutates headers of tens of
// thousands of bytes from the start (run.sh's -max_len lets them grow).
write('npy', 'long-descr', npy('<' + 'f'.repeat(40000), [1, 2], Buffer.alloc(8), 2));
write('npy', 'long-shape', npy('<f4', Array(13500).fill(1), Buffer.alloc(4), 2));
{
  // A valid header padded past the first 64 KiB reader chunk of old: 70,000 bytes.
  const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }";
  const header = dict + ' '.repeat(70000 - dict.length - 1) + '\n';
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  write('npy', 'long-padding', Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([2, 0]), length,
    Buffer.from(header, 'latin1'), Buffer.from(Float32Array.of(0.5, 0.25).buffer)]));
}
