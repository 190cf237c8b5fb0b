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

export function startServer({ port = 8080, host = '127.0.0.1', root = webRoot, base = '/', extraFiles = {} } = {}) {
  const rootDir = normalize(`${root}${sep}`);
  const serveVendor = rootDir === normalize(webRoot);
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    const send = (body, name) => {
      response.writeHead(200, {
        'content-type': types[extname(name)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        // The <mdsd-calculator> element may be embedded in pages of other origins.
        'access-control-allow-origin': '*',
      });
      response.end(body);
    };
    if (path in extraFiles) return send(extraFiles[path], path.endsWith('/') ? 'index.html' : path);
    if (!path.startsWith(base)) return response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const relative = path.slice(base.length);
    if (serveVendor && relative.startsWith('vendor/')) {
      const body = (await vendorFiles()).get(relative);
      return body ? send(body, relative) : response.writeHead(404).end('not found');
    }
    const file = normalize(join(rootDir, relative === '' || relative.endsWith('/') ? `${relative}index.html` : relative));
    if (!file.startsWith(rootDir) || file.split(sep).includes('node_modules')) {
      return response.writeHead(403).end('forbidden');
    }
    try {
      send(await readFile(file), file);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  await vendorFiles();
  const server = await startServer({ port });
  const { port: actual } = server.address();
  console.log(`MDSD calculator: http://127.0.0.1:${actual}/  (Ctrl-C to stop; static build: npm run build:site)`);
}
