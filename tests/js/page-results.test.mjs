// What the page's result tables, headline and notes say (web/page/result-view.mjs)
// and how a value reads (web/embed/values.mjs), from hand-made result objects:
// methods come from the result's keys (top_n and any later one), and an
// acceptance the core only bounds ({interval: [lo, hi]}) reads as an interval
// everywhere, derived numbers included, never as one number. Also the
// progress text of a Monte Carlo check (web/page/progress.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeOf, rangeText, mapRange, betterRange, methodsOf } from '../../web/embed/values.mjs';
import { optimalRows, verifierRows, simulationRows, headlineItems, notes, cellText } from '../../web/page/result-view.mjs';
import { tokensPerCall, speedUp } from '../../web/page/inputs.mjs';
import { timeLeftText, simulationProgressText } from '../../web/page/progress.mjs';

const exact = (alpha, size = 2) => ({ alpha, certificate_size: size, certificate_target_mass: 0.5, certificate_draft_mass: 0.6 });

// A result as the core will give it for a sparse input: top_n bounded, not pinned.
const sparse = {
  vocab: 6, drafts: 2, warnings: [],
  optimal: {
    with_replacement: exact(0.89),
    without_replacement: exact(0.9928571429),
    greedy: { error: 'greedy needs at least n = 2 draft tokens with positive probability; draft has 1' },
    top_n: { interval: [0.912, 0.934] },
  },
};

const numbersOf = (cell) => cell.parts.filter((part) => part.testid).map(({ testid, value }) => [testid, value]);

test('rangeOf reads alpha as a point and interval as an interval (a point once its ends meet)', () => {
  assert.deepEqual(rangeOf({ alpha: 0.5 }), { low: 0.5, high: 0.5, point: true });
  assert.deepEqual(rangeOf({ interval: [0.912, 0.934] }), { low: 0.912, high: 0.934, point: false });
  assert.deepEqual(rangeOf({ interval: [0.9, 0.9] }), { low: 0.9, high: 0.9, point: true });
  assert.equal(rangeOf({ error: 'does not apply' }), null);
  assert.equal(rangeOf({ interval: [0.1] }), null);
  assert.equal(rangeText(rangeOf({ interval: [0.912, 0.934] })), '0.912000 – 0.934000');
  assert.equal(rangeText(rangeOf({ interval: [0.912, 0.934] }), 3, 3), '0.912 – 0.934');
  assert.equal(rangeText(rangeOf({ alpha: 0.89 })), '0.8900000000');
  assert.deepEqual(mapRange({ low: 0.5, high: 0.75, point: false }, (a) => 2 * a), { low: 1, high: 1.5, point: false });
  assert.equal(betterRange({ low: 0.9, high: 0.9 }, { low: 0.91, high: 0.95 }), true);
  assert.equal(betterRange({ low: 0.92, high: 0.92 }, { low: 0.91, high: 0.99 }), false, 'the sure (low) end decides');
  assert.deepEqual(methodsOf(sparse), ['with_replacement', 'without_replacement', 'greedy', 'top_n']);
});

test('the optimal table has one row per method key, top_n and an unknown method included', () => {
  const result = { ...sparse, optimal: { ...sparse.optimal, some_future_method: exact(0.5) } };
  const rows = optimalRows(result, { depth: 4 });
  assert.deepEqual(rows.map((row) => row.header.text),
    ['with replacement (i.i.d.)', 'without replacement', 'greedy', 'top-n (deterministic)', 'some future method']);
  assert.equal(rows[3].header.term, 'top_n', 'top_n has its definition in How it works');
  assert.equal(rows[2].cells.length, 1);
  assert.equal(rows[2].cells[0].span, 6);
  assert.match(cellText(rows[2].cells[0]), /^greedy needs at least n = 2 .* Does not apply: Greedy fixes the 1 most likely/);
});

