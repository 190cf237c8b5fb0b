// An accessibility audit by axe-core (npm, devDependency; its axe.min.js
// injected from node_modules with addScriptTag, nothing from the network) of
// the page in its fullest state (a computation's results and charts, the
// charts' data tables open, the Dataset panel with a sweep computed, the Draft trees panel, a term's
// popover open) and of <mdsd-calculator> in a host page (axe reads its open
// shadow root), at 1280x800 and 390x844, in the light and the dark colour
// scheme: no violations of any rule axe runs by default (WCAG 2.x A and AA
// and its best practices). Screenshots of each state go to test-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { repo, openSite, closeSite, watchedPage } from './support.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const artifacts = `${repo}test-artifacts`;
const sizes = [{ width: 1280, height: 800 }, { width: 390, height: 844 }];
const schemes = ['light', 'dark'];

const hostPages = {
  '/a11y-host.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A host page</title><link rel="icon" href="data:,"><script type="module" src="/embed/embed.mjs"></script></head>
<body><main><h1>A blog post</h1><p>Some text, then the calculator.</p>
<mdsd-calculator target="0.3,0.4,0.3" draft="0.6,0.3,0.1" drafts="2" lp="1"></mdsd-calculator></main></body></html>`,
};

let site;
before(async () => { site = await openSite({ extraFiles: hostPages }); });
after(() => closeSite(site));

// Runs axe on the whole document (shadow roots included) and returns its
// violations, each as "rule (impact): target, target ... — help".
async function audit(page) {
  if (!(await page.evaluate(() => typeof globalThis.axe === 'object'))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 6).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary?.split('\n').slice(1, 2).join(' ') ?? ''}`) }));
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.targets.join('\n    ')}`);
}

const newPage = () => watchedPage(site);

// Logits, so that the temperature chart is drawn too.
const link = '#target_logits=2,1,0.5,0,-1,-3&draft_logits=1.5,1.2,0.3,0.1,-2,-1&drafts=3&temperature=0.9';

test('the page, in its fullest state, has no axe violations at both widths in both colour schemes', { timeout: 300000 }, async () => {
  const { page, problems } = await newPage();
  await page.setViewportSize(sizes[0]);
  await page.goto(`${site.origin}/${link}`);
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('#progress')?.hidden && document.querySelector('#temperature-chart canvas')
    && document.querySelector('#drafts-chart .chart-keys button'), null, { timeout: 60000 });
  // The Dataset panel, with a sweep over n and T so that its three charts and sweep tables show.
  await page.fill('#dataset-drafts', '1-3');
  await page.fill('#dataset-temperatures', '0.8, 1');
  // With a measured acceptance, so that its comparison table shows too.
  await page.fill('#dataset-measured-rates', '0.9, 0.7');
  await page.click('#dataset-demo');
  await page.locator('[data-testid="dataset.positions"]').waitFor({ timeout: 120000 });
  await page.locator('#dataset-temperature-chart canvas').waitFor({ state: 'attached' });
  await page.locator('#dataset-measured-table tbody tr').first().waitFor({ state: 'attached' });
  // The Draft trees panel, with times, so that its drawing, chart and numbers show.
  await page.fill('#tree-draft-time', '0.05');
  await page.fill('#tree-target-times', '1:1, 16:1.2');
  await page.waitForFunction(() => /^Best tree/.test(document.querySelector('#tree-status')?.textContent ?? '')
    && document.querySelector('[data-testid="tree.time.best.speedup"]') && document.querySelector('#tree-budget-chart canvas'), null, { timeout: 60000 });
  // Every chart's data table open.
  await page.evaluate(() => { for (const details of document.querySelectorAll('details.chart-data')) details.open = true; });
  const failures = [];
  for (const size of sizes) {
    for (const scheme of schemes) {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(300);
      // A term's definition open beside it.
      const term = page.locator('#results button.term').first();
      await term.scrollIntoViewIfNeeded();
      await term.click();
      await page.locator('#term-popover:popover-open').waitFor();
      const name = `accessibility-page-${size.width}-${scheme}`;
      await page.screenshot({ path: `${artifacts}/${name}.png` });
      const found = await audit(page);
      if (found.length) failures.push(`${size.width}x${size.height} ${scheme}:\n  ${found.join('\n  ')}`);
      await page.keyboard.press('Escape');
      await page.locator('#term-popover:popover-open').waitFor({ state: 'detached' });
    }
  }
  // The charts at both widths, for a look.
  for (const size of sizes) {
    for (const scheme of schemes) {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(300);
      await page.locator('.charts').first().screenshot({ path: `${artifacts}/accessibility-charts-${size.width}-${scheme}.png` });
      await page.locator('#dataset .charts').screenshot({ path: `${artifacts}/accessibility-dataset-charts-${size.width}-${scheme}.png` });
      await page.locator('#trees').screenshot({ path: `${artifacts}/accessibility-trees-${size.width}-${scheme}.png` });
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
  assert.deepEqual(problems, []);
  await page.close();
});

test('<mdsd-calculator> in a host page (its shadow root included) has no axe violations at both widths in both colour schemes', { timeout: 120000 }, async () => {
  const { page, problems } = await newPage();
  const failures = [];
  for (const size of sizes) {
    for (const scheme of schemes) {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${site.origin}/a11y-host.html`);
      await page.locator('mdsd-calculator [data-testid="optimal.greedy.alpha"]').waitFor({ timeout: 30000 });
      await page.waitForFunction(() => !document.querySelector('mdsd-calculator').shadowRoot.querySelector('.stale'));
      await page.screenshot({ path: `${artifacts}/accessibility-embed-${size.width}-${scheme}.png` });
      const found = await audit(page);
      // axe looked inside the shadow root: it audited the element's own controls.
      const inside = await page.evaluate(async () => (await globalThis.axe.run(document.querySelector('mdsd-calculator'), { resultTypes: ['passes'] }))
        .passes.some((rule) => rule.nodes.some((node) => Array.isArray(node.target[0]))));
      assert.ok(inside, 'axe audited nodes in the shadow root');
      if (found.length) failures.push(`${size.width}x${size.height} ${scheme}:\n  ${found.join('\n  ')}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
  assert.deepEqual(problems, []);
  await page.close();
});
