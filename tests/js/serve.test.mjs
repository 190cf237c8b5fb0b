// web/serve.mjs (the README's start command) against hostile requests, sent
// raw over a socket so that nothing normalises them first: it answers every
// one, serves nothing outside web/, answers only GET and HEAD, and says
// "Access-Control-Allow-Origin" only for the files a cross-origin
// <mdsd-calculator> loads (web/embed.mjs and what its worker imports).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { startServer, embedFiles } from '../../web/serve.mjs';
import { siteFiles } from '../../web/site.mjs';
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

// The files a cross-origin embed loads, found from the sources: embed.mjs,
// the worker it starts (new URL('worker.mjs', base)) and every static
// import from there on.
function embedClosure() {
  const embed = readFileSync(`${repo}web/embed.mjs`, 'utf8');
  assert.match(embed, /new URL\('worker\.mjs', base\)/);
  const found = new Set();
  const visit = (file) => {
    if (found.has(file)) return;
    found.add(file);
    const source = readFileSync(`${repo}web/${file}`, 'utf8');
    for (const [, target] of source.matchAll(/^import\s[^'"]*['"](\.\/[^'"]+)['"]/gm)) {
      visit(new URL(target, `http://x/${file}`).pathname.slice(1));
    }
  };
  visit('embed.mjs');
  visit('worker.mjs');
  return found;
}

test('CORS headers go with exactly the files a cross-origin embed loads', async () => {
  const needed = embedClosure();
  assert.deepEqual([...needed].sort(), [...embedFiles].sort());
  for (const file of siteFiles) {
    const response = await request('GET', `/${file}`);
    assert.equal(response.status, 200, file);
    assert.equal(response.headers['access-control-allow-origin'], needed.has(file) ? '*' : undefined, file);
  }
  for (const path of ['/', '/vendor/uPlot.mjs', '/no-such-file.mjs']) {
    assert.equal((await request('GET', path)).headers['access-control-allow-origin'], undefined, path);
  }
});
