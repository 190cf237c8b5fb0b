// Runs the calculator off the page's main thread: typing never waits for it.
//
// In:  {id, job: {target, draft, drafts, methods, verifiers?, lp, simulate?, sweeps}}
//      where a distribution is {values}, {logits, temperature, top_k, top_p}
//      or {synthetic: {vocab, seed}} (the target or draft half of a pair).
//      {type: "load-core"}: load the full calculator now (the page sends it
//      once its first numbers are on screen; the element never does).
// Out: {type: "ready", features}, then per job, in order:
//      until the full calculator has loaded, {id, type: "first", result, ms}
//      when the small first module (first-numbers.mjs) can answer the job:
//      the result's vocab, drafts, warnings and optimal (alpha*, |H|, p(H),
//      Q(H): the full result's numbers, bit for bit), nothing else;
//      then, once the full calculator is there ({type: "core"}, and
//      {type: "ready", features} again if its features differ):
//      {id, type: "result", result, ms, simulating} or {id, type: "error", error: {field, message}},
//      {id, type: "chart", chart}, {id, type: "sweep", kind, point, done, total},
//      with job.simulate: {id, type: "simulation-start", total},
//      {id, type: "simulation-progress", done, total} (at most every 100 ms),
//      {id, type: "simulation", result, ms, simulationMs}; then {id, type: "done"}.
// A job the first module declines (or finds an error in: the core's message
// is the one shown) loads the full calculator at once.
// The exact numbers come from a solve without `simulate`, so they are on
// screen at once; the Monte Carlo check is then one solve of the whole
// request (the same call, seed and counts as a single solve with simulate:
// its numbers are exactly a single run's), whose progress the module reports
// (solve's onProgress) while it runs. `total` is every Monte Carlo step of
// that solve: samples for each verifier that applies, plus the steps of the
// estimate of a verifier without a formula (its `samples`).
// A distribution may be {same: "values" | "logits"}: the array of the previous
// job, not sent again (copying megabytes into the worker on each keystroke
// made typing slow beside a long input).
// Also in: {type: "export", exportId, id, job}; out: {type: "export", exportId, text}
// (the full result JSON of that job) or {type: "export", exportId, error}.
// A job is a sequence of short stages; between stages the worker yields, so a
// newer job (a higher id) supersedes an older one at the next stage boundary.
// The page terminates the worker for a hard cancel.
import { loadFirstNumbers } from './first-numbers.mjs';

let latest = 0;
const fatal = (error) => self.postMessage({ type: 'fatal', message: String(error?.message ?? error) });

// The full calculator (worker-core.mjs: package/mdsd.mjs and mdsd-core,
// about five times the first module) loads when asked for, not before.
let wantCore;
let coreReady = false;
const core = new Promise((resolve) => { wantCore = resolve; }).then(() => import('./worker-core.mjs'));
const loadCore = () => wantCore();

// The features of the core this worker carries, from the first module's
// lists (the same sources): the verifiers a request has by default, which
// leave out the LP-plan verifier unless the LP is asked for (api/request.cpp).
const first = loadFirstNumbers().catch(() => { loadCore(); return null; });
const firstFeatures = first.then((found) => found && {
  verifierNames: found.verifiers.filter((name) => name !== 'optimal_lp'),
  defaultMethods: found.methods,
  methodNames: found.methods,
  verifiers: true,
  simulate: true,
  glpk: true,
});
firstFeatures.then((found) => {
  if (found) self.postMessage({ type: 'ready', features: found });
});
core.then(async (full) => {
  const found = await full.features;
  coreReady = true;
  const listed = await firstFeatures;
  if (JSON.stringify(found) !== JSON.stringify(listed)) self.postMessage({ type: 'ready', features: found });
  self.postMessage({ type: 'core' });
}).catch(fatal);

async function run(id, job) {
  const small = coreReady ? null : await first;
  if (id !== latest) return;
  if (small && !coreReady) {
    const started = performance.now();
    let answer = null;
    try {
      answer = small.answer(job);
    } catch { /* out of memory, say: the core answers */ }
    if (answer?.result) {
      self.postMessage({ id, type: 'first', result: answer.result, ms: performance.now() - started });
    } else {
      loadCore();   // declined, or an error whose message the core gives
    }
  }
  const full = await core;
  if (id !== latest) return;
  await full.run(id, job, () => latest);
}

// A long array is sent once: a job whose distribution says {same: "values"}
// (or "logits") means the array of the previous job, which this worker kept.
const lastArrays = { target: null, draft: null };
function takeArrays(job) {
  for (const field of ['target', 'draft']) {
    const distribution = job[field];
    if (distribution.same) {
      distribution[distribution.same] = lastArrays[field];
      delete distribution.same;
    } else {
      lastArrays[field] = distribution.logits ?? distribution.values ?? null;
    }
  }
}

self.onmessage = ({ data }) => {
  if (data.type === 'load-core') {
    loadCore();
    return;
  }
  if (data.type === 'export') {
    loadCore();
    core.then((full) => full.exportJson(data.id, data.job)).then((text) => self.postMessage({ type: 'export', exportId: data.exportId, text }),
      (error) => self.postMessage({ type: 'export', exportId: data.exportId, error: error.message }));
    return;
  }
  const { id, job } = data;
  takeArrays(job);
  latest = id;
  run(id, job).catch((error) => {
    self.postMessage({ id, type: 'error', error: { field: 'request', message: `internal error: ${error.message}` } });
  });
};
