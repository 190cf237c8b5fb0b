// The page's exports (tables as CSV, Markdown and LaTeX; charts as PNG and
// SVG; the result as JSON), its phone layout, the draft cost in the link, and
// history: deliberate changes push an entry, and Back undoes a preset.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { load } from '../../web/package/mdsd.mjs';
import { theoryTable, kTableTolerance, repo, openSite, closeSite } from './support.mjs';

let server, browser, origin;
const artifacts = `${repo}test-artifacts`;
const methods = ['with_replacement', 'without_replacement', 'greedy'];
const rowLabels = { with_replacement: 'with replacement (i.i.d.)', without_replacement: 'without replacement', greedy: 'greedy' };
const row = theoryTable[0];  // README §6, first row: alpha* 0.89, 0.9928571429, 0.95
const link = `#target=${row.target.join(',')}&draft=${row.draft.join(',')}&drafts=${row.drafts}`;

before(async () => ({ server, browser, origin } = await openSite()));
after(() => closeSite({ server, browser }));

async function openPage(hash = link, { width = 1280, height = 900 } = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.setViewportSize({ width, height });
  await page.goto(`${origin}/${hash}`);
  return { page, problems };
}

// Waits until the numbers for V and n are on screen and the sweeps are done.
async function settled(page, vocab, drafts) {
  await page.waitForFunction(([v, n]) => {
    const text = document.querySelector('#status').textContent;
    return text.includes(`Vocabulary ${v}, ${n} draft`) && document.querySelector('[data-testid$=".alpha"]')
      && document.querySelector('#progress').hidden && document.querySelector('#drafts-chart canvas');
  }, [vocab, drafts], { timeout: 60000 });
}

