// What the result tables, the headline and the notes say, as plain data (no
// DOM): rows of cells, each cell a list of parts, a part either text or a
// number with its data-testid (its key in the result JSON) and data-value
// (full precision). result-tables.mjs turns these into elements; the Node
// tests check them with hand-made result objects.
//
// The methods and verifiers are the result's own keys, in its order: a method
// the core adds (top_n) needs no change here. An acceptance the core bounds
// without pinning ({interval: [lo, hi]} instead of {alpha}) is shown as an
// interval, and so is everything derived from it (tokens per call, speed-up).
import { rangeOf, mapRange, betterRange } from '../embed/values.mjs';
import { methodLabel, verifierLabel, methodTerm, verifierTerm } from './labels.mjs';
import { tokensPerCall, speedUp } from './inputs.mjs';

const digits = { alpha: 10, mass: 8, tokens: 4 };

/** A number as the tables print it; `kind` picks the precision. */
export function formatNumber(value, kind = 'alpha') {
  if (kind === 'count') return value.toLocaleString('en');
  if (kind === 'gap') return Math.abs(value) < 1e-4 && value !== 0 ? value.toExponential(2) : value.toFixed(6);
  if (kind === 'p') return value < 1e-4 && value !== 0 ? value.toExponential(2) : value.toFixed(4);
  if (kind === 'interval') return value.toFixed(6);
  return value.toFixed(digits[kind] ?? 6);
}

const numberPart = (testid, value, kind) => ({ testid, value, text: formatNumber(value, kind) });
const empty = () => ({ className: 'number', parts: [{ text: '–' }] });

/** A cell of one number, or '–' when there is none. */
export function numberCell(testid, value, kind = 'alpha') {
  if (typeof value !== 'number') return empty();
  return { className: 'number', parts: [numberPart(testid, value, kind)] };
}

/**
 * A cell of a range: one number (testid) when it is a point, else its two
 * ends (testid.0, testid.1; intervalId names them when the point's key differs,
 * e.g. optimal.top_n.alpha against optimal.top_n.interval).
 */
export function rangeCell(testid, range, kind = 'alpha', intervalId = testid) {
  if (!range) return empty();
  if (range.point) return numberCell(testid, range.low, kind);
  const endKind = kind === 'alpha' || kind === 'mass' ? 'interval' : kind;
  return {
    className: 'number interval',
    parts: [numberPart(`${intervalId}.0`, range.low, endKind), { text: ' – ' }, numberPart(`${intervalId}.1`, range.high, endKind)],
  };
}

/** A 95% interval [lo, hi] as two numbers (testid.0, testid.1). */
export function intervalCell(testid, interval) {
  if (!Array.isArray(interval)) return empty();
  return rangeCell(testid, { low: interval[0], high: interval[1], point: false }, 'interval');
}

/** The acceptance of an outcome: alpha, or its interval. */
export function acceptanceCell(prefix, outcome) {
  return rangeCell(`${prefix}.alpha`, rangeOf(outcome), 'alpha', `${prefix}.interval`);
}

function tokensCell(key, outcome, depth) {
  const range = rangeOf(outcome);
  if (depth === null || !range) return empty();
  return rangeCell(`tokens.${key}`, mapRange(range, (alpha) => tokensPerCall(alpha, depth)), 'tokens');
}

function errorCell(testid, text, span) {
  return { className: 'outcome-error', span, error: { testid, text, why: explainError(text), whyTestid: testid.replace(/\.error$/, '.why') } };
}

// Plain words for the core's "does not apply" messages (src/api: methods,
// verifiers and the LP name the same conditions).
const needsDrafts = /^(\w+) needs at least n = (\d+) draft tokens with positive probability; draft has (\d+)/;
export function explainError(text) {
  let match = needsDrafts.exec(text);
  if (match) {
    const [, name, n, have] = match;
    const how = name === 'greedy'
      ? `Greedy fixes the ${n - 1} most likely draft tokens and samples one more from the rest`
      : name === 'top_n'
        ? `Top-n takes the ${n} most likely draft tokens`
        : `Without replacement, the ${n} drafts must be ${n} different tokens`;
    return `Does not apply: ${how}, but the draft gives positive probability to only ${have} token${have === '1' ? '' : 's'}. Use n ≤ ${have}, or drafts with replacement.`;
  }
  if (/does not apply: fewer than n draft tokens/.test(text)) {
    return 'Does not apply: the draft has fewer tokens with positive probability than n, so n different drafts cannot be drawn.';
  }
  match = /^spechub is defined for n = 2 drafts/.exec(text);
  if (match) return 'SpecHub pairs a hub token with one sampled draft: it exists for n = 2 only. Set n = 2 to see it.';
  if (/columns, more than the limit of/.test(text)) {
    return 'The LP grows like V^n / n! columns; this one is too large to solve here. The fast α* is exact without it.';
  }
  return '';
}

