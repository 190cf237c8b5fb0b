// The package entry: load() resolves to a calculator whose solve(request)
// returns the result object of README.md's contract, in Node and in browsers.
// Number arrays cross into the WebAssembly module as Float64 buffers, not as
// JSON text; everything else is JSON.
// Two modules (README "JavaScript API"): the core, without GLPK, and the
// whole core with GLPK, loaded only for a request that asks for the GLPK
// cross-check (lp.glpk), once. Both are imported on demand, so that a page
// passing its own modules (load({modules})) never fetches these.
const inlinedModules = {
  core: () => import('../generated/mdsd-core.mjs'),
  glpk: () => import('../generated/mdsd-glpk.mjs'),
};

/** Thrown for a request the calculator rejects; `field` names the culprit. */
export class MdsdInputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'MdsdInputError';
    const colon = message.indexOf(': ');
    this.field = colon > 0 ? message.slice(0, colon) : 'request';
  }
}

// A typed array whose buffer was transferred (postMessage, structuredClone)
// reads as empty and throws on copy; say so instead.
function isDetached(view) {
  if ('detached' in ArrayBuffer.prototype) return view.buffer.detached === true;
  if (view.byteLength !== 0 || view.buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(view.buffer);
    return false;
  } catch {
    return true;
  }
}

// Returns the array as a Float64Array when every entry is a number (NaN and
// infinities included: the core names them precisely), else null so that the
// core reports the odd entry. Sizes are checked first, before anything is
// scanned or copied: a 30-million-entry array fails at once.
function asNumberBuffer(value, field, limits) {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) return null;
  if (ArrayBuffer.isView(value) && isDetached(value)) {
    throw new MdsdInputError(`${field}: the typed array's buffer is detached (transferred, e.g. by postMessage), so it holds no numbers to read`);
  }
  const length = value instanceof DataView ? 0 : value.length;
  if (length > limits.max_vocabulary) {
    throw new MdsdInputError(`${field}: ${length} tokens is more than the limit of ${limits.max_vocabulary}`);
  }
  if (value instanceof Float64Array) return value;
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView || value instanceof BigInt64Array || value instanceof BigUint64Array) {
      throw new MdsdInputError(`${field}: must be an array of numbers, got a ${value.constructor.name}`);
    }
    return Float64Array.from(value);
  }
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'number') return null;
  }
  return Float64Array.from(value);
}

// A request (or position) as it crosses into the module: its JSON text with
// null where each number array was, the key path of each such place, and the
// arrays. The paths travel beside the text, never inside it, so nothing the
// caller wrote (a {"$buffer": 0} of their own, a JSON Lines line) can be read
// as a reference to another field's array (src/wasm/module.cpp).
function toWire(request, fields, limits, what) {
  const wire = { ...request };
  const paths = [];
  const buffers = [];
  const attach = (value, path) => {
    const buffer = asNumberBuffer(value, path.join('.'), limits);
    if (buffer === null) return value;
    paths.push(path);
    buffers.push(buffer);
    return null;
  };
  for (const field of fields) {
    const distribution = wire[field];
    if (distribution === null || typeof distribution !== 'object') continue;
    if (!Array.isArray(distribution) && !ArrayBuffer.isView(distribution)) {
      if ('logits' in distribution) wire[field] = { ...distribution, logits: attach(distribution.logits, [field, 'logits']) };
    } else {
      wire[field] = attach(distribution, [field]);
    }
  }
  if (Array.isArray(wire.draft_joint) && wire.draft_joint.length > limits.max_joint_entries) {
    throw new MdsdInputError(`draft_joint: ${wire.draft_joint.length} entries is more than the limit of ${limits.max_joint_entries}`);
  }
  return { json: serialise(wire, what), paths: JSON.stringify(paths), buffers };
}

