// The names the page shows for the result's keys, and the key of each one's
// definition in "How it works" (index.html, def-<key>). A key the core adds
// later and this list does not know is shown by its own name, never dropped.

export const methodLabels = {
  with_replacement: 'with replacement (i.i.d.)',
  without_replacement: 'without replacement',
  greedy: 'greedy',
  top_n: 'top-n (deterministic)',
};

export const verifierLabels = {
  rrs_with_replacement: 'RRS, with replacement',
  rrs_without_replacement: 'RRS, without replacement',
  kseq: 'K-SEQ (SpecTr)',
  greedy: 'greedy verifier',
  spechub: 'SpecHub',
  optimal_lp: 'optimal (LP plan)',
  exact_match: 'exact match (top-n)',
  optimal_with_replacement: 'optimal (with replacement)',
};

export const methodLabel = (key) => methodLabels[key] ?? key.replace(/_/g, ' ');
export const verifierLabel = (key) => verifierLabels[key] ?? key.replace(/_/g, ' ');

/** The term of a method's definition (def-<key>), of a verifier's (def-v-<key>). */
export const methodTerm = (key) => key;
export const verifierTerm = (key) => `v-${key}`;
