// The Dataset panel's "Measured acceptance" input, read strictly, with no
// DOM and no calculator (the Node tests import it): what an engine measured
// on the same positions, as one entry of the batch settings' `measured`
// (README "The measured acceptance beside the bound"). The rules are the
// core's: rates from 0 to 1 that never rise with the position (a draft is
// accepted only after the ones before it), counts from 0 to the number of
// steps, a setting (n, temperature) and a verifier the run computes. The
// core checks the same again; a message here names the page's field.
import { DatasetError, maxDrafts } from './dataset-files.mjs';

// The core's limit on the number of positions of one measurement.
export const maxMeasuredPositions = maxDrafts * 64;

const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const whole = /^\d+$/;

/** The items of "0.71, 0.52 0.38" (commas, semicolons or spaces; [ ] around allowed), or a DatasetError. */
function items(text, label, field) {
  let body = String(text ?? '').trim();
  if (body.startsWith('[') && body.endsWith(']')) body = body.slice(1, -1).trim();
  if (body === '') throw new DatasetError(`${label}: is empty`, field);
  const parts = body.split(/\s*[,;]\s*|\s+/);
  const empty = parts.indexOf('');
  if (empty >= 0) throw new DatasetError(`${label}: position ${empty + 1} is empty (two commas in a row?)`, field);
  if (parts.length > maxMeasuredPositions) {
    throw new DatasetError(`${label}: ${parts.length} positions is more than the limit of ${maxMeasuredPositions}`, field);
  }
  return parts;
}

const above = (label, position, value, before) => `${label}: position ${position}: ${value} is above position ${position - 1}'s ${before}; ` +
  'a draft is accepted only after the ones before it';

/** "0.71, 0.52, 0.38" to [0.71, 0.52, 0.38], or a DatasetError naming the position. */
export function parseRates(text, field = 'measured.rates') {
  const label = 'measured rates';
  const rates = [];
  for (const [k, item] of items(text, label, field).entries()) {
    const percent = /^([+-]?(?:\d+\.?\d*|\.\d+))\s*%$/.exec(item);
    if (percent) {
      throw new DatasetError(`${label}: position ${k + 1}: "${item}": give a fraction from 0 to 1 (${item} is ${Number(percent[1]) / 100})`, field);
    }
    if (!decimal.test(item)) throw new DatasetError(`${label}: position ${k + 1}: "${item}" is not a number`, field);
    const rate = Number(item);
    if (!(rate >= 0 && rate <= 1)) {
      throw new DatasetError(`${label}: position ${k + 1}: ${item} is not a fraction from 0 to 1` +
        (rate > 1 && /\d,\d/.test(text) ? ' (a decimal comma is not read: write 0.7, not 0,7)' : ''), field);
    }
    if (k > 0 && rate > rates[k - 1]) throw new DatasetError(above(label, k + 1, item, rates[k - 1]), field);
    rates.push(rate);
  }
  return rates;
}

/** A count of steps (a whole number from 1), or a DatasetError. */
export function parseSteps(text, field = 'measured.steps') {
  const item = String(text ?? '').trim();
  if (item === '') throw new DatasetError('drafting steps: give the number of drafting steps (vLLM: num_drafts)', field);
  if (!whole.test(item)) throw new DatasetError(`drafting steps: "${item}" is not a whole number (write 12000, no separators)`, field);
  const steps = Number(item);
  if (!(steps >= 1 && steps <= 2 ** 53)) throw new DatasetError(`drafting steps: ${item} must be from 1 to 2^53`, field);
  return steps;
}

