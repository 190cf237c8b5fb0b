// What fits where, at desktop (1280x800) and phone (390x844) width: the
// verifier table with an estimate, the Monte Carlo table and the Dataset sweep
// tables reflow into their column at 1280 px instead of overflowing it; the
// iframe's compact view shows the first alpha* in its 720-px frame without
// scrolling; and a method the core bounds by an interval reads as an interval
// in the tables, the headline and the export (a hand-made result rendered by
// the page's own modules), with top_n defined like every other term.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { repo, openSite, closeSite, theoryTable, watchedPage } from './support.mjs';
import { tokensPerCall, speedUp } from '../../web/page/inputs.mjs';

let site;
const artifacts = `${repo}test-artifacts`;
const hostPages = {};
before(async () => { site = await openSite({ extraFiles: hostPages }); });
after(() => closeSite(site));

const widths = [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]];

const openPage = (hash, viewport) => watchedPage(site, { viewport, path: hash });

const settled = (page) => page.locator('#progress').waitFor({ state: 'hidden', timeout: 120000 });

// Each visible table box of `scope`: [table id, box width, content width].
const boxes = (page, scope) => page.evaluate((scope) => [...document.querySelectorAll(`${scope} .table-wrap`)]
  .filter((wrap) => wrap.offsetParent && wrap.querySelector('table'))
  .map((wrap) => [wrap.querySelector('table').id, wrap.clientWidth, wrap.scrollWidth]), scope);

