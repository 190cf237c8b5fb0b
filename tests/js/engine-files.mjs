// Engine files written by the tests (tests/js/dataset-engine-files.test.mjs,
// dataset-page-engine.test.mjs): llama.cpp logits files as llama-perplexity
// writes them (its float arithmetic emulated with Math.fround), and JSON
// Lines of engine responses in the engines' shapes, from full synthetic
// distributions.
import { random } from './support.mjs';

// ---- llama.cpp files, as llama-perplexity writes them ------------------------------

const f = Math.fround;
// llama.cpp's nearest_int(): round to nearest, ties to even.
const nearestInt = (x) => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
};

export function encodeRow(logits) {
  let max = logits[0], min = logits[0];
  for (const v of logits) { if (v > max) max = v; if (v < min) min = v; }
  min = Math.max(min, f(max - 16));
  let sum = 0;
  for (const v of logits) sum += f(Math.exp(f(v - max)));
  const logSumExp = f(Math.log(sum));
  const minLogProb = f(f(min - max) - logSumExp);
  const scale = f(f(max - min) / 65535);
  const values = new Uint16Array(logits.length);
  if (scale !== 0) {
    const inverse = f(1 / scale);
    logits.forEach((v, i) => { values[i] = v > min ? nearestInt(f(inverse * f(v - min))) : 0; });
  }
  return { scale, minLogProb, values };
}

export function llamaBytes({ nCtx, nVocab, nChunk, tokens, rows }) {
  const rowBytes = 8 + 4 * Math.floor((nVocab + 1) / 2);
  const out = Buffer.alloc(20 + 4 * tokens.length + rows.length * rowBytes);
  out.write('_logits_', 0, 'latin1');
  out.writeInt32LE(nCtx, 8);
  out.writeInt32LE(nVocab, 12);
  out.writeInt32LE(nChunk, 16);
  tokens.forEach((token, k) => out.writeInt32LE(token, 20 + 4 * k));
  rows.forEach((logits, r) => {
    const { scale, minLogProb, values } = encodeRow(logits);
    const offset = 20 + 4 * tokens.length + r * rowBytes;
    out.writeFloatLE(scale, offset);
    out.writeFloatLE(minLogProb, offset + 4);
    values.forEach((v, i) => out.writeUInt16LE(v, offset + 8 + 2 * i));
  });
  return out;
}

// A target and a draft run on one text; logits cut to [-limit, limit] (less
// than 16 nats across: stored unclamped) unless limit is 0.
export function llamaRuns({ nCtx, nVocab, nChunk, spread = 2, limit = 7.5, seed = 1 }) {
  const next = random(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const cut = (x) => (limit > 0 ? Math.min(limit, Math.max(-limit, x)) : x);
  const tokens = Array.from({ length: nCtx * nChunk }, () => Math.floor(next() * nVocab));
  const count = (nCtx - 1 - Math.floor(nCtx / 2)) * nChunk;
  const target = [], draft = [];
  for (let r = 0; r < count; r++) {
    const p = new Float32Array(nVocab), q = new Float32Array(nVocab);
    for (let i = 0; i < nVocab; i++) {
      const logit = spread * normal();
      p[i] = cut(logit);
      q[i] = cut(logit + 0.6 * spread * normal());
    }
    target.push(p);
    draft.push(q);
  }
  return [{ nCtx, nVocab, nChunk, tokens, rows: target }, { nCtx, nVocab, nChunk, tokens, rows: draft }];
}

// ---- engine responses ------------------------------------------------------------------

export const vocab = 30;
export const nameOf = (token) => ` w${token}`;

/** Full distributions for `count` positions and the text's tokens. */
export function texts(count, seed) {
  const next = random(seed);
  const softmax = (logits) => { const m = Math.max(...logits); const e = logits.map((l) => Math.exp(l - m)); const s = e.reduce((a, b) => a + b); return e.map((x) => x / s); };
  const p = [], q = [], chosen = [];
  for (let j = 0; j < count; j++) {
    const logits = Array.from({ length: vocab }, () => 4 * next());
    p.push(softmax(logits));
    q.push(softmax(logits.map((l) => l + 2 * next())));
    const order = [...p[j].keys()].sort((a, b) => p[j][b] - p[j][a]);
    chosen.push([order[0], order[2], order[5], Math.floor(next() * vocab)][j % 4]);
  }
  return { p, q, chosen };
}

const ranked = (dist) => [...dist.keys()].sort((a, b) => dist[b] - dist[a] || a - b);

export const shapes = {
  chat: (dists, chosen, k) => ({
    choices: [{ index: 0, logprobs: { content: dists.map((dist, j) => ({
      token: nameOf(chosen[j]), logprob: Math.log(dist[chosen[j]]), bytes: [...Buffer.from(nameOf(chosen[j]))],
      top_logprobs: ranked(dist).slice(0, k).map((t) => ({ token: nameOf(t), logprob: Math.log(dist[t]), bytes: [...Buffer.from(nameOf(t))] })),
    })) } }],
  }),
  completions: (dists, chosen, k) => ({
    choices: [{ index: 0, logprobs: {
      tokens: [nameOf(0), ...chosen.map(nameOf)],
      token_logprobs: [null, ...dists.map((dist, j) => Math.log(dist[chosen[j]]))],
      top_logprobs: [null, ...dists.map((dist, j) => Object.fromEntries([...ranked(dist).slice(0, k), chosen[j]].map((t) => [nameOf(t), Math.log(dist[t])])))],
      text_offset: [0, ...chosen.map((_, j) => 3 * j + 3)],
    } }],
  }),
  vllm: (dists, chosen, k) => ({
    prompt_token_ids: [0, ...chosen],
    prompt_logprobs: [null, ...dists.map((dist, j) => {
      const order = ranked(dist);
      const entry = (t) => [String(t), { logprob: Math.log(dist[t]), rank: order.indexOf(t) + 1, decoded_token: nameOf(t) }];
      return Object.fromEntries([entry(chosen[j]), ...order.slice(0, k).map(entry)]);
    })],
  }),
  sglang: (dists, chosen, k) => ({
    text: '...',
    meta_info: {
      input_token_logprobs: [[null, 0, null], ...dists.map((dist, j) => [Math.log(dist[chosen[j]]), chosen[j], nameOf(chosen[j])])],
      input_top_logprobs: [null, ...dists.map((dist) => ranked(dist).slice(0, k).map((t) => [Math.log(dist[t]), t, nameOf(t)]))],
    },
  }),
};

export function writeResponses(shape, k, lines, seed) {
  const target = [], draft = [];
  for (let line = 0; line < lines; line++) {
    const { p, q, chosen } = texts(8, seed + line);
    target.push(JSON.stringify(shapes[shape](p, chosen, k)));
    draft.push(JSON.stringify(shapes[shape](q, chosen, k)));
  }
  return [`${target.join('\n')}\n`, `${draft.join('\n\n')}\n`];
}

