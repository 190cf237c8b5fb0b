#!/usr/bin/env bash
# Replays tests/fuzz/regressions/<target>/* through each fuzz target, then
# fuzzes each for SECONDS (default 20) seconds. Fails on any crash, leak,
# sanitizer report, timeout (> 10 s for one input) or out-of-memory
# (> 2048 MB). A crash input lands in BUILD_DIR/fuzz-work/artifacts/; copy it
# into tests/fuzz/regressions/<target>/ once fixed so that every run replays it.
# Usage: bash tests/fuzz/run.sh [BUILD_DIR [SECONDS]]   (default build/fuzz 20; a clang
# build with -DMDSD_FUZZ=ON, see .ci/test)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build="${1:-build/fuzz}"
seconds="${2:-20}"
work="$build/fuzz-work"
rm -rf "$work/seeds"
mkdir -p "$work/artifacts"
node tests/fuzz/make_seeds.mjs "$work/seeds"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for target in request distribution solve npy; do
  binary="$build/tests/fuzz/fuzz_$target"
  extra=()
  [[ "$target" == request || "$target" == solve ]] && extra=(-dict=tests/fuzz/json.dict)
  # .npy headers: a dictionary of their words, and room for long headers (a
  # 40,000-character field once overflowed the stack; without -max_len the
  # inputs never grew past the seeds' size).
  [[ "$target" == npy ]] && extra=(-dict=tests/fuzz/npy.dict -max_len=80000)
  regressions=(tests/fuzz/regressions/$target/*)
  regressions=("${regressions[@]/*\/README*/}")
  for file in "${regressions[@]}"; do
    [[ -f "$file" ]] || continue
    if ! "$binary" "$file" >"$work/replay-$target.log" 2>&1; then
      cat "$work/replay-$target.log" >&2
      echo "fuzz: regression $file crashes fuzz_$target again" >&2
      status=1
    fi
  done
  # The corpus in $work/corpus-$target grows from run to run; seeds are read-only.
  mkdir -p "$work/corpus-$target"
  start=$SECONDS
  if "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/$target-" "${extra[@]}" \
      "$work/corpus-$target" "$work/seeds/$target" \
      >"$work/fuzz-$target.log" 2>&1; then
    echo "fuzz: fuzz_$target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/fuzz-$target.log" | grep -o '[0-9]*$') inputs in $((SECONDS - start)) s, no crash"
  else
    tail -60 "$work/fuzz-$target.log" >&2
    echo "fuzz: fuzz_$target FAILED (log $work/fuzz-$target.log; input in $work/artifacts/);" \
         "once fixed, copy the input into tests/fuzz/regressions/$target/" >&2
    status=1
  fi
done
exit $status