test('a bounded alpha* is an interval in its cell and in its tokens per call, never one number', () => {
  const rows = optimalRows(sparse, { depth: 4 });
  const [alpha, size, pH, QH, lp, tokens] = rows[3].cells;
  assert.equal(cellText(alpha), '0.912000 – 0.934000');
  assert.deepEqual(numbersOf(alpha), [['optimal.top_n.interval.0', 0.912], ['optimal.top_n.interval.1', 0.934]]);
  assert.ok(!numbersOf(alpha).some(([testid]) => testid === 'optimal.top_n.alpha'));
  for (const cell of [size, pH, QH, lp]) assert.equal(cellText(cell), '–');
  assert.deepEqual(numbersOf(tokens), [['tokens.optimal.top_n.0', tokensPerCall(0.912, 4)], ['tokens.optimal.top_n.1', tokensPerCall(0.934, 4)]]);
  assert.equal(cellText(tokens), `${tokensPerCall(0.912, 4).toFixed(4)} – ${tokensPerCall(0.934, 4).toFixed(4)}`);
  // The exact methods read as before: one number each.
  assert.deepEqual(numbersOf(rows[0].cells[0]), [['optimal.with_replacement.alpha', 0.89]]);
  assert.equal(cellText(rows[0].cells[0]), '0.8900000000');
  assert.deepEqual(numbersOf(rows[0].cells[5]), [['tokens.optimal.with_replacement', tokensPerCall(0.89, 4)]]);
  // A bad depth blanks the derived column only.
  assert.equal(cellText(optimalRows(sparse, { depth: null })[3].cells[5]), '–');
  assert.equal(cellText(optimalRows(sparse, { depth: null })[3].cells[0]), '0.912000 – 0.934000');
});

test('the headline computes tokens per call and speed-up from both ends of an interval', () => {
  // top_n's interval is the best here: its sure (low) end is above with replacement's alpha*.
  const result = { ...sparse, optimal: { with_replacement: exact(0.89), top_n: { interval: [0.95, 0.97] } } };
  const [item] = headlineItems(result, 4, 0.05);
  assert.equal(item.key, 'optimal');
  assert.equal(item.name, 'α* top-n (deterministic)');
  assert.deepEqual(item.alpha, { low: 0.95, high: 0.97, point: false });
  assert.deepEqual(item.tokens, { low: tokensPerCall(0.95, 4), high: tokensPerCall(0.97, 4), point: false });
  assert.deepEqual(item.speedup, { low: speedUp(tokensPerCall(0.95, 4), 4, 0.05), high: speedUp(tokensPerCall(0.97, 4), 4, 0.05), point: false });
  // An exact method beats an interval whose sure end is lower, even if its high end is higher.
  const [other] = headlineItems({ optimal: { with_replacement: exact(0.93), top_n: { interval: [0.92, 0.99] } } }, 4, 0.05);
  assert.equal(other.name, 'α* with replacement (i.i.d.)');
  assert.equal(other.alpha.point, true);
  // A missing depth or cost: no numbers derived from it.
  assert.equal(headlineItems(result, null, 0.05)[0].missing, 'depth');
  assert.equal(headlineItems(result, 4, null)[0].tokens, undefined);
  assert.deepEqual(headlineItems({ optimal: { greedy: { error: 'x' } } }, 4, 0.05), []);
});