/** Rows of the optimal table: one per method of the result, then the explicit joint law's LP. */
export function optimalRows(result, { depth = null, lpAsked = false } = {}) {
  const rows = Object.entries(result.optimal ?? {}).map(([method, outcome]) => {
    const header = { text: methodLabel(method), term: methodTerm(method) };
    if ('error' in outcome) return { header, cells: [errorCell(`optimal.${method}.error`, outcome.error, 6)] };
    const lp = result.lp?.[method];
    let lpCell;
    if (lp && 'error' in lp) lpCell = errorCell(`lp.${method}.error`, lp.error);
    else if (lp) {
      lpCell = acceptanceCell(`lp.${method}`, lp);
      if (typeof lp.alpha === 'number') {
        const solver = lp.solver === 'glpk' ? 'GLPK' : 'max-flow';
        const glpk = typeof lp.glpk?.alpha === 'number' ? `; GLPK gives ${lp.glpk.alpha}` : lp.glpk?.error ? `; GLPK: ${lp.glpk.error}` : '';
        lpCell.title = `${lp.alpha} (${solver}: ${lp.status}, ${Number(lp.columns).toLocaleString('en')} columns; certificate gives ${lp.certificate_alpha}${glpk})`;
      }
    } else lpCell = lpAsked ? { className: 'number', parts: [] } : empty();
    return {
      header,
      cells: [
        acceptanceCell(`optimal.${method}`, outcome),
        numberCell(`optimal.${method}.certificate_size`, outcome.certificate_size, 'count'),
        numberCell(`optimal.${method}.certificate_target_mass`, outcome.certificate_target_mass, 'mass'),
        numberCell(`optimal.${method}.certificate_draft_mass`, outcome.certificate_draft_mass, 'mass'),
        lpCell,
        tokensCell(`optimal.${method}`, outcome, depth),
      ],
    };
  });
  if (result.lp?.joint) {
    const joint = result.lp.joint;
    rows.push({
      header: { text: 'explicit joint law' },
      cells: [empty(), empty(), empty(), empty(),
        'error' in joint ? errorCell('lp.joint.error', joint.error) : acceptanceCell('lp.joint', joint), empty()],
    });
  }
  return rows;
}

/** Rows of the verifier table: acceptance (exact, or ≈ an estimate with its interval), gap, rho, tokens. */
export function verifierRows(result, { depth = null } = {}) {
  return Object.entries(result.verifiers ?? {}).map(([name, outcome]) => {
    const header = { text: verifierLabel(name), term: verifierTerm(name) };
    if ('error' in outcome) return { header, cells: [errorCell(`verifiers.${name}.error`, outcome.error, 6)] };
    const acceptance = acceptanceCell(`verifiers.${name}`, outcome);
    if (outcome.exact === false) {
      acceptance.className += ' estimate';
      acceptance.parts.unshift({ text: '≈ ' });
    }
    const method = outcome.draft_method;
    return {
      header,
      cells: [
        { draftMethod: method, parts: [{ text: method ? methodLabel(method).replace(' (i.i.d.)', '') : '' }], term: method },
        acceptance,
        outcome.exact === false ? intervalCell(`verifiers.${name}.ci95`, outcome.ci95) : { className: 'number', parts: [{ text: 'exact' }] },
        rangeCell(`verifiers.${name}.gap`, rangeOf(outcome, 'gap'), 'gap'),
        numberCell(`verifiers.${name}.rho`, outcome.rho, 'mass'),
        tokensCell(`verifiers.${name}`, outcome, depth),
      ],
    };
  });
}

/** Rows of the Monte Carlo table. */
export function simulationRows(result) {
  return Object.entries(result.simulation ?? {}).map(([name, outcome]) => {
    const header = { text: verifierLabel(name), term: verifierTerm(name) };
    if ('error' in outcome) return { header, cells: [errorCell(`simulation.${name}.error`, outcome.error, 6)] };
    return {
      header,
      cells: [
        numberCell(`simulation.${name}.acceptance`, outcome.acceptance, 'mass'),
        intervalCell(`simulation.${name}.acceptance_ci95`, outcome.acceptance_ci95),
        numberCell(`simulation.${name}.hit_rate`, outcome.hit_rate, 'mass'),
        intervalCell(`simulation.${name}.hit_rate_ci95`, outcome.hit_rate_ci95),
        numberCell(`simulation.${name}.chi2_p_value`, outcome.chi2_p_value, 'p'),
        numberCell(`simulation.${name}.samples`, outcome.samples, 'count'),
      ],
    };
  });
}

