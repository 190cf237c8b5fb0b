// The full calculator in the page's worker (worker.mjs has the protocol): the
// core module (package/mdsd.mjs with mdsd-core), the chart data, the sweeps
// and the Monte Carlo check. The worker imports it after the first numbers
// (first-numbers.mjs), or at once for a job those cannot answer.
import { load } from '../package/mdsd.mjs';

// The page's modules: the builds with the .wasm beside the module
// (web/generated/web/), which the server sends compressed and the browser
// compiles while it downloads; the GLPK module is fetched only when a job
// asks for the GLPK cross-check (README "JavaScript API").
const pageModules = {
  core: () => import('../generated/web/mdsd-core.mjs'),
  glpk: () => import('../generated/web/mdsd-glpk.mjs'),
};
const calculator = load({ modules: pageModules });

// Which optional request keys this core knows (the core rejects unknown keys).
async function probeFeatures() {
  const core = await calculator;
  const accepts = (extra) => {
    try {
      core.solve({ target: [0.5, 0.3, 0.2], draft: [0.2, 0.3, 0.5], drafts: 2, methods: ['greedy'], ...extra });
      return true;
    } catch {
      return false;
    }
  };
  let verifierNames = [];
  let defaultMethods = [];
  try {
    const probe = core.solve({ target: [0.5, 0.3, 0.2], draft: [0.2, 0.3, 0.5], drafts: 2 });
    verifierNames = Object.keys(probe.verifiers ?? {});
    defaultMethods = Object.keys(probe.optimal ?? {});
  } catch { /* an older core */ }
  // Methods the core knows beyond its default ones (a core may add top_n to
  // the request's choices before making it a default).
  const methodNames = [...defaultMethods, ...['top_n'].filter((name) => !defaultMethods.includes(name) && accepts({ methods: [name] }))];
  return {
    verifierNames,
    defaultMethods,
    methodNames,
    verifiers: accepts({ verifiers: ['rrs_with_replacement'] }),
    simulate: accepts({ verifiers: ['rrs_with_replacement'], simulate: { samples: 100, seed: 1 } }),
    // lp.glpk (the GLPK cross-check): the core validates it without loading GLPK.
    glpk: accepts({ lp: { glpk: false } }),
  };
}
export const features = probeFeatures();

const syntheticCache = new Map();
function synthetic({ vocab, seed }, core) {
  const key = `${vocab}/${seed}`;
  if (!syntheticCache.has(key)) {
    syntheticCache.clear();
    syntheticCache.set(key, core.syntheticPair({ vocab, seed }));
  }
  return syntheticCache.get(key);
}

// The request form of one distribution, with `temperature` overriding the
// logits' own when given (the temperature sweep).
function wire(distribution, role, core, temperature) {
  if (distribution.synthetic) return synthetic(distribution.synthetic, core)[role];
  if (distribution.logits) {
    const out = { logits: distribution.logits, temperature: temperature ?? distribution.temperature ?? 1 };
    if (distribution.top_k != null) out.top_k = distribution.top_k;
    if (distribution.top_p != null) out.top_p = distribution.top_p;
    return out;
  }
  return distribution.values;
}

// Probabilities as the core forms them, for the chart only (README: softmax at
// t, then top-k with lower ids first on ties, then top-p, renormalising).
function probabilities(request) {
  if (!request.logits) {
    const values = Float64Array.from(request);
    let total = 0;
    for (const v of values) total += v;
    for (let i = 0; i < values.length; i++) values[i] /= total;
    return values;
  }
  const { logits, temperature = 1, top_k, top_p } = request;
  const size = logits.length;
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const out = new Float64Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) { out[i] = Math.exp((logits[i] - max) / temperature); total += out[i]; }
  for (let i = 0; i < size; i++) out[i] /= total;
  if ((top_k != null && top_k < size) || (top_p != null && top_p < 1)) {
    const order = Uint32Array.from({ length: size }, (_, i) => i).sort((a, b) => out[b] - out[a] || a - b);
    let keep = top_k != null ? Math.min(top_k, size) : size;
    let kept = 0;
    for (let r = 0; r < keep; r++) kept += out[order[r]];
    if (top_p != null && top_p < 1) {
      let mass = 0;
      for (let r = 0; r < keep; r++) {
        mass += out[order[r]] / kept;
        if (mass >= top_p) { keep = r + 1; break; }
      }
    }
    for (let r = keep; r < size; r++) out[order[r]] = 0;
    total = 0;
    for (const v of out) total += v;
    for (let i = 0; i < size; i++) out[i] /= total;
  }
  return out;
}