// Clicks a button that saves a file and returns the file's bytes.
async function saved(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

async function exportTable(page, name, format) {
  await page.selectOption(`[data-export-format="${name}"]`, format);
  const { name: file, bytes } = await saved(page, `[data-export-download="${name}"]`);
  return { file, text: bytes.toString('utf8') };
}

// A CSV parser for the test: quoted fields, doubled quotes, CRLF.
function parseCsv(text) {
  const rows = [];
  let field = '', row = [], quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const parseMarkdown = (text) => text.trim().split('\n').filter((line, k) => k !== 1)
  .map((line) => line.replace(/^\| | \|$/g, '').split(/ (?<!\\)\| /).map((cell) => cell.replace(/\\\|/g, '|').replace(/\\\\/g, '\\')));

const parseLatex = (text) => text.split('\n').filter((line) => line.endsWith('\\\\'))
  .map((line) => line.replace(/ \\\\$/, '').split(' & '));

// The alpha* column of the optimal table, by method, from header + rows.
function alphaByMethod(rows, alphaHead) {
  const [head, ...body] = rows;
  const column = head.indexOf(alphaHead);
  assert.ok(column > 0, `no column ${alphaHead} in ${head.join(' | ')}`);
  return Object.fromEntries(methods.map((method) => {
    const found = body.find((cells) => cells[0] === rowLabels[method]);
    assert.ok(found, `no row ${rowLabels[method]}`);
    return [method, Number(found[column])];
  }));
}

test('the optimal table exports as CSV, Markdown and LaTeX at full precision', async () => {
  const { page, problems } = await openPage();
  await settled(page, 3, 2);
  const parsed = {};
  const csv = await exportTable(page, 'optimal', 'csv');
  assert.equal(csv.file, 'mdsd-optimal.csv');
  parsed.csv = alphaByMethod(parseCsv(csv.text), 'α*');
  const markdown = await exportTable(page, 'optimal', 'md');
  assert.equal(markdown.file, 'mdsd-optimal.md');
  assert.match(markdown.text, /^\| Draft sampling \| α\* \| \\\|H\\\| \|/);
  parsed.markdown = alphaByMethod(parseMarkdown(markdown.text), 'α*');
  const latex = await exportTable(page, 'optimal', 'tex');
  assert.equal(latex.file, 'mdsd-optimal.tex');
  assert.match(latex.text, /^\\begin\{tabular\}\{lrrrrrr\}\n\\hline\n/);
  assert.match(latex.text, /\\end\{tabular\}\n$/);
  parsed.latex = alphaByMethod(parseLatex(latex.text), '$\\alpha^*$');
  for (const [format, values] of Object.entries(parsed)) {
    for (const method of methods) {
      assert.ok(Math.abs(values[method] - row.expected[method]) <= kTableTolerance, `${format} ${method}: ${values[method]}`);
      // The full-precision value, not the 10 digits on screen.
      assert.equal(String(values[method]), await page.locator(`[data-testid="optimal.${method}.alpha"]`).getAttribute('data-value'), `${format} ${method}`);
    }
  }
  // An interval column splits into low and high (the verifier table has one
  // only for estimates; its exact rows say "exact").
  const verifiers = parseCsv((await exportTable(page, 'verifiers', 'csv')).text);
  assert.deepEqual(verifiers[0].slice(0, 5), ['Verifier', 'Drafts', 'acceptance', '95% interval', 'gap to α*']);
  const kseq = verifiers.find((cells) => cells[0] === 'K-SEQ (SpecTr)');
  assert.equal(Number(kseq[2]), Number(await page.locator('[data-testid="verifiers.kseq.alpha"]').getAttribute('data-value')));
  assert.deepEqual(problems, []);
  await page.close();
});

test('the Monte Carlo table exports its intervals as low and high columns', async () => {
  const { page, problems } = await openPage(`${link}&simulate=2000`);
  await settled(page, 3, 2);
  const rows = parseCsv((await exportTable(page, 'monte-carlo', 'csv')).text);
  assert.ok(rows[0].includes('95% interval low') && rows[0].includes('95% interval high'), rows[0].join(' | '));
  const kseq = rows.find((cells) => cells[0] === 'K-SEQ (SpecTr)');
  const low = Number(kseq[rows[0].indexOf('95% interval low')]);
  const testid = 'simulation.kseq.acceptance_ci95.0';
  assert.equal(low, Number(await page.locator(`[data-testid="${testid}"]`).getAttribute('data-value')));
  assert.equal(rows[0].length, kseq.length);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the result JSON is what the module solve() gives for the same request', async () => {
  const { page, problems } = await openPage();
  await settled(page, 3, 2);
  const { name, bytes } = await saved(page, '#result-download');
  assert.equal(name, 'mdsd-result.json');
  const exported = JSON.parse(bytes.toString('utf8'));
  const calculator = await load();
  // What the page asks for link A: every method and verifier, no LP.
  const probe = calculator.solve({ target: [0.5, 0.3, 0.2], draft: [0.2, 0.3, 0.5], drafts: 2, methods: ['greedy'] });
  const verifiers = Object.keys(probe.verifiers ?? {}).filter((verifier) => verifier !== 'optimal_lp');
  const expected = calculator.solve({ target: row.target, draft: row.draft, drafts: row.drafts, lp: false, ...(verifiers.length ? { verifiers } : {}) });
  assert.deepEqual(exported, expected);
  assert.ok(Array.isArray(exported.optimal.with_replacement.certificate), 'certificates included');
  assert.deepEqual(problems, []);
  await page.close();
});

test('each chart downloads as a PNG and as an SVG with one path per series', async () => {
  const { page, problems } = await openPage();
  await settled(page, 3, 2);
  for (const [name, element] of [['p-and-q', '#dist-chart'], ['acceptance-by-drafts', '#drafts-chart']]) {
    const png = await saved(page, `[data-export-png="${name}"]`);
    assert.equal(png.name, `mdsd-${name}.png`);
    assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.equal(png.bytes.subarray(12, 16).toString('latin1'), 'IHDR');
    const width = png.bytes.readUInt32BE(16), height = png.bytes.readUInt32BE(20);
    assert.ok(width >= 240 && height >= 200, `${width}x${height}`);
    assert.ok(png.bytes.length > 5000, `${png.bytes.length} bytes`);

    const svg = await saved(page, `[data-export-svg="${name}"]`);
    assert.equal(svg.name, `mdsd-${name}.svg`);
    const seen = await page.evaluate(([text, selector]) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      // The chart's legend: a button per series (charts.mjs).
      const legend = [...document.querySelectorAll(`${selector} .chart-keys button[data-series]`)].map((s) => s.dataset.series);
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        root: doc.documentElement.localName,
        paths: [...doc.querySelectorAll('g.series path')].map((path) => ({ label: path.dataset.series, d: path.getAttribute('d') })),
        legend: legend.length,
        texts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
      };
    }, [svg.bytes.toString('utf8'), element]);
    assert.equal(seen.error, null);
    assert.equal(seen.root, 'svg');
    assert.equal(seen.paths.length, seen.legend, `${name}: ${seen.paths.map((p) => p.label).join(', ')}`);
    assert.ok(seen.paths.every((path) => /^M[\d.]+ [\d.]+/.test(path.d)), 'every series drawn');
    assert.ok(seen.texts.includes(name === 'p-and-q' ? 'probability' : 'acceptance'), 'the y-axis label');
  }
  // The sweep's series: the three methods and the verifiers the page computed.
  const svg = (await saved(page, '[data-export-svg="acceptance-by-drafts"]')).bytes.toString('utf8');
  for (const label of ['α* with replacement', 'α* without replacement', 'α* greedy', 'K-SEQ']) assert.ok(svg.includes(`data-series="${label}"`), label);
  assert.deepEqual(problems, []);
  await page.close();
});

