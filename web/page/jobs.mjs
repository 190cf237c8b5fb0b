// The page's side of the calculator's worker (worker.mjs): one job per
// input, in stages. On the first load alpha* comes first from the small
// first module, with the verifiers and the LP marked as loading until the
// full calculator, which the worker loads once those numbers are on screen,
// replaces them with the whole result. The exact numbers come first and stay
// on screen, not dimmed, while the charts, the sweeps and a Monte Carlo check follow; a
// newer input supersedes an older job, and Cancel stops the work still
// running (a Monte Carlo check included) and keeps what is shown.
import { $, form } from './dom.mjs';
import { features, setFeatures, readJob, readDepth, readCost, setupFeatures } from './form.mjs';
import { verifierLabel } from './labels.mjs';
import { renderResult, renderSimulation, markStale, clearTables } from './result-tables.mjs';
import { startCharts, resultShown, showChart, addSweepPoint, clearCharts } from './result-charts.mjs';
import { showError, clearErrors, showRequestError } from './field-errors.mjs';
import { showProgress, showProgressSoon, hideProgress, simulationProgressText } from './progress.mjs';
import { updateHash } from './history.mjs';
import { showLinkLimit } from './share.mjs';

const workerUrl = new URL('./worker.mjs', import.meta.url);
const status = $('status');
let worker = null;
let onReady = () => {};
let latest = 0;
// The job in flight: {id, job, lastMessage, hasResult, stage: 'solve' |
// 'core' (its first numbers shown, the full calculator still loading) | 'simulation', ...}.
let running = null;
let lastResult = null;        // the result on screen (certificate ids left in the worker)
let lastJob = null;           // {id, job} that gave it
let lastIsFirst = false;      // lastResult is first numbers only (verifiers and LP loading)
let coreLoaded = false;       // the worker has the full calculator

function startWorker() {
  worker = new Worker(workerUrl, { type: 'module' });
  worker.onmessage = ({ data }) => onWorkerMessage(data);
  worker.onerror = (event) => {
    event.preventDefault();
    showRequestError(`The calculator failed to load: ${event.message ?? 'unknown error'}`);
  };
}

// The worker first: loading the WebAssembly module is the longest step.
startWorker();

/** `ready` runs once the worker has said what its core knows (at once when it has). */
export function onCalculatorReady(ready) {
  onReady = ready;
  if (features !== null) ready();
}

// The whole result as JSON comes from the worker: the page holds the result
// without its certificate ids (they can be 100,000+), the worker has it all.
const exportRequests = new Map();
let exportCount = 0;
function resultJson() {
  if (!lastResult || !lastJob) return Promise.resolve(null);
  const exportId = ++exportCount;
  const message = { type: 'export', exportId, ...lastJob };
  return new Promise((resolve) => {
    exportRequests.set(exportId, { message, resolve: (data) => resolve(data.text ?? null) });
    worker.postMessage(message);
  });
}

// What the first numbers do not need loads once they are on screen (or the
// first job ended without them): the export buttons here, the full
// calculator, the Dataset panel (panels.mjs). Resolves once, after the frame
// that paints them (or half a second, for a tab in the background, which
// paints none), so that nothing it loads shares the network with them.
let firstNumbersPainted;
export const firstNumbers = new Promise((resolve) => { firstNumbersPainted = resolve; });
let firstNumbersSeen = false;
function firstNumbersShown() {
  if (firstNumbersSeen) return;
  firstNumbersSeen = true;
  requestAnimationFrame(() => setTimeout(firstNumbersPainted, 0));
  setTimeout(firstNumbersPainted, 500);
}
firstNumbers.then(() => import('./export.mjs')).then(({ setupExports }) => setupExports({ resultJson }));
// The full calculator too (the worker has only the first module until then).
firstNumbers.then(() => worker.postMessage({ type: 'load-core' }));
let firstNumbersDone = false;
firstNumbers.then(() => { firstNumbersDone = true; });

// The long arrays the worker has (worker.mjs takeArrays): sent once, then
// named {same: key} while they stay the same arrays.
let sentArrays = { target: null, draft: null };
function wireJob(job) {
  const out = { ...job };
  for (const field of ['target', 'draft']) {
    const distribution = job[field];
    const key = distribution.logits ? 'logits' : distribution.values ? 'values' : null;
    const array = key ? distribution[key] : null;
    if (array && array === sentArrays[field]) {
      out[field] = { ...distribution, [key]: undefined, same: key };
    }
    sentArrays[field] = array;
  }
  return out;
}

function restartWorker() {
  worker.terminate();
  sentArrays = { target: null, draft: null };
  coreLoaded = false;
  startWorker();
  if (firstNumbersDone) worker.postMessage({ type: 'load-core' });
  // An export asked of the old worker is asked again (the new one re-solves).
  for (const { message } of exportRequests.values()) worker.postMessage(message);
}

function finishJob() {
  running = null;
  hideProgress();
}

export function clearResults() {
  clearTables();
  clearCharts();
  lastResult = null;
  lastIsFirst = false;
}

/** A misread input: nothing is computed from it, the message goes next to its field. */
export function refuseInput(field, message) {
  latest++;
  finishJob();
  clearResults();
  clearErrors();
  showError(field, message);
  status.textContent = 'Fix the input to compute.';
  showLinkLimit(updateHash().left);
  firstNumbersShown();
}

