// Puts a result on screen: the headline, the optimal, verifier and Monte
// Carlo tables, the notes and the warnings, from the plain-data rows of
// result-view.mjs. Every number element carries data-testid and data-value
// (export.mjs and the tests read them).
import { $ } from './dom.mjs';
import { termButton } from './terms.mjs';
import { optimalRows, verifierRows, simulationRows, headlineItems, notes } from './result-view.mjs';

const results = () => $('results');

function numberElement(part, tag) {
  const element = document.createElement(tag);
  element.dataset.testid = part.testid;
  element.dataset.value = String(part.value);
  element.title = String(part.value);
  element.textContent = part.text;
  return element;
}

/** A <td> from a result-view cell: one number sits on the cell itself, several in spans. */
function cellElement(cell) {
  const td = document.createElement('td');
  if (cell.className) td.className = cell.className;
  if (cell.span) td.colSpan = cell.span;
  if (cell.error) {
    const message = Object.assign(document.createElement('span'), { textContent: cell.error.text });
    message.dataset.testid = cell.error.testid;
    td.append(message);
    if (cell.error.why) {
      const why = Object.assign(document.createElement('span'), { className: 'why', textContent: cell.error.why });
      why.dataset.testid = cell.error.whyTestid;
      td.append(why);
    }
    return td;
  }
  if (cell.term && document.getElementById(`def-${cell.term}`)) {
    td.append(termButton(cell.term, cell.parts.map((part) => part.text).join('')));
    return td;
  }
  const numbers = cell.parts.filter((part) => part.testid);
  if (numbers.length === 1 && cell.parts.length === 1) {
    Object.assign(td.dataset, { testid: numbers[0].testid, value: String(numbers[0].value) });
    td.title = String(numbers[0].value);
    td.textContent = numbers[0].text;
  } else {
    // An interval's ends each stay whole; the line may break between them.
    for (const part of cell.parts) td.append(part.testid ? numberElement(part, 'span') : part.text);
  }
  if (cell.title) td.title = cell.title;
  return td;
}

function headerElement({ text, term }) {
  const th = document.createElement('th');
  th.scope = 'row';
  if (term && document.getElementById(`def-${term}`)) th.append(termButton(term, text));
  else th.textContent = text;
  return th;
}

function fillTable(id, rows) {
  $(id).tBodies[0].replaceChildren(...rows.map((row) => {
    const tr = document.createElement('tr');
    tr.append(headerElement(row.header), ...row.cells.map(cellElement));
    return tr;
  }));
}

function renderHeadline(result, depth, cost) {
  const items = headlineItems(result, depth, cost);
  $('headline').hidden = items.length === 0;
  for (const element of document.querySelectorAll('.cost-value')) element.textContent = cost ?? '?';
  // One number, or both ends of an interval (testid.0, testid.1).
  const numbers = (testid, range, digits, suffix, className) => {
    const make = (value, id, text) => {
      const span = Object.assign(document.createElement('span'), { className, textContent: text });
      Object.assign(span.dataset, { testid: id, value: String(value) });
      return span;
    };
    if (range.point) return [make(range.low, testid, `${range.low.toFixed(digits)}${suffix}`)];
    return [make(range.low, `${testid}.0`, `${range.low.toFixed(digits)}${suffix}`), ' – ',
      make(range.high, `${testid}.1`, `${range.high.toFixed(digits)}${suffix}`)];
  };
  // Each number stays on one line with its words when the line wraps.
  const pair = (...parts) => {
    const span = Object.assign(document.createElement('span'), { className: 'pair' });
    span.append(...parts);
    return span;
  };
  const list = items.flatMap((item) => {
    const term = document.createElement('dt');
    const alpha = Object.assign(document.createElement('span'), { className: 'number' });
    alpha.append(item.alpha.point ? 'α = ' : 'α in ', ...numbers(`headline.${item.key}.alpha`, item.alpha, 4, '', 'number'));
    term.append(`${item.title}: `, item.name, ', ', alpha);
    const value = document.createElement('dd');
    if (item.missing) {
      value.textContent = `fix the ${item.missing} to see the tokens per call and the speed-up`;
      return [term, value];
    }
    value.append(pair(...numbers(`headline.${item.key}.tokens`, item.tokens, 2, '', 'big'), ' tokens per target call'), ', ',
      pair('speed-up ', ...numbers(`headline.${item.key}.speedup`, item.speedup, 2, '×', 'big')));
    return [term, value];
  });
  $('headline-list').replaceChildren(...list);
}