const chartBins = 1200;

// p and q in ascending p/q order (p = 0 first, q = 0 last), binned to at most
// chartBins points (bin means), with each method's certificate H as the
// fraction of each bin's tokens inside H.
function chartData(target, draft, result) {
  const p = probabilities(target);
  const q = probabilities(draft);
  const size = p.length;
  const key = new Float64Array(size);
  for (let i = 0; i < size; i++) key[i] = q[i] > 0 ? p[i] / q[i] : (p[i] > 0 ? Infinity : 0);
  const order = Uint32Array.from({ length: size }, (_, i) => i).sort((a, b) => key[a] - key[b] || a - b);
  const rank = new Uint32Array(size);
  for (let r = 0; r < size; r++) rank[order[r]] = r;
  const binSize = Math.max(1, Math.ceil(size / chartBins));
  const bins = Math.ceil(size / binSize);
  const x = new Float64Array(bins), pBin = new Float64Array(bins), qBin = new Float64Array(bins);
  for (let b = 0; b < bins; b++) {
    const start = b * binSize, end = Math.min(size, start + binSize);
    let ps = 0, qs = 0;
    for (let r = start; r < end; r++) { ps += p[order[r]]; qs += q[order[r]]; }
    x[b] = start;
    pBin[b] = ps / (end - start);
    qBin[b] = qs / (end - start);
  }
  const certificates = {};
  for (const [method, outcome] of Object.entries(result.optimal ?? {})) {
    if (!outcome.certificate) continue;
    const inside = new Float32Array(bins);
    for (const token of outcome.certificate) inside[Math.floor(rank[token] / binSize)] += 1;
    for (let b = 0; b < bins; b++) inside[b] /= Math.min(binSize, size - b * binSize);
    certificates[method] = inside;
  }
  const tokens = binSize === 1 ? Array.from(order) : null;
  return { size, binSize, x, p: pBin, q: qBin, certificates, tokens };
}

// Only the scalars the sweeps plot: acceptance per method and verifier.
// A number, or {low, high} where the core bounds it (partial lists), as the
// sweep charts take them.
function acceptances(result) {
  const value = (outcome) => (outcome.alpha ?? (outcome.interval ? { low: outcome.interval[0], high: outcome.interval[1] } : null));
  const point = {};
  for (const [method, outcome] of Object.entries(result.optimal ?? {})) point[`optimal.${method}`] = value(outcome);
  for (const [verifier, outcome] of Object.entries(result.verifiers ?? {})) point[`verifiers.${verifier}`] = value(outcome);
  return point;
}

// The core's request for a job of the page.
function requestOf(job, core, found) {
  const request = {
    target: wire(job.target, 'target', core),
    draft: wire(job.draft, 'draft', core),
    drafts: job.drafts,
    lp: job.lp,
  };
  if (job.methods) request.methods = job.methods;
  if (found.verifiers && job.verifiers) request.verifiers = job.verifiers;
  if (found.simulate && job.simulate) request.simulate = job.simulate;
  return request;
}

let lastFull = null;   // {id, result} of the last job solved, for export

const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

// Certificates can list 100,000+ ids: the page needs their sizes, the chart
// (built here) needs the ids.
function withoutIds(result) {
  const strip = (group) => group && Object.fromEntries(
    Object.entries(group).map(([key, outcome]) => [key, { ...outcome, certificate: undefined }]));
  const light = { ...result, optimal: strip(result.optimal), lp: strip(result.lp) };
  if (!result.lp) delete light.lp;
  return light;
}

