// The Draft trees panel's calculator, off the page's main thread: its own
// instance of the core module (the page's worker stays free for the inputs'
// numbers), asked for an acceptance vector and for the best tree.
//
// In:  {id, type: "vector", source, format?} where source is
//        {kind: "inputs", job, maxWidth, verifier}  (job: form.mjs readJob's target and draft)
//        {kind: "summary", summary}                 (the Dataset panel's, createBatch's summary)
//      and format "csv" asks for the CSV text instead of the object;
//      {id, type: "tree", request}  (README "Draft trees": acceptance, budget, depth, cost?, by_budget)
// Out: {id, type: "vector", vector} | {id, type: "vector", csv}
//      {id, type: "tree", result}
//      {id, type: "error", error: {field, message}}
import { load } from '../package/mdsd.mjs';

const pageModules = {
  core: () => import('../generated/web/mdsd-core.mjs'),
  glpk: () => import('../generated/web/mdsd-glpk.mjs'),
};
const calculator = load({ modules: pageModules });

let syntheticPair = null;  // {key, pair}: the page's synthetic example, made once
function distribution(value, role, core) {
  if (value.synthetic) {
    const key = `${value.synthetic.vocab}/${value.synthetic.seed}`;
    if (syntheticPair?.key !== key) syntheticPair = { key, pair: core.syntheticPair(value.synthetic) };
    return syntheticPair.pair[role];
  }
  if (value.logits) {
    const out = { logits: value.logits, temperature: value.temperature ?? 1 };
    if (value.top_k != null) out.top_k = value.top_k;
    if (value.top_p != null) out.top_p = value.top_p;
    return out;
  }
  return value.values;
}

function vectorRequest(source, core) {
  if (source.kind === 'summary') return source.summary;
  return {
    target: distribution(source.job.target, 'target', core),
    draft: distribution(source.job.draft, 'draft', core),
    max_width: source.maxWidth,
    verifiers: [source.verifier],
  };
}

self.onmessage = async ({ data }) => {
  const { id } = data;
  try {
    const core = await calculator;
    if (data.type === 'vector') {
      const request = vectorRequest(data.source, core);
      if (data.format === 'csv') self.postMessage({ id, type: 'vector', csv: core.acceptanceVector(request, { format: 'csv' }) });
      else self.postMessage({ id, type: 'vector', vector: core.acceptanceVector(request) });
    } else if (data.type === 'tree') {
      self.postMessage({ id, type: 'tree', result: core.tree(data.request) });
    }
  } catch (error) {
    self.postMessage({ id, type: 'error', error: { field: error?.field ?? 'request', message: String(error?.message ?? error) } });
  }
};
