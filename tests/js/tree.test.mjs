// Draft trees through the package (calculator.tree, calculator.acceptanceVector),
// against values computed here independently: every tree enumerated for small
// budgets, and the RRS acceptance at each width by its own recursion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, MdsdInputError } from '../../web/package/mdsd.mjs';
import { random } from './support.mjs';
import { everyTree, tokensOf, treeDepth, callTime, rrsAcceptance } from './tree-brute-force.mjs';

const calculator = await load();
const kClose = 1e-12;

function checkShape(result, p, budget, depth) {
  const { parents, ranks } = result;
  assert.equal(parents.length, ranks.length);
  assert.ok(parents.length <= budget);
  const children = new Map();
  for (let i = 0; i < parents.length; i++) {
    assert.ok(parents[i] >= -1 && parents[i] < i, `node ${i}: parent ${parents[i]} comes first`);
    const count = (children.get(parents[i]) ?? 0) + 1;
    children.set(parents[i], count);
    assert.equal(ranks[i], count, `node ${i}: ranks 1..k in order`);
    assert.ok(ranks[i] <= p.length);
  }
  assert.ok(treeDepth(parents) <= depth);
  assert.ok(Math.abs(tokensOf(p, parents, ranks) - result.expected_tokens) <= kClose);
}

test('tree: the best tree, the chains and every budget, against every tree', () => {
  const next = random(14);
  const cases = [
    { p: [0.5, 0.3, 0.1], budget: 6, depth: 3 },
    { p: [0.2, 0.5, 0.3], budget: 6, depth: 4 },   // p need not decrease
    { p: [0.6, 0, 0.3], budget: 5, depth: 3 },      // a zero makes room for a higher rank
    { p: [0.9], budget: 7, depth: 4 },
  ];
  for (let k = 0; k < 4; k++) {
    const width = 1 + Math.floor(next() * 3);
    let left = 1;
    const p = Array.from({ length: width }, () => { const v = next() * left; left -= v; return v; });
    cases.push({ p, budget: 1 + Math.floor(next() * 6), depth: 1 + Math.floor(next() * 4) });
  }
  for (const { p, budget, depth } of cases) {
    const label = JSON.stringify({ p, budget, depth });
    const result = calculator.tree({ acceptance: p, budget, depth, by_budget: true });
    const best = new Array(budget + 1).fill(1);
    everyTree(budget, depth, p.length, ({ parents, ranks }) => {
      const value = tokensOf(p, parents, ranks);
      for (let m = parents.length; m <= budget; m++) best[m] = Math.max(best[m], value);
    });
    assert.ok(Math.abs(result.expected_tokens - best[budget]) <= kClose, `${label}: ${result.expected_tokens} vs ${best[budget]}`);
    checkShape(result, p, budget, depth);
    assert.equal(result.nodes, result.parents.length);
    assert.equal(result.tree_depth, treeDepth(result.parents));
    for (let m = 0; m <= budget; m++) {
      assert.ok(Math.abs(result.by_budget.best[m] - best[m]) <= kClose, `${label}, at most ${m} nodes`);
      // One chain of min(m, D) nodes; n chains of min(D, m / n) each.
      let chain = 1;
      for (let j = 1, reach = 1; j <= Math.min(m, depth); j++) chain += (reach *= p[0]);
      assert.ok(Math.abs(result.by_budget.chain[m] - chain) <= kClose, `${label}: chain at ${m}`);
      let chains = 1;
      for (let n = 1; n <= Math.min(p.length, m); n++) {
        const length = Math.min(depth, Math.floor(m / n));
        const first = p.slice(0, n).reduce((a, b) => a + b, 0);
        let tail = 1;
        for (let j = 1, reach = 1; j < length; j++) tail += (reach *= p[0]);
        chains = Math.max(chains, 1 + first * tail);
      }
      assert.ok(Math.abs(result.by_budget.independent_chains[m] - chains) <= kClose, `${label}: chains at ${m}`);
    }
    assert.ok(Math.abs(result.chain.expected_tokens - result.by_budget.chain[budget]) <= kClose);
    assert.ok(Math.abs(result.independent_chains.expected_tokens - result.by_budget.independent_chains[budget]) <= kClose);
  }
});