/** Accepted counts per position, each from 0 to `steps`, never rising; or a DatasetError. */
export function parseAccepted(text, steps, field = 'measured.accepted') {
  const label = 'accepted per position';
  const counts = [];
  for (const [k, item] of items(text, label, field).entries()) {
    if (!whole.test(item)) throw new DatasetError(`${label}: position ${k + 1}: "${item}" is not a whole number`, field);
    const count = Number(item);
    if (count > steps) throw new DatasetError(`${label}: position ${k + 1}: ${item} is more than the ${steps} drafting steps`, field);
    if (k > 0 && count > counts[k - 1]) throw new DatasetError(above(label, k + 1, item, counts[k - 1]), field);
    counts.push(count);
  }
  return counts;
}

const list = (values) => values.join(', ');

/**
 * The panel's fields to one entry of settings.measured, or null when none is
 * given. `fields`: {kind: 'rates'|'counters', rates, steps, accepted, drafts,
 * temperature, verifier} (the inputs' text); `run`: {drafts: [n], temperatures:
 * [t] (empty: as given), verifiers: [name] (those computed)}. The entry is
 * {per_position} or {steps, accepted} (the core turns counts into rates, as
 * for `mdsd batch --measured`), with drafts, temperature and verifier when given.
 * A DatasetError's field is 'measured.<input>'.
 */
export function parseMeasured(fields, run, labels = {}) {
  const counters = fields.kind === 'counters';
  const given = counters ? String(fields.steps ?? '').trim() !== '' || String(fields.accepted ?? '').trim() !== ''
    : String(fields.rates ?? '').trim() !== '';
  const setting = ['drafts', 'temperature', 'verifier'].find((key) => String(fields[key] ?? '').trim() !== '');
  if (!given) {
    if (!setting) return null;
    throw new DatasetError(counters ? 'drafting steps: give the counters the setting is for (steps and accepted per position), or clear the setting'
      : 'measured rates: give the rates the setting is for (e.g. 0.71, 0.52), or clear the setting', counters ? 'measured.steps' : 'measured.rates');
  }
  let entry;
  if (counters) {
    const steps = parseSteps(fields.steps);
    if (String(fields.accepted ?? '').trim() === '') {
      throw new DatasetError('accepted per position: give the accepted count of each draft position (vLLM: num_accepted_tokens_per_pos)', 'measured.accepted');
    }
    entry = { steps, accepted: parseAccepted(fields.accepted, steps) };
  } else {
    entry = { per_position: parseRates(fields.rates) };
  }
  const drafts = String(fields.drafts ?? '').trim();
  if (drafts !== '') {
    if (!whole.test(drafts)) throw new DatasetError(`measured at n: "${drafts}" is not a whole number`, 'measured.drafts');
    const n = Number(drafts);
    if (!run.drafts.includes(n)) {
      throw new DatasetError(`measured at n: ${n} is not among the drafts computed (${list(run.drafts)}); add it to Drafts or leave this empty`, 'measured.drafts');
    }
    entry.drafts = n;
  }
  const temperature = String(fields.temperature ?? '').trim();
  if (temperature !== '') {
    const t = Number(temperature);
    if (!decimal.test(temperature) || !(t > 0) || !Number.isFinite(t)) {
      throw new DatasetError(`measured at temperature: "${temperature}" is not a number > 0`, 'measured.temperature');
    }
    if (run.temperatures.length === 0) {
      throw new DatasetError(`measured at temperature: the run keeps the temperature as given (Temperatures is empty); add ${temperature} to Temperatures or leave this empty`, 'measured.temperature');
    }
    if (!run.temperatures.includes(t)) {
      throw new DatasetError(`measured at temperature: ${temperature} is not among the temperatures computed (${list(run.temperatures)}); add it to Temperatures or leave this empty`, 'measured.temperature');
    }
    entry.temperature = t;
  }
  const verifier = String(fields.verifier ?? '').trim();
  if (verifier !== '') {
    if (!run.verifiers.includes(verifier)) {
      throw new DatasetError(`the engine's verifier: ${labels[verifier] ?? verifier} is not among the verifiers computed; check it under Verifiers`, 'measured.verifier');
    }
    entry.verifier = verifier;
  }
  return entry;
}
