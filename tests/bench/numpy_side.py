"""NumPy side by side with bench_process and bench_jsonl (README "Benchmark",
"Dataset benchmark"); run with Debian's /usr/bin/python3 (python3-numpy).

  /usr/bin/python3 tests/bench/numpy_side.py REQUEST.json DATA.jsonl [REPEATS]

On the request file of bench_process: json.load, then alpha* with replacement
by one sort and cumulative sums (README mathematics §2: 1 + min over the
prefixes H of the p/q order of p(H) - q(H)^n). On the JSON Lines file of
bench_jsonl: json.loads of each line into NumPy arrays, and the mean over the
positions of alpha* with replacement at n = 1 (sum of min(p, q)). Prints one
JSON object: medians over REPEATS of wall and CPU time, MB/s of number text.
"""
import json
import sys
import time

import numpy as np


def timed(repeats, work):
    walls, cpus, value = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        value = work()
        cpus.append((time.process_time() - cpu) * 1e3)
        walls.append((time.perf_counter() - wall) * 1e3)
    return {"wall_ms": float(np.median(walls)), "cpu_ms": float(np.median(cpus))}, value


def alpha_with_replacement(target, draft, drafts):
    p, q = target / target.sum(), draft / draft.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(q > 0, p / q, np.inf)
    ratio[(p == 0) & (q > 0)] = 0.0
    order = np.argsort(ratio, kind="stable")
    values = np.cumsum(p[order]) - np.cumsum(q[order]) ** drafts
    return 1.0 + min(0.0, float(values.min()))


def main():
    request_path, jsonl_path = sys.argv[1], sys.argv[2]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    row = {"repeats": repeats}

    def load():
        with open(request_path) as file:
            request = json.load(file)
        return np.asarray(request["target"]), np.asarray(request["draft"]), request["drafts"]

    row["request_load"], (target, draft, drafts) = timed(repeats, load)
    row["with_replacement"], row["alpha_with"] = timed(repeats, lambda: alpha_with_replacement(target, draft, drafts))

    number_bytes = 0
    with open(jsonl_path) as file:
        for line in file:
            line_json = json.loads(line)
            number_bytes += sum(len(json.dumps(value)) for value in line_json["target"] + line_json["draft"])
    row["number_bytes"] = number_bytes

    def dataset_mean():
        alphas = []
        with open(jsonl_path) as file:
            for line in file:
                position = json.loads(line)
                p, q = np.asarray(position["target"]), np.asarray(position["draft"])
                alphas.append(np.minimum(p / p.sum(), q / q.sum()).sum())
        return float(np.mean(alphas))

    row["dataset_mean"], row["mean_alpha_n1"] = timed(repeats, dataset_mean)
    row["dataset_number_mb_per_s"] = {
        kind: number_bytes / 1e3 / row["dataset_mean"][kind + "_ms"] for kind in ("wall", "cpu")}
    print(json.dumps(row))


if __name__ == "__main__":
    main()
