// The page's Draft trees panel: the drawing (one circle per node, its area in
// proportion to the path's acceptance, the tree the brute force finds best),
// the chart of expected tokens against the budget, errors next to their
// fields, the exports, and the URL state (a link redraws the same tree).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { repo, openSite, closeSite, watchedPage } from './support.mjs';
import { everyTree, tokensOf, treeDepth, callTime, rrsAcceptance } from './tree-brute-force.mjs';

let site;
before(async () => { site = await openSite(); });
after(() => closeSite(site));

const kClose = 1e-12;
const pair = '#target=0.3,0.4,0.3&draft=0.6,0.3,0.1&drafts=2';

const newPage = () => watchedPage(site);

// The tree on screen once its status says it is drawn: its nodes as drawn,
// and the numbers shown.
async function drawnTree(page) {
  await page.waitForFunction(() => /^Best tree: /.test(document.querySelector('#tree-status')?.textContent ?? '')
    && document.querySelector('#tree-drawing svg'), null, { timeout: 60000 }).catch(async (error) => {
    const status = await page.evaluate(() => `${document.querySelector('#tree-status')?.textContent} | ${document.querySelector('#status')?.textContent} | ${location.hash}`);
    throw new Error(`no tree drawn (${status}): ${error.message}`);
  });
  return page.evaluate(() => {
    const svg = document.querySelector('#tree-drawing svg');
    const circles = [...svg.querySelectorAll('circle[data-node]:not([data-node="root"])')];
    const value = (testid) => Number(document.querySelector(`[data-testid="${testid}"]`)?.dataset.value);
    const ids = (svg.getAttribute('aria-labelledby') ?? '').split(' ');
    return {
      nodes: circles.map((circle) => ({ rank: Number(circle.dataset.rank), reach: Number(circle.dataset.reach), r: Number(circle.getAttribute('r')) })),
      title: ids.map((id) => document.getElementById(id)?.textContent ?? ''),
      role: svg.getAttribute('role'),
      tableRows: document.querySelectorAll('#tree-table tbody tr').length,
      tableReach: [...document.querySelectorAll('#tree-table [data-testid^="tree.reach."]')].map((cell) => Number(cell.dataset.value)),
      expected: value('tree.expected_tokens'),
      chain: value('tree.chain.expected_tokens'),
      chains: value('tree.independent_chains.expected_tokens'),
      speedup: value('tree.time.best.speedup'),
      hash: location.hash,
      acceptance: document.querySelector('#tree-acceptance').value,
    };
  });
}

function bestOf(p, budget, depth) {
  let best = 1;
  everyTree(budget, depth, p.length, ({ parents, ranks }) => { best = Math.max(best, tokensOf(p, parents, ranks)); });
  return best;
}

