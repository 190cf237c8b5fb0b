// The page explains itself: every term on screen has a definition a keyboard
// reaches, odd-looking values say why, the headline follows README §5 and the
// page's cost model, misread numbers are refused next to their field, the p/q
// chart draws at phone width and for a single token, the embed keeps the host
// page's inherited styles out, and dark mode follows the system. Expected
// values come from README (mathematics §2, §5, §6 and the Result example) and
// from formulas recomputed here, not from the page's code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { theoryTable, kTableTolerance, repo, openSite, closeSite } from './support.mjs';

let server, browser, origin;
const hostPages = {};
const artifacts = `${repo}test-artifacts`;
const methods = ['with_replacement', 'without_replacement', 'greedy'];

before(async () => ({ server, browser, origin } = await openSite({ extraFiles: hostPages })));
after(() => closeSite({ server, browser }));

async function openPage(path = '/', { width = 1280, height = 900, colorScheme = 'light' } = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.emulateMedia({ colorScheme });
  await page.setViewportSize({ width, height });
  await page.goto(`${origin}${path}`);
  return { page, problems };
}

const valueOf = async (page, testid) =>
  Number(await page.locator(`[data-testid="${testid}"]`).getAttribute('data-value'));

async function waitForResult(page, vocab, drafts) {
  await page.waitForFunction(([v, n]) => {
    const text = document.querySelector('#status').textContent;
    return text.includes(`Vocabulary ${v.toLocaleString('en')}, ${n} draft${n === 1 ? '' : 's'}.`) && document.querySelector('[data-testid$=".alpha"]');
  }, [vocab, drafts]);
}

const hashOf = (target, draft, drafts) => `#target=${target.join(',')}&draft=${draft.join(',')}&drafts=${drafts}`;

// README §5: expected tokens per target call at depth d.
const tokensPerCall = (alpha, depth) => (alpha >= 1 ? depth + 1 : (1 - alpha ** (depth + 1)) / (1 - alpha));

