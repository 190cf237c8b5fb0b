// Types of the package entry (web/package/mdsd.mjs). The request and result shapes
// are README.md's contract.

export type NumberArray = number[] | Float64Array | Float32Array;

interface Sampling { temperature?: number; top_k?: number; top_p?: number }

/**
 * Probabilities or non-negative weights (normalised), logits, or a list of
 * some tokens (README "Request", "Partial lists").
 */
export type Distribution =
  | NumberArray
  | ({ logits: NumberArray | (number | '-Infinity')[] } & Sampling)
  | ({ ids: number[]; unlisted?: 'top_k' | 'any' | { at_most_logprob: number } } &
      ({ logprobs: NumberArray | (number | '-Infinity')[] } | { probs: NumberArray }) & Sampling);

export type DraftMethod = 'with_replacement' | 'without_replacement' | 'greedy' | 'top_n';

export type VerifierName =
  | 'rrs_with_replacement' | 'rrs_without_replacement' | 'kseq' | 'greedy' | 'spechub' | 'exact_match' | 'optimal_lp'
  | 'optimal_with_replacement';

export interface Request {
  target: Distribution;
  draft?: Distribution;
  drafts?: number;
  draft_joint?: { drafts: number[]; prob: number }[];
  methods?: DraftMethod[];
  /** glpk: also GLPK's simplex, in the GLPK module (Calculator.solveAsync loads it; solve needs loadGlpk() first). */
  lp?: boolean | { max_columns?: number; glpk?: boolean; glpk_max_columns?: number; inject_glpk_error?: boolean };
  /** Verifiers to evaluate; default all (cores that have verifiers). */
  verifiers?: VerifierName[];
  /** Monte Carlo check of the verifiers. */
  simulate?: { samples: number; seed?: number };
  /** The vocabulary size, for lists of some tokens. */
  vocab?: number;
}

/** Bounds on alpha* over every completion of partial lists; alpha once closed. */
export interface Bounds {
  interval: [number, number];
  alpha?: number;
  draft_method?: DraftMethod;
}

export type Outcome<T> = T | { error: string };

export interface OptimalRate {
  alpha: number;
  certificate: number[];
  certificate_size: number;
  certificate_target_mass: number;
  certificate_draft_mass: number;
}

export interface LpSolution {
  alpha: number;
  status: string;
  columns: number;
  certificate: number[];
  certificate_alpha: number;
}

export interface VerifierAcceptance {
  alpha: number;
  /** false: alpha is a Monte Carlo estimate with ci95. */
  exact: boolean;
  draft_method: DraftMethod;
  /** alpha* of draft_method minus alpha. */
  gap: number;
  ci95?: [number, number];
  samples?: number;
  /** K-SEQ's rho. */
  rho?: number;
}

export interface Simulation {
  samples: number;
  acceptance: number;
  acceptance_ci95: [number, number];
  hit_rate: number;
  hit_rate_ci95: [number, number];
  output_counts: number[];
  chi2_p_value: number;
}

export interface Result {
  /** null for partial lists of an unknown vocabulary. */
  vocab: number | null;
  drafts: number;
  warnings: string[];
  /** Partial lists only: [least, most] probability mass not listed. */
  unlisted_mass?: { target: [number, number]; draft: [number, number] };
  optimal?: Partial<Record<DraftMethod, Outcome<OptimalRate | Bounds>>>;
  lp?: Partial<Record<DraftMethod | 'joint', Outcome<LpSolution>>>;
  verifiers?: Partial<Record<VerifierName, Outcome<VerifierAcceptance | Bounds>>>;
  simulation?: Partial<Record<VerifierName, Outcome<Simulation>>>;
}

export class MdsdInputError extends Error {
  /** The field the message is about, e.g. "draft[17]" or "drafts". */
  field: string;
}

export interface BatchSettings {
  drafts: number | number[];
  temperatures?: number[];
  methods?: DraftMethod[];
  verifiers?: string[];
  estimate_samples?: number;
  seed?: number;
  /** What an engine measured, set beside the bounds (README "The measured acceptance beside the bound"). */
  measured?: number | number[] | MeasuredAcceptance[];
}

export type MeasuredAcceptance = ({ per_position: number[] } | { steps: number; accepted: number[] }) & {
  drafts?: number;
  temperature?: number;
  verifier?: VerifierName;
};

export interface Batch {
  /** One position; throws MdsdInputError naming the position and field. */
  add(position: { target: Distribution; draft: Distribution; vocab?: number }): void;
  /** The summary object of `mdsd batch` (README "Dataset mode"). */
  summary(options?: { perPosition?: boolean }): any;
  dispose(): void;
}

export interface SolveOptions {
  /** Monte Carlo progress during the call (run: 0, 1, ... in the order of the verifiers). */
  onProgress?: (progress: { run: number; done: number; samples: number }) => void;
}