test('the drawing: the best tree, each node sized by its path acceptance, with a text alternative', { timeout: 120000 }, async () => {
  const { page, problems } = await newPage();
  const p = [0.6, 0.2, 0.1];
  const cost = { draft_time: 0.1, points: [[1, 1], [4, 1.1], [8, 1.3]] };
  await page.goto(`${site.origin}/${pair}&tree_p=${p.join(',')}&tree_m=7&tree_d=3&tree_dt=0.1&tree_tt=1:1,4:1.1,8:1.3`);
  const tree = await drawnTree(page);
  const best = bestOf(p, 7, 3);
  assert.ok(Math.abs(tree.expected - best) <= kClose, `${tree.expected} vs ${best}`);
  // The circles are the tree: 1 + the sum of their path acceptances is its value.
  assert.ok(tree.nodes.length >= 1 && tree.nodes.length <= 7);
  assert.ok(Math.abs(1 + tree.nodes.reduce((sum, node) => sum + node.reach, 0) - best) <= kClose);
  assert.deepEqual(tree.tableReach, tree.nodes.map((node) => node.reach));
  assert.equal(tree.tableRows, tree.nodes.length);
  // Area in proportion to the acceptance: r^2 / reach is the same for every node above the smallest size.
  const ratios = tree.nodes.filter((node) => node.r > 1.6).map((node) => (node.r * node.r) / node.reach);
  assert.ok(ratios.length >= 2);
  for (const ratio of ratios) assert.ok(Math.abs(ratio / ratios[0] - 1) < 0.01, `r^2/reach: ${ratios}`);
  assert.equal(tree.role, 'img');
  assert.equal(tree.title[0], 'The draft tree');
  assert.match(tree.title[1], new RegExp(`${tree.nodes.length} draft nodes`));
  // One chain of 3 and the chains, by their formulas; the best rate by every tree.
  assert.ok(Math.abs(tree.chain - (1 + 0.6 + 0.36 + 0.216)) <= kClose);
  let rate = 0;
  everyTree(7, 3, 3, ({ parents, ranks }) => {
    const time = callTime(cost.points, parents.length + 1);
    if (time !== null) rate = Math.max(rate, tokensOf(p, parents, ranks) / (treeDepth(parents) * cost.draft_time + time));
  });
  assert.ok(Math.abs(tree.speedup - rate) <= kClose, `${tree.speedup} vs ${rate}`);
  // The chart's data table: every budget 0..7, the best tree's column by brute force.
  await page.locator('#tree-budget-chart canvas').waitFor({ state: 'attached' });
  await page.evaluate(() => { document.querySelector('#tree-budget-chart details.chart-data').open = true; });
  await page.locator('#tree-budget-chart .chart-table tbody tr').first().waitFor({ state: 'attached' });
  const rows = await page.$$eval('#tree-budget-chart .chart-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
  assert.equal(rows.length, 8);
  for (const [m, row] of rows.entries()) assert.ok(Math.abs(Number(row[1]) - bestOf(p, m, 3)) < 1e-6, `budget ${m}: ${row[1]}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the link carries the panel: reloading it redraws the same tree, and a key left out is at its default', { timeout: 120000 }, async () => {
  const { page, problems } = await newPage();
  await page.goto(`${site.origin}/${pair}`);
  const first = await drawnTree(page);
  // At the defaults the link carries no tree key.
  assert.ok(!/tree_/.test(first.hash), first.hash);
  await page.fill('#tree-acceptance', '0.7, 0.2');
  await page.fill('#tree-budget', '9');
  await page.fill('#tree-depth', '5');
  await page.fill('#tree-draft-time', '0.05');
  await page.fill('#tree-target-times', '1.5');
  await page.waitForFunction(() => location.hash.includes('tree_m=9') && location.hash.includes('tree_tt=1.5')
    && /^Best tree: /.test(document.querySelector('#tree-status').textContent), null, { timeout: 30000 });
  const changed = await drawnTree(page);
  assert.ok(Math.abs(changed.expected - bestOf([0.7, 0.2], 9, 5)) <= kClose);
  assert.match(changed.hash, /tree_p=0\.7,0\.2/);
  assert.match(changed.hash, /tree_d=5/);
  assert.match(changed.hash, /tree_dt=0\.05/);
  await page.reload();
  const again = await drawnTree(page);
  assert.deepEqual(again.nodes, changed.nodes);
  assert.equal(again.expected, changed.expected);
  assert.equal(again.speedup, changed.speedup);
  assert.equal(await page.inputValue('#tree-budget'), '9');
  // Another link without tree keys: the panel goes back to its defaults.
  await page.goto(`${site.origin}/#target=0.5,0.5&draft=0.5,0.5&drafts=1`);
  await page.waitForFunction(() => document.querySelector('#tree-budget')?.value === '16', null, { timeout: 30000 });
  assert.equal(await page.inputValue('#tree-acceptance'), '0.5, 0.3, 0.1');
  assert.deepEqual(problems, []);
  await page.close();
});

test('from the inputs above: the sibling vector of the verifier chosen, in the link and the exports', { timeout: 120000 }, async () => {
  const { page, problems } = await newPage();
  await page.goto(`${site.origin}/${pair}&tree_from=inputs&tree_b=3&tree_m=6&tree_d=3`);
  const tree = await drawnTree(page);
  const p = rrsAcceptance([0.3, 0.4, 0.3], [0.6, 0.3, 0.1], 3, false);
  const shown = tree.acceptance.split(',').map(Number);
  shown.forEach((value, k) => assert.ok(Math.abs(value - p[k]) < 1e-10, `p[${k + 1}] ${value} vs ${p[k]}`));
  assert.ok(Math.abs(tree.expected - bestOf(p, 6, 3)) < 1e-10);
  assert.equal(await page.isEditable('#tree-acceptance'), false);
  // With replacement: its own vector.
  await page.selectOption('#tree-verifier', 'rrs_with_replacement');
  await page.waitForFunction(() => location.hash.includes('tree_v=rrs_with_replacement') && /^Best tree/.test(document.querySelector('#tree-status').textContent)
    && document.querySelector('#tree-acceptance').value.startsWith('0.7, 0.12'), null, { timeout: 30000 });
  const withReplacement = rrsAcceptance([0.3, 0.4, 0.3], [0.6, 0.3, 0.1], 3, true);
  const after = await drawnTree(page);
  assert.ok(Math.abs(after.expected - bestOf(withReplacement, 6, 3)) < 1e-10);
  // The exports: the tree JSON and the acceptance vector as JSON and CSV.
  const saved = async (button) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    return readFileSync(await download.path(), 'utf8');
  };
  const treeJson = JSON.parse(await saved('#tree-download-json'));
  assert.equal(treeJson.result.expected_tokens, after.expected);
  assert.deepEqual(treeJson.request.acceptance.length, 3);
  const vector = JSON.parse(await saved('#tree-download-vector-json'));
  vector.sibling.rrs_with_replacement.p.forEach((value, k) => assert.ok(Math.abs(value - withReplacement[k]) < 1e-12));
  const csv = await saved('#tree-download-vector-csv');
  assert.match(csv, /^quantity,name,width,value,/);
  const svg = await saved('#tree-download-svg');
  assert.match(svg, /<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/data-rank=/g) ?? []).length, after.nodes.length);
  await page.reload();
  const reloaded = await drawnTree(page);
  assert.deepEqual(reloaded.nodes, after.nodes);
  assert.deepEqual(problems, []);
  await page.close();
});