// JSON text of what remains after the arrays left as buffers. JSON has no
// NaN or infinities (JSON.stringify would write null, and the core would
// report "got a null"): they are named here, by their path; -Infinity in
// logits is the masked token, which JSON spells "-Infinity". A value JSON
// cannot hold (a cycle, a BigInt, nesting deeper than the engine's stack) is
// the caller's input error, not a crash.
// A caller's key in a message: escaped, and cut to 80 characters as the
// core cuts what it echoes.
function printableKey(key) {
  const text = JSON.stringify(key).slice(1, -1);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

const kLoneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function serialise(value, what, prefix = '') {
  const paths = new WeakMap();
  const pathOf = (holder, key) => {
    const parent = paths.get(holder) ?? '';
    if (Array.isArray(holder)) return `${parent}[${key}]`;
    return parent === '' ? key : `${parent}.${key}`;
  };
  const name = (path) => (path === '' ? what : `${prefix}${path}`);
  const replacer = function (key, item) {
    // A lone UTF-16 surrogate has no UTF-8 form: name where it is, rather
    // than let the core's JSON reader report a column.
    if (typeof key === 'string' && kLoneSurrogate.test(key)) {
      throw new MdsdInputError(`${name(pathOf(this, printableKey(key)))}: the key holds a lone UTF-16 surrogate, which is not valid Unicode`);
    }
    if (typeof item === 'string' && kLoneSurrogate.test(item)) {
      throw new MdsdInputError(`${name(pathOf(this, key))}: the string holds a lone UTF-16 surrogate, which is not valid Unicode`);
    }
    if (typeof item === 'number' && !Number.isFinite(item)) {
      const path = pathOf(this, key);
      if (item === -Infinity && /(?:^|\.)logits\[\d+\]$/.test(path)) return '-Infinity';
      throw new MdsdInputError(`${name(path)}: not a finite number (${item})`);
    }
    if (typeof item === 'bigint') throw new MdsdInputError(`${name(pathOf(this, key))}: must be a number, got a BigInt`);
    if (item !== null && typeof item === 'object') paths.set(item, pathOf(this, key));
    return item;
  };
  try {
    return JSON.stringify(value, replacer);
  } catch (error) {
    if (error instanceof MdsdInputError) throw error;
    // The engine's message may span lines (V8 draws a cycle's path): its first line.
    const reason = String(error.message).split('\n')[0].slice(0, 120);
    throw new MdsdInputError(`${what}: cannot be written as JSON (${reason})`);
  }
}

// The module's memory as load() left it, to put back after a call the module
// aborted: the aborted call's allocations are never freed otherwise, and the
// instance would keep less memory for good. Only the 64 KiB pages that are not
// all zeros are kept (most of the initial 16 MiB, the stack included, is).
const kPageWords = 16384;

function hasNonZero(words, start, end) {
  for (let i = start; i < end; i++) if (words[i] !== 0) return true;
  return false;
}

function snapshotOf(core) {
  const words = new Uint32Array(core.HEAPU8.buffer);
  const pages = [];
  for (let start = 0; start < words.length; start += kPageWords) {
    const end = Math.min(words.length, start + kPageWords);
    if (hasNonZero(words, start, end)) pages.push({ start, words: words.slice(start, end) });
  }
  return { pages, length: words.length, stack: core.stackSave() };
}

// One instance of a module: its heap, limits and the snapshot to restore.
class ModuleCalculator {
  #core;
  #limits;
  #pristine;
  #generation = 0;  // counts resets: a batch opened before one is gone

  constructor(core) {
    this.#core = core;
    // Read once, before the snapshot, so that the snapshot holds them too.
    this.#limits = JSON.parse(core.UTF8ToString(core._mdsd_limits()));
    this.#pristine = snapshotOf(core);
  }

  /**
   * Solves one request. Throws MdsdInputError for bad input; per-method
   * problems (a method that does not apply, an LP too large) come back in
   * the result as {"error": ...}.
   *
   * options.onProgress({run, done, samples}), when given, is called while
   * the Monte Carlo runs of the call go (request.simulate, and the estimate
   * of a verifier without a formula): every 65,536 steps and at the end of
   * each run; `run` counts the runs of this call from 0, in the order of the
   * request's verifiers (a verifier's estimate, then its simulation). It only
   * observes: the result is the same with or without it.
   */
  solve(request, { onProgress } = {}) {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      throw new MdsdInputError('request: must be an object');
    }
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      throw new MdsdInputError('onProgress: must be a function');
    }
    const { json, paths, buffers } = toWire(request, ['target', 'draft'], this.#limits, 'request');
    const core = this.#core;
    // The callback runs inside the module's call: an exception it throws
    // would unwind the module mid-run, so it is kept and thrown afterwards.
    let run = 0;
    let failure = null;
    core.onSimulationProgress = onProgress && ((done, samples) => {
      if (failure === null) {
        try { onProgress({ run, done, samples }); } catch (error) { failure = error; }
      }
      if (done === samples) run++;
    });
    try {
      const text = this.#invoke((pointer) => core._mdsd_solve(pointer[0], pointer[1], pointer.buffers,
        pointer.sizes, buffers.length, pointer.ok), [json, paths], buffers, 'request');
      if (failure !== null) throw failure;
      return JSON.parse(text);
    } finally {
      core.onSimulationProgress = undefined;
    }
  }

  /**
   * A deterministic, LLM-like synthetic (target, draft) pair for demos and
   * benchmarks (src/core/synthetic.hpp): Zipf-like logits plus noise, the
   * draft a noisy copy of the target, both at one temperature.
   */
  syntheticPair({ vocab, seed = 1, zipf_exponent = 1.1, target_noise = 0.5, draft_noise = 0.8, temperature = 1 } = {}) {
    const check = (ok, field, text) => { if (!ok) throw new MdsdInputError(`${field}: ${text}`); };
    const limit = this.#limits.max_vocabulary;
    check(Number.isInteger(vocab) && vocab >= 1 && vocab <= limit, 'vocab', `must be an integer from 1 to ${limit}`);
    check(Number.isInteger(seed) && seed >= 0 && seed <= Number.MAX_SAFE_INTEGER, 'seed', 'must be a non-negative integer');
    for (const [field, value] of Object.entries({ zipf_exponent, target_noise, draft_noise })) {
      check(Number.isFinite(value) && value >= 0, field, 'must be a finite number >= 0');
    }
    check(Number.isFinite(temperature) && temperature > 0, 'temperature', 'must be a finite number > 0');
    const core = this.#core;
    return this.#guarded('vocab', (allocations) => {
      const target = core._malloc(8 * vocab);
      allocations.push(target);
      const draft = core._malloc(8 * vocab);
      allocations.push(draft);
      if (target === 0 || draft === 0) throw this.#tooLarge('vocab');
      core._mdsd_synthetic_pair(vocab, seed, zipf_exponent, target_noise, draft_noise, temperature, target, draft);
      return {
        target: core.HEAPF64.slice(target >> 3, (target >> 3) + vocab),
        draft: core.HEAPF64.slice(draft >> 3, (draft >> 3) + vocab),
      };
    });
  }

  /**
   * The best draft tree for a sibling acceptance vector (README "Draft
   * trees"): request {acceptance: [p1, ...], budget, depth, cost?:
   * {draft_time, target_time | target_times: [[tokens, time], ...]},
   * by_budget?: true}, the JSON of `mdsd tree`. Throws MdsdInputError
   * naming the field ("acceptance[1]", "cost.target_times[0]").
   */
  tree(request) {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      throw new MdsdInputError('request: must be an object {acceptance, budget, depth}');
    }
    // A typed array of acceptances is read as its numbers (JSON would make it an object).
    const acceptance = request.acceptance;
    const wire = ArrayBuffer.isView(acceptance) && !(acceptance instanceof DataView) ? { ...request, acceptance: Array.from(acceptance, Number) } : request;
    const core = this.#core;
    return JSON.parse(this.#invoke((pointer) => core._mdsd_tree(pointer[0], pointer.ok), [serialise(wire, 'request')], [], 'request'));
  }

  /**
   * The acceptance at widths 1..max_width and the sibling vectors p[b]
   * (README "The acceptance vector"), from a solve request with "max_width"
   * in place of "drafts" (number arrays as in solve), a dataset summary
   * (createBatch(...).summary()) or its per-position rows (summary({perPosition:
   * true}).positions). options.format: 'json' (the object, the default) or
   * 'csv' (the text of `mdsd acceptance-vector --csv`).
   */
  acceptanceVector(request, { format = 'json' } = {}) {
    if (format !== 'json' && format !== 'csv') {
      throw new MdsdInputError(`format: must be "json" or "csv", got ${printableKey(String(format))}`);
    }
    if (request === null || typeof request !== 'object') {
      throw new MdsdInputError('request: must be an object (a request with max_width, or a dataset summary) or an array of per-position rows');
    }
    const { json, paths, buffers } = Array.isArray(request)
      ? { json: serialise(request, 'positions'), paths: '[]', buffers: [] }
      : toWire(request, ['target', 'draft'], this.#limits, 'request');
    const core = this.#core;
    const text = this.#invoke((pointer) => core._mdsd_acceptance_vector(pointer[0], pointer[1], pointer.buffers, pointer.sizes,
      buffers.length, format === 'csv' ? 1 : 0, pointer.ok), [json, paths], buffers, 'request');
    return format === 'csv' ? text : JSON.parse(text);
  }

  /**
   * Dataset mode: opens a batch with settings {drafts: n | [n...],
   * temperatures?: [t...], methods?, verifiers?, estimate_samples?, seed?};
   * add positions one at a time ({target, draft}, as in solve), then
   * summary() gives the same object as `mdsd batch` (README "Dataset mode").
   */
  createBatch(settings) {
    if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
      throw new MdsdInputError('settings: must be an object');
    }
    const core = this.#core;
    const handle = Number(this.#invoke((pointer) => core._mdsd_batch_create(pointer[0], pointer.ok),
      [serialise(settings, 'settings', 'settings.')], [], 'settings'));
    const generation = this.#generation;
    let open = true;
    let added = 0;  // the core counts positions the same way in its messages
    const check = () => {
      if (!open) throw new MdsdInputError('batch: already disposed');
      if (generation !== this.#generation) {
        throw new MdsdInputError('batch: lost when the WebAssembly memory was reset after running out; create the batch again');
      }
    };
    return {
      add: (position) => {
        check();
        if (position === null || typeof position !== 'object') throw new MdsdInputError('position: must be an object {target, draft}');
        // As in `mdsd batch`: a key that is not read is an error, never dropped.
        for (const key of Object.keys(position)) {
          if (key !== 'target' && key !== 'draft' && key !== 'vocab') {
            throw new MdsdInputError(`position ${added}: ${printableKey(key)}: unknown key (a position gives target, draft and vocab; the shared settings go to createBatch)`);
          }
        }
        let wire;
        try {
          const fields = { target: position.target, draft: position.draft };
          if (position.vocab !== undefined) fields.vocab = position.vocab;
          wire = toWire(fields, ['target', 'draft'], this.#limits, 'position');
        } catch (error) {
          throw error instanceof MdsdInputError ? new MdsdInputError(`position ${added}: ${error.message}`) : error;
        }
        const { json, paths, buffers } = wire;
        this.#invoke((pointer) => core._mdsd_batch_add(handle, pointer[0], pointer[1], pointer.buffers, pointer.sizes,
          buffers.length, pointer.ok), [json, paths], buffers, `position ${added}`);
        added++;
      },
      summary: ({ perPosition = false } = {}) => {
        check();
        return JSON.parse(this.#invoke((pointer) => core._mdsd_batch_summary(handle, perPosition ? 1 : 0, pointer.ok), [], [], 'batch'));
      },
      dispose: () => {
        if (open && generation === this.#generation) core._mdsd_batch_free(handle);
        open = false;
      },
    };
  }

  #tooLarge(field) {
    return new MdsdInputError(`${field}: too large for the WebAssembly memory (at most 2 GB)`);
  }

  // Runs `call(allocations)`, which calls into the module, then frees what it
  // listed in `allocations`. If the module aborts (a failed allocation:
  // exceptions are off, so a failed C++ `new` aborts, and the sizes checked
  // before each call leave that to extreme requests), nothing is freed in the
  // heap the abort left; the memory is put back as load() left it, so the
  // calculator is as usable as before, and the caller gets an MdsdInputError.
  #guarded(field, call) {
    const core = this.#core;
    const allocations = [];
    try {
      const result = call(allocations);
      for (const address of allocations) core._free(address);
      return result;
    } catch (error) {
      if (!(error instanceof WebAssembly.RuntimeError)) {
        for (const address of allocations) core._free(address);
        throw error;
      }
      this.#restore();
      this.#generation++;
      if (/Aborted/.test(error.message)) throw this.#tooLarge(field);
      throw new Error(`internal error in the WebAssembly module (${error.message}); the calculator was reset`);
    }
  }

  // Puts the memory back as load() left it. The memory cannot shrink; what
  // the snapshot does not hold must read as zeros again (the allocator counts
  // on fresh memory being zero), but only pages that hold something are
  // written: writing the rest would make the whole 2 GB resident.
  #restore() {
    const core = this.#core;
    const { pages, stack } = this.#pristine;
    const words = new Uint32Array(core.HEAPU8.buffer);
    for (let start = 0; start < words.length; start += kPageWords) {
      const end = Math.min(words.length, start + kPageWords);
      if (hasNonZero(words, start, end)) words.fill(0, start, end);
    }
    for (const page of pages) words.set(page.words, page.start);
    core.stackRestore(stack);
  }

  // Copies the strings and number buffers into the module's heap, calls
  // `entry` with their addresses, frees everything, and returns the text the
  // call produced or throws MdsdInputError with it. Sizes are checked before
  // anything is allocated.
  #invoke(entry, strings, buffers, field) {
    const core = this.#core;
    // UTF-8 bytes; a long text is measured natively (Blob), not by the module's JS loop.
    const lengths = strings.map((text) => (text.length < 65536 ? core.lengthBytesUTF8(text) : new Blob([text]).size));
    for (const bytes of lengths) {
      if (bytes > this.#limits.max_json_bytes) {
        throw new MdsdInputError(`${field}: ${bytes} bytes of JSON is more than the limit of ${this.#limits.max_json_bytes} ` +
          `bytes (${this.#limits.max_json_bytes / 2 ** 20} MiB) in WebAssembly; pass long number arrays as arrays`);
      }
    }
    return this.#guarded(field, (allocations) => {
      const allocate = (bytes) => {
        const pointer = core._malloc(Math.max(bytes, 8));
        if (pointer === 0) throw this.#tooLarge(field);
        allocations.push(pointer);
        return pointer;
      };
      const pointer = strings.map((text, k) => {
        const address = allocate(lengths[k] + 1);
        core.stringToUTF8(text, address, lengths[k] + 1);
        return address;
      });
      pointer.buffers = allocate(4 * buffers.length);
      pointer.sizes = allocate(4 * buffers.length);
      pointer.ok = allocate(4);
      buffers.forEach((buffer, k) => {
        const data = allocate(8 * buffer.length);
        // Views are re-read after every allocation: the heap may have grown.
        core.HEAPF64.set(buffer, data >> 3);
        core.HEAPU32[(pointer.buffers >> 2) + k] = data;
        core.HEAPU32[(pointer.sizes >> 2) + k] = buffer.length;
      });
      const text = core.UTF8ToString(entry(pointer));
      if (core.HEAP32[pointer.ok >> 2] !== 1) throw new MdsdInputError(text);
      return text;
    });
  }
}

