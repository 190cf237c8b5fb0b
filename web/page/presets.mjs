// The Example list's inputs, named in index.html by what each shows. The
// theory rows are README mathematics §6 (computed independently).
export const syntheticVocab = 152064;

const theoryRows = [
  [[0.3, 0.4, 0.3], [0.6, 0.3, 0.1], 2],
  [[0.3, 0.4, 0.3], [0.6, 0.3, 0.1], 3],
  [[0.5, 0.3, 0.2], [0.2, 0.3, 0.5], 2],
  [[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1], 3],
  [[0.6, 0.2, 0.1, 0.05, 0.05], [0.3, 0.3, 0.2, 0.1, 0.1], 2],
  [[0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1], 2],
];

export const presets = {
  equal: { target: [0.4, 0.3, 0.2, 0.1], draft: [0.4, 0.3, 0.2, 0.1], drafts: 3 },
  peaked: { target: [0.9, 0.05, 0.025, 0.015, 0.01], draft: [0.72, 0.14, 0.07, 0.04, 0.03], drafts: 2 },
  flat: { target: [0.15, 0.14, 0.13, 0.12, 0.12, 0.12, 0.11, 0.11], draft: [0.11, 0.11, 0.12, 0.12, 0.12, 0.13, 0.14, 0.15], drafts: 3 },
  ...Object.fromEntries(theoryRows.map(([target, draft, drafts], i) => [`theory-${i + 1}`, { target, draft, drafts }])),
};

/** The built-in example (web/examples/builtin.json), fetched once. */
export const exampleRequest = fetch(new URL('../examples/builtin.json', import.meta.url)).then((response) => response.json());