for (const [label, viewport] of widths) {
  test(`the verifier table with an estimate and the Monte Carlo table fit their column (${label})`, async () => {
    // RRS without replacement has no formula at n = 4 on 300 tokens: an estimate with its interval.
    const { page, problems } = await openPage('#synthetic=300&seed=1&drafts=4&simulate=200000', viewport);
    await page.locator('[data-testid="simulation.kseq.acceptance"]').waitFor({ timeout: 60000 });
    await settled(page);
    await page.locator('[data-testid="verifiers.rrs_without_replacement.ci95.0"]').waitFor();
    const found = await boxes(page, '#results');
    assert.deepEqual(found.map(([id]) => id), ['optimal-table', 'verifiers-table', 'simulation-table']);
    // The page itself never scrolls sideways.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= viewport.width);
    if (label === 'desktop') {
      for (const [id, box, content] of found) assert.ok(content <= box, `${id}: ${content} px in a ${box}-px column`);
    } else {
      // On a phone a table may still be wider than the screen: it scrolls in its own box, with the edge shadow.
      for (const [id, box] of found) assert.ok(box <= viewport.width, id);
    }
    await page.locator('#verifiers-section').screenshot({ path: `${artifacts}/page-fit-verifiers-${label}.png` });
    await page.locator('#simulation-section').screenshot({ path: `${artifacts}/page-fit-monte-carlo-${label}.png` });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test(`the Dataset sweep tables fit their column (${label})`, async () => {
    const { page, problems } = await openPage('', viewport);
    await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
    await page.click('#dataset-demo');
    await page.fill('#dataset-drafts', '2-4');
    await page.fill('#dataset-temperatures', '0.7, 1.3');
    await page.click('#dataset-run');
    await page.locator('#dataset-sweep').waitFor({ timeout: 300000 });
    const found = await boxes(page, '#dataset-sweep');
    assert.deepEqual(found.map(([id]) => id), ['dataset-sweep-optimal', 'dataset-sweep-verifiers']);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= viewport.width);
    if (label === 'desktop') {
      for (const [id, box, content] of found) assert.ok(content <= box, `${id}: ${content} px in a ${box}-px column`);
    }
    await page.locator('#dataset-sweep').screenshot({ path: `${artifacts}/page-fit-dataset-sweep-${label}.png` });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test(`the iframe's compact view shows the first alpha* in its 720-px frame without scrolling (${label})`, async () => {
    const row = theoryTable[0];
    const { page, problems } = await openPage(`#target=${row.target}&draft=${row.draft}&drafts=${row.drafts}`, viewport);
    await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
    await page.click('#embed');
    await page.locator('#embed-dialog[open]').waitFor();   // the dialog's module may load on this press
    const snippet = await page.inputValue('#embed-iframe');
    assert.match(snippet, /height="720"/);
    await page.close();
    hostPages[`/host-compact-${label}.html`] = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>host</title><link rel="icon" href="data:,"></head>
<body style="margin: 0"><p style="margin: 0; height: 40px">A blog post.</p>${snippet}</body></html>`;
    const host = await site.browser.newPage();
    await host.setViewportSize({ width: viewport.width, height: 844 });
    host.on('pageerror', (error) => problems.push(error.message));
    await host.goto(`${site.origin}/host-compact-${label}.html`);
    const frame = host.frameLocator('iframe');
    const first = frame.locator('#optimal-table tbody tr:first-child [data-testid$=".alpha"]');
    await first.waitFor({ timeout: 60000 });
    assert.ok(Math.abs(Number(await first.getAttribute('data-value')) - row.expected.with_replacement) < 1e-9);
    const content = host.frames().find((candidate) => candidate !== host.mainFrame());
    const place = await content.evaluate(() => {
      const cell = document.querySelector('#optimal-table tbody tr:first-child [data-testid$=".alpha"]');
      return { bottom: cell.getBoundingClientRect().bottom, scrolled: scrollY, height: innerHeight };
    });
    assert.equal(place.height, 720);
    assert.equal(place.scrolled, 0);
    assert.ok(place.bottom <= 720, `the first alpha* ends at ${place.bottom} px`);
    // The headline's best alpha* is in the frame too.
    const headline = await content.evaluate(() => document.querySelector('[data-testid="headline.optimal.tokens"]').getBoundingClientRect().bottom);
    assert.ok(headline <= 720, `headline at ${headline}`);
    for (const hidden of ['#inputs', '#dataset', '#how', 'header']) {
      assert.equal(await frame.locator(hidden).isVisible(), false, `${hidden} is left to the full page`);
    }
    await host.screenshot({ path: `${artifacts}/page-compact-iframe-${label}.png` });
    // The inputs fold out, and the full page opens with the same inputs.
    const toggle = frame.locator('#compact-inputs');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.equal(await frame.locator('#inputs').isVisible(), true);
    await frame.locator('#drafts').fill('3');
    await frame.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
    await frame.locator('#compact-full').focus();
    const full = await frame.locator('#compact-full').getAttribute('href');
    assert.match(full, /#target=0\.3,0\.4,0\.3&draft=0\.6,0\.3,0\.1&drafts=3/);
    assert.doesNotMatch(full, /view=compact/);
    assert.equal(await frame.locator('#compact-full').getAttribute('target'), '_blank');
    await host.screenshot({ path: `${artifacts}/page-compact-iframe-inputs-${label}.png` });
    assert.deepEqual(problems, []);
    await host.close();
  });

  test(`a bounded alpha* reads as an interval in the tables, the headline and the export (${label})`, async () => {
    const row = theoryTable[0];
    const { page, problems } = await openPage(`#target=${row.target}&draft=${row.draft}&drafts=${row.drafts}`, viewport);
    await page.locator('[data-testid="optimal.top_n.alpha"]').waitFor();
    await settled(page);
    // The real core: top_n is a row of its own, from the result's keys, with its definition.
    assert.equal(await page.locator('#optimal-table tbody tr').count(), 4);
    await page.locator('#optimal-table button.term[data-term="top_n"]').click();
    assert.match(await page.locator('#term-popover').textContent(), /the n most likely draft tokens, no sampling.*α\* = p\(those tokens\), reached by accepting the target's own sample when it is among them/is);
    await page.keyboard.press('Escape');
    // A hand-made result, as the core gives it for a sparse input, through the page's own rendering.
    const result = {
      vocab: 6, drafts: 2, warnings: [],
      optimal: {
        with_replacement: { alpha: 0.89, certificate_size: 2, certificate_target_mass: 0.7, certificate_draft_mass: 0.81 },
        top_n: { interval: [0.95, 0.97] },
      },
      verifiers: { kseq: { alpha: 0.84, exact: true, draft_method: 'with_replacement', gap: 0.05, rho: 1.4 } },
    };
    await page.evaluate(async (result) => {
      const { renderResult } = await import('/page/result-tables.mjs');
      renderResult(result, { depth: 4, cost: 0.05, lpAsked: false });
    }, result);
    const text = (selector) => page.locator(selector).evaluate((element) => element.textContent.replace(/\s+/g, ' ').trim());
    const topRow = page.locator('#optimal-table tbody tr').nth(1);
    assert.match(await topRow.locator('td').first().textContent(), /^0\.950000 – 0\.970000$/);
    assert.equal(await page.locator('[data-testid="optimal.top_n.alpha"]').count(), 0, 'no single number for a bounded alpha*');
    assert.equal(Number(await page.locator('[data-testid="optimal.top_n.interval.0"]').getAttribute('data-value')), 0.95);
    assert.equal(Number(await page.locator('[data-testid="tokens.optimal.top_n.1"]').getAttribute('data-value')), tokensPerCall(0.97, 4));
    // Headline: the best by its sure end, tokens and speed-up from both ends.
    assert.match(await text('#headline-list dt:first-of-type'), /^Best possible: α\* top-n \(deterministic\), α in 0\.9500 – 0\.9700/);
    for (const [k, alpha] of [[0, 0.95], [1, 0.97]]) {
      const tokens = tokensPerCall(alpha, 4);
      assert.equal(Number(await page.locator(`[data-testid="headline.optimal.tokens.${k}"]`).getAttribute('data-value')), tokens);
      assert.equal(Number(await page.locator(`[data-testid="headline.optimal.speedup.${k}"]`).getAttribute('data-value')), speedUp(tokens, 4, 0.05));
    }
    assert.equal(await page.locator('[data-testid="headline.optimal.tokens"]').count(), 0);
    assert.match(await text('#headline-list dd:first-of-type'), /^\d\.\d\d – \d\.\d\d tokens per target call, speed-up \d\.\d\d× – \d\.\d\d×$/);
    assert.match(await text('#optimal-notes'), /top-n \(deterministic\): α\* is known here only to lie in the interval shown/);
    await page.evaluate(() => document.getElementById('results').scrollIntoView());
    await page.screenshot({ path: `${artifacts}/page-interval-${label}.png` });
    // The export: alpha* as low and high columns; an exact alpha* fills both.
    await page.selectOption('[data-export-format="optimal"]', 'csv');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export-download="optimal"]')]);
    const lines = readFileSync(await download.path(), 'utf8').trim().split('\r\n').map((line) => line.split(','));
    const head = lines[0];
    const low = head.indexOf('α* low'), high = head.indexOf('α* high');
    assert.ok(low > 0 && high === low + 1, head.join(' | '));
    const byName = Object.fromEntries(lines.slice(1).map((cells) => [cells[0], cells]));
    assert.deepEqual([byName['top-n (deterministic)'][low], byName['top-n (deterministic)'][high]], ['0.95', '0.97']);
    assert.deepEqual([byName['with replacement (i.i.d.)'][low], byName['with replacement (i.i.d.)'][high]], ['0.89', '0.89']);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('top_n is a draft sampling method to choose, and the link keeps the choice', async () => {
  const row = theoryTable[0];
  const { page, problems } = await openPage(`#target=${row.target}&draft=${row.draft}&drafts=${row.drafts}`, widths[0][1]);
  await page.locator('[data-testid="optimal.top_n.alpha"]').waitFor();
  // README §6 row 1, top-n with n = 2: the two most likely draft tokens (0 and 1), p = 0.3 + 0.4.
  assert.ok(Math.abs(Number(await page.locator('[data-testid="optimal.top_n.alpha"]').getAttribute('data-value')) - 0.7) < 1e-12);
  await page.locator('input[name="method"][value="top_n"]').uncheck();
  await page.waitForFunction(() => !document.querySelector('[data-testid="optimal.top_n.alpha"]') && document.querySelector('[data-testid="optimal.greedy.alpha"]'));
  assert.match(await page.evaluate(() => location.hash), /&methods=with_replacement,without_replacement,greedy&/);
  await page.goto(`${site.origin}/#target=${row.target}&draft=${row.draft}&drafts=${row.drafts}&methods=top_n`);
  await page.reload();
  await page.locator('[data-testid="optimal.top_n.alpha"]').waitFor();
  assert.equal(await page.locator('[data-testid="optimal.greedy.alpha"]').count(), 0);
  assert.equal(await page.locator('input[name="method"][value="top_n"]').isChecked(), true);
  assert.deepEqual(problems, []);
  await page.close();
});