// Whether a request asks for GLPK's cross-check (README "Request": lp.glpk,
// and lp.inject_glpk_error, which implies it). Anything but `true` goes to the
// core, which validates it.
function asksForGlpk(request) {
  const lp = request?.lp;
  return lp !== null && typeof lp === 'object' && !Array.isArray(lp) && (lp.glpk === true || lp.inject_glpk_error === true);
}

/**
 * The calculator: the core module, and the GLPK module once a request asks
 * for it (or loadGlpk() was called). Batches and synthetic pairs use the core.
 */
class Calculator {
  #core;
  #glpk = null;
  #glpkLoading = null;
  #instantiate;

  constructor(core, instantiate) {
    this.#core = core;
    this.#instantiate = instantiate;
  }

  /** Whether the GLPK module is loaded: solve() can then take lp.glpk. */
  get glpkLoaded() {
    return this.#glpk !== null;
  }

  /** Loads the GLPK module (once; later calls return the same promise). */
  loadGlpk() {
    this.#glpkLoading ??= this.#instantiate('glpk').then((glpk) => { this.#glpk = glpk; }, (error) => {
      this.#glpkLoading = null;  // a failed fetch may be tried again
      throw error;
    });
    return this.#glpkLoading;
  }

  /**
   * Solves one request (see ModuleCalculator.solve). A request with
   * lp.glpk goes to the GLPK module, which must be loaded (loadGlpk(), or
   * use solveAsync, which loads it when asked).
   */
  solve(request, options) {
    if (!asksForGlpk(request)) return this.#core.solve(request, options);
    if (this.#glpk === null) {
      throw new MdsdInputError('lp.glpk: the GLPK module is not loaded yet: await calculator.loadGlpk() first, or call solveAsync()');
    }
    return this.#glpk.solve(request, options);
  }

  /** solve(), after loading the GLPK module when the request asks for it. */
  async solveAsync(request, options) {
    if (asksForGlpk(request)) await this.loadGlpk();
    return this.solve(request, options);
  }

  syntheticPair(options) {
    return this.#core.syntheticPair(options);
  }

  createBatch(settings) {
    return this.#core.createBatch(settings);
  }

  /** The best draft tree (README "Draft trees"); in the core module. */
  tree(request) {
    return this.#core.tree(request);
  }

  /** The acceptance vector at widths 1..max_width, or of a dataset summary; in the core module. */
  acceptanceVector(request, options) {
    return this.#core.acceptanceVector(request, options);
  }
}

// One module's instance. While a call runs, the module's own messages (an
// abort's "Aborted()") are not the caller's console output: the failure comes
// back as an exception. While loading they are (e.g. a
// Content-Security-Policy refusing to compile the module).
async function instantiate(module) {
  const { default: create } = await module();
  const output = { quiet: false };
  const core = await create({ printErr: (text) => { if (!output.quiet) console.error(text); } });
  output.quiet = true;
  return new ModuleCalculator(core);
}

/**
 * Instantiates the core module (the package's: the WebAssembly inlined, no
 * file to fetch). options.glpk: also load the GLPK module now.
 * options.modules: {core, glpk}, functions that import each module (an
 * Emscripten ES module factory as the default export), for a site that
 * serves the modules with their .wasm beside them (the page does).
 */
export async function load({ glpk = false, modules = inlinedModules } = {}) {
  for (const name of ['core', 'glpk']) {
    if (typeof modules?.[name] !== 'function') throw new TypeError(`load: modules.${name} must be a function that imports the module`);
  }
  const calculator = new Calculator(await instantiate(modules.core), (name) => instantiate(modules[name]));
  if (glpk) await calculator.loadGlpk();
  return calculator;
}
