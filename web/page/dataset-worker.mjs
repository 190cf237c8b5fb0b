// Dataset mode off the page's main thread: reads the files a chunk of rows
// (or lines) at a time with File.slice, feeds calculator.createBatch one
// position at a time, and posts progress, then the summary.
//
// In:  {type: "run", id, settings, source} where source is
//      {kind: "npy", target: File, draft: File, values: "logits" | "probabilities" | ""}
//      (a pair of files, recognised by content as `mdsd batch` does: .npy,
//      llama.cpp logits or JSON Lines of engine responses; `values` is for .npy),
//      {kind: "jsonl", file: File} or {kind: "demo", positions, vocab}.
// Out: {id, type: "progress", done, total, fraction}
//      {id, type: "summary", summary, positions, perPositionNote, ms}   only for a complete run;
//                                                        positions null (and the note why) past the
//                                                        per-position limit
//      {id, type: "error", message, field}               nothing else follows
// Cancel is the page terminating this worker: no partial summary exists.
import { load, MdsdInputError } from '../package/mdsd.mjs';
import {
  DatasetError, parseNpyHeader, checkNpySize, checkSameShape, npyRow, parseJsonLine, LineSplitter,
  sniffFormat, pairFormat, openLlamaPair, responsePairPositions,
} from './dataset-files.mjs';

// The page's modules, as in worker.mjs (dataset mode never asks for GLPK).
const pageModules = {
  core: () => import('../generated/web/mdsd-core.mjs'),
  glpk: () => import('../generated/web/mdsd-glpk.mjs'),
};
const calculator = load({ modules: pageModules });
// About this many bytes of each file are read at a time.
const chunkBytes = 8 << 20;
const progressEvery = 150;  // ms

async function readHeader(file) {
  let bytes = new Uint8Array(await file.slice(0, Math.min(file.size, 4096)).arrayBuffer());
  let header = parseNpyHeader(bytes, file.name);
  if (header.needBytes) {
    if (header.needBytes > file.size) throw new DatasetError(`${file.name}: truncated header`);
    bytes = new Uint8Array(await file.slice(0, header.needBytes).arrayBuffer());
    header = parseNpyHeader(bytes, file.name);
  }
  checkNpySize(header, file.size, file.name);
  return header;
}

// The core names the position it counted ("position 7: target.logits[3]: ...");
// the person needs the file and the row.
function rename(error, where) {
  if (!(error?.name === 'MdsdInputError')) throw error;
  return new DatasetError(`${where(error.message)}: ${error.message.replace(/^position \d+: /, '')}`);
}

function reporter(id, total) {
  let last = 0;
  return (done, fraction, force = false) => {
    const now = performance.now();
    if (!force && now - last < progressEvery) return;
    last = now;
    self.postMessage({ id, type: 'progress', done, total, fraction: fraction ?? (total ? done / total : null) });
  };
}

async function runNpy(id, batch, { target, draft, values }) {
  const targetHeader = await readHeader(target);
  const draftHeader = await readHeader(draft);
  checkSameShape(targetHeader, draftHeader, target.name, draft.name);
  const { rows } = targetHeader;
  const report = reporter(id, rows);
  report(0, 0, true);
  const rowsPerChunk = Math.max(1, Math.floor(chunkBytes / (targetHeader.columns * Math.max(targetHeader.itemSize, draftHeader.itemSize))));
  const read = (first) => {
    const count = Math.min(rowsPerChunk, rows - first);
    const slice = (file, header) => {
      const rowBytes = header.columns * header.itemSize;
      const start = header.dataOffset + first * rowBytes;
      return file.slice(start, start + count * rowBytes).arrayBuffer();
    };
    return Promise.all([slice(target, targetHeader), slice(draft, draftHeader)]).then(([t, d]) => ({ first, count, t, d }));
  };
  const logits = values === 'logits';
  let next = read(0);
  for (let first = 0; first < rows;) {
    const chunk = await next;
    // The next chunk is read while this one is computed.
    if (first + chunk.count < rows) next = read(first + chunk.count);
    for (let k = 0; k < chunk.count; k++) {
      const row = first + k;
      const t = npyRow(chunk.t, targetHeader, k);
      const d = npyRow(chunk.d, draftHeader, k);
      try {
        batch.add(logits ? { target: { logits: t }, draft: { logits: d } } : { target: t, draft: d });
      } catch (error) {
        throw rename(error, (message) => {
          const rest = message.replace(/^position \d+: /, '');
          if (rest.startsWith('target')) return `${target.name} row ${row}`;
          if (rest.startsWith('draft')) return `${draft.name} row ${row}`;
          return `${target.name}, ${draft.name} row ${row}`;
        });
      }
      report(row + 1);
    }
    first += chunk.count;
  }
  return rows;
}

