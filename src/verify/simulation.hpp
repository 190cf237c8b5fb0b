// Runs a draft sampler and a verifier many times: acceptance (the accept
// test), hit rate (the output is one of the drafts), and the output counts,
// to check that the verifier keeps the target distribution.
#pragma once

#include "verify/draft_sampler.hpp"
#include "verify/verifier.hpp"

#include <cstdint>
#include <vector>

namespace mdsd {

struct SimulationCounts {
  std::int64_t samples = 0;
  std::int64_t accepted = 0;
  std::int64_t hits = 0;
  std::vector<std::int64_t> output_counts;  // per token
};

// Progress of simulate() for a caller that shows it (the page's Monte Carlo
// bar, through src/wasm/module.cpp): when set on this thread, called with
// (steps done, steps of this run) every 65,536 steps and once at the end of
// each run. It only observes: the counts are the same with or without it.
using SimulationProgress = void (*)(std::int64_t done, std::int64_t samples);
void set_simulation_progress(SimulationProgress progress);  // nullptr: none

// Deterministic: the same seed gives the same counts natively and in WebAssembly.
SimulationCounts simulate(const DraftSampler& sampler, const Verifier& verifier,
                          std::int64_t samples, std::uint64_t seed, Eigen::Index vocabulary);

}  // namespace mdsd