test('verifier rows: an estimate is marked ≈ with its interval; an exact_match verifier of top_n drafts is named', () => {
  const result = {
    verifiers: {
      rrs_without_replacement: { alpha: 0.8245, exact: false, draft_method: 'without_replacement', gap: 0.1, ci95: [0.8228, 0.8262], samples: 200000 },
      exact_match: { alpha: 0.7, exact: true, draft_method: 'top_n', gap: 0 },
      spechub: { error: 'spechub is defined for n = 2 drafts; this request has n = 4' },
    },
  };
  const rows = verifierRows(result, { depth: 2 });
  assert.deepEqual(rows.map((row) => row.header.text), ['RRS, without replacement', 'exact match (top-n)', 'SpecHub']);
  const [drafts, acceptance, interval] = rows[0].cells;
  assert.equal(cellText(drafts), 'without replacement');
  assert.equal(cellText(acceptance), '≈ 0.8245000000');
  assert.match(acceptance.className, /estimate/);
  assert.deepEqual(numbersOf(interval), [['verifiers.rrs_without_replacement.ci95.0', 0.8228], ['verifiers.rrs_without_replacement.ci95.1', 0.8262]]);
  assert.equal(cellText(rows[1].cells[0]), 'top-n (deterministic)');
  assert.equal(rows[1].cells[0].term, 'top_n');
  assert.equal(cellText(rows[1].cells[2]), 'exact');
  assert.match(cellText(rows[2].cells[0]), /SpecHub pairs a hub token/);
});

test('Monte Carlo rows give each number with its full value', () => {
  const rows = simulationRows({ simulation: { kseq: { samples: 1000000, acceptance: 0.839744, acceptance_ci95: [0.839024, 0.840462], hit_rate: 0.84, hit_rate_ci95: [0.83, 0.85], chi2_p_value: 0.091945 } } });
  assert.deepEqual(rows[0].cells.flatMap(numbersOf).map(([testid]) => testid), [
    'simulation.kseq.acceptance', 'simulation.kseq.acceptance_ci95.0', 'simulation.kseq.acceptance_ci95.1',
    'simulation.kseq.hit_rate', 'simulation.kseq.hit_rate_ci95.0', 'simulation.kseq.hit_rate_ci95.1',
    'simulation.kseq.chi2_p_value', 'simulation.kseq.samples']);
  assert.equal(cellText(rows[0].cells.at(-1)), '1,000,000');
});

test('notes: a bounded alpha* says why it is an interval; n = 1 names only the sampled methods', () => {
  const interval = notes(sparse);
  assert.deepEqual(interval.map((note) => note.testid), ['explain.interval']);
  assert.match(interval[0].text, /^top-n \(deterministic\): α\* is known here only to lie in the interval shown/);
  const one = notes({ drafts: 1, optimal: { with_replacement: exact(0.8), without_replacement: exact(0.8), greedy: exact(0.8), top_n: exact(0.7) } });
  const draft = one.find((note) => note.testid === 'explain.one_draft');
  assert.match(draft.text, /with replacement \(i\.i\.d\.\), without replacement, and greedy draw the same single draft/);
  assert.doesNotMatch(draft.text, /top-n/);
  assert.equal(notes({ drafts: 1, optimal: { with_replacement: exact(0.8), top_n: exact(0.7) } }).length, 0);
  const equal = notes({ drafts: 2, optimal: { greedy: { ...exact(1, 0) }, top_n: { interval: [0.9, 1] } } });
  assert.deepEqual(equal.map((note) => note.testid), ['explain.alpha_one', 'explain.interval']);
});

test('Monte Carlo progress: a percentage, the steps, and the time left once it can be estimated', () => {
  assert.equal(timeLeftText(0.005, 5000), '', 'not from the first 0.5%');
  assert.equal(timeLeftText(0.5, 500), '', 'not from the first half second');
  assert.equal(timeLeftText(0.25, 10000), 'about 30 s left');
  assert.equal(timeLeftText(0.1, 60000), 'about 9 min left');
  assert.equal(timeLeftText(1, 60000), '');
  assert.equal(simulationProgressText(250000, 1000000, 10000), 'Monte Carlo check: 25% (250,000 of 1,000,000 steps), about 30 s left');
  assert.equal(simulationProgressText(0, 1000000, 0), 'Monte Carlo check: 0% (0 of 1,000,000 steps)');
  assert.equal(simulationProgressText(999999, 1000000, 1000), 'Monte Carlo check: 99% (999,999 of 1,000,000 steps), less than a second left');
});