test('tree: tokens per unit time, against every tree', () => {
  const p = [0.5, 0.3, 0.1];
  for (const cost of [
    { draft_time: 0.1, target_times: [[1, 1], [4, 1.1], [8, 1.3]] },
    { draft_time: 0.3, target_time: 1 },
    { draft_time: 0.05, target_times: [[1, 1], [3, 2]] },
  ]) {
    const points = cost.target_times ?? [[1, cost.target_time]];
    const result = calculator.tree({ acceptance: p, budget: 7, depth: 4, cost });
    let best = 0, bestChain = 0;
    everyTree(7, 4, p.length, ({ parents, ranks }) => {
      const time = callTime(points, parents.length + 1);
      if (time === null) return;
      const rate = tokensOf(p, parents, ranks) / (treeDepth(parents) * cost.draft_time + time);
      best = Math.max(best, rate);
      if (ranks.every((rank) => rank === 1)) bestChain = Math.max(bestChain, rate);
    });
    const label = JSON.stringify(cost);
    assert.ok(Math.abs(result.time.best.tokens_per_time - best) <= kClose, `${label}: ${result.time.best.tokens_per_time} vs ${best}`);
    assert.ok(Math.abs(result.time.chain.tokens_per_time - bestChain) <= kClose, `${label}: chain`);
    assert.ok(Math.abs(result.time.plain_tokens_per_time - 1 / points[0][1]) <= kClose);
    assert.ok(Math.abs(result.time.best.speedup - best * points[0][1]) <= kClose);
    const shape = { ...result.time.best, expected_tokens: result.time.best.expected_tokens };
    checkShape(shape, p, 7, 4);
  }
});

test('tree: bad input throws an error naming the field', () => {
  const cases = [
    [{ acceptance: [0.5, 2], budget: 3, depth: 2 }, 'acceptance[1]'],
    [{ acceptance: [0.7, 0.5], budget: 3, depth: 2 }, 'acceptance'],
    [{ acceptance: [], budget: 3, depth: 2 }, 'acceptance'],
    [{ acceptance: [0.5, NaN], budget: 3, depth: 2 }, 'acceptance[1]'],
    [{ acceptance: [0.5], budget: -1, depth: 2 }, 'budget'],
    [{ acceptance: [0.5], budget: 2000, depth: 2 }, 'budget'],
    [{ acceptance: [0.5], budget: 3, depth: 1.5 }, 'depth'],
    [{ acceptance: [0.5], depth: 2 }, 'budget'],
    [{ acceptance: [0.5], budget: 3, depth: 2, cost: { target_time: 1 } }, 'cost.draft_time'],
    [{ acceptance: [0.5], budget: 3, depth: 2, cost: { draft_time: 0.1, target_times: [[1, 1], [1, 2]] } }, 'cost.target_times'],
    [{ acceptance: [0.5], budget: 3, depth: 2, cost: { draft_time: 0.1, target_times: [[1, 1], 'x'] } }, 'cost.target_times[1]'],
    [{ acceptance: [0.5], budget: 3, depth: 2, width: 4 }, 'width'],
    [{ acceptance: [0.5], budget: 3, depth: 2, by_budget: 'yes' }, 'by_budget'],
  ];
  for (const [request, field] of cases) {
    assert.throws(() => calculator.tree(request), (error) => {
      assert.ok(error instanceof MdsdInputError, `${JSON.stringify(request)}: ${error}`);
      assert.ok(error.field === field || error.field.startsWith(`${field}[`), `${JSON.stringify(request)}: field ${error.field} (${error.message})`);
      return true;
    });
  }
  assert.throws(() => calculator.tree(null), (error) => error instanceof MdsdInputError && error.field === 'request');
  // A typed array is read as its numbers.
  const typed = calculator.tree({ acceptance: new Float64Array([0.5, 0.3]), budget: 3, depth: 2 });
  assert.deepEqual(typed.acceptance, [0.5, 0.3]);
});

