#include "verify/simulation.hpp"

#include <algorithm>

namespace mdsd {
namespace {
thread_local SimulationProgress progress_hook = nullptr;
constexpr std::int64_t kProgressEvery = std::int64_t{1} << 16;
}  // namespace

void set_simulation_progress(SimulationProgress progress) { progress_hook = progress; }

SimulationCounts simulate(const DraftSampler& sampler, const Verifier& verifier,
                          std::int64_t samples, std::uint64_t seed, Eigen::Index vocabulary) {
  SimulationCounts counts;
  counts.samples = samples;
  counts.output_counts.assign(static_cast<std::size_t>(vocabulary), 0);
  Random random(seed);
  std::vector<std::int32_t> drafts;
  for (std::int64_t step = 0; step < samples; ++step) {
    sampler.sample(random, drafts);
    const Verdict verdict = verifier.verify(drafts, random);
    counts.accepted += verdict.accepted ? 1 : 0;
    counts.hits += std::find(drafts.begin(), drafts.end(), verdict.token) != drafts.end() ? 1 : 0;
    ++counts.output_counts[static_cast<std::size_t>(verdict.token)];
    if (progress_hook && (step + 1) % kProgressEvery == 0) progress_hook(step + 1, samples);
  }
  if (progress_hook) progress_hook(samples, samples);
  return counts;
}

}  // namespace mdsd
