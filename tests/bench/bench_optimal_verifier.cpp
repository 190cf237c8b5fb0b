// Benchmark of the optimal verifier for i.i.d. drafts:
// `build/native/bench_optimal_verifier [repeats]`. On synthetic LLM-like pairs
// (seeds 1-5) at V = 32,000, n = 4: the preparation (the verifier's
// constructor, given the p/q order; the sort itself shown apart) and the time
// per verified step over 1,000,000 pre-drawn draft tuples, beside K-SEQ's on
// the same tuples (the baseline). Medians over `repeats` runs. A program to
// run, not a test.
#include "core/optimal_rate.hpp"
#include "core/ratio_order.hpp"
#include "core/synthetic.hpp"
#include "verify/draft_sampler.hpp"
#include "verify/kseq_verifier.hpp"
#include "verify/optimal_verifier.hpp"

#include "timing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

using mdsd::bench::median_ms;

int main(int argc, char** argv) {
  using namespace mdsd;
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  constexpr int kDrafts = 4;
  constexpr Eigen::Index kVocabulary = 32000;
  constexpr int kSteps = 1000000, kTuples = 10000;
  std::printf("V = %ld, n = %d, median of %d runs\n", static_cast<long>(kVocabulary), kDrafts, repeats);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const auto pair = synthetic_pair(kVocabulary, seed);
    const Problem problem{pair.target, pair.draft, kDrafts};
    std::vector<std::int32_t> order;
    const double sort_ms = median_ms(repeats, [&] { order = order_by_ratio(pair.target, pair.draft); });
    std::optional<OptimalWithReplacement> verifier;
    const double prepare_ms = median_ms(repeats, [&] { verifier.emplace(problem, order); });
    const RatioTable table(pair.target, pair.draft, order);
    const KSeq kseq(problem, table);
    const DraftSampler sampler(pair.draft, kDrafts, DraftScheme::with_replacement);
    Random random(seed);
    std::vector<std::vector<std::int32_t>> tuples(kTuples);
    for (auto& tuple : tuples) sampler.sample(random, tuple);
    long accepted = 0;
    const double optimal_ms = median_ms(repeats, [&] {
      for (int i = 0; i < kSteps; ++i) accepted += verifier->verify(tuples[i % kTuples], random).accepted;
    });
    const double kseq_ms = median_ms(repeats, [&] {
      for (int i = 0; i < kSteps; ++i) accepted += kseq.verify(tuples[i % kTuples], random).accepted;
    });
    const double alpha = optimal_rate_with_replacement(problem, order).alpha;
    std::printf("seed %lu: sort %.1f ms, preparation %.1f ms, step %.3f us (K-SEQ %.3f us, x%.2f); "
                "alpha* %.12f, |acceptance - alpha*| %.1e, K-SEQ %.6f\n",
                static_cast<unsigned long>(seed), sort_ms, prepare_ms, optimal_ms * 1000.0 / kSteps,
                kseq_ms * 1000.0 / kSteps, optimal_ms / kseq_ms, alpha, std::abs(verifier->acceptance() - alpha),
                kseq.acceptance());
  }
  return 0;
}
