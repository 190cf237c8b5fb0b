// The first numbers: alpha*, |H|, p(H) and Q(H) of each method from the small
// mdsd-first module (src/wasm/first_numbers.cpp, about a fifth of mdsd-core),
// while the full core loads. Its numbers are the full solve's
// optimal.<method> bit for bit (tests/js/first-numbers.test.mjs). It answers
// a worker job (worker.mjs) whose distributions are full: {values},
// {logits, temperature, top_k, top_p} or {synthetic: {vocab, seed}}; any
// other job it declines (null) and the core answers it.
const kMaxVocabulary = 2 ** 22;   // core/limits.hpp
const kMaxSafeSeed = Number.MAX_SAFE_INTEGER;

const isNumberArray = (value) => value instanceof Float64Array
  || ((Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array)))
    && Array.prototype.every.call(value, (v) => typeof v === 'number'));
const isCount = (value, low, high) => Number.isInteger(value) && value >= low && value <= high;

/**
 * Loads mdsd-first (options go to the module's factory, e.g. {wasmBinary}
 * under Node). Returns {methods, verifiers, answer(job, {ids})}: the names
 * the full core knows, and the first numbers of a job as {result} (the full
 * result's vocab, drafts, warnings and optimal; with ids, each H's token ids
 * as `certificate`), {error} (the core then gives the message users see), or
 * null (declined).
 */
