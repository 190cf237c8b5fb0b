// The site's layout is its source layout under web/ (README "Layout"): the
// page entry index.html, the page's modules in page/, the element in embed/,
// the npm package in package/, the module in generated/. The page's modules
// each do one job and say which; the worker reaches the package and nothing
// else of the page. In Chromium at desktop and phone width, every request the
// page and the element make is a file of that layout, and none fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { repo, openSite, closeSite } from './support.mjs';

let site;
const artifacts = `${repo}test-artifacts`;
before(async () => { site = await openSite(); });
after(() => closeSite(site));

const pageModules = readdirSync(`${repo}web/page`).filter((name) => name.endsWith('.mjs'));

test('web/ holds the page entry and one folder per part; package.json points into package/', () => {
  const top = readdirSync(`${repo}web`, { withFileTypes: true });
  assert.deepEqual(top.filter((entry) => entry.isFile()).map((entry) => entry.name), ['index.html']);
  for (const folder of ['page', 'embed', 'package', 'generated', 'examples']) assert.ok(existsSync(`${repo}web/${folder}`), folder);
  for (const file of ['page/style.css', 'page/app.mjs', 'page/inputs.mjs', 'page/terms.mjs', 'page/export.mjs', 'page/charts.mjs',
    'page/worker.mjs', 'page/dataset.mjs', 'page/dataset-worker.mjs', 'page/dataset-files.mjs', 'embed/embed.mjs',
    'package/mdsd.mjs', 'package/mdsd.d.ts']) {
    assert.ok(existsSync(`${repo}web/${file}`), file);
  }
  const manifest = JSON.parse(readFileSync(`${repo}package.json`, 'utf8'));
  assert.deepEqual(manifest.exports['.'], { types: './web/package/mdsd.d.ts', default: './web/package/mdsd.mjs' });
  assert.equal(manifest.types, './web/package/mdsd.d.ts');
  for (const file of ['web/package/mdsd.mjs', 'web/package/mdsd.d.ts', 'web/generated/mdsd-core.mjs', 'web/generated/mdsd-glpk.mjs']) {
    assert.ok(manifest.files.includes(file), file);
  }
  // The package's two modules, imported on demand (README "JavaScript API").
  const entry = readFileSync(`${repo}web/package/mdsd.mjs`, 'utf8');
  assert.match(entry, /^  core: \(\) => import\('\.\.\/generated\/mdsd-core\.mjs'\),$/m);
  assert.match(entry, /^  glpk: \(\) => import\('\.\.\/generated\/mdsd-glpk\.mjs'\),$/m);
  assert.doesNotMatch(entry, /^import /m);
});

test('the worker imports the first module\'s wrapper, the full calculator on demand; the modules with their .wasm on demand', () => {
  const importsOf = (name) => {
    const source = readFileSync(`${repo}web/page/${name}`, 'utf8');
    return {
      static: [...source.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)].map((match) => match[1]),
      dynamic: [...source.matchAll(/import\(([^)]*)\)/g)].map((match) => match[1]),
    };
  };
  // The first numbers: the small module, nothing of the package.
  assert.deepEqual(importsOf('worker.mjs'), { static: ['./first-numbers.mjs'], dynamic: ["'./worker-core.mjs'"] });
  assert.deepEqual(importsOf('first-numbers.mjs'), { static: [], dynamic: ["'../generated/web/mdsd-first.mjs'"] });
  // The full calculator: the package, its two modules on demand.
  assert.deepEqual(importsOf('worker-core.mjs'), {
    static: ['../package/mdsd.mjs'], dynamic: ["'../generated/web/mdsd-core.mjs'", "'../generated/web/mdsd-glpk.mjs'"],
  });
});

test('app.mjs is split by concern: each page module opens with what it is for, none is a second app.mjs', () => {
  for (const name of pageModules) {
    const source = readFileSync(`${repo}web/page/${name}`, 'utf8');
    assert.match(source, /^\/\/ \S/, `${name} opens with a comment saying what it does`);
  }
  const app = readFileSync(`${repo}web/page/app.mjs`, 'utf8');
  assert.ok(app.split('\n').length < 260, 'app.mjs only wires the parts');
  // The concerns the old app.mjs held, each in its own file now.
  for (const name of ['form.mjs', 'link.mjs', 'history.mjs', 'share.mjs', 'jobs.mjs', 'result-view.mjs', 'result-tables.mjs',
    'result-charts.mjs', 'progress.mjs', 'embed-dialog.mjs', 'compact-view.mjs', 'large-input.mjs', 'parse-worker.mjs']) {
    assert.ok(pageModules.includes(name), name);
  }
});

for (const [label, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
  test(`every request of the page and of the element is a file of the source layout (${label})`, async () => {
    const page = await site.browser.newPage();
    await page.setViewportSize(viewport);
    const requests = [];
    const failures = [];
    const problems = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    page.on('requestfailed', (request) => failures.push(request.url()));
    page.on('response', (response) => { if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`); });
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${site.origin}/#target=0.3,0.4,0.3&draft=0.6,0.3,0.1&drafts=2`);
    await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
    await page.locator('#progress').waitFor({ state: 'hidden', timeout: 60000 });
    await page.click('#embed');
    await page.locator('#embed-dialog[open]').waitFor();   // the dialog's module may load on this press
    const snippet = await page.inputValue('#embed-snippet');
    assert.ok(snippet.startsWith(`<script type="module" src="${site.origin}/embed/embed.mjs"></script>`), snippet);
    await page.keyboard.press('Escape');
    // The element, from its snippet, in a page of the same site.
    await page.evaluate((html) => {
      const host = document.createElement('div');
      document.body.prepend(host);
      const element = document.createRange().createContextualFragment(html);
      host.append(element);
    }, snippet);
    await page.locator('mdsd-calculator').scrollIntoViewIfNeeded();
    await page.locator('mdsd-calculator [data-testid="optimal.greedy.alpha"]').waitFor();
    await page.screenshot({ path: `${artifacts}/page-layout-${label}.png` });
    const allowed = /^\/(?:|index\.html|page\/[\w-]+\.(?:mjs|css)|embed\/[\w-]+\.mjs|package\/mdsd\.mjs|generated\/web\/mdsd-(?:first|core)\.(?:mjs|wasm)|vendor\/uPlot\.(?:mjs|min\.css)|examples\/builtin\.json)$/;
    const files = [...new Set(requests.filter((path) => !path.startsWith('data:')))];
    assert.deepEqual(files.filter((path) => !allowed.test(path)), [], 'requests outside the layout');
    for (const path of ['/page/app.mjs', '/page/style.css', '/page/worker.mjs', '/generated/web/mdsd-first.wasm', '/package/mdsd.mjs',
      '/generated/web/mdsd-core.mjs', '/generated/web/mdsd-core.wasm', '/embed/embed.mjs']) {
      assert.ok(files.includes(path), `${path} was loaded`);
    }
    for (const path of files.filter((file) => file.startsWith('/page/'))) {
      assert.ok(existsSync(`${repo}web${path}`), `${path} is web${path}`);
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(problems, []);
    await page.close();
  });
}
