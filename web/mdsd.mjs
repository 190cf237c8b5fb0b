// The package entry: load() resolves to a calculator whose solve(request)
// returns the result object of README.md's contract, in Node and in browsers.
// Number arrays cross into the WebAssembly module as Float64 buffers, not as
// JSON text; everything else is JSON.
import createMdsdCore from './generated/mdsd-core.mjs';

/** Thrown for a request the calculator rejects; `field` names the culprit. */
export class MdsdInputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'MdsdInputError';
    const colon = message.indexOf(': ');
    this.field = colon > 0 ? message.slice(0, colon) : 'request';
  }
}

// Returns the array as a Float64Array when every entry is a number (NaN and
// infinities included: the core names them precisely), else null so that the
// core reports the odd entry.
function asNumberBuffer(value) {
  if (value instanceof Float64Array) return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView) &&
      !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array)) {
    return Float64Array.from(value);
  }
  if (!Array.isArray(value)) return null;
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'number') return null;
  }
  return Float64Array.from(value);
}

// Replaces the number arrays of a distribution (plain or {logits}) by
// {"$buffer": k} references and collects the buffers.
function detachArrays(distribution, buffers) {
  const attach = (array) => {
    const buffer = asNumberBuffer(array);
    if (buffer === null) return array;
    buffers.push(buffer);
    return { $buffer: buffers.length - 1 };
  };
  if (distribution !== null && typeof distribution === 'object' &&
      !Array.isArray(distribution) && !ArrayBuffer.isView(distribution)) {
    return 'logits' in distribution ? { ...distribution, logits: attach(distribution.logits) } : distribution;
  }
  return attach(distribution);
}

// JSON text of what remains after the arrays left as buffers. A value JSON
// cannot hold (a cycle, a BigInt, nesting deeper than the engine's stack) is
// the caller's input error, not a crash.
function serialise(value, field) {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new MdsdInputError(`${field}: cannot be written as JSON (${error.message})`);
  }
}

class Calculator {
  #core;

  constructor(core) {
    this.#core = core;
  }

  /**
   * Solves one request. Throws MdsdInputError for bad input; per-method
   * problems (a method that does not apply, an LP too large) come back in
   * the result as {"error": ...}.
   */
  solve(request) {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      throw new MdsdInputError('request: must be an object');
    }
    const buffers = [];
    const wire = { ...request };
    for (const field of ['target', 'draft']) {
      if (field in wire) wire[field] = detachArrays(wire[field], buffers);
    }
    return JSON.parse(this.#call(serialise(wire, 'request'), buffers));
  }

  /**
   * A deterministic, LLM-like synthetic (target, draft) pair for demos and
   * benchmarks (src/core/synthetic.hpp): Zipf-like logits plus noise, the
   * draft a noisy copy of the target, both at one temperature.
   */
  syntheticPair({ vocab, seed = 1, zipf_exponent = 1.1, target_noise = 0.5, draft_noise = 0.8, temperature = 1 } = {}) {
    const check = (ok, field, text) => { if (!ok) throw new MdsdInputError(`${field}: ${text}`); };
    check(Number.isInteger(vocab) && vocab >= 1 && vocab <= 4194304, 'vocab', 'must be an integer from 1 to 4194304');
    check(Number.isInteger(seed) && seed >= 0 && seed <= Number.MAX_SAFE_INTEGER, 'seed', 'must be a non-negative integer');
    for (const [field, value] of Object.entries({ zipf_exponent, target_noise, draft_noise })) {
      check(Number.isFinite(value) && value >= 0, field, 'must be a finite number >= 0');
    }
    check(Number.isFinite(temperature) && temperature > 0, 'temperature', 'must be a finite number > 0');
    const core = this.#core;
    const target = core._malloc(8 * vocab);
    const draft = core._malloc(8 * vocab);
    try {
      core._mdsd_synthetic_pair(vocab, seed, zipf_exponent, target_noise, draft_noise, temperature, target, draft);
      return {
        target: core.HEAPF64.slice(target >> 3, (target >> 3) + vocab),
        draft: core.HEAPF64.slice(draft >> 3, (draft >> 3) + vocab),
      };
    } finally {
      core._free(target);
      core._free(draft);
    }
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
      [serialise(settings, 'settings')], []));
    let open = true;
    const check = () => { if (!open) throw new MdsdInputError('batch: already disposed'); };
    return {
      add: (position) => {
        check();
        if (position === null || typeof position !== 'object') throw new MdsdInputError('position: must be an object {target, draft}');
        const buffers = [];
        const wire = { target: detachArrays(position.target, buffers), draft: detachArrays(position.draft, buffers) };
        this.#invoke((pointer) => core._mdsd_batch_add(handle, pointer[0], pointer.buffers, pointer.sizes,
          buffers.length, pointer.ok), [serialise(wire, 'position')], buffers);
      },
      summary: ({ perPosition = false } = {}) => {
        check();
        return JSON.parse(this.#invoke((pointer) => core._mdsd_batch_summary(handle, perPosition ? 1 : 0, pointer.ok), [], []));
      },
      dispose: () => {
        if (open) core._mdsd_batch_free(handle);
        open = false;
      },
    };
  }

  #call(json, buffers) {
    return this.#invoke((pointer) => this.#core._mdsd_solve(pointer[0], pointer.buffers, pointer.sizes,
      buffers.length, pointer.ok), [json], buffers);
  }

  // Copies the strings and number buffers into the module's heap, calls
  // `entry` with their addresses, frees everything, and returns the text the
  // call produced or throws MdsdInputError with it.
  #invoke(entry, strings, buffers) {
    const core = this.#core;
    const allocations = [];
    const allocate = (bytes) => {
      const pointer = core._malloc(Math.max(bytes, 8));
      if (pointer === 0) throw new MdsdInputError('request: too large for the WebAssembly memory');
      allocations.push(pointer);
      return pointer;
    };
    try {
      const pointer = strings.map((text) => {
        const bytes = core.lengthBytesUTF8(text) + 1;
        const address = allocate(bytes);
        core.stringToUTF8(text, address, bytes);
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
    } finally {
      for (const address of allocations) core._free(address);
    }
  }
}

/** Instantiates the WebAssembly module (inlined: no file to fetch). */
export async function load() {
  return new Calculator(await createMdsdCore());
}