test('on a 390x844 phone the results come first and wide tables scroll in their box', async () => {
  const { page, problems } = await openPage(link, { width: 390, height: 844 });
  await settled(page, 3, 2);
  const layout = await page.evaluate(() => {
    const box = (selector) => document.querySelector(selector).getBoundingClientRect();
    const wrap = document.querySelector('#verifiers-table').closest('.table-wrap');
    return {
      alpha: box('[data-testid="optimal.with_replacement.alpha"]'),
      results: box('#results').top, inputs: box('#inputs').top,
      pageWidth: document.documentElement.scrollWidth,
      wrap: { scroll: wrap.scrollWidth, client: wrap.clientWidth, overflow: getComputedStyle(wrap).overflowX, background: getComputedStyle(wrap).backgroundImage },
    };
  });
  assert.ok(layout.alpha.top >= 0 && layout.alpha.top + layout.alpha.height <= 844, `first alpha* at ${layout.alpha.top}`);
  assert.ok(layout.results < layout.inputs, 'results above the inputs');
  assert.ok(layout.pageWidth <= 390, `the page itself is ${layout.pageWidth} px wide`);
  assert.ok(layout.wrap.scroll > layout.wrap.client, 'the verifier table is wider than the screen');
  assert.equal(layout.wrap.overflow, 'auto');
  assert.match(layout.wrap.background, /radial-gradient/, 'a scroll shadow');
  await page.screenshot({ path: `${artifacts}/page-export-phone.png` });
  // Scrolled to its end, the table shows its last column inside the box.
  await page.evaluate(() => { const wrap = document.querySelector('#verifiers-table').closest('.table-wrap'); wrap.scrollLeft = wrap.scrollWidth; });
  await page.locator('#verifiers-section').screenshot({ path: `${artifacts}/page-export-phone-verifiers-scrolled.png` });
  // The inputs are one tap away.
  await page.click('.results-head [data-goto="inputs"]');
  assert.ok(await page.evaluate(() => document.activeElement?.id === 'inputs'));
  assert.deepEqual(problems, []);
  await page.close();
});

test('at 1280x900 the export buttons sit under their table and chart', async () => {
  const { page, problems } = await openPage(`${link}&simulate=2000`);
  await settled(page, 3, 2);
  await page.screenshot({ path: `${artifacts}/page-export-desktop.png` });
  await page.locator('#results').screenshot({ path: `${artifacts}/page-export-desktop-results.png` });
  const svg = (await saved(page, '[data-export-svg="acceptance-by-drafts"]')).bytes.toString('utf8');
  const png = (await saved(page, '[data-export-png="acceptance-by-drafts"]')).bytes;
  const bars = (await saved(page, '[data-export-svg="p-and-q"]')).bytes.toString('utf8');
  // The exported files, looked at as an image: the SVG drawn by the browser, the PNG as saved.
  const view = await browser.newPage();
  await view.setViewportSize({ width: 740, height: 760 });
  await view.setContent(`<body style="margin:0">${svg}${bars}<img alt="" src="data:image/png;base64,${png.toString('base64')}" style="width:720px"></body>`);
  await view.screenshot({ path: `${artifacts}/page-export-chart-files.png`, fullPage: true });
  // More than 40 tokens: steps on a log axis, the certificate shaded.
  const target = Array.from({ length: 60 }, (_, i) => (60 - i) ** 2), draft = Array.from({ length: 60 }, (_, i) => 1 + (i % 7));
  await page.evaluate(([t, d]) => { location.hash = `#target=${t}&draft=${d}&drafts=3`; }, [target.join(','), draft.join(',')]);
  await settled(page, 60, 3);
  const steps = (await saved(page, '[data-export-svg="p-and-q"]')).bytes.toString('utf8');
  assert.ok((steps.match(/<rect [^>]*fill-opacity/g) ?? []).length > 0, 'the certificate is shaded');
  await view.close();
  const stepsView = await browser.newPage();
  await stepsView.setViewportSize({ width: 740, height: 380 });
  await stepsView.setContent(`<body style="margin:0">${steps}</body>`);
  await stepsView.screenshot({ path: `${artifacts}/page-export-chart-steps.png` });
  await stepsView.close();
  assert.deepEqual(problems, []);
  await page.close();
});

