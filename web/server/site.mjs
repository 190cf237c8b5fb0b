// What the site is made of: web/index.html and every file under the site's
// folders of web/ (page/, embed/, package/, generated/, examples/), found by
// walking them, so that a file added, moved or renamed inside those folders
// needs no edit here; and uPlot from node_modules, vendored (minified by
// esbuild) so that the page never asks a CDN. serve.mjs serves these;
// build-site.mjs writes them to one folder. web/server/ (this folder) is not
// part of the site.
import { readFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** web/, the folder whose layout is the site's URL layout. */
export const webRoot = fileURLToPath(new URL('../', import.meta.url));
const modules = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/** The site's top-level files and folders (a folder ends in "/"), relative to web/. */
export const siteEntries = ['index.html', 'page/', 'embed/', 'package/', 'generated/', 'examples/'];

/**
 * Whether a path relative to web/ names a file of the site: one of its
 * top-level files, or a path under one of its folders with no hidden
 * segment (".git", ".DS_Store", an editor's ".foo.swp") and no editor backup
 * ("foo~").
 */
export function isSitePath(relative) {
  if (typeof relative !== 'string' || relative === '') return false;
  const segments = relative.split('/');
  if (segments.some((segment) => segment === '' || segment.startsWith('.') || segment.endsWith('~'))) return false;
  return siteEntries.some((entry) => (entry.endsWith('/') ? relative.startsWith(entry) : relative === entry));
}

/** The site's files, relative to web/, sorted: walked from the disk at each call. */
export function siteFiles() {
  const found = [];
  const walk = (relative) => {
    let entries;
    try {
      entries = readdirSync(`${webRoot}${relative}`, { withFileTypes: true });
    } catch {
      return;  // a folder not there (generated/ before the first build)
    }
    for (const entry of entries) {
      const path = `${relative}${entry.name}`;
      if (entry.isDirectory()) walk(`${path}/`);
      else if (entry.isFile() && isSitePath(path)) found.push(path);
    }
  };
  for (const entry of siteEntries) {
    if (entry.endsWith('/')) walk(entry);
    else if (isSitePath(entry)) found.push(entry);
  }
  return found.sort();
}

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