test('acceptanceVector: per width, and the sibling vectors, against their own recursion', () => {
  const target = [0.3, 0.4, 0.3], draft = [0.6, 0.3, 0.1];
  const vector = calculator.acceptanceVector({ target, draft, max_width: 3 });
  assert.deepEqual(vector.widths, [1, 2, 3]);
  const close = (actual, expected, label) => {
    assert.equal(actual.length, expected.length, label);
    actual.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) <= 1e-10, `${label}[${k}]: ${v} vs ${expected[k]}`));
  };
  for (const [name, withReplacement] of [['rrs_with_replacement', true], ['rrs_without_replacement', false]]) {
    const p = rrsAcceptance(target, draft, 3, withReplacement);
    close(vector.sibling[name].p, p, name);
    let sum = 0;
    close(vector.verifiers[name].alpha, p.map((v) => (sum += v)), `${name} alpha`);
  }
  // Exact match of top-n drafts: the target's mass on the draft's b-th most likely token.
  close(vector.sibling.exact_match.p, [0.3, 0.4, 0.3], 'exact_match');
  // The README's example, rounded there.
  close(vector.sibling.rrs_without_replacement.p.map((v) => Math.round(v * 1000) / 1000), [0.7, 0.175, 0.125], 'README');
  assert.equal(vector.sibling.kseq, undefined);

  // The same vector from a dataset summary of that one position at n = 1..3.
  const batch = calculator.createBatch({ drafts: [1, 2, 3] });
  batch.add({ target, draft });
  const fromSummary = calculator.acceptanceVector(batch.summary());
  const { positions } = batch.summary({ perPosition: true });
  batch.dispose();
  close(fromSummary.sibling.rrs_with_replacement.p, vector.sibling.rrs_with_replacement.p, 'summary');
  const fromPositions = calculator.acceptanceVector(positions);
  close(fromPositions.sibling.rrs_with_replacement.p, vector.sibling.rrs_with_replacement.p, 'positions');

  // CSV: the sibling rows read back to the same doubles.
  const csv = calculator.acceptanceVector({ target, draft, max_width: 3 }, { format: 'csv' });
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 'quantity,name,width,value,ci95_low,ci95_high,lower_bound,upper_bound,exact,positions');
  const rows = lines.slice(1).map((line) => line.split(',')).filter((cells) => cells[0] === 'sibling' && cells[1] === 'rrs_with_replacement');
  assert.deepEqual(rows.map((cells) => Number(cells[3])), vector.sibling.rrs_with_replacement.p);

  // Typed arrays cross as buffers, as in solve.
  const typed = calculator.acceptanceVector({ target: new Float64Array(target), draft: new Float32Array([0.6, 0.3, 0.1]), max_width: 2 });
  assert.equal(typed.sibling.rrs_with_replacement.p.length, 2);
});

test('acceptanceVector: bad input throws an error naming the field', () => {
  const target = [0.3, 0.4, 0.3], draft = [0.6, 0.3, 0.1];
  for (const [request, field] of [
    [{ target, draft, max_width: 0 }, 'max_width'],
    [{ target, draft, max_width: 17 }, 'max_width'],
    [{ target, draft, max_width: 2, drafts: 2 }, 'drafts'],
    [{ target, draft, max_width: 2, lp: true }, 'lp'],
    [{ target: [0.3, -1, 0.3], draft, max_width: 2 }, 'target[1]'],
    [{ positions: 3 }, 'summary'],
  ]) {
    assert.throws(() => calculator.acceptanceVector(request), (error) => {
      assert.ok(error instanceof MdsdInputError, String(error));
      assert.ok(error.field === field, `${JSON.stringify(request)}: field ${error.field} (${error.message})`);
      return true;
    });
  }
  assert.throws(() => calculator.acceptanceVector({ target, draft, max_width: 2 }, { format: 'xml' }),
    (error) => error instanceof MdsdInputError && error.field === 'format');
});
