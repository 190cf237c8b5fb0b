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
  | 'rrs_with_replacement' | 'rrs_without_replacement' | 'kseq' | 'greedy' | 'spechub' | 'exact_match' | 'optimal_lp';

export interface Request {
  target: Distribution;
  draft?: Distribution;
  drafts?: number;
  draft_joint?: { drafts: number[]; prob: number }[];
  methods?: DraftMethod[];
  lp?: boolean | { max_columns?: number; inject_glpk_error?: boolean };
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

export interface Calculator {
  /** Dataset mode: positions one at a time, means with 95% intervals. */
  createBatch(settings: BatchSettings): Batch;
  /** Throws MdsdInputError on bad input. */
  /** onProgress: Monte Carlo progress during the call (run: 0, 1, ... in the order of the verifiers). */
  solve(request: Request, options?: { onProgress?: (progress: { run: number; done: number; samples: number }) => void }): Result;
  /** A deterministic, LLM-like synthetic pair (not any model's output). */
  syntheticPair(options: {
    vocab: number; seed?: number; zipf_exponent?: number; target_noise?: number;
    draft_noise?: number; temperature?: number;
  }): { target: Float64Array; draft: Float64Array };
}

export function load(): Promise<Calculator>;