/** The numbers on screen are about to change (typing): dim them until the new ones come. */
export function markPending(text = 'Computing…') {
  markStale();
  status.textContent = text;
}

export function compute() {
  // The first job waits for the worker to say which request keys its core knows.
  if (features === null) return;
  clearErrors();
  let job;
  try {
    job = readJob();
  } catch (error) {
    refuseInput(error.field ?? 'request', error.message);
    return;
  }
  showLinkLimit(updateHash().left);
  const id = ++latest;
  // A job stuck in one long stage (one long solve, a Monte Carlo check) is
  // cut short: a fresh worker is quicker than waiting for it.
  // A job whose first numbers are shown while the full calculator loads is
  // not stuck: the worker answers the new one from the first module.
  if (running && running.stage !== 'core' && (running.stage === 'simulation' || performance.now() - running.lastMessage > 300)) restartWorker();
  markStale();
  status.textContent = 'Computing…';
  running = { id, job, lastMessage: performance.now(), hasResult: false, stage: 'solve' };
  startCharts(job);
  showProgressSoon(250);
  worker.postMessage({ id, job: wireJob(job) });
}

function render(result) {
  renderResult(result, { depth: readDepth(), cost: readCost(), lpAsked: form.lp.checked, loading: lastIsFirst });
}

/** Depth and cost only change derived numbers: no new computation. */
export function rerender() {
  if (lastResult) render(lastResult);
}

function resultStatus(data) {
  const { vocab, drafts } = data.result;
  return `Vocabulary ${vocab.toLocaleString('en')}, ${drafts} draft${drafts === 1 ? '' : 's'}. Computed in ${Math.max(1, Math.round(data.ms))} ms.`;
}

function onWorkerMessage(data) {
  if (data.type === 'ready') {
    const first = features === null;
    setFeatures(data.features);
    if (first) {
      setupFeatures(verifierLabel);
      onReady();
    }
    return;
  }
  if (data.type === 'core') {
    coreLoaded = true;
    // A job waiting for it now runs in the core: its stages count from here.
    if (running?.stage === 'core') Object.assign(running, { stage: 'solve', lastMessage: performance.now() });
    return;
  }
  if (data.type === 'fatal') {
    showRequestError(`The calculator failed to load: ${data.message}`);
    return;
  }
  if (data.type === 'export') {
    exportRequests.get(data.exportId)?.resolve(data);
    exportRequests.delete(data.exportId);
    return;
  }
  if (data.id !== latest || !running) return;  // a newer input superseded this one
  running.lastMessage = performance.now();
  switch (data.type) {
    case 'error':
      finishJob();
      clearResults();
      showError(data.error.field, data.error.message);
      status.textContent = 'Fix the input to compute.';
      firstNumbersShown();
      break;
    case 'first':
      // alpha* alone: the rest of the result comes with the full calculator.
      if (!coreLoaded) running.stage = 'core';
      running.hasFirst = true;
      lastJob = { id: data.id, job: running.job };
      lastResult = data.result;
      lastIsFirst = true;
      render(data.result);
      status.textContent = `${resultStatus(data).replace('Computed in', 'α* computed in')} Loading the full calculator for the verifiers${form.lp.checked ? ', the LP' : ''} and the charts…`;
      firstNumbersShown();
      break;
    case 'result':
      running.hasResult = true;
      lastJob = { id: data.id, job: running.job };
      lastResult = data.result;
      lastIsFirst = false;
      render(data.result);
      resultShown(data.result);
      status.textContent = resultStatus(data);
      if (data.simulating) status.textContent += ' The Monte Carlo check follows.';
      firstNumbersShown();
      break;
    case 'chart':
      showChart(data.chart);
      break;
    case 'sweep':
      showProgress(data.done / data.total, `sweep ${data.done} of ${data.total}`);
      addSweepPoint(data.kind, data.point);
      break;
    case 'simulation-start':
      running.stage = 'simulation';
      running.simulationStarted = performance.now();
      showProgress(0, simulationProgressText(0, data.total, 0));
      break;
    case 'simulation-progress':
      showProgress(data.done / data.total, simulationProgressText(data.done, data.total, performance.now() - running.simulationStarted));
      break;
    case 'simulation':
      running.stage = 'solve';
      lastResult = data.result;
      renderSimulation(data.result);
      status.textContent = `${resultStatus(data)} Monte Carlo check done in ${Math.max(1, Math.round(data.simulationMs))} ms.`;
      break;
    case 'done':
      finishJob();
      break;
    default:
  }
}

$('cancel').addEventListener('click', () => {
  if (!running) return;
  const { hasResult, hasFirst, stage } = running;
  latest++;
  finishJob();
  restartWorker();
  if (stage === 'simulation') {
    // The export gives what is on screen: the exact result, without the check.
    if (lastJob) lastJob = { id: lastJob.id, job: { ...lastJob.job, simulate: undefined } };
    status.textContent = 'Monte Carlo check cancelled; the exact results above stand. Change an input to run it again.';
  } else if (hasResult) {
    status.textContent = `${status.textContent} Sweeps cancelled (the charts show what was done).`;
  } else if (hasFirst) {
    lastIsFirst = false;
    if (lastResult) render(lastResult);
    status.textContent = 'Cancelled before the verifiers and the LP were computed; the α* above stand. Change an input to compute again.';
  } else {
    clearResults();
    status.textContent = 'Cancelled. Change an input to compute again.';
  }
});
