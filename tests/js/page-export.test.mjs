// The page's exports (tables as CSV, Markdown and LaTeX; charts as PNG and
// SVG; the result as JSON), its phone layout, the draft cost in the link, and
// history: deliberate changes push an entry, and Back undoes a preset.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { startServer } from '../../web/serve.mjs';
import { load } from '../../web/mdsd.mjs';
import { launchChromium, theoryTable, kTableTolerance, repo } from './support.mjs';

let server, browser, origin;
const artifacts = `${repo}test-artifacts`;
const methods = ['with_replacement', 'without_replacement', 'greedy'];
const rowLabels = { with_replacement: 'with replacement (i.i.d.)', without_replacement: 'without replacement', greedy: 'greedy' };
const row = theoryTable[0];  // README §6, first row: alpha* 0.89, 0.9928571429, 0.95
const link = `#target=${row.target.join(',')}&draft=${row.draft.join(',')}&drafts=${row.drafts}`;

before(async () => {
  server = await startServer({ port: 0 });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

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
      // uPlot's legend lists the x series first.
      const legend = [...document.querySelectorAll(`${selector} .u-legend .u-series`)].slice(1).map((s) => s.textContent.trim().replace(/\s.*$/, ''));
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
