// Serves the calculator on localhost (the README's start command): the files
// of web/ plus uPlot vendored from node_modules (site.mjs). Static files only;
// the calculator itself runs in the visitor's browser.
//   startServer({port, host})                       web/ at /
//   startServer({root: 'build/site', base: '/x/'})  a built site under a subpath
//   extraFiles: {'/host.html': '<html>…'}           test pages on the same origin
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webRoot, vendorFiles } from './site.mjs';

const types = {
  '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8', '.npy': 'application/octet-stream', '.csv': 'text/csv; charset=utf-8',
};

// What <mdsd-calculator> loads when a page of another origin embeds it: the
// element itself, then (from a same-origin blob worker) worker.mjs and its
// imports. Module scripts and module imports across origins need CORS; no
// other file of the site is meant to be read by other origins, so no other
// file says it may be.
export const embedFiles = new Set(['embed.mjs', 'worker.mjs', 'mdsd.mjs', 'generated/mdsd-core.mjs']);

export function startServer({ port = 8080, host = '127.0.0.1', root = webRoot, base = '/', extraFiles = {} } = {}) {
  const rootDir = normalize(`${root}${sep}`);
  const serveVendor = rootDir === normalize(webRoot);
  const server = createServer((request, response) => {
    // Whatever the request, the server answers it and stays up.
    answer(request, response).catch(() => {
      if (!response.headersSent) fail(response, 500, 'internal error');
      else response.destroy();
    });
  });

  const fail = (response, status, text, headers = {}) => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    response.end(`${text}\n`);
  };

  async function answer(request, response) {
    // Static files: nothing to post, put or delete.
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return fail(response, 405, 'method not allowed', { allow: 'GET, HEAD' });
    }
    const path = pathOf(request.url);
    if (path === null) return fail(response, 400, 'bad request');
    const send = (body, name, relative = null) => {
      const headers = {
        'content-type': types[extname(name)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      };
      if (relative !== null && embedFiles.has(relative)) headers['access-control-allow-origin'] = '*';
      response.writeHead(200, headers);
      response.end(body);
    };
    if (Object.hasOwn(extraFiles, path)) {
      const body = extraFiles[path];
      return send(typeof body === 'string' ? Buffer.from(body) : body, path.endsWith('/') ? 'index.html' : path);
    }
    if (!path.startsWith(base)) return fail(response, 404, 'not found');
    const relative = path.slice(base.length);
    if (serveVendor && relative.startsWith('vendor/')) {
      const body = (await vendorFiles()).get(relative);
      return body ? send(body, relative) : fail(response, 404, 'not found');
    }
    const name = relative === '' || relative.endsWith('/') ? `${relative}index.html` : relative;
    const file = normalize(join(rootDir, name));
    if (!file.startsWith(rootDir) || file.split(sep).includes('node_modules')) return fail(response, 403, 'forbidden');
    let body;
    try {
      body = await readFile(file);
    } catch {
      return fail(response, 404, 'not found');
    }
    send(body, file, name);
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
}
