// Serves the calculator on localhost (the README's start command): the site's
// files of web/ (site.mjs: index.html and the folders page/, embed/,
// package/, generated/, examples/) plus uPlot vendored from node_modules.
// Static files only; the calculator itself runs in the visitor's browser.
//   startServer({port, host})                       web/ at /
//   startServer({root: 'build/site', base: '/x/'})  a built site under a subpath
//   extraFiles: {'/host.html': '<html>…'}           test pages on the same origin
//
// Each file is read once and kept in memory with its validators (a strong
// ETag from its SHA-256, Last-Modified from its mtime) until the file changes
// on disk (size, mtime or inode); a text file is compressed once per encoding
// (gzip -9, brotli 11) and the encoded bytes are kept beside it. Requests are
// answered with the encoding the client prefers (Accept-Encoding, with
// "Vary: Accept-Encoding"), 304 to a matching If-None-Match or a
// not-older If-Modified-Since, 206 to a single byte Range (of the unencoded
// file; If-Range honoured), and HEAD as GET without the body.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSitePath, siteFiles, vendorFiles, webRoot } from './site.mjs';

const types = {
  '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8', '.npy': 'application/octet-stream', '.csv': 'text/csv; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  // application/wasm lets the browser compile the module while it downloads.
  '.wasm': 'application/wasm',
};
// Worth compressing: text, and WebAssembly (about 40% of its bytes gzipped).
// (.npy test files are binary, and small.)
const compressible = new Set(['.html', '.mjs', '.js', '.css', '.json', '.svg', '.txt', '.csv', '.ts', '.wasm']);

// What <mdsd-calculator> loads when a page of another origin embeds it: the
// element itself (embed/), then (from a same-origin blob worker)
// page/worker.mjs and its imports (page/first-numbers.mjs; for a job the
// first module cannot answer, page/worker-core.mjs; package/, generated/). Module scripts and
// module imports across origins need CORS; no other file of the site is meant
// to be read by other origins, so no other file says it may be. Whole folders,
// so that a file added to them needs no edit here.
export const embedEntries = ['embed/', 'package/', 'generated/', 'page/worker.mjs', 'page/first-numbers.mjs', 'page/worker-core.mjs'];
export function isEmbedFile(relative) {
  return embedEntries.some((entry) => (entry.endsWith('/') ? relative.startsWith(entry) : relative === entry));
}

// Cache-Control: "no-cache" for every file, HTML or not: a browser keeps the
// file but asks again each time (If-None-Match), and the server answers 304
// with no body when it is unchanged, so an unchanged file is never downloaded
// twice. A max-age would be unsafe here: the file names are not content-hashed
// and the modules import each other by name, so a cached page/app.mjs still
// "fresh" next to a new index.html (or an old package/mdsd.mjs next to a new
// generated/mdsd-core.mjs) would run mismatched versions until it expired,
// and no URL change could break that cache. The cost is one conditional
// request per file per visit.
const cacheControl = 'no-cache';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);
const compressors = {
  br: (body) => brotli(body, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
  }),
  gzip: (body) => gzipped(body, { level: 9 }),
};

// key -> {stamp, entry: Promise<entry>}; one per file of the process, shared
// by every server it starts (the tests start many). Keys: the absolute path
// of a file, "vendor:<path>", "extra:<path>".
const cache = new Map();
const started = Date.now();

function makeEntry(body, modified, name) {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 32);
  const seconds = Math.floor(modified / 1000) * 1000;
  return {
    body, hash, etag: `"${hash}"`, modified: seconds, lastModified: new Date(seconds).toUTCString(),
    type: types[extname(name)] ?? 'application/octet-stream', compressible: compressible.has(extname(name)),
    codings: new Map(),  // coding -> {ready: undefined (pending) | null (identity is smaller) | Buffer, promise}
  };
}

function cached(key, stamp, load) {
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp) return hit.entry;
  const entry = load();
  cache.set(key, { stamp, entry });
  entry.catch(() => { if (cache.get(key)?.entry === entry) cache.delete(key); });
  return entry;
}

async function fileEntry(file) {
  const info = await stat(file);
  if (!info.isFile()) throw new Error('not a file');
  return cached(file, `${info.size}:${info.mtimeMs}:${info.ino}`, async () => makeEntry(await readFile(file), info.mtimeMs, file));
}