// Every Monte Carlo step of a solve with `simulate`, from the exact result.
function simulationSteps(result, samples) {
  let total = 0;
  for (const outcome of Object.values(result.verifiers ?? {})) {
    if ('error' in outcome) continue;
    total += samples + (outcome.exact === false ? outcome.samples ?? 0 : 0);
  }
  return total;
}

/** Solves a job in stages (worker.mjs documents the messages); latest() is the newest job's id. */
export async function run(id, job, latest) {
  const core = await calculator;
  const found = await features;
  if (id !== latest()) return;
  const request = requestOf(job, core, found);
  const exactRequest = { ...request };
  delete exactRequest.simulate;
  const started = performance.now();
  let result;
  try {
    // A first GLPK cross-check waits for the GLPK module (fetched once).
    result = await core.solveAsync(exactRequest);
    if (id !== latest()) return;
  } catch (error) {
    self.postMessage({ id, type: 'error', error: { field: error.field ?? 'request', message: error.message } });
    return;
  }
  const ms = performance.now() - started;
  lastFull = { id, result };
  const simulating = Boolean(request.simulate);
  self.postMessage({ id, type: 'result', result: withoutIds(result), ms, simulating });

  await pause();
  if (id !== latest()) return;
  const chart = chartData(request.target, request.draft, result);
  self.postMessage({ id, type: 'chart', chart });

  // The sweeps leave out the LPs (the cross-check and the LP-plan verifier):
  // GLPK's time grows far faster than the fast paths'.
  const sweepBase = { ...request, lp: false };
  delete sweepBase.simulate;
  if (found.verifiers) {
    sweepBase.verifiers = (request.verifiers ?? found.verifierNames).filter((name) => name !== 'optimal_lp');
  }
  const steps = [
    ...(job.sweeps?.drafts ?? []).map((n) => ({ kind: 'drafts', x: n, request: { ...sweepBase, drafts: n } })),
    ...(job.sweeps?.temperatures ?? []).map((t) => ({
      kind: 'temperature', x: t,
      request: {
        ...sweepBase,
        target: job.target.logits ? wire(job.target, 'target', core, t) : sweepBase.target,
        draft: job.draft.logits ? wire(job.draft, 'draft', core, t) : sweepBase.draft,
      },
    })),
  ];
  for (let k = 0; k < steps.length; k++) {
    await pause();
    if (id !== latest()) return;
    const { kind, x, request: stepRequest } = steps[k];
    let point;
    try {
      point = { x, ...acceptances(core.solve(stepRequest)) };
    } catch (error) {
      point = { x, error: error.message };
    }
    self.postMessage({ id, type: 'sweep', kind, point, done: k + 1, total: steps.length });
  }

  if (simulating) {
    await pause();
    if (id !== latest()) return;
    const total = simulationSteps(result, request.simulate.samples);
    self.postMessage({ id, type: 'simulation-start', total });
    let finished = 0;   // steps of the runs that ended
    let posted = 0;
    const onProgress = ({ done, samples }) => {
      const now = performance.now();
      const steps = Math.min(total, finished + done);
      if (done === samples) finished += samples;
      if (now - posted >= 100) {
        posted = now;
        self.postMessage({ id, type: 'simulation-progress', done: steps, total });
      }
    };
    const simulationStarted = performance.now();
    let full;
    try {
      full = await core.solveAsync(request, { onProgress });
    } catch (error) {
      self.postMessage({ id, type: 'error', error: { field: error.field ?? 'request', message: error.message } });
      return;
    }
    self.postMessage({ id, type: 'simulation-progress', done: total, total });
    lastFull = { id, result: full };
    self.postMessage({ id, type: 'simulation', result: withoutIds(full), ms, simulationMs: performance.now() - simulationStarted });
  }
  self.postMessage({ id, type: 'done' });
}

// The result JSON for export, certificate ids included: the last full result
// when it is this job's, else the job solved again (after a restarted worker).
export async function exportJson(id, job) {
  if (lastFull?.id !== id) {
    const core = await calculator;
    const found = await features;
    lastFull = { id, result: await core.solveAsync(requestOf(job, core, found)) };
  }
  return `${JSON.stringify(lastFull.result, null, 2)}\n`;
}