test('the draft cost c goes into the link and comes back from it; absent means 0.05', async () => {
  const { page, problems } = await openPage();
  await settled(page, 3, 2);
  assert.match(await page.evaluate(() => location.hash), /&c=0\.05(&|$)/);
  await page.fill('#cost', '0.2');
  await page.waitForFunction(() => location.hash.includes('c=0.2'));
  const hash = await page.evaluate(() => location.hash);
  const speedup = Number(await page.locator('[data-testid="headline.optimal.speedup"]').getAttribute('data-value'));
  const fresh = await browser.newPage();
  await fresh.goto(`${origin}/${hash}`);
  await settled(fresh, 3, 2);
  assert.equal(await fresh.inputValue('#cost'), '0.2');
  assert.equal(Number(await fresh.locator('[data-testid="headline.optimal.speedup"]').getAttribute('data-value')), speedup);
  // A link without c: the default, also after a link that set it.
  await fresh.evaluate((h) => { location.hash = h; }, link.replace('drafts=2', 'drafts=3'));
  await settled(fresh, 3, 3);
  assert.equal(await fresh.inputValue('#cost'), '0.05');
  await fresh.close();
  assert.deepEqual(problems, []);
  await page.close();
});

test('choosing an example pushes history: Back and Undo restore the typed input; keys alone change nothing', async () => {
  const { page, problems } = await openPage();
  await settled(page, 3, 2);
  const historyLength = () => page.evaluate(() => history.length);
  const before = await historyLength();
  const typed = '0.5, 0.25, 0.25';
  await page.fill('#target', typed);
  await page.waitForFunction(() => location.hash.includes('target=0.5,0.25,0.25'));
  await settled(page, 3, 2);
  const typedAlpha = await page.locator('[data-testid="optimal.greedy.alpha"]').getAttribute('data-value');
  assert.equal(await historyLength(), before, 'typing replaces');

  // A key press on the closed select changes neither it nor the inputs.
  await page.focus('#preset');
  for (const key of ['ArrowDown', 'ArrowUp', 'End', 'PageDown', 'p', 'f']) await page.keyboard.press(key);
  assert.equal(await page.inputValue('#preset'), 'custom');
  assert.equal(await page.inputValue('#target'), typed);
  await page.mouse.wheel(0, 200);
  assert.equal(await page.inputValue('#preset'), 'custom');

  // A choice in the list replaces the inputs and pushes an entry.
  await page.selectOption('#preset', 'equal');
  await settled(page, 4, 3);
  assert.equal(await historyLength(), before + 1, 'a preset pushes');
  assert.ok(await page.locator('#preset-undo').isVisible(), 'an Undo beside the choice');
  await page.goBack();
  await page.waitForFunction((text) => document.querySelector('#target').value === text, typed);
  await settled(page, 3, 2);
  assert.equal(await page.inputValue('#preset'), 'custom');
  assert.equal(await page.locator('[data-testid="optimal.greedy.alpha"]').getAttribute('data-value'), typedAlpha);
  await page.goForward();
  await settled(page, 4, 3);
  assert.equal(await page.inputValue('#preset'), 'equal');

  // Undo does what Back does.
  await page.goBack();
  await settled(page, 3, 2);
  await page.selectOption('#preset', 'flat');
  await settled(page, 8, 3);
  await page.click('#preset-undo');
  await page.waitForFunction((text) => document.querySelector('#target').value === text, typed);
  await settled(page, 3, 2);
  assert.ok(!(await page.locator('#preset-undo').isVisible()));

  // Copy link is a point to come back to: later typing goes to a new entry.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await page.click('#share');
  await page.locator('#share-note', { hasText: 'Link' }).waitFor();
  await page.fill('#drafts', '3');
  await settled(page, 3, 3);
  await page.goBack();
  await settled(page, 3, 2);
  assert.equal(await page.inputValue('#drafts'), '2');
  assert.deepEqual(problems, []);
  await page.close();
});

