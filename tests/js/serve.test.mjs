// web/server/serve.mjs (the README's start command) against hostile requests, sent
// raw over a socket so that nothing normalises them first: it answers every
// one, serves nothing outside web/, answers only GET and HEAD, and says
// "Access-Control-Allow-Origin" only for the files a cross-origin
// <mdsd-calculator> loads (web/embed/embed.mjs and what its worker imports).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { startServer, embedEntries, isEmbedFile } from '../../web/server/serve.mjs';
import { siteFiles } from '../../web/server/site.mjs';
import { repo } from './support.mjs';

let server, port;

before(async () => {
  server = await startServer({ port: 0 });
  port = server.address().port;
});

after(() => server?.close());

// Sends `text` as it is and reads until the server closes the connection.
// {status, headers, body} (status 0: closed without an answer).
function raw(text, { end = false } = {}) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks = [];
    socket.setTimeout(5000, () => reject(new Error(`no answer in 5 s to ${JSON.stringify(text.slice(0, 80))}`)));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});  // a reset after the answer is fine
    socket.on('close', () => {
      const response = Buffer.concat(chunks).toString('latin1');
      const split = response.indexOf('\r\n\r\n');
      const head = split < 0 ? response : response.slice(0, split);
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
      }));
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: split < 0 ? '' : response.slice(split + 4) });
    });
    // `end`: and no more, for a request left incomplete.
    if (end) socket.end(text, 'latin1');
    else socket.write(text, 'latin1');
  });
}
const request = (method, target, extra = '') => raw(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`);

async function stillServing() {
  const response = await request('GET', '/');
  assert.equal(response.status, 200);
  assert.match(response.body, /<title>/);
}

const packageJson = readFileSync(`${repo}package.json`, 'latin1');
const outside = [packageJson.slice(0, 60), readFileSync('/etc/passwd', 'latin1').slice(0, 20)];

test('malformed, traversing and oversized requests get a 4xx answer, and the server stays up', async () => {
  const targets = [
    '/%E0%A4%A', '/%', '/%zz', '/%E0%A4', '/%C0%AF', '/%FF', '/index.html%00', '/%00', '/a%00.mjs',
    '/../package.json', '/../../../../etc/passwd', '/%2e%2e/package.json', '/%2E%2E%2Fpackage.json',
    '/..%2fpackage.json', '/generated/..%2f..%2fpackage.json', '/.%2e/package.json', '/%2e%2e%5cpackage.json',
    '/..\\package.json', '//etc/passwd', '///etc/passwd', '/node_modules/uplot/package.json',
    '/vendor/../../package.json', '/vendor/%2e%2e/%2e%2e/package.json', '*', 'package.json',
    'http://127.0.0.1/../package.json', `/${'a'.repeat(100000)}`,
  ];
  for (const target of targets) {
    const response = await request('GET', target);
    assert.ok(response.status >= 400 && response.status < 500, `${target.slice(0, 60)}: ${response.status}`);
    for (const secret of outside) assert.ok(!response.body.includes(secret), `${target.slice(0, 60)} served a file outside web/`);
    await stillServing();
  }
  // The query is not the server's business, malformed or not.
  assert.equal((await request('GET', `/index.html?${'%'.repeat(5000)}`)).status, 200);
  // Not HTTP at all, a NUL in the request line, headers over Node's limit.
  for (const text of ['\x00\x01\x02garbage\r\n\r\n', 'GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n', 'GET / HTTP/1.1\r\n',
    `GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${'b'.repeat(100000)}\r\n\r\n`, 'GET / HTTP/9.9\r\n\r\n']) {
    const response = await raw(text, { end: true });
    assert.ok(response.status === 0 || (response.status >= 400 && response.status < 600), `${JSON.stringify(text.slice(0, 40))}: ${response.status}`);
    await stillServing();
  }
});

test('only GET and HEAD are answered; other methods get 405 with Allow', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'CONNECT']) {
    const target = method === 'CONNECT' ? '127.0.0.1:1' : '/index.html';
    const response = await request(method, target, 'Content-Length: 0\r\n');
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.allow, 'GET, HEAD', method);
    await stillServing();
  }
  // A GET asking to switch protocols is not one this server speaks.
  const upgrade = await request('GET', '/', 'Upgrade: websocket\r\nConnection: Upgrade\r\n');
  assert.equal(upgrade.status, 405);
  await stillServing();
  const get = await request('GET', '/index.html');
  const head = await request('HEAD', '/index.html');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body, 'latin1')));
  assert.equal(head.headers['content-type'], get.headers['content-type']);
});

// The files a cross-origin embed loads, found from the sources:
// embed/embed.mjs, the worker it starts (new URL('page/worker.mjs', site),
// site being embed/'s parent) and every static import from there on.
function embedClosure() {
  const embed = readFileSync(`${repo}web/embed/embed.mjs`, 'utf8');
  assert.match(embed, /const site = new URL\('\.\.\/', import\.meta\.url\)/);
  assert.match(embed, /new URL\('page\/worker\.mjs', site\)/);
  const found = new Set();
  const visit = (file) => {
    if (found.has(file)) return;
    found.add(file);
    const source = readFileSync(`${repo}web/${file}`, 'utf8');
    for (const [, target] of source.matchAll(/^import\s[^'"]*['"](\.\.?\/[^'"]+)['"]/gm)) {
      visit(new URL(target, `http://x/${file}`).pathname.slice(1));
    }
    // The modules the worker imports on demand, and the .wasm each fetches beside it.
    for (const [, target] of source.matchAll(/import\('(\.\.?\/[^']+)'\)/g)) {
      visit(new URL(target, `http://x/${file}`).pathname.slice(1));
    }
    if (/^generated\/web\/[\w-]+\.mjs$/.test(file)) found.add(file.replace(/\.mjs$/, '.wasm'));
  };
  visit('embed/embed.mjs');
  visit('page/worker.mjs');
  return found;
}

