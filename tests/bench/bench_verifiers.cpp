// Benchmark of the verifiers: `build/native/bench_verifiers [repeats]`.
// 1. Simulation speed at V = 32,000, n = 4: verifier steps (draw the drafts,
//    verify) per second, median over `repeats` runs of 1,000,000 steps.
// 2. All exact acceptances together (RRS with replacement, K-SEQ with its rho,
//    greedy, and RRS without replacement for n = 2) at V = 152,064, n = 4 and
//    n = 2, from the distributions (sort included), median over `repeats` runs.
// Synthetic LLM-like pairs of seed 1. A program to run, not a test.
#include "core/ratio_order.hpp"
#include "core/synthetic.hpp"
#include "core/draft_law.hpp"
#include "verify/greedy_verifier.hpp"
#include "verify/kseq_verifier.hpp"
#include "verify/rrs_verifier.hpp"
#include "verify/simulation.hpp"

#include "timing.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

using mdsd::bench::median_ms;

int main(int argc, char** argv) {
  using namespace mdsd;
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  {
    const auto pair = synthetic_pair(32000, 1);
    const Problem problem{pair.target, pair.draft, 4};
    const RatioTable table(problem.target, problem.draft, order_by_ratio(problem.target, problem.draft));
    struct Case {
      const char* name;
      DraftScheme scheme;
      std::unique_ptr<Verifier> verifier;
    };
    Case cases[] = {
        {"rrs_with_replacement", DraftScheme::with_replacement, std::make_unique<RrsWithReplacement>(problem, table)},
        {"rrs_without_replacement", DraftScheme::without_replacement, std::make_unique<RrsWithoutReplacement>(problem, table)},
        {"kseq", DraftScheme::with_replacement, std::make_unique<KSeq>(problem, table)},
        {"greedy", DraftScheme::greedy, std::make_unique<GreedyVerifier>(problem, greedy_fixed_drafts(problem.draft, 4))},
    };
    constexpr std::int64_t kSteps = 1'000'000;
    std::printf("Simulation, V = 32000, n = 4, %lld steps a run, median of %d runs:\n\n", static_cast<long long>(kSteps), repeats);
    std::printf("| verifier | steps per second | acceptance |\n|---|---|---|\n");
    for (const Case& c : cases) {
      const DraftSampler sampler(problem.draft, problem.drafts, c.scheme);
      double acceptance = 0.0;
      const double ms = median_ms(repeats, [&] {
        const auto counts = simulate(sampler, *c.verifier, kSteps, 1, problem.target.size());
        acceptance = static_cast<double>(counts.accepted) / kSteps;
      });
      std::printf("| %s | %.2e | %.4f |\n", c.name, kSteps / (ms / 1000.0), acceptance);
    }
  }
  {
    const auto pair = synthetic_pair(152064, 1);
    std::printf("\nAll exact acceptances from the distributions (sort included), V = 152064, median of %d runs:\n\n", repeats);
    std::printf("| n | ms | rrs_with_replacement | kseq (rho) | greedy | rrs_without_replacement |\n|---|---|---|---|---|---|\n");
    for (int drafts : {2, 4}) {
      const Problem problem{pair.target, pair.draft, drafts};
      double with = 0, kseq = 0, rho = 0, greedy = 0, without = -1;
      const double ms = median_ms(repeats, [&] {
        const RatioTable table(problem.target, problem.draft, order_by_ratio(problem.target, problem.draft));
        with = RrsWithReplacement(problem, table).acceptance();
        const KSeq k(problem, table);
        kseq = k.acceptance();
        rho = k.rho();
        greedy = GreedyVerifier(problem, greedy_fixed_drafts(problem.draft, drafts)).acceptance();
        if (drafts == 2) without = *RrsWithoutReplacement(problem, table).exact_acceptance(1e7);
      });
      char exact_without[32] = "Monte Carlo (no formula)";
      if (without >= 0) std::snprintf(exact_without, sizeof exact_without, "%.10f", without);
      std::printf("| %d | %.1f | %.10f | %.10f (%.6f) | %.10f | %s |\n", drafts, ms, with, kseq, rho, greedy,
                  exact_without);
    }
  }
}