test('bad input: the message next to its field, naming it', { timeout: 120000 }, async () => {
  const { page, problems } = await newPage();
  await page.goto(`${site.origin}/${pair}`);
  await drawnTree(page);
  const cases = [
    ['#tree-acceptance', '0.5, 2', '#tree-acceptance-error', /^acceptance\[1\]: /],
    ['#tree-acceptance', '0.7, 0.5', '#tree-acceptance-error', /^acceptance/],
    ['#tree-acceptance', '0.5, x', '#tree-acceptance-error', /^acceptance\[1\]: must be a number/],
    ['#tree-budget', '2000', '#tree-budget-error', /^budget: /],
    ['#tree-budget', 'many', '#tree-budget-error', /^budget: must be a number/],
    ['#tree-depth', '-1', '#tree-depth-error', /^depth: /],
    ['#tree-target-times', '1:1, 1:2', '#tree-target-times-error', /^cost\.target_times/, ['#tree-draft-time', '0.1']],
    ['#tree-target-times', '1:1, 4:x', '#tree-target-times-error', /^cost\.target_times\[1\]\[1\]: must be a number/, ['#tree-draft-time', '0.1']],
    ['#tree-target-times', '1.2', '#tree-draft-time-error', /^cost\.draft_time: is missing/],
    ['#tree-draft-time', '0.1', '#tree-target-times-error', /^cost: /],
  ];
  for (const [field, text, slot, message, before] of cases) {
    // The link without tree keys: the panel at its defaults (the bad entry before is in the link, so no reload).
    await page.goto(`${site.origin}/${pair}`);
    await page.waitForFunction(() => document.querySelector('#tree-budget').value === '16' && !/tree_/.test(location.hash), null, { timeout: 30000 });
    await drawnTree(page);
    if (before) {
      await page.fill(before[0], before[1]);
      await page.waitForFunction((key) => location.hash.includes(key), before[0] === '#tree-draft-time' ? 'tree_dt=' : 'tree_', { timeout: 30000 });
    }
    await page.fill(field, text);
    await page.waitForFunction(([selector, pattern]) => new RegExp(pattern).test(document.querySelector(selector).textContent), [slot, message.source], { timeout: 30000 })
      .catch((error) => { throw new Error(`${field} = ${text}: no message in ${slot} (${error.message})`); });
    assert.match(await page.textContent(slot), message, `${field} = ${text}`);
    const control = slot.replace(/-error$/, '');
    assert.equal(await page.getAttribute(control, 'aria-invalid'), 'true', control);
    assert.match(await page.textContent('#tree-status'), /^No tree/);
  }
  // Fixed, the message goes.
  await page.fill('#tree-draft-time', '');
  await page.waitForFunction(() => /^Best tree/.test(document.querySelector('#tree-status').textContent), null, { timeout: 30000 });
  assert.equal(await page.textContent('#tree-target-times-error'), '');
  // From the Dataset panel before it has a summary: said next to the source.
  await page.selectOption('#tree-source', 'dataset');
  await page.waitForFunction(() => document.querySelector('#tree-source-error').textContent !== '', null, { timeout: 30000 });
  assert.match(await page.textContent('#tree-source-error'), /no summary yet/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('from the Dataset panel: the summary of drafts 1-3 gives the vector', { timeout: 180000 }, async () => {
  const { page, problems } = await newPage();
  await page.goto(`${site.origin}/${pair}`);
  await drawnTree(page);
  await page.fill('#dataset-drafts', '1-3');
  await page.click('#dataset-demo');
  await page.locator('[data-testid="dataset.positions"]').waitFor({ timeout: 120000 });
  await page.selectOption('#tree-source', 'dataset');
  await page.waitForFunction(() => /^Best tree/.test(document.querySelector('#tree-status').textContent)
    && document.querySelector('#tree-acceptance').value.split(',').length === 3, null, { timeout: 30000 });
  const tree = await drawnTree(page);
  // The vector read is the difference of the summary's means at n and n - 1.
  const summary = await page.evaluate(async () => (await import('./page/dataset.mjs')).datasetOutput().summary);
  const alpha = (n) => summary.sweep.find((setting) => setting.drafts === n).mean.verifiers.rrs_without_replacement.alpha;
  const expected = [alpha(1), alpha(2) - alpha(1), alpha(3) - alpha(2)].map((v) => Math.max(0, v));
  tree.acceptance.split(',').map(Number).forEach((value, k) => assert.ok(Math.abs(value - expected[k]) < 1e-10, `p[${k + 1}]`));
  // The link carries the numbers read, as typed (the dataset cannot travel).
  assert.match(tree.hash, /tree_p=/);
  assert.ok(!/tree_from/.test(tree.hash));
  assert.deepEqual(problems, []);
  await page.close();
});

test('screenshots of the panel at both widths in both colour schemes', { timeout: 120000 }, async () => {
  const { page, problems } = await newPage();
  for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${site.origin}/${pair}&tree_p=0.55,0.2,0.1,0.05&tree_m=24&tree_d=5&tree_dt=0.05&tree_tt=1:1,16:1.2,32:1.5`);
      await drawnTree(page);
      await page.locator('#tree-budget-chart canvas').waitFor({ state: 'attached' });
      await page.waitForTimeout(300);
      await page.locator('#trees').screenshot({ path: `${repo}test-artifacts/tree-panel-${size.width}-${scheme}.png` });
    }
  }
  assert.deepEqual(problems, []);
  await page.close();
});