test('CORS headers go with the embed\'s folders (embed/, package/, generated/) and the worker\'s files of page/, and no other file', async () => {
  const needed = embedClosure();
  const files = siteFiles();
  for (const file of needed) assert.ok(isEmbedFile(file) && files.includes(file), `${file}: loaded by a cross-origin embed`);
  // Every entry of the CORS set is needed by the embed (no folder or file there for nothing).
  for (const entry of embedEntries) assert.ok([...needed].some((file) => file === entry || (entry.endsWith('/') && file.startsWith(entry))), entry);
  const workerFiles = ['page/worker.mjs', 'page/first-numbers.mjs', 'page/worker-core.mjs'];
  const expected = (file) => ['embed/', 'package/', 'generated/'].some((folder) => file.startsWith(folder)) || workerFiles.includes(file);
  assert.ok(files.some((file) => file.startsWith('page/') && !workerFiles.includes(file)), 'page/ has other files');
  for (const file of files) {
    const response = await request('GET', `/${file}`);
    assert.equal(response.status, 200, file);
    assert.equal(response.headers['access-control-allow-origin'], expected(file) ? '*' : undefined, file);
  }
  for (const path of ['/', '/vendor/uPlot.mjs', '/no-such-file.mjs']) {
    assert.equal((await request('GET', path)).headers['access-control-allow-origin'], undefined, path);
  }
});

