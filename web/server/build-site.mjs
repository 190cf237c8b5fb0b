// Writes the page as one self-contained folder for any static host, at any
// subpath, offline: every URL in it is relative and nothing comes from a CDN.
//   node web/server/build-site.mjs [OUT]     (default build/site; replaced each time)
// The files are site.mjs's: web/index.html, the site's folders of web/ as
// they are on disk, and the vendored uPlot.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteFiles, vendorFiles, webRoot } from './site.mjs';

export async function buildSite(out) {
  await rm(out, { recursive: true, force: true });
  for (const file of siteFiles()) {
    await mkdir(dirname(`${out}/${file}`), { recursive: true });
    await cp(`${webRoot}${file}`, `${out}/${file}`);
  }
  for (const [file, body] of await vendorFiles()) {
    await mkdir(dirname(`${out}/${file}`), { recursive: true });
    await writeFile(`${out}/${file}`, body);
  }
  await cp(fileURLToPath(new URL('../../LICENSE', import.meta.url)), `${out}/LICENSE.txt`).catch(() => {});
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? fileURLToPath(new URL('../../build/site', import.meta.url)));
  await buildSite(out);
  console.log(`site written to ${out}`);
}