export async function loadFirstNumbers(options = {}) {
  const { default: create } = await import('../generated/web/mdsd-first.mjs');
  const module = await create({ printErr: () => {}, ...options });
  const [methods, verifiers] = module.UTF8ToString(module._mdsd_first_names()).split('\n').map((line) => line.split(','));
  let synthetic = null;   // {key, target, draft, vocab}: heap pointers of the last synthetic pair

  function syntheticPair({ vocab, seed = 1 } = {}) {
    if (!isCount(vocab, 1, kMaxVocabulary) || !isCount(seed, 0, kMaxSafeSeed)) return null;
    const key = `${vocab}/${seed}`;
    if (synthetic?.key !== key) {
      if (synthetic) { module._free(synthetic.target); module._free(synthetic.draft); }
      synthetic = null;
      const target = module._malloc(8 * vocab), draft = module._malloc(8 * vocab);
      if (!target || !draft) { module._free(target); module._free(draft); return null; }
      // The options of the core's syntheticPair defaults (web/package/mdsd.mjs).
      module._mdsd_first_synthetic_pair(vocab, seed, 1.1, 0.5, 0.8, 1, target, draft);
      synthetic = { key, target, draft, vocab };
    }
    return synthetic;
  }

  // One side: [pointer, size, kind, temperature, top_k, top_p], or null (declined).
  function side(distribution, role, allocations) {
    if (distribution === null || typeof distribution !== 'object') return null;
    if (distribution.synthetic) {
      const pair = syntheticPair(distribution.synthetic);
      return pair && [pair[role], pair.vocab, 0, 1, 0, NaN];
    }
    const logits = distribution.logits != null;
    const values = logits ? distribution.logits : distribution.values;
    if (!isNumberArray(values) || values.length > kMaxVocabulary) return null;
    let temperature = 1, topK = 0, topP = NaN;
    if (logits) {
      ({ temperature = 1 } = distribution);
      if (typeof temperature !== 'number') return null;
      if (distribution.top_k != null) {
        if (!isCount(distribution.top_k, 1, kMaxVocabulary)) return null;
        topK = distribution.top_k;
      }
      if (distribution.top_p != null) {
        if (typeof distribution.top_p !== 'number' || Number.isNaN(distribution.top_p)) return null;
        topP = distribution.top_p;
      }
    }
    const pointer = module._malloc(8 * Math.max(1, values.length));
    if (!pointer) return null;
    allocations.push(pointer);
    module.HEAPF64.set(values, pointer >> 3);
    return [pointer, values.length, logits ? 1 : 0, temperature, topK, topP];
  }

  // The job's other fields go to the core's request (worker-core.mjs
  // requestOf): numbers are given only where the core would accept them, so
  // anything else is declined and the core's message is the one shown.
  function plainRest(job) {
    const lp = job.lp;
    const lpPlain = lp === undefined || typeof lp === 'boolean'
      || (lp !== null && typeof lp === 'object' && !Array.isArray(lp)
        && Object.keys(lp).every((key) => key === 'glpk') && (lp.glpk === undefined || typeof lp.glpk === 'boolean'));
    const verifiersPlain = job.verifiers === undefined
      || (Array.isArray(job.verifiers) && job.verifiers.every((name) => verifiers.includes(name)));
    const simulatePlain = job.simulate === undefined || job.simulate === null || job.simulate === false;
    return lpPlain && verifiersPlain && simulatePlain;
  }

  function answer(job, { ids = false } = {}) {
    if (!job || typeof job !== 'object' || job.draft_joint || typeof job.drafts !== 'number' || !plainRest(job)) return null;
    // One synthetic pair is kept in the module's memory: two different pairs
    // (a target of one seed, a draft of another) go to the core.
    const pairKey = (side) => side?.synthetic && `${side.synthetic.vocab}/${side.synthetic.seed ?? 1}`;
    if (pairKey(job.target) && pairKey(job.draft) && pairKey(job.target) !== pairKey(job.draft)) return null;
    let asked = methods;
    if (job.methods !== undefined) {
      if (!Array.isArray(job.methods) || job.methods.some((name) => !methods.includes(name))) return null;
      asked = [...new Set(job.methods)];
    }
    const allocations = [];
    try {
      const target = side(job.target, 'target', allocations);
      const draft = target && side(job.draft, 'draft', allocations);
      if (!draft) return null;
      const vocab = target[1];
      const count = asked.length;
      const methodsAt = module._malloc(4 * Math.max(1, count));
      const numbersAt = module._malloc(32 * Math.max(1, count));
      const idsAt = ids ? module._malloc(4 * Math.max(1, count * vocab)) : 0;
      allocations.push(methodsAt, numbersAt, idsAt);
      if (!methodsAt || !numbersAt || (ids && !idsAt)) return null;
      module.HEAP32.set(asked.map((name) => methods.indexOf(name)), methodsAt >> 2);
      const text = module.UTF8ToString(module._mdsd_first_numbers(...target, ...draft, job.drafts, methodsAt, count, numbersAt, idsAt));
      const lines = text.split('\n').filter(Boolean).map((line) => line.split('\t'));
      if (lines[0]?.[0] === 'error') return { error: lines[0].slice(1).join('\t') };
      const failed = new Map(lines.filter(([kind]) => kind === 'method_error').map(([, k, ...message]) => [Number(k), message.join('\t')]));
      const numbers = module.HEAPF64.subarray(numbersAt >> 3, (numbersAt >> 3) + 4 * count);
      const optimal = {};
      asked.forEach((name, k) => {
        if (failed.has(k)) { optimal[name] = { error: failed.get(k) }; return; }
        const [alpha, size, targetMass, draftMass] = numbers.subarray(4 * k, 4 * k + 4);
        const entry = { alpha };
        if (ids) entry.certificate = Array.from(module.HEAP32.subarray((idsAt >> 2) + k * vocab, (idsAt >> 2) + k * vocab + size));
        Object.assign(entry, { certificate_size: size, certificate_target_mass: targetMass, certificate_draft_mass: draftMass });
        optimal[name] = entry;
      });
      const warnings = lines.filter(([kind]) => kind === 'warning').map(([, ...message]) => message.join('\t'));
      return { result: { vocab, drafts: job.drafts, warnings, optimal } };
    } finally {
      for (const pointer of allocations) if (pointer) module._free(pointer);
    }
  }

  return { methods, verifiers, answer };
}