test('every term on screen is a button a keyboard reaches, described by its definition', async () => {
  const { page, problems } = await openPage();
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  // The Monte Carlo table too, so that its columns are on screen.
  await page.check('#simulate');
  await page.fill('#samples', '2000');
  await page.locator('[data-testid="simulation.kseq.acceptance"]').waitFor();

  // Each column header and each row name (method, verifier) of the three tables.
  const cells = await page.$$eval('#optimal-table th, #verifiers-table th, #simulation-table th, #verifiers-table tbody td:nth-child(2)', (list) =>
    list.map((cell) => ({ text: cell.textContent.trim(), terms: cell.querySelectorAll('button.term').length })));
  const undefinedTerms = cells.filter((cell) => cell.terms === 0).map((cell) => cell.text);
  assert.deepEqual(undefinedTerms, [], 'headers and names without a definition');
  const names = cells.map((cell) => cell.text);
  for (const expected of ['α*', '|H|', 'p(H)', 'Q(H)', 'LP α*', 'with replacement (i.i.d.)', 'without replacement', 'greedy',
    'RRS, with replacement', 'RRS, without replacement', 'K-SEQ (SpecTr)', 'greedy verifier', 'SpecHub', 'ρ', 'gap to α*',
    'output is a draft', 'χ² p-value (output ~ p)', 'samples']) {
    assert.ok(names.includes(expected), `"${expected}" is on screen (${names.join(' | ')})`);
  }

  // Every term button is described by a non-empty definition of "How it works".
  const terms = await page.$$eval('button.term', (buttons) => buttons.filter((b) => b.checkVisibility()).map((button) => {
    const definition = document.getElementById(button.getAttribute('aria-describedby'));
    return { key: button.dataset.term, definition: definition?.textContent.trim() ?? '', inGlossary: Boolean(definition?.closest('#how dl')) };
  }));
  assert.ok(terms.length >= 30, `${terms.length} terms`);
  for (const term of terms) {
    assert.ok(term.inGlossary && term.definition.length > 30, `${term.key}: "${term.definition}"`);
  }
  // Chromium's accessibility tree carries the definition as the description.
  const client = await page.context().newCDPSession(page);
  const { nodes } = await client.send('Accessibility.getFullAXTree');
  const described = nodes.filter((node) => node.role?.value === 'button' && node.description?.value?.includes('No verifier beats it'));
  assert.ok(described.some((node) => node.name?.value === 'α*'), 'the α* header button is described by its definition');

  // The form's method and verifier boxes are described by the same definitions.
  const boxes = await page.$$eval('#inputs input[type=checkbox][name=method], #inputs input[type=checkbox][name=verifier]', (list) =>
    list.map((box) => [box.value, document.getElementById(box.getAttribute('aria-describedby'))?.closest('#how dl') ? 'defined' : 'missing']));
  assert.ok(boxes.length >= 8, `${boxes.length} boxes`);
  assert.deepEqual(boxes.filter(([, state]) => state !== 'defined'), []);

  // The keyboard reaches every one: Tab through the page and collect what gets focus.
  const keys = new Set(terms.map((term) => term.key));
  const reached = new Set();
  await page.focus('#preset');
  for (let i = 0; i < 400 && reached.size < keys.size; i++) {
    await page.keyboard.press('Tab');
    const key = await page.evaluate(() => (document.activeElement?.matches('button.term') ? document.activeElement.dataset.term : null));
    if (key) reached.add(key);
  }
  assert.deepEqual([...keys].filter((key) => !reached.has(key)), [], 'terms the keyboard does not reach');

  // Enter opens the definition next to the term; Escape closes it and gives the focus back.
  const header = page.locator('#optimal-table thead button.term[data-term="QH"]');
  await header.focus();
  await page.keyboard.press('Enter');
  const popover = page.locator('#term-popover');
  await popover.waitFor({ state: 'visible' });
  assert.equal((await popover.locator('.term-popover-body').textContent()).trim(), (await page.locator('#def-QH').textContent()).trim());
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${artifacts}/page-explains-definition-desktop.png` });
  await page.keyboard.press('Escape');
  await popover.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.term), 'QH');
  // "In How it works" moves the focus to the term in the list.
  await page.locator('#verifiers-table tbody button.term[data-term="v-kseq"]').click();
  await page.click('#term-popover-more');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'term-v-kseq');
  assert.match(await page.locator('#def-v-kseq').textContent(), /SpecTr/);
  assert.equal(await page.evaluate(() => location.hash.includes('target=')), true, 'the inputs stay in the URL');
  assert.deepEqual(problems, []);
  await page.close();
});

test('"How it works" says why nothing beats alpha*, links the papers, gives BibTeX, in MathML written in the HTML', async () => {
  // MathML in the served HTML itself, not made at load; the page stays text.
  const html = readFileSync(`${repo}web/index.html`, 'utf8');
  assert.ok((html.match(/<math[ >]/g) ?? []).length >= 8, 'MathML in index.html');
  // The explanation is text: no image, script, font or stylesheet of its own, and a few kB compressed
  // (README's page benchmark: about 305 kB gzip in all).
  const section = html.slice(html.indexOf('<section id="how"'), html.indexOf('</section>', html.indexOf('<section id="how"')));
  assert.ok(section.length > 5000);
  assert.doesNotMatch(section, /<(?:img|script|link|iframe|object|svg)\b|src=|@font-face/);
  const transfer = gzipSync(section, { level: 9 }).length + gzipSync(readFileSync(`${repo}web/page/terms.mjs`), { level: 9 }).length;
  assert.ok(transfer < 8000, `"How it works" and terms.mjs: ${transfer} gzip bytes`);
  const { page, problems } = await openPage();
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  const how = page.locator('#how');
  assert.ok(await how.locator('math').count() >= 8);
  // Chromium lays MathML out (MathML Core): a fraction has height.
  const fraction = await how.locator('mfrac').first().boundingBox();
  assert.ok(fraction.height > 20, `mfrac height ${fraction.height}`);
  const text = await how.textContent();
  // README mathematics §2: the bound 1 - Q(H) + p(H) for every H, attained by max-flow/min-cut.
  assert.match(text, /If every draft lies in H, an accepted y lies in H too/);
  assert.match(text, /max-flow\/min-cut/);
  const links = await how.locator('a').evaluateAll((anchors) => anchors.map((a) => a.href));
  for (const id of ['2502.18779', '2310.15141', '2411.05289', '2401.06706', '2402.14160', '2305.09781']) {
    assert.ok(links.includes(`https://arxiv.org/abs/${id}`), `arXiv ${id}`);
  }
  const bibtex = await page.locator('.bibtex').textContent();
  assert.match(bibtex, /@software\{mdsd_calculator,/);
  assert.match(bibtex, /@inproceedings\{hu2025towards,[\s\S]*Towards Optimal Multi-draft Speculative Decoding[\s\S]*2502\.18779/);
  assert.ok(bibtex.includes(`url     = {${origin}/}`), 'the calculator entry gives the page address, without the inputs');
  // The lede's "How it works" goes there without touching the inputs in the hash.
  const hash = await page.evaluate(() => location.hash);
  await page.click('button[data-goto="how-title"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'how-title');
  assert.equal(await page.evaluate(() => location.hash), hash);
  // So does the skip link, with the keyboard: the typed input stays.
  await page.fill('#target', '0.5 0.5');
  await page.fill('#draft', '0.25 0.75');
  await page.fill('#drafts', '1');
  await page.locator('#status', { hasText: 'Vocabulary 2, 1 draft.' }).waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.focus('a.skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'results-title');
  await page.waitForTimeout(300);
  assert.equal(await page.inputValue('#target'), '0.5 0.5');
  assert.equal(await valueOf(page, 'optimal.greedy.alpha'), 0.75);  // README §2: n = 1 gives sum min(p, q)
  assert.deepEqual(problems, []);
  await page.close();
});

test('alpha* = 1 with |H| = 0 (p = q) and methods that do not apply say why in plain words', async () => {
  const { page, problems } = await openPage();
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  await page.selectOption('#preset', 'equal');
  await waitForResult(page, 4, 3);
  // README mathematics §2: p = q gives 1, with the empty certificate.
  for (const method of methods) {
    assert.equal(await valueOf(page, `optimal.${method}.alpha`), 1, method);
    assert.equal(await valueOf(page, `optimal.${method}.certificate_size`), 0, method);
  }
  const note = page.locator('[data-testid="explain.alpha_one"]');
  await note.waitFor();
  const words = await note.textContent();
  assert.match(words, /with replacement \(i\.i\.d\.\), without replacement, and greedy: α\* = 1 with \|H\| = 0 is not a missing value/);
  assert.match(words, /empty set: no set H of tokens makes p\(H\) − Q\(H\) negative/);
  assert.match(words, /a verifier exists that always accepts/);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('#results').screenshot({ path: `${artifacts}/page-explains-equal-desktop.png` });

  // README's Result example: a draft with two tokens of mass and n = 3.
  await page.goto(`${origin}/${hashOf([0.5, 0.3, 0.2], [0.7, 0.3, 0], 3)}`);
  await waitForResult(page, 3, 3);
  assert.equal(await valueOf(page, 'optimal.with_replacement.alpha'), 0.8);
  assert.equal(await page.locator('[data-testid="optimal.without_replacement.error"]').textContent(),
    'without_replacement needs at least n = 3 draft tokens with positive probability; draft has 2');
  assert.match(await page.locator('[data-testid="optimal.without_replacement.why"]').textContent(),
    /the 3 drafts must be 3 different tokens, but the draft gives positive probability to only 2 tokens\. Use n ≤ 2/);
  assert.match(await page.locator('[data-testid="optimal.greedy.why"]').textContent(), /Greedy fixes the 2 most likely draft tokens/);
  assert.match(await page.locator('[data-testid="verifiers.spechub.why"]').textContent(), /n = 2 only/);
  assert.equal(await page.locator('[data-testid="explain.alpha_one"]').count(), 0, 'no alpha* = 1 note for alpha* = 0.8');
  // n = 1: README §2, all three methods give sum min(p, q) = 0.8.
  await page.fill('#drafts', '1');
  await waitForResult(page, 3, 1);
  for (const method of methods) assert.ok(Math.abs(await valueOf(page, `optimal.${method}.alpha`) - 0.8) <= kTableTolerance);
  assert.match(await page.locator('[data-testid="explain.one_draft"]').textContent(), /same single draft/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the headline gives tokens per target call and the speed-up from the displayed alpha, depth and cost', async () => {
  const row = theoryTable[2];  // .5 .3 .2 | .2 .3 .5, n = 2: the methods differ
  const { page, problems } = await openPage(`/${hashOf(row.target, row.draft, row.drafts)}`);
  await waitForResult(page, 3, 2);
  const check = async (depth, cost) => {
    const alphas = {};
    for (const method of methods) alphas[method] = await valueOf(page, `optimal.${method}.alpha`);
    for (const method of methods) assert.ok(Math.abs(alphas[method] - row.expected[method]) <= kTableTolerance, method);
    const best = Math.max(...Object.values(alphas));
    assert.equal(await valueOf(page, 'headline.optimal.alpha'), best);
    const tokens = tokensPerCall(best, depth);
    assert.ok(Math.abs(await valueOf(page, 'headline.optimal.tokens') - tokens) <= 1e-12, `tokens at d = ${depth}`);
    assert.ok(Math.abs(await valueOf(page, 'headline.optimal.speedup') - tokens / (1 + depth * cost)) <= 1e-12, `speed-up at c = ${cost}`);
    // The best practical verifier: README §6 row 3 gives RRS 0.76 / 0.82, K-SEQ 0.7913552873, and
    // greedy and SpecHub reach greedy's alpha* = 0.9.
    const verifier = await valueOf(page, 'headline.verifier.alpha');
    assert.ok(Math.abs(verifier - 0.9) <= kTableTolerance, `best verifier ${verifier}`);
    assert.ok(Math.abs(await valueOf(page, 'headline.verifier.speedup') - tokensPerCall(verifier, depth) / (1 + depth * cost)) <= 1e-12);
    const shown = await page.locator('[data-testid="headline.optimal.speedup"]').textContent();
    assert.equal(shown, `${(tokens / (1 + depth * cost)).toFixed(2)}×`);
  };
  await check(4, 0.05);
  await page.fill('#depth', '2');
  await page.fill('#cost', '0.2');
  await page.locator('.cost-value', { hasText: '0.2' }).first().waitFor();
  await check(2, 0.2);
  // A misread cost blanks the speed-up only, and says so next to the field.
  await page.fill('#cost', '0,2');
  await page.locator('#cost-error', { hasText: 'cost: "0,2" is not a number (use a point for decimals: 0.2)' }).waitFor();
  assert.equal(await page.locator('#cost').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('[data-testid="headline.optimal.speedup"]').count(), 0);
  assert.ok(Math.abs(await valueOf(page, 'optimal.without_replacement.alpha') - row.expected.without_replacement) <= kTableTolerance);
  assert.deepEqual(problems, []);
  await page.close();
});

test('misread numbers are errors next to their field, and nothing is computed from them', async () => {
  const { page, problems } = await openPage(`/#target_logits=2,1.5,0.3,-1&draft_logits=1.2,1.4,0.9,0.1&drafts=2`);
  await waitForResult(page, 4, 2);
  const refused = async (field, text, message) => {
    await page.fill(`#${field}`, text);
    const error = page.locator(`#${field}-error`);
    await error.filter({ hasText: message }).waitFor();
    assert.equal(await page.locator(`#${field}`).getAttribute('aria-invalid'), 'true', `${field} "${text}"`);
    assert.ok((await page.locator(`#${field}`).getAttribute('aria-describedby')).split(' ').includes(`${field}-error`));
    assert.equal(await page.locator('[data-testid$=".alpha"]').count(), 0, `no result from ${field} = "${text}"`);
    assert.match(await page.locator('#status').textContent(), /Fix the input/);
  };
  const accepted = async (field, text) => {
    await page.fill(`#${field}`, text);
    await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
    assert.equal(await page.locator(`#${field}-error`).textContent(), '');
    assert.equal(await page.locator(`#${field}`).getAttribute('aria-invalid'), null);
  };
  await refused('temperature', '0,7', 'temperature: "0,7" is not a number (use a point for decimals: 0.7)');
  await refused('temperature', 'abc', 'temperature: "abc" is not a number');
  await refused('temperature', '', 'temperature: empty; enter a number');
  await accepted('temperature', '0.7');
  await refused('drafts', '1,5', 'drafts: "1,5" is not an integer');
  await refused('drafts', 'abc', 'drafts: "abc" is not an integer');
  await refused('drafts', '', 'drafts: empty; enter an integer from 1 to 64');
  await refused('drafts', '1000', 'drafts: must be an integer from 1 to 64, got 1000');
  await accepted('drafts', '2');
  await refused('top_p', '0,9', 'top_p: "0,9" is not a number');
  await accepted('top_p', '');
  await refused('top_k', '2.5', 'top_k: must be an integer of at least 1, got 2.5');
  await accepted('top_k', '');
  await page.check('#simulate');
  await page.fill('#samples', '10,000');
  await page.locator('#lp-error', { hasText: 'samples: "10,000" is not an integer' }).waitFor();
  assert.equal(await page.locator('#samples').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('[data-testid$=".alpha"]').count(), 0);
  await page.fill('#samples', '1000');
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  await page.uncheck('#simulate');
  // Depth feeds only the derived numbers: those go, the rest stays.
  await page.fill('#depth', '4,5');
  await page.locator('#depth-error', { hasText: 'depth: "4,5" is not an integer' }).waitFor();
  assert.equal(await page.locator('#depth').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('[data-testid^="tokens."]').count(), 0);
  assert.equal(await page.locator('[data-testid^="headline."][data-testid$=".tokens"]').count(), 0);
  await page.fill('#depth', '4');
  await page.locator('[data-testid="tokens.optimal.greedy"]').waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.fill('#drafts', '1,5');
  await page.locator('#drafts-error', { hasText: '"1,5"' }).waitFor();
  await page.locator('#inputs').screenshot({ path: `${artifacts}/page-explains-misread-phone.png` });
  await page.fill('#drafts', '2');
  await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
  // The synthetic pair's seed.
  await page.selectOption('#preset', 'synthetic');
  await waitForResult(page, 152064, 4);
  await page.fill('#seed', '1,5');
  await page.locator('#seed-error', { hasText: 'seed: "1,5" is not an integer' }).waitFor();
  assert.equal(await page.locator('#seed').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('[data-testid$=".alpha"]').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

// Pixels of the canvas close to a colour: the chart drew that series.
const pixelsNear = (page, selector, [r, g, b]) => page.evaluate(([sel, rgb]) => {
  const canvas = document.querySelector(sel);
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 200 && Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 40) count++;
  }
  return count;
}, [selector, [r, g, b]]);

test('the p/q chart draws at 390 px with 100 tokens and when top-p leaves one token', async () => {
  const logits = (n, slope) => Array.from({ length: n }, (_, i) => -i * slope).join(',');
  // 100 tokens over 20 decades: the log axis has more ticks than room at phone width.
  const wide = `/#target_logits=${logits(100, 0.4)}&draft_logits=${logits(100, 0.5)}&drafts=2`;
  const { page, problems } = await openPage(wide, { width: 390, height: 844 });
  await waitForResult(page, 100, 2);
  await page.locator('#dist-chart canvas').waitFor();
  await page.waitForTimeout(300);
  const q = [0xb8, 0x53, 0x1c];
  assert.ok(await pixelsNear(page, '#dist-chart canvas', q) > 100, 'q is drawn at 390 px');
  await page.screenshot({ path: `${artifacts}/page-explains-phone.png`, fullPage: false });
  await page.locator('#dist-figure').screenshot({ path: `${artifacts}/page-explains-chart-phone.png` });
  // top-p = 0.001 keeps only the most likely token of each distribution (100 logits).
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${origin}/#target_logits=${logits(100, 0.1)}&draft_logits=${logits(100, 0.12)}&drafts=1&top_p=0.001`);
  await waitForResult(page, 100, 1);
  await page.locator('#dist-chart canvas').waitFor();
  await page.waitForTimeout(300);
  assert.ok(await pixelsNear(page, '#dist-chart canvas', q) > 20, 'the one remaining token is drawn');
  await page.locator('#dist-figure').screenshot({ path: `${artifacts}/page-explains-chart-one-token.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a host rule * {color: red; font-family: serif} does not reach inside the embedded element', async () => {
  const row = theoryTable[0];
  hostPages['/host-red.html'] = `<!doctype html><html><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,">
<style>* { color: red; font-family: serif; letter-spacing: 3px; text-transform: uppercase; } body { line-height: 3; }</style>
<script type="module" src="/embed/embed.mjs"></script></head>
<body><p id="host-text">A blog post.</p><mdsd-calculator target="${row.target}" draft="${row.draft}" drafts="${row.drafts}"></mdsd-calculator></body></html>`;
  const { page, problems } = await openPage('/host-red.html');
  await page.locator('mdsd-calculator [data-testid="optimal.greedy.alpha"]').waitFor();
  const styles = await page.evaluate(() => {
    const root = document.querySelector('mdsd-calculator').shadowRoot;
    const pick = (element) => {
      const style = getComputedStyle(element);
      return { color: style.color, font: style.fontFamily, spacing: style.letterSpacing, transform: style.textTransform, line: style.lineHeight };
    };
    return {
      host: pick(document.querySelector('#host-text')),
      inside: ['.title', 'th', 'td.number', 'textarea', '.status', 'label'].map((selector) => [selector, pick(root.querySelector(selector))]),
    };
  });
  // The host page keeps its rule ...
  assert.equal(styles.host.color, 'rgb(255, 0, 0)');
  // ... and nothing inside the element inherits it.
  for (const [selector, style] of styles.inside) {
    assert.notEqual(style.color, 'rgb(255, 0, 0)', `${selector} color`);
    assert.doesNotMatch(style.font, /^serif$/, `${selector} font`);
    assert.equal(style.spacing, 'normal', `${selector} letter-spacing`);
    assert.equal(style.transform, 'none', `${selector} text-transform`);
  }
  await page.locator('mdsd-calculator').screenshot({ path: `${artifacts}/page-explains-embed-red-host.png` });
  // The element's n is read strictly too: "1,5" is an error there, not 15.
  const drafts = page.locator('mdsd-calculator input[name="drafts"]');
  for (const [text, message] of [['1,5', 'drafts: "1,5" is not an integer'], ['', 'drafts: empty; enter an integer from 1 to 64'],
    ['1000', 'drafts: must be an integer from 1 to 64, got 1000']]) {
    await drafts.fill(text);
    await page.locator('mdsd-calculator .error', { hasText: message }).waitFor();
    assert.equal(await drafts.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('mdsd-calculator [data-testid$=".alpha"]').count(), 0);
  }
  await drafts.fill('3');
  await page.locator('mdsd-calculator .status', { hasText: '3 drafts' }).waitFor();
  assert.ok(Math.abs(Number(await page.locator('mdsd-calculator [data-testid="optimal.without_replacement.alpha"]').getAttribute('data-value')) - theoryTable[1].expected.without_replacement) <= kTableTolerance);
  assert.deepEqual(problems, []);
  await page.close();
});

const luminance = (rgb) => {
  const [r, g, b] = rgb.match(/\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
};

test('dark mode follows prefers-color-scheme, the charts included', async () => {
  const row = theoryTable[0];
  const { page, problems } = await openPage(`/${hashOf(row.target, row.draft, row.drafts)}`, { colorScheme: 'dark' });
  await waitForResult(page, 3, 2);
  await page.locator('#dist-chart canvas').waitFor();
  await page.waitForTimeout(300);
  const colours = await page.evaluate(() => ({
    body: getComputedStyle(document.body).backgroundColor,
    text: getComputedStyle(document.body).color,
    form: getComputedStyle(document.querySelector('#inputs')).backgroundColor,
    field: getComputedStyle(document.querySelector('#target')).backgroundColor,
    fieldText: getComputedStyle(document.querySelector('#target')).color,
    cell: getComputedStyle(document.querySelector('[data-testid="optimal.greedy.alpha"]')).color,
  }));
  assert.ok(luminance(colours.body) < 0.15 && luminance(colours.form) < 0.15 && luminance(colours.field) < 0.15, JSON.stringify(colours));
  assert.ok(luminance(colours.text) > 0.75 && luminance(colours.fieldText) > 0.75 && luminance(colours.cell) > 0.75, JSON.stringify(colours));
  // The target's bars are drawn light on the dark canvas (style.css --chart-p, #e6edf3 in dark mode).
  const lightInk = [0x1b, 0x1f, 0x24];  // --chart-p in light mode: invisible on the dark page
  assert.ok(await pixelsNear(page, '#dist-chart canvas', [0xe6, 0xed, 0xf3]) > 100, 'p drawn in the dark-mode colour');
  assert.ok(await pixelsNear(page, '#dist-chart canvas', lightInk) < 20, 'no light-mode ink in dark mode');
  await page.screenshot({ path: `${artifacts}/page-explains-dark-desktop.png` });
  // Switching back redraws the charts in the light colours.
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForTimeout(300);
  assert.ok(await pixelsNear(page, '#dist-chart canvas', lightInk) > 100, 'redrawn in the light-mode colour');
  assert.deepEqual(problems, []);
  await page.close();
});

test('wording and touch targets: "1 draft", no "null" or "1e+03", controls at least 24 px', async () => {
  const { page, problems } = await openPage(`/${hashOf([0.5, 0.5], [0.25, 0.75], 1)}`, { width: 390, height: 844 });
  await waitForResult(page, 2, 1);
  assert.match(await page.locator('#status').textContent(), /^Vocabulary 2, 1 draft\. /);
  await page.fill('#drafts', '');
  await page.locator('#drafts-error', { hasText: 'drafts: empty' }).waitFor();
  assert.doesNotMatch(await page.locator('#drafts-error').textContent(), /null/);
  await page.fill('#drafts', '1000');
  await page.locator('#drafts-error', { hasText: 'got 1000' }).waitFor();
  await page.fill('#drafts', '1');
  await waitForResult(page, 2, 1);
  // Checkboxes with their labels, term buttons and other buttons: at least 24 px high (WCAG 2.5.8).
  const small = await page.evaluate(() => {
    const out = [];
    for (const box of document.querySelectorAll('#inputs input[type=checkbox]')) {
      if (!box.checkVisibility()) continue;
      const target = box.closest('label').getBoundingClientRect();
      if (target.height < 24 || target.width < 24) out.push(`checkbox ${box.value || box.id}: ${target.width}x${target.height}`);
      if (box.getBoundingClientRect().height < 18) out.push(`checkbox ${box.value || box.id} itself: ${box.getBoundingClientRect().height}`);
    }
    for (const button of document.querySelectorAll('#inputs button, #results button')) {
      if (!button.checkVisibility()) continue;
      const { height } = button.getBoundingClientRect();
      if (height < 24) out.push(`button ${button.textContent.trim()}: ${height}`);
    }
    return out;
  });
  assert.deepEqual(small, []);
  await page.screenshot({ path: `${artifacts}/page-explains-phone-top.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test('desktop and phone screenshots of the explained page', async () => {
  for (const [label, width, height] of [['desktop', 1280, 900], ['phone', 390, 844]]) {
    const { page, problems } = await openPage('/', { width, height });
    await page.locator('[data-testid="optimal.greedy.alpha"]').waitFor();
    await page.locator('#drafts-chart canvas').waitFor();
    await page.waitForTimeout(300);
    await page.locator('#results').screenshot({ path: `${artifacts}/page-explains-results-${label}.png` });
    await page.locator('#how').screenshot({ path: `${artifacts}/page-explains-how-${label}.png` });
    // Nothing wider than the screen but the scrollable tables and formulas.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${label}: the page overflows by ${overflow}px`);
    assert.deepEqual(problems, []);
    await page.close();
  }
});