// A pair of llama.cpp logits files (llama-perplexity --kl-divergence-base).
async function runLlama(id, batch, { target, draft }) {
  const pair = await openLlamaPair(target, draft, chunkBytes);
  const report = reporter(id, pair.rows);
  report(0, 0, true);
  let done = 0;
  for await (const { position, where } of pair.positions) {
    try {
      batch.add(position);
    } catch (error) {
      throw rename(error, () => where);
    }
    report(++done);
  }
  return done;
}

// Two JSON Lines files of engine responses.
async function runResponses(id, batch, { target, draft }) {
  const report = reporter(id, null);
  let done = 0;
  for await (const { position, where, fraction } of responsePairPositions(target, draft, chunkBytes)) {
    try {
      batch.add(position);
    } catch (error) {
      throw rename(error, () => where);
    }
    report(++done, fraction);
  }
  return done;
}

// A pair of files: what they hold decides how they are read.
async function runPair(id, batch, source) {
  const first = async (file) => sniffFormat(new Uint8Array(await file.slice(0, 4096).arrayBuffer()));
  const format = pairFormat(await first(source.target), await first(source.draft), source.target.name, source.draft.name);
  if (format === 'llama') return runLlama(id, batch, source);
  if (format === 'responses') return runResponses(id, batch, source);
  if (!source.values) throw new DatasetError('Say whether the .npy rows hold logits or probabilities.', 'values');
  return runNpy(id, batch, source);
}

async function runJsonl(id, batch, { file }) {
  const report = reporter(id, null);
  const decoder = new TextDecoder('utf-8');
  const lines = new LineSplitter();
  let line = 0;
  let done = 0;
  const take = (text) => {
    line++;
    if (text.trim() === '') return;
    const position = parseJsonLine(text, file.name, line);
    try {
      batch.add(position);
    } catch (error) {
      throw rename(error, () => `${file.name} line ${line}`);
    }
    done++;
  };
  let next = file.size > 0 ? file.slice(0, Math.min(file.size, chunkBytes)).arrayBuffer() : null;
  for (let start = 0; start < file.size;) {
    const buffer = await next;
    const end = start + buffer.byteLength;
    next = end < file.size ? file.slice(end, Math.min(file.size, end + chunkBytes)).arrayBuffer() : null;
    for (const text of lines.push(decoder.decode(buffer, { stream: end < file.size }))) {
      take(text);
      report(done, start / file.size);
    }
    start = end;
    report(done, start / file.size);
  }
  for (const text of lines.finish()) take(text);
  if (done === 0) throw new DatasetError(`${file.name}: holds no positions`);
  return done;
}

function runDemo(id, batch, { positions, vocab }, core) {
  const report = reporter(id, positions);
  report(0, 0, true);
  for (let i = 0; i < positions; i++) {
    const { target, draft } = core.syntheticPair({ vocab, seed: i + 1 });
    // log p as logits: softmax(log p / T) is the synthetic pair at temperature T.
    for (const values of [target, draft]) for (let j = 0; j < vocab; j++) values[j] = Math.log(values[j]);
    batch.add({ target: { logits: target }, draft: { logits: draft } });
    report(i + 1);
  }
  return positions;
}

async function run(id, settings, source) {
  const core = await calculator;
  const started = performance.now();
  let batch;
  try {
    batch = core.createBatch(settings);
  } catch (error) {
    throw new DatasetError(error.message, 'settings');
  }
  try {
    const count = source.kind === 'npy' ? await runPair(id, batch, source)
      : source.kind === 'jsonl' ? await runJsonl(id, batch, source)
        : runDemo(id, batch, source, core);
    self.postMessage({ id, type: 'progress', done: count, total: count, fraction: 1 });
    // The per-position output has a memory limit of its own in WebAssembly
    // (README "Limits"); past it the summary still comes, without downloads.
    let summary, positions = null, perPositionNote = null;
    try {
      ({ summary, positions } = batch.summary({ perPosition: true }));
    } catch (error) {
      if (!(error instanceof MdsdInputError) || error.field !== 'batch') throw error;
      summary = batch.summary();
      perPositionNote = error.message;
    }
    if (summary.complete !== true || summary.positions !== count) {
      throw new DatasetError(`internal error: the summary counts ${summary.positions} positions, ${count} were read`);
    }
    self.postMessage({ id, type: 'summary', summary, positions, perPositionNote, ms: performance.now() - started });
  } finally {
    batch.dispose();
  }
}

self.onmessage = ({ data }) => {
  if (data.type !== 'run') return;
  run(data.id, data.settings, data.source).catch((error) => {
    const known = error instanceof DatasetError;
    self.postMessage({
      id: data.id, type: 'error', field: known ? error.field : 'file',
      message: known ? error.message : `internal error: ${error?.message ?? error}`,
    });
  });
};
