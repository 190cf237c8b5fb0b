// What the page is made of: the files of web/ it loads, and uPlot from
// node_modules, vendored (minified by esbuild) so that the page never asks a
// CDN. serve.mjs serves these; build-site.mjs writes them to one folder.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const webRoot = fileURLToPath(new URL('.', import.meta.url));
const modules = fileURLToPath(new URL('../node_modules/', import.meta.url));

/** Files copied as they are, relative to web/. */
export const siteFiles = [
  'index.html', 'style.css', 'app.mjs', 'charts.mjs', 'inputs.mjs', 'worker.mjs', 'mdsd.mjs',
  'embed.mjs', 'terms.mjs', 'export.mjs', 'dataset.mjs', 'dataset-worker.mjs', 'dataset-files.mjs', 'examples/builtin.json', 'generated/mdsd-core.mjs',
];

let vendored = null;

/** The vendored files, path -> bytes (computed once per process). */
export function vendorFiles() {
  vendored ??= (async () => {
    const { transform } = await import('esbuild');
    const source = await readFile(`${modules}uplot/dist/uPlot.esm.js`, 'utf8');
    const { code } = await transform(source, { minify: true, format: 'esm', target: 'es2020', legalComments: 'inline' });
    return new Map([
      ['vendor/uPlot.mjs', Buffer.from(code)],
      ['vendor/uPlot.min.css', await readFile(`${modules}uplot/dist/uPlot.min.css`)],
      ['vendor/uPlot.LICENSE.txt', await readFile(`${modules}uplot/LICENSE`)],
    ]);
  })();
  return vendored;
}
