// The page's charts (web/page/charts.mjs) beyond the pixels: a legend of
// buttons (aria-pressed, keyboard-operable) that shows values without a
// hover, a data table of the plotted numbers, series told apart by more than
// colour (Okabe–Ito hues, dashes, markers), tick labels that never repeat,
// and a p/q chart that does not shade ranks with no mass (removed by top-p or
// top-k) as part of H. At 1280 and 390 px, with 1 token and with more than
// 40. Screenshots go to test-artifacts/charts-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { repo, openSite, closeSite } from './support.mjs';

let site;
before(async () => { site = await openSite(); });
after(() => closeSite(site));
const artifacts = `${repo}test-artifacts`;

async function openPage(hash, { width = 1280, height = 900, colorScheme = 'light' } = {}) {
  const page = await site.browser.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.emulateMedia({ colorScheme });
  await page.setViewportSize({ width, height });
  await page.goto(`${site.origin}/${hash}`);
  await page.waitForFunction(() => document.querySelector('#progress')?.hidden && document.querySelector('[data-testid$=".alpha"]')
    && document.querySelector('#drafts-chart .chart-keys button') && document.querySelector('#dist-chart .chart-keys button'), null, { timeout: 60000 });
  await page.waitForTimeout(200);
  return { page, problems };
}

// What a chart shows, read in the page: legend, tick labels, the figure.
const chartState = (page, selector) => page.evaluate(async (sel) => {
  const { chartOf } = await import('/page/charts.mjs');
  const element = document.querySelector(sel);
  const chart = chartOf(element);
  const labels = (k) => (chart.plot.axes[k]._values ?? []).filter((label) => label !== '');
  return {
    at: element.querySelector('.chart-legend-at').textContent,
    keys: [...element.querySelectorAll('.chart-key')].map((key) => ({
      tag: key.localName, pressed: key.getAttribute('aria-pressed'), series: key.dataset.series ?? null,
      label: key.querySelector('.chart-key-label').textContent, value: key.querySelector('.chart-key-value').textContent,
    })),
    x: labels(0), y: labels(1),
    figure: chart.figure,
    role: element.getAttribute('role'), img: element.querySelector('.chart-plot[role=img]')?.getAttribute('aria-label') ?? null,
  };
}, selector);

const okabeIto = new Set(['#0072b2', '#d55e00', '#009e73', '#56b4e9', '#e69f00', '#cc79a7', '#f0e442',
  // light mode: orange, sky blue, yellow, reddish purple darkened to 3:1 on white; ink and grey for black
  '#ba8100', '#4794bf', '#97902a', '#c474a0', '#1b1f24', '#e6edf3', '#6e7681', '#8b949e']);

const knownLabels = ['α* with replacement', 'α* without replacement', 'α* greedy', 'RRS with repl.', 'RRS without repl.', 'K-SEQ', 'greedy verifier', 'SpecHub', 'optimal (LP plan)'];
const logits = (n, slope) => Array.from({ length: n }, (_, i) => (-i * slope).toFixed(3)).join(',');
const near1 = '#target=0.3,0.4,0.3&draft=0.6,0.3,0.1&drafts=2';