// The best of a group by its acceptance: the highest sure (low) end first.
function best(entries) {
  let top = null;
  for (const [name, outcome] of entries) {
    const range = rangeOf(outcome);
    if (range && (top === null || betterRange(top.range, range))) top = { name, range };
  }
  return top;
}

/**
 * The headline: for the best alpha* and, when verifiers are computed, the
 * best of them, {key, title, name, alpha, tokens, speedup} with ranges (an
 * interval acceptance gives an interval at each step: both ends computed),
 * or {missing: 'depth' | 'draft cost'} instead of tokens and speed-up.
 */
export function headlineItems(result, depth, cost) {
  const items = [];
  const add = (key, title, top, name) => {
    if (!top) return;
    const item = { key, title, name, alpha: top.range };
    if (depth === null || cost === null) item.missing = depth === null ? 'depth' : 'draft cost';
    else {
      item.tokens = mapRange(top.range, (alpha) => tokensPerCall(alpha, depth));
      item.speedup = mapRange(item.tokens, (tokens) => speedUp(tokens, depth, cost));
    }
    items.push(item);
  };
  const bound = best(Object.entries(result.optimal ?? {}).filter(([, outcome]) => !('error' in outcome)));
  add('optimal', 'Best possible', bound, bound && `α* ${methodLabel(bound.name)}`);
  const verifier = best(Object.entries(result.verifiers ?? {}).filter(([name, outcome]) => name !== 'optimal_lp' && !('error' in outcome)));
  add('verifier', 'Best verifier here', verifier, verifier && verifierLabel(verifier.name));
  return items;
}

// The methods that draw at random: with n = 1 they all draw the same single
// draft (top_n does not draw: its one draft is the most likely token).
const sampledMethods = new Set(['with_replacement', 'without_replacement', 'greedy']);

/** Values that look like a bug but are not, in plain words: [{testid, text}]. */
export function notes(result) {
  const out = [];
  const entries = Object.entries(result.optimal ?? {}).filter(([, outcome]) => typeof outcome.alpha === 'number');
  const names = (list) => new Intl.ListFormat('en').format(list.map(([method]) => methodLabel(method)));
  const one = entries.filter(([, outcome]) => outcome.alpha >= 1 - 1e-12);
  const emptySet = one.filter(([, outcome]) => outcome.certificate_size === 0);
  if (emptySet.length) {
    out.push({ testid: 'explain.alpha_one', text: `${names(emptySet)}: α* = 1 with |H| = 0 is not a missing value. The certificate is the empty set: no set H of tokens `
      + 'makes p(H) − Q(H) negative (the draft never puts all n drafts in a set more often than the target picks it), so nothing bounds '
      + 'the acceptance below 1, and a verifier exists that always accepts one of the drafts while its output still follows p exactly.' });
  }
  const full = one.filter(([, outcome]) => outcome.certificate_size > 0);
  if (full.length) {
    out.push({ testid: 'explain.alpha_one_full', text: `${names(full)}: α* = 1 with a non-empty H: for this H, p(H) = Q(H), so its bound is 1 as well; `
      + 'no set bounds the acceptance below 1.' });
  }
  const sampled = Object.entries(result.optimal ?? {}).filter(([method, outcome]) => sampledMethods.has(method) && !('error' in outcome));
  if (result.drafts === 1 && sampled.length > 1) {
    out.push({ testid: 'explain.one_draft', text: `With n = 1, ${names(sampled)} draw the same single draft, so their α* agree: the sum over tokens of min(p, q).` });
  }
  const intervals = Object.entries(result.optimal ?? {}).filter(([, outcome]) => typeof outcome.alpha !== 'number' && rangeOf(outcome));
  if (intervals.length) {
    out.push({ testid: 'explain.interval', text: `${names(intervals)}: α* is known here only to lie in the interval shown (the input is sparse), `
      + 'so the tokens per call and the speed-up are intervals too, computed from both ends.' });
  }
  const rounding = Object.entries(result.verifiers ?? {}).filter(([, outcome]) => typeof outcome.gap === 'number' && outcome.gap !== 0 && Math.abs(outcome.gap) < 1e-12);
  if (rounding.length) {
    out.push({ testid: 'explain.gap_rounding', text: `${new Intl.ListFormat('en').format(rounding.map(([name]) => verifierLabel(name)))}: a gap of about 1e-16 is rounding in the last digit; the verifier reaches α* here.` });
  }
  return out;
}

/** The text of a cell as the page shows it (for tests and plain-text uses). */
export function cellText(cell) {
  if (cell.error) return [cell.error.text, cell.error.why].filter(Boolean).join(' ');
  return cell.parts.map((part) => part.text).join('');
}
