// Types of the package entry (web/mdsd.mjs). The request and result shapes
// are README.md's contract.

export type NumberArray = number[] | Float64Array | Float32Array;

/** Probabilities or non-negative weights (normalised), or logits. */
export type Distribution =
  | NumberArray
  | { logits: NumberArray | (number | '-Infinity')[]; temperature?: number; top_k?: number; top_p?: number };

export type DraftMethod = 'with_replacement' | 'without_replacement' | 'greedy';

export type VerifierName = 'rrs_with_replacement' | 'rrs_without_replacement' | 'kseq' | 'greedy' | 'spechub' | 'optimal_lp';

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
  vocab: number;
  drafts: number;
  warnings: string[];
  optimal?: Partial<Record<DraftMethod, Outcome<OptimalRate>>>;
  lp?: Partial<Record<DraftMethod | 'joint', Outcome<LpSolution>>>;
  verifiers?: Partial<Record<VerifierName, Outcome<VerifierAcceptance>>>;
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
}

export interface Batch {
  /** One position; throws MdsdInputError naming the position and field. */
  add(position: { target: Distribution; draft: Distribution }): void;
  /** The summary object of `mdsd batch` (README "Dataset mode"). */
  summary(options?: { perPosition?: boolean }): any;
  dispose(): void;
}

export interface Calculator {
  /** Dataset mode: positions one at a time, means with 95% intervals. */
  createBatch(settings: BatchSettings): Batch;
  /** Throws MdsdInputError on bad input. */
  solve(request: Request): Result;
  /** A deterministic, LLM-like synthetic pair (not any model's output). */
  syntheticPair(options: {
    vocab: number; seed?: number; zipf_exponent?: number; target_noise?: number;
    draft_noise?: number; temperature?: number;
  }): { target: Float64Array; draft: Float64Array };
}

export function load(): Promise<Calculator>;