const vendorEntry = (relative, body) => cached(`vendor:${relative}`, body, async () => makeEntry(body, started, relative));

function encoding(entry, coding) {
  let slot = entry.codings.get(coding);
  if (!slot) {
    slot = { ready: undefined };
    slot.promise = compressors[coding](entry.body).then(
      (out) => { slot.ready = out.length < entry.body.length ? out : null; },
      () => { slot.ready = null; });
    entry.codings.set(coding, slot);
  }
  return slot;
}

// The codings a request's Accept-Encoding allows, best first (by q, then br
// before gzip); identity is always acceptable here.
export function acceptedCodings(header) {
  const weights = new Map();
  for (const part of String(header ?? '').split(',')) {
    const [name, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!name) continue;
    let q = 1;
    for (const parameter of parameters) {
      const match = /^q\s*=\s*([01](?:\.\d{0,3})?)$/.exec(parameter);
      if (match) q = Number(match[1]);
    }
    weights.set(name === 'x-gzip' ? 'gzip' : name, q);
  }
  const weight = (coding) => weights.get(coding) ?? weights.get('*') ?? 0;
  return ['br', 'gzip'].filter((coding) => weight(coding) > 0).sort((a, b) => weight(b) - weight(a));
}

// The representation to send: {coding, body, etag}. Brotli at quality 11
// takes about a second for generated/mdsd-core.mjs (gzip -9 a few tens of
// ms): until it is done the first visitors who also accept gzip get gzip,
// and brotli is computed in the background (main() below computes both for
// every file at start).
async function representation(entry, header) {
  const identity = { coding: null, body: entry.body, etag: entry.etag };
  if (!entry.compressible) return identity;
  const order = acceptedCodings(header);
  for (const [index, coding] of order.entries()) {
    const slot = encoding(entry, coding);
    if (slot.ready === undefined && coding === 'br' && index < order.length - 1) continue;
    await slot.promise;
    if (slot.ready) return { coding, body: slot.ready, etag: `"${entry.hash}-${coding}"` };
  }
  return identity;
}

/** Computes every encoding of every site file now (npm start does, so that the first visitor gets brotli). */
export async function precompress(root = webRoot) {
  const files = normalize(`${root}${sep}`) === normalize(webRoot) ? siteFiles() : [];
  const entries = files.map((relative) => fileEntry(join(root, relative)).catch(() => null));
  if (files.length) {
    for (const [relative, body] of await vendorFiles()) entries.push(vendorEntry(relative, body));
  }
  await Promise.all(entries.map(async (pending) => {
    const entry = await pending;
    if (entry?.compressible) await Promise.all(Object.keys(compressors).map((coding) => encoding(entry, coding).promise));
  }));
}

// The tag the client holds, if it names this content in any of its encodings
// (so a 304 can say that exactly that stored response is still good).
function matchingTag(header, entry) {
  const ours = new Set([entry.etag, ...Object.keys(compressors).map((coding) => `"${entry.hash}-${coding}"`)]);
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if (tag === '*') return entry.etag;
    const strong = tag.replace(/^W\//, '');  // If-None-Match compares weakly
    if (ours.has(strong)) return strong;
  }
  return null;
}