test('loading a file pushes history; Back brings the typed input back', async () => {
  const { page, problems } = await openPage();
  await settled(page, 3, 2);
  await page.fill('#draft', '0.2, 0.2, 0.6');
  await settled(page, 3, 2);
  await page.setInputFiles('#draft-file', { name: 'q.json', mimeType: 'application/json', buffer: Buffer.from('[0.5, 0.5, 0]') });
  await page.waitForFunction(() => document.querySelector('#draft').value === '0.5, 0.5, 0');
  await settled(page, 3, 2);
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('#draft').value === '0.2, 0.2, 0.6');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the Dataset sweep tables export one column per number of a cell', async () => {
  const { page, problems } = await openPage();
  await settled(page, 3, 2);
  await page.fill('#dataset-drafts', '2,3');
  await page.click('#dataset-demo');
  await page.locator('[data-testid="dataset.sweep.1.mean.verifiers.kseq.alpha"]').waitFor({ timeout: 120000 });
  const rows = parseCsv((await exportTable(page, 'dataset-sweep-verifiers', 'csv')).text);
  assert.deepEqual(rows[0].slice(0, 2), ['n', 'temperature']);
  for (const name of ['K-SEQ (SpecTr) alpha', 'K-SEQ (SpecTr) ci95 low', 'K-SEQ (SpecTr) ci95 high', 'K-SEQ (SpecTr) gap', 'K-SEQ (SpecTr) gap ci95 high']) {
    assert.ok(rows[0].includes(name), `${name} in ${rows[0].join(' | ')}`);
  }
  assert.equal(rows.length, 3);
  for (const [k, cells] of rows.slice(1).entries()) {
    assert.equal(cells.length, rows[0].length);
    for (const [column, key] of [['K-SEQ (SpecTr) alpha', 'alpha'], ['K-SEQ (SpecTr) ci95 high', 'ci95.1'], ['K-SEQ (SpecTr) gap', 'gap']]) {
      const value = await page.locator(`[data-testid="dataset.sweep.${k}.mean.verifiers.kseq.${key}"]`).getAttribute('data-value');
      assert.equal(cells[rows[0].indexOf(column)], value, `${k} ${column}`);
    }
  }
  const latex = (await exportTable(page, 'dataset-sweep-optimal', 'tex')).text;
  assert.match(latex, /^\\begin\{tabular\}/);
  assert.ok(latex.includes('$\\alpha^*$ greedy alpha'), latex.split('\n')[2]);
  assert.deepEqual(problems, []);
  await page.close();
});

test('Back restores a loaded file too long for the link', async () => {
  const { page, problems } = await openPage();
  await settled(page, 3, 2);
  const values = (shift) => Buffer.from(JSON.stringify(Array.from({ length: 6000 }, (_, i) => 1 + ((i + shift) % 13))));
  await page.setInputFiles('#target-file', { name: 'p.json', mimeType: 'application/json', buffer: values(0) });
  await page.setInputFiles('#draft-file', { name: 'q.json', mimeType: 'application/json', buffer: values(5) });
  await settled(page, '6,000', 2);
  const alpha = await page.locator('[data-testid="optimal.greedy.alpha"]').getAttribute('data-value');
  assert.ok(!(await page.evaluate(() => location.hash)).includes('target='), 'the file is not in the link');
  await page.selectOption('#preset', 'equal');
  await settled(page, 4, 3);
  await page.goBack();
  await settled(page, '6,000', 2);
  assert.equal(await page.locator('#target-loaded span').textContent(), 'p.json: 6,000 values');
  assert.equal(await page.locator('[data-testid="optimal.greedy.alpha"]').getAttribute('data-value'), alpha);
  assert.deepEqual(problems, []);
  await page.close();
});