test('legends are buttons with values shown before any hover, keyboard toggles, and a hover selects another point', async () => {
  const { page, problems } = await openPage(near1);
  const state = await chartState(page, '#drafts-chart');
  assert.equal(state.role, 'group');
  assert.match(state.img, /acceptance against the number of drafts/i);
  assert.match(state.at, /^at n = 2 \(the current inputs/);
  assert.ok(state.keys.length >= 3, 'one key per series');
  for (const key of state.keys) {
    assert.equal(key.tag, 'button');
    assert.equal(key.pressed, 'true');
    assert.match(key.value, /^(\d\.\d{6}|n\/a)$/, `${key.label}: ${key.value}`);
  }
  // The legend's values at n = 2 are the table's numbers.
  const greedy = state.keys.find((key) => key.label === 'α* greedy');
  const alpha = Number(await page.locator('[data-testid="optimal.greedy.alpha"]').getAttribute('data-value'));
  assert.equal(greedy.value, alpha.toFixed(6));

  // Keyboard: Tab reaches a key, Space and Enter toggle it; the series leaves the plot and the SVG export.
  const first = page.locator('#drafts-chart .chart-keys button').first();
  await first.focus();
  await page.keyboard.press('Space');
  assert.equal(await first.getAttribute('aria-pressed'), 'false');
  let after = await chartState(page, '#drafts-chart');
  assert.ok(!after.figure.series.some((series) => series.label === state.keys[0].label), 'hidden from the export');
  const shown = await page.evaluate(async () => {
    const { chartOf } = await import('/page/charts.mjs');
    return chartOf(document.querySelector('#drafts-chart')).plot.series.map((series) => series.show);
  });
  assert.equal(shown[1], false);
  await page.keyboard.press('Enter');
  assert.equal(await first.getAttribute('aria-pressed'), 'true');
  after = await chartState(page, '#drafts-chart');
  assert.equal(after.figure.series.length, state.keys.length);
  // Tab order: from the first key to the next.
  await first.focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.closest('.chart-keys') !== null), true);

  // A hover shows another point; leaving the plot shows the current n again.
  const box = await page.locator('#drafts-chart .u-over').boundingBox();
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
  await page.waitForFunction(() => /^at n = 8$/.test(document.querySelector('#drafts-chart .chart-legend-at').textContent));
  await page.mouse.move(box.x + box.width / 2, box.y + box.height + 200);
  await page.waitForFunction(() => /^at n = 2 /.test(document.querySelector('#drafts-chart .chart-legend-at').textContent));

  // The p/q chart's legend: p, q, and the shading of H (a toggle too).
  const dist = await chartState(page, '#dist-chart');
  assert.deepEqual(dist.keys.slice(0, 2).map((key) => key.label), ['p (target)', 'q (draft)']);
  assert.match(dist.keys[2].label, /^certificate H \(/);
  assert.equal(dist.keys[2].tag, 'button');
  assert.match(dist.at, /^token 1 \(rank \d of 3 in p\/q order\) \(the most likely target token/);
  assert.equal(dist.keys[0].value, '0.400000');
  assert.deepEqual(problems, []);
  await page.close();
});

test('each chart has a data table of its numbers', async () => {
  const { page, problems } = await openPage(`#target_logits=${logits(8, 0.7)}&draft_logits=${logits(8, 0.5)}&drafts=3&temperature=0.9`);
  await page.locator('#temperature-chart .chart-keys button').first().waitFor();
  for (const selector of ['#dist-chart', '#drafts-chart', '#temperature-chart']) {
    const details = page.locator(`${selector} details.chart-data`);
    await details.locator('summary').click();
    const table = details.locator('table');
    await table.waitFor();
    const headers = await table.locator('thead th[scope=col]').allTextContents();
    const rows = await table.locator('tbody tr').count();
    assert.ok(headers.length >= 3, `${selector}: ${headers}`);
    assert.ok(await table.locator('caption').textContent());
    assert.equal(await table.locator('tbody tr th[scope=row]').count(), rows);
    const state = await chartState(page, selector);
    if (selector === '#dist-chart') assert.equal(rows, 8);
    else assert.equal(rows, state.figure.x.length, selector);
    // The scroll box is reachable by keyboard.
    assert.equal(await details.locator('.chart-table').getAttribute('tabindex'), '0');
  }
  // The sweep over n: a row per n, a column per series, the numbers of the legend.
  const table = page.locator('#drafts-chart table');
  const row = await table.locator('tbody tr').nth(2).locator('th, td').allTextContents();
  assert.equal(row[0], '3');
  const state = await chartState(page, '#drafts-chart');
  const headers = await table.locator('thead th').allTextContents();
  for (const key of state.keys) assert.equal(row[headers.indexOf(key.label)], key.value, key.label);
  await page.locator('#drafts-figure').screenshot({ path: `${artifacts}/charts-drafts-table-1280.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test('no two series differ by colour alone, the hues are Okabe–Ito, and no two tick labels repeat', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, problems } = await openPage(`#target_logits=${logits(8, 0.7)}&draft_logits=${logits(8, 0.5)}&drafts=3&temperature=0.9`, { colorScheme });
    await page.locator('#temperature-chart .chart-keys button').first().waitFor();
    for (const selector of ['#drafts-chart', '#temperature-chart']) {
      const { figure, y, x } = await chartState(page, selector);
      assert.ok(figure.series.length >= 6, `${selector}: ${figure.series.length} series`);
      for (const [a, series] of figure.series.entries()) {
        assert.ok(okabeIto.has(series.stroke), `${series.label}: ${series.stroke}`);
        for (const other of figure.series.slice(a + 1)) {
          const sameDash = JSON.stringify(series.dash ?? null) === JSON.stringify(other.dash ?? null);
          assert.ok(!(sameDash && series.marker === other.marker && series.hollow === other.hollow), `${series.label} and ${other.label} differ only by colour`);
          assert.ok(series.marker !== other.marker || !sameDash, `${series.label} / ${other.label}`);
        }
      }
      // The methods and verifiers of README each have a hue of their own (the bound and its verifier too).
      const known = figure.series.filter((series) => knownLabels.includes(series.label));
      assert.equal(new Set(known.map((series) => series.stroke)).size, known.length, known.map((series) => `${series.label} ${series.stroke}`).join(', '));
      for (const labels of [x, y]) assert.equal(new Set(labels).size, labels.length, `${selector} ${colorScheme}: ${labels.join(' ')}`);
      assert.ok(y.length >= 2, `${selector}: ${y}`);
    }
    await page.locator('.charts').first().screenshot({ path: `${artifacts}/charts-1280-${colorScheme}.png` });
    assert.deepEqual(problems, []);
    await page.close();
  }
  // Acceptances all close to 1 (the complaint: "1.00, 1.00, 0.99"), drawn
  // by the page's SweepChart at both widths and several heights of the data.
  for (const width of [1280, 390]) {
    const { page, problems } = await openPage(near1, { width });
    const found = await page.evaluate(async () => {
      const { SweepChart, chartOf } = await import('/page/charts.mjs');
      const out = [];
      for (const spread of [0.0004, 0.003, 0.012, 0.05]) {
        const element = Object.assign(document.createElement('div'), { className: 'chart' });
        element.setAttribute('aria-label', 'Chart of a test');
        document.querySelector('#drafts-figure').append(element);
        const chart = new SweepChart(element, 'drafts n', { integerX: true });
        chart.update(Array.from({ length: 8 }, (_, k) => ({ x: k + 1, 'optimal.greedy': 1 - spread / (k + 1), 'verifiers.kseq': 1 - spread * 1.3 / (k + 1) })), 2);
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        out.push(chartOf(element).plot.axes[1]._values.filter((label) => label !== ''));
        if (spread !== 0.003) element.remove();
      }
      return out;
    });
    for (const labels of found) {
      assert.equal(new Set(labels).size, labels.length, labels.join(' '));
      assert.ok(labels.length >= 2, labels.join(' '));
    }
    await page.locator('#drafts-figure').screenshot({ path: `${artifacts}/charts-near-one-${width}.png` });
    assert.deepEqual(problems, []);
    await page.close();
  }
  // The formatter itself: decimals from the spacing, more until labels differ.
  const { page } = await openPage(near1);
  const labels = await page.evaluate(async () => {
    const { honestTicks, logTicks } = await import('/page/charts.mjs');
    return [
      honestTicks(null, [0.99, 0.995, 1], 0, 0, 0.005),
      honestTicks(null, [0.9925, 0.995, 0.9975, 1], 0, 0, 0.0025),
      honestTicks(null, [0.98, 0.99, 1], 0, 0, 0.01),
      honestTicks(null, [0, 0.5, 1], 0, 0, 0.5),
      honestTicks(null, [0.99, null, 1], 0, 0, undefined),
      logTicks(null, [0.11, 0.115]),
      logTicks(null, [1e-3, null, 0.1, 1]),
    ];
  });
  assert.deepEqual(labels, [
    ['0.990', '0.995', '1.000'], ['0.9925', '0.9950', '0.9975', '1.0000'], ['0.98', '0.99', '1.00'], ['0.0', '0.5', '1.0'],
    ['0.99', '', '1.00'], ['0.11', '0.115'], ['1e-3', '', '0.1', '1'],
  ]);
  await page.close();
});

test('the p/q chart shades no rank with no mass: top-p leaves one token, at 1280 and 390 px', async () => {
  for (const width of [1280, 390]) {
    const { page, problems } = await openPage(`#target_logits=${logits(100, 0.1)}&draft_logits=${logits(100, 0.12)}&drafts=1&top_p=0.001`, { width });
    const state = await chartState(page, '#dist-chart');
    const empty = state.keys.find((key) => key.label === 'no mass in p or q');
    assert.ok(empty, 'a key for the ranks with no mass');
    assert.equal(empty.tag, 'span', 'a key that only explains');
    // 99 ranks hold no mass: no shading of H over any of them.
    await page.locator('#dist-chart details.chart-data summary').click();
    await page.locator('#dist-chart table tbody tr').first().waitFor();
    const cells = await page.locator('#dist-chart table tbody tr td:last-child').allTextContents();
    assert.equal(cells.filter((cell) => cell === 'no mass').length, 99);
    const shade = await page.evaluate(async () => {
      const { chartOf } = await import('/page/charts.mjs');
      return chartOf(document.querySelector('#dist-chart')).figure.shade;
    });
    // Ranks count from 0 on the x axis (the table's rank 1 is x = 0).
    for (const { from, to } of shade) {
      for (let rank = Math.ceil(from); rank < to; rank++) assert.notEqual(cells[rank], 'no mass', `rank ${rank} shaded with no mass`);
    }
    assert.ok(state.y.length >= 1 && state.y.every((label) => label !== ''), `log ticks: ${state.y}`);
    await page.locator('#dist-figure').screenshot({ path: `${artifacts}/charts-top-p-${width}.png` });
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('the charts draw with 1 token and with 100 tokens at 390 px, ticks and legends filled', async () => {
  for (const [hash, vocab] of [['#target=1&draft=1&drafts=2', 1], [`#target_logits=${logits(100, 0.4)}&draft_logits=${logits(100, 0.5)}&drafts=2`, 100]]) {
    const { page, problems } = await openPage(hash, { width: 390, height: 844 });
    const dist = await chartState(page, '#dist-chart');
    assert.ok(dist.y.length >= 2, `${vocab}: y ticks ${dist.y}`);
    assert.equal(new Set(dist.y).size, dist.y.length);
    assert.ok(dist.keys.every((key) => key.tag !== 'button' || key.value !== ''), `${vocab}: legend values`);
    assert.equal(dist.figure.series[0].values.length >= vocab, true);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width} px wide`);
    await page.locator('#dist-figure').screenshot({ path: `${artifacts}/charts-dist-${vocab}-390.png` });
    await page.locator('#drafts-figure').screenshot({ path: `${artifacts}/charts-drafts-${vocab}-390.png` });
    assert.deepEqual(problems, []);
    await page.close();
  }
});
