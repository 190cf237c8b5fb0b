#!/usr/bin/python3
"""SciPy's HiGHS on the transport LPs that bench_transport dumped.

    build/native/bench_transport 5 --dump DIR     # writes DIR/<family>-<columns>.json
    /usr/bin/python3 tests/bench/transport_highs.py DIR [repeats] [--max-columns C]

For each dumped law: the LP of README mathematics §2 (maximise the sum of
pi[y, s] over pairs y in s, row sums <= p_y, set sums <= Q_s, pi >= 0) given
to scipy.optimize.linprog(method='highs'), the median CPU time of the solve
over `repeats` (the sparse matrix is built once, outside the timing), its
optimum against the max-flow's, and the ratio of its time to the max-flow's
median from the same bench_transport run. One JSON object a line.
Needs Debian's python3-scipy (apt-get install python3-scipy).
"""
import glob
import json
import os
import statistics
import sys
import time

import numpy as np
import scipy
from scipy.optimize import linprog
from scipy.sparse import csr_matrix


def transport_lp(law):
    sets, masses, target = law["sets"], law["masses"], law["target"]
    tokens = sorted({y for tokens in sets for y in tokens})
    row_of = {y: i for i, y in enumerate(tokens)}
    rows, cols = [], []
    column = 0
    for s, members in enumerate(sets):
        for y in members:
            rows += [row_of[y], len(tokens) + s]
            cols += [column, column]
            column += 1
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(tokens) + len(sets), column))
    bounds = np.concatenate([np.array([target[y] for y in tokens]), np.array(masses)])
    return matrix, bounds, column


def main():
    args = sys.argv[1:]
    max_columns = float("inf")
    if "--max-columns" in args:
        at = args.index("--max-columns")
        max_columns = int(args[at + 1])
        del args[at:at + 2]
    directory = args[0]
    repeats = int(args[1]) if len(args) > 1 else 5
    print(json.dumps({"scipy": scipy.__version__}))
    files = glob.glob(os.path.join(directory, "*.json"))
    for path in sorted(files, key=lambda p: (os.path.basename(p).rsplit("-", 1)[0],
                                             int(os.path.basename(p).rsplit("-", 1)[1][:-5]))):
        with open(path) as file:
            law = json.load(file)
        matrix, bounds, columns = transport_lp(law)
        if columns > max_columns:
            continue
        cost = -np.ones(columns)
        times, result = [], None
        for _ in range(repeats):
            start = time.process_time()
            result = linprog(cost, A_ub=matrix, b_ub=bounds, bounds=(0, None), method="highs")
            times.append((time.process_time() - start) * 1000.0)
        highs_ms = statistics.median(times)
        print(json.dumps({"law": os.path.basename(path)[:-5], "columns": columns, "status": result.status,
                          "highs_ms": highs_ms, "max_flow_ms": law["max_flow_ms"],
                          "highs_over_max_flow": highs_ms / law["max_flow_ms"],
                          "alpha_difference": -result.fun - law["max_flow_alpha"]}), flush=True)


if __name__ == "__main__":
    main()