// A single "bytes=" range of a body of `size` bytes: {start, end} (inclusive),
// 'unsatisfiable', or null (ignore the header: several ranges, another unit,
// or malformed; then the whole file is sent, as RFC 9110 allows).
function byteRange(header, size) {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

export function startServer({ port = 8080, host = '127.0.0.1', root = webRoot, base = '/', extraFiles = {} } = {}) {
  const rootDir = normalize(`${root}${sep}`);
  const isWeb = rootDir === normalize(webRoot);
  const server = createServer((request, response) => {
    // Whatever the request, the server answers it and stays up.
    answer(request, response).catch(() => {
      if (!response.headersSent) fail(response, 500, 'internal error');
      else response.destroy();
    });
  });

  const fail = (response, status, text, headers = {}) => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
    response.end(`${text}\n`);
  };

  async function send(request, response, entry, relative = null) {
    const headers = {
      'content-type': entry.type,
      'cache-control': cacheControl,
      etag: entry.etag,
      'last-modified': entry.lastModified,
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
    };
    if (entry.compressible) headers.vary = 'Accept-Encoding';
    if (relative !== null && isEmbedFile(relative)) headers['access-control-allow-origin'] = '*';
    // Conditional requests: If-None-Match wins over If-Modified-Since.
    const noneMatch = request.headers['if-none-match'];
    const modifiedSince = request.headers['if-modified-since'];
    let fresh = false;
    if (noneMatch !== undefined) {
      const tag = matchingTag(noneMatch, entry);
      if (tag !== null) { fresh = true; headers.etag = tag; }
    } else if (modifiedSince !== undefined) {
      const since = Date.parse(modifiedSince);
      fresh = Number.isFinite(since) && entry.modified <= since;
    }
    if (fresh) {
      response.writeHead(304, headers);
      return response.end();
    }
    // A range is of the unencoded file, and only if If-Range (when given)
    // still names it.
    const rangeHeader = request.headers.range;
    if (rangeHeader !== undefined) {
      const ifRange = request.headers['if-range']?.trim();
      const current = ifRange === undefined || ifRange === entry.etag || ifRange === entry.lastModified;
      const range = current ? byteRange(rangeHeader, entry.body.length) : null;
      if (range === 'unsatisfiable') {
        return fail(response, 416, 'range not satisfiable', { 'content-range': `bytes */${entry.body.length}`, 'accept-ranges': 'bytes' });
      }
      if (range !== null) {
        const part = entry.body.subarray(range.start, range.end + 1);
        response.writeHead(206, { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${entry.body.length}`, 'content-length': part.length });
        return response.end(part);
      }
    }
    const chosen = await representation(entry, request.headers['accept-encoding']);
    headers.etag = chosen.etag;
    if (chosen.coding) headers['content-encoding'] = chosen.coding;
    headers['content-length'] = chosen.body.length;
    response.writeHead(200, headers);
    response.end(chosen.body);  // not sent for HEAD (Node drops it)
  }

  async function answer(request, response) {
    // Static files: nothing to post, put or delete.
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return fail(response, 405, 'method not allowed', { allow: 'GET, HEAD' });
    }
    const path = pathOf(request.url);
    if (path === null) return fail(response, 400, 'bad request');
    if (Object.hasOwn(extraFiles, path)) {
      const body = extraFiles[path];
      const entry = await cached(`extra:${path}`, body, async () => makeEntry(typeof body === 'string' ? Buffer.from(body) : body, started, path.endsWith('/') ? 'index.html' : path));
      return send(request, response, entry);
    }
    if (!path.startsWith(base)) return fail(response, 404, 'not found');
    const relative = path.slice(base.length);
    if (isWeb && relative.startsWith('vendor/')) {
      const body = (await vendorFiles()).get(relative);
      if (!body) return fail(response, 404, 'not found');
      return send(request, response, await vendorEntry(relative, body), relative);
    }
    const name = relative === '' || relative.endsWith('/') ? `${relative}index.html` : relative;
    const file = normalize(join(rootDir, name));
    if (!file.startsWith(rootDir) || file.split(sep).includes('node_modules')) return fail(response, 403, 'forbidden');
    // From web/, only the site's files (not web/server/, not a hidden file).
    if (isWeb && !isSitePath(name)) return fail(response, 404, 'not found');
    if (name.split('/').some((segment) => segment.startsWith('.'))) return fail(response, 404, 'not found');
    let entry;
    try {
      entry = await fileEntry(file);
    } catch {
      return fail(response, 404, 'not found');
    }
    return send(request, response, entry, name);
  }

  // CONNECT and Upgrade requests bypass the handler: refuse them the same way.
  const refuse = (request, socket) => {
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nallow: GET, HEAD\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  };
  server.on('connect', refuse);
  server.on('upgrade', refuse);
  // A malformed request line or oversized headers never reach the handler:
  // Node reports them here; answer 400 (431 for headers) and close.
  server.on('clientError', (error, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

// The decoded path of a request target, or null when it is not one this
// server can serve: not origin-form ("/..."), a bad percent-encoding, a NUL
// byte, or a ".." segment (before or after decoding: %2e%2e is "..").
function pathOf(target) {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//')) return null;
  const raw = target.replace(/[?#].*$/s, '');
  let path;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path.split('/').some((segment) => segment === '..' || segment === '.')) return null;
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  await vendorFiles();
  const server = await startServer({ port });
  const { port: actual } = server.address();
  console.log(`MDSD calculator: http://127.0.0.1:${actual}/  (Ctrl-C to stop; static build: npm run build:site)`);
  precompress().catch(() => {});
}