// While only the first numbers are there (jobs.mjs): the parts the full
// calculator computes say that they are loading, in the place they will fill.
const loadingText = 'loading…';
function loadingRow(text) {
  const tr = document.createElement('tr');
  const td = Object.assign(document.createElement('td'), { colSpan: 7, className: 'loading', textContent: text });
  tr.append(td);
  return tr;
}

/**
 * The whole result, with depth d and cost c (null when their field is bad);
 * loading: it holds the first numbers alone, the verifiers and the LP follow.
 */
export function renderResult(result, { depth, cost, lpAsked, loading = false }) {
  for (const element of document.querySelectorAll('.depth-value')) element.textContent = depth ?? '?';
  renderHeadline(result, depth, cost);
  $('optimal-notes').replaceChildren(...notes(result).map(({ testid, text }) => {
    const item = Object.assign(document.createElement('li'), { textContent: text });
    item.dataset.testid = testid;
    return item;
  }));
  results().classList.remove('stale');
  results().removeAttribute('aria-busy');
  fillTable('optimal-table', optimalRows(result, { depth, lpAsked }));
  if (loading) {
    // The LP column: its cells say so where the LP will be.
    if (lpAsked) {
      for (const row of $('optimal-table').tBodies[0].rows) {
        if (row.cells.length === 7) Object.assign(row.cells[5], { textContent: loadingText, className: 'number loading' });
      }
    }
    $('verifiers-section').hidden = false;
    $('verifiers-section').setAttribute('aria-busy', 'true');
    $('verifiers-table').tBodies[0].replaceChildren(loadingRow('Loading the full calculator for the verifiers…'));
    $('simulation-section').hidden = true;
    $('warnings').replaceChildren(...(result.warnings ?? []).map((text) => Object.assign(document.createElement('li'), { textContent: text })));
    return;
  }
  const verifiers = verifierRows(result, { depth });
  $('verifiers-section').removeAttribute('aria-busy');
  $('verifiers-section').hidden = verifiers.length === 0;
  fillTable('verifiers-table', verifiers);
  renderSimulation(result);
  $('warnings').replaceChildren(...(result.warnings ?? []).map((text) => Object.assign(document.createElement('li'), { textContent: text })));
}

/** The Monte Carlo table alone (it arrives after the exact numbers). */
export function renderSimulation(result) {
  const rows = simulationRows(result);
  $('simulation-section').hidden = rows.length === 0;
  fillTable('simulation-table', rows);
}

// Numbers of an older input are dimmed and lose their data-testid until
// the new ones arrive: nothing stale reads as current.
export function markStale() {
  results().classList.add('stale');
  results().setAttribute('aria-busy', 'true');
  for (const element of results().querySelectorAll('[data-testid]')) {
    element.dataset.staleTestid = element.dataset.testid;
    delete element.dataset.testid;
  }
}

export function clearTables() {
  for (const id of ['optimal-table', 'verifiers-table', 'simulation-table']) $(id).tBodies[0].replaceChildren();
  $('verifiers-section').hidden = true;
  $('verifiers-section').removeAttribute('aria-busy');
  $('simulation-section').hidden = true;
  $('warnings').replaceChildren();
  $('optimal-notes').replaceChildren();
  $('headline').hidden = true;
  $('headline-list').replaceChildren();
  results().classList.remove('stale');
  results().removeAttribute('aria-busy');
}
