// Types of the package entry (web/mdsd.mjs). The request and result shapes
// are README.md's contract.

export type NumberArray = number[] | Float64Array | Float32Array;

/** Probabilities or non-negative weights (normalised), or logits. */
export type Distribution =
  | NumberArray
  | { logits: NumberArray | (number | '-Infinity')[]; temperature?: number; top_k?: number; top_p?: number };

export type DraftMethod = 'with_replacement' | 'without_replacement' | 'greedy';

export interface Request {
  target: Distribution;
  draft?: Distribution;
  drafts?: number;
  draft_joint?: { drafts: number[]; prob: number }[];
  methods?: DraftMethod[];
  lp?: boolean | { max_columns?: number; inject_glpk_error?: boolean };
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

export interface Result {
  vocab: number;
  drafts: number;
  warnings: string[];
  optimal?: Partial<Record<DraftMethod, Outcome<OptimalRate>>>;
  lp?: Partial<Record<DraftMethod | 'joint', Outcome<LpSolution>>>;
}

export class MdsdInputError extends Error {
  /** The field the message is about, e.g. "draft[17]" or "drafts". */
  field: string;
}

export interface Calculator {
  /** Throws MdsdInputError on bad input. */
  solve(request: Request): Result;
  /** A deterministic, LLM-like synthetic pair (not any model's output). */
  syntheticPair(options: {
    vocab: number; seed?: number; zipf_exponent?: number; target_noise?: number;
    draft_noise?: number; temperature?: number;
  }): { target: Float64Array; draft: Float64Array };
}

export function load(): Promise<Calculator>;