export interface Calculator {
  /** Dataset mode: positions one at a time, means with 95% intervals. */
  createBatch(settings: BatchSettings): Batch;
  /**
   * Throws MdsdInputError on bad input, and for lp.glpk while the GLPK
   * module is not loaded (field "lp.glpk"): see loadGlpk and solveAsync.
   */
  solve(request: Request, options?: SolveOptions): Result;
  /** solve, after loading the GLPK module (once) when the request asks for lp.glpk. */
  solveAsync(request: Request, options?: SolveOptions): Promise<Result>;
  /** Loads the GLPK module; later calls return the same promise (a failed load may be retried). */
  loadGlpk(): Promise<void>;
  /** Whether the GLPK module is loaded. */
  readonly glpkLoaded: boolean;
  /** The best draft tree for an acceptance vector, budget and depth; throws MdsdInputError naming the field. */
  tree(request: TreeRequest): TreeResult;
  /**
   * The acceptance at n = 1..max_width and the sibling vectors, from a request, a dataset
   * summary (Batch.summary()) or its per-position rows; format 'csv' gives the CSV text.
   */
  acceptanceVector(request: AcceptanceVectorRequest | object | object[], options?: { format?: 'json' }): AcceptanceVector;
  acceptanceVector(request: AcceptanceVectorRequest | object | object[], options: { format: 'csv' }): string;
  /** A deterministic, LLM-like synthetic pair (not any model's output). */
  syntheticPair(options: {
    vocab: number; seed?: number; zipf_exponent?: number; target_noise?: number;
    draft_noise?: number; temperature?: number;
  }): { target: Float64Array; draft: Float64Array };
}

/** README "Draft trees": the sibling acceptance vector p[1..B], a budget of draft nodes and a depth. */
export interface TreeRequest {
  /** p[b - 1]: the chance that sibling b is the accepted one; 1 to 16 entries in [0, 1], summing to at most 1. */
  acceptance: number[] | Float64Array;
  /** Draft nodes, 0 to 1024. */
  budget: number;
  /** Levels below the root, 0 to 64. */
  depth: number;
  /** Times in any one unit: one draft step, and a target call (one time, or [tokens, time] points). */
  cost?: { draft_time: number } & ({ target_time: number } | { target_times: [number, number][] });
  /** Also the expected tokens at every budget 0..budget (by_budget in the result). */
  by_budget?: boolean;
}

export interface TimedTree {
  nodes: number; depth: number; expected_tokens: number; call_time: number; tokens_per_time: number; speedup: number;
}

export interface TreeResult {
  expected_tokens: number;
  budget: number;
  depth: number;
  nodes: number;
  tree_depth: number;
  /** Draft node i (breadth first) hangs under parents[i] (-1: the root) as its ranks[i]-th child. */
  parents: number[];
  ranks: number[];
  acceptance: number[];
  warnings: string[];
  chain: { nodes: number; depth: number; expected_tokens: number };
  independent_chains: { chains: number; depth: number; nodes: number; expected_tokens: number };
  time?: {
    draft_time: number; target_times: [number, number][]; plain_tokens_per_time: number;
    best: TimedTree & { parents: number[]; ranks: number[] }; chain: TimedTree;
  };
  /** With by_budget: each list over budgets 0..budget (at most that many nodes). */
  by_budget?: { best: number[]; chain: number[]; independent_chains: number[] };
}

/** A series over widths 1..max_width: null where it does not apply (the reason in errors). */
export interface AcceptanceSeries {
  alpha: (number | null)[];
  exact?: (boolean | null)[];
  ci95?: ([number, number] | null)[];
  interval?: ([number, number] | null)[];
  positions?: (number | null)[];
  errors?: { width: number; error: string }[];
}

export interface AcceptanceVector {
  max_width: number;
  widths: number[];
  vocab: number | null;
  warnings: string[];
  optimal: Partial<Record<DraftMethod, AcceptanceSeries>>;
  verifiers: Partial<Record<VerifierName, AcceptanceSeries>>;
  /** p[b] = alpha_b - alpha_(b-1) for the verifiers whose drafts nest. */
  sibling: Partial<Record<'rrs_with_replacement' | 'rrs_without_replacement' | 'exact_match',
    { p: number[]; exact: boolean; ci95?: [number, number][]; note?: string } | { error: string }>>;
}

/** A solve request with max_width (1 to 16) in place of drafts; no lp, simulate or draft_joint. */
export type AcceptanceVectorRequest = Omit<Request, 'drafts' | 'lp' | 'simulate' | 'draft_joint'> & { max_width: number };

/** An Emscripten ES module of this package's C interface (web/generated/...), as import() gives it. */
export type ModuleImport = () => Promise<{ default: (options?: object) => Promise<unknown> }>;

export interface LoadOptions {
  /** Load the GLPK module now too (else on the first lp.glpk request of solveAsync, or loadGlpk()). */
  glpk?: boolean;
  /**
   * Where the modules come from; default the package's own, with the
   * WebAssembly inlined. The page passes the builds with the .wasm beside
   * them (web/generated/web/).
   */
  modules?: { core: ModuleImport; glpk: ModuleImport };
}

export function load(options?: LoadOptions): Promise<Calculator>;