// The site's files are found by walking web/'s site folders: every file the
// page and the embed load is among them, and nothing of web/server/.
test('the site is web/index.html and the files under page/, embed/, package/, generated/, examples/', async () => {
  const files = siteFiles();
  for (const file of ['index.html', 'page/app.mjs', 'page/worker.mjs', 'page/style.css', 'embed/embed.mjs', 'package/mdsd.mjs', 'package/mdsd.d.ts',
    'generated/mdsd-core.mjs', 'generated/mdsd-glpk.mjs', 'generated/web/mdsd-core.mjs', 'generated/web/mdsd-core.wasm',
    'generated/web/mdsd-glpk.mjs', 'generated/web/mdsd-glpk.wasm', 'examples/builtin.json']) {
    assert.ok(files.includes(file), file);
  }
  assert.ok(files.every((file) => /^(index\.html$|(page|embed|package|generated|examples)\/)/.test(file)), files.join(' '));
  // Every relative URL index.html and the page's modules load is a site file.
  const html = readFileSync(`${repo}web/index.html`, 'utf8');
  for (const [, url] of html.matchAll(/(?:src|href)="((?:page|embed|package|generated|examples)\/[^"#?]+)"/g)) assert.ok(files.includes(url), url);
  for (const file of files.filter((name) => name.endsWith('.mjs'))) {
    const source = readFileSync(`${repo}web/${file}`, 'utf8');
    for (const [, target] of source.matchAll(/^import\s[^'"]*['"](\.\.?\/[^'"]+)['"]/gm)) {
      const resolved = new URL(target, `http://x/${file}`).pathname.slice(1);
      assert.ok(files.includes(resolved) || resolved.startsWith('vendor/'), `${file} imports ${resolved}`);
    }
  }
  // The server's own files, hidden files and files outside the site folders are not served.
  for (const path of ['/server/serve.mjs', '/server/site.mjs', '/server/build-site.mjs', '/page/.hidden', '/package.json']) {
    assert.equal((await request('GET', path)).status, 404, path);
  }
});

// A raw GET with extra headers; the body as bytes.
function get(target, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: target, method, headers, agent: false }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

// Brotli is computed in the background at first (gzip is sent meanwhile):
// ask until it is there.
async function getBrotli(target) {
  for (let tries = 0; tries < 200; tries++) {
    const response = await get(target, { 'accept-encoding': 'gzip, deflate, br' });
    if (response.headers['content-encoding'] === 'br') return response;
    assert.equal(response.headers['content-encoding'], 'gzip', target);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${target}: never sent with brotli`);
}

// Text, and the WebAssembly the page fetches (sent compressed too).
const textFiles = ['/', '/index.html', '/page/app.mjs', '/page/style.css', '/generated/mdsd-core.mjs', '/generated/web/mdsd-core.mjs',
  '/generated/web/mdsd-core.wasm', '/generated/web/mdsd-glpk.wasm', '/vendor/uPlot.mjs', '/examples/builtin.json', '/package/mdsd.d.ts'];

test('gzip and brotli, negotiated by Accept-Encoding, decode to the same bytes as the file; Vary says so', async () => {
  for (const target of textFiles) {
    const plain = await get(target);
    assert.equal(plain.status, 200, target);
    assert.equal(plain.headers['content-encoding'], undefined, target);
    assert.equal(plain.headers.vary, 'Accept-Encoding', target);
    const name = target === '/' ? 'index.html' : target.slice(1);
    if (!name.startsWith('vendor/')) assert.ok(plain.body.equals(readFileSync(`${repo}web/${name}`)), target);
    // application/wasm: what WebAssembly.instantiateStreaming asks for.
    if (name.endsWith('.wasm')) assert.equal(plain.headers['content-type'], 'application/wasm', target);
    const gz = await get(target, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip', target);
    assert.equal(gz.headers.vary, 'Accept-Encoding', target);
    assert.equal(Number(gz.headers['content-length']), gz.body.length, target);
    assert.ok(gz.body.length < plain.body.length, target);
    assert.ok(gunzipSync(gz.body).equals(plain.body), `${target}: gzip decodes to the file`);
    const br = await getBrotli(target);
    assert.equal(br.headers.vary, 'Accept-Encoding', target);
    assert.ok(br.body.length <= gz.body.length, target);
    assert.ok(brotliDecompressSync(br.body).equals(plain.body), `${target}: brotli decodes to the file`);
    // One ETag per representation, each strong.
    const tags = [plain, gz, br].map((response) => response.headers.etag);
    assert.equal(new Set(tags).size, 3, target);
    for (const tag of tags) assert.match(tag, /^"[^"]+"$/, target);
  }
  // q-values: gzip preferred by weight, br refused by q=0, nothing acceptable but identity.
  const target = '/page/app.mjs';
  assert.equal((await get(target, { 'accept-encoding': 'br;q=0.5, gzip;q=1' })).headers['content-encoding'], 'gzip');
  assert.equal((await get(target, { 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding'], 'gzip');
  assert.equal((await get(target, { 'accept-encoding': 'gzip;q=0, br;q=0' })).headers['content-encoding'], undefined);
  assert.equal((await get(target, { 'accept-encoding': 'identity' })).headers['content-encoding'], undefined);
  assert.equal((await get(target, { 'accept-encoding': 'deflate, zstd' })).headers['content-encoding'], undefined);
  assert.equal((await get(target, { 'accept-encoding': '*' })).headers['content-encoding'], 'br');
  // The compressed bytes are computed once and kept: the same bytes again.
  const first = await get(target, { 'accept-encoding': 'gzip' });
  const second = await get(target, { 'accept-encoding': 'gzip' });
  assert.ok(first.body.equals(second.body));
});

test('validators: strong ETag and Last-Modified, 304 on If-None-Match and If-Modified-Since', async () => {
  for (const target of [...textFiles, '/page/worker.mjs']) {
    for (const encoding of [undefined, 'gzip', 'br']) {
      const first = encoding === 'br' ? await getBrotli(target) : await get(target, encoding ? { 'accept-encoding': encoding } : {});
      const { etag } = first.headers;
      const lastModified = first.headers['last-modified'];
      assert.equal(first.headers['cache-control'], 'no-cache', target);
      assert.ok(etag && !etag.startsWith('W/'), `${target}: strong ETag`);
      assert.ok(Number.isFinite(Date.parse(lastModified)), target);
      const ask = encoding ? { 'accept-encoding': encoding } : {};
      const again = await get(target, { ...ask, 'if-none-match': etag });
      assert.equal(again.status, 304, `${target} ${encoding}`);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers.etag, etag);
      assert.equal(again.headers.vary, 'Accept-Encoding');
      assert.equal(again.headers['cache-control'], 'no-cache');
      assert.equal(again.headers['access-control-allow-origin'], first.headers['access-control-allow-origin']);
      // A list, a weak form of the tag, and '*' match too.
      assert.equal((await get(target, { ...ask, 'if-none-match': `"nope", W/${etag}` })).status, 304);
      assert.equal((await get(target, { ...ask, 'if-none-match': '*' })).status, 304);
      assert.equal((await get(target, { ...ask, 'if-modified-since': lastModified })).status, 304);
      assert.equal((await get(target, { ...ask, 'if-modified-since': new Date(Date.parse(lastModified) + 3600e3).toUTCString() })).status, 304);
      // Changed (another tag, an older date, a bad date) or If-None-Match failing (it wins over the date): the file.
      for (const headers of [{ 'if-none-match': '"other"' }, { 'if-modified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() },
        { 'if-modified-since': 'yesterday' }, { 'if-none-match': '"other"', 'if-modified-since': lastModified }]) {
        const response = await get(target, { ...ask, ...headers });
        assert.equal(response.status, 200, `${target} ${JSON.stringify(headers)}`);
        assert.ok(response.body.equals(first.body), target);
      }
    }
  }
});

test('a file changed on disk gets new validators and its new bytes', async () => {
  const { mkdtempSync, writeFileSync, utimesSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const root = mkdtempSync(`${tmpdir()}/mdsd-serve-`);
  writeFileSync(`${root}/index.html`, '<!doctype html><title>one</title>'.repeat(50));
  const other = await startServer({ port: 0, root });
  try {
    const at = (path, headers = {}) => new Promise((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: other.address().port, path, headers, agent: false }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject).end();
    });
    const first = await at('/', { 'accept-encoding': 'gzip' });
    assert.match(gunzipSync(first.body).toString(), /one/);
    writeFileSync(`${root}/index.html`, '<!doctype html><title>two</title>'.repeat(50));
    utimesSync(`${root}/index.html`, new Date(), new Date(Date.now() + 5000));
    const second = await at('/', { 'accept-encoding': 'gzip', 'if-none-match': first.headers.etag });
    assert.equal(second.status, 200);
    assert.notEqual(second.headers.etag, first.headers.etag);
    assert.match(gunzipSync(second.body).toString(), /two/);
    // A built site serves what is in its folder, hidden files excepted.
    writeFileSync(`${root}/.secret`, 'x');
    assert.equal((await at('/.secret')).status, 404);
  } finally {
    other.close();
  }
});

test('HEAD is GET without the body; single byte ranges of the file (206, 416, If-Range)', async () => {
  for (const encoding of [undefined, 'gzip']) {
    const headers = encoding ? { 'accept-encoding': encoding } : {};
    const full = await get('/page/app.mjs', headers);
    const head = await get('/page/app.mjs', headers, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    for (const name of ['content-length', 'content-type', 'content-encoding', 'etag', 'last-modified', 'vary', 'cache-control']) {
      assert.equal(head.headers[name], full.headers[name], name);
    }
    assert.equal((await get('/page/app.mjs', { ...headers, 'if-none-match': full.headers.etag }, 'HEAD')).status, 304);
  }
  const file = readFileSync(`${repo}web/index.html`);
  const size = file.length;
  const range = async (value, extra = {}) => get('/index.html', { range: value, 'accept-encoding': 'gzip, br', ...extra });
  for (const [value, start, end] of [['bytes=0-9', 0, 9], ['bytes=10-', 10, size - 1], ['bytes=-20', size - 20, size - 1], [`bytes=5-${size + 100}`, 5, size - 1]]) {
    const response = await range(value);
    assert.equal(response.status, 206, value);
    assert.equal(response.headers['content-range'], `bytes ${start}-${end}/${size}`, value);
    assert.equal(response.headers['content-encoding'], undefined, value);
    assert.ok(response.body.equals(file.subarray(start, end + 1)), value);
  }
  for (const value of [`bytes=${size}-`, 'bytes=-0']) {
    const response = await range(value);
    assert.equal(response.status, 416, value);
    assert.equal(response.headers['content-range'], `bytes */${size}`);
  }
  // Several ranges, another unit, nonsense: the whole file.
  for (const value of ['bytes=0-1,5-6', 'items=0-1', 'bytes=9-2', 'bytes=x']) {
    const response = await range(value, { 'accept-encoding': '' });
    assert.equal(response.status, 200, value);
    assert.ok(response.body.equals(file), value);
  }
  const { etag } = (await get('/index.html')).headers;
  assert.equal((await range('bytes=0-9', { 'if-range': etag })).status, 206);
  const stale = await range('bytes=0-9', { 'if-range': '"old"', 'accept-encoding': '' });
  assert.equal(stale.status, 200);
  assert.ok(stale.body.equals(file));
});

test('the security properties hold for conditional, compressed and range requests too', async () => {
  for (const target of ['/../package.json', '/%2e%2e/package.json', '/node_modules/uplot/package.json', '/vendor/../../package.json', '/server/serve.mjs']) {
    for (const extra of ['Accept-Encoding: gzip, br\r\n', 'If-None-Match: *\r\n', 'Range: bytes=0-10\r\n', 'If-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT\r\n']) {
      const response = await request('GET', target, extra);
      assert.ok(response.status >= 400 && response.status < 500, `${target} ${extra.trim()}: ${response.status}`);
      for (const secret of outside) assert.ok(!response.body.includes(secret), target);
    }
  }
  await stillServing();
});
