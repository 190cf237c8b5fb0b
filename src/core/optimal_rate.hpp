// The optimal acceptance rate alpha* = 1 + min_H [p(H) - Q(H)] of a draft
// sampling method, with the subset H that attains it (README mathematics §2).
#pragma once

#include "core/expected.hpp"
#include "core/problem.hpp"

#include <cstdint>
#include <vector>

namespace mdsd {

struct OptimalRate {
  double alpha = 0.0;                     // in [0, 1]
  std::vector<std::int32_t> certificate;  // H, token ids ascending
  double certificate_target_mass = 0.0;   // p(H)
  double certificate_draft_mass = 0.0;    // Q(H); alpha = 1 + p(H) - Q(H)
};

// Fails (with a message, not a crash) when the method does not apply:
// without replacement and greedy need at least n tokens with q > 0.
Expected<OptimalRate> optimal_rate(const Problem& problem, DraftMethod method);

// The same, given order_by_ratio(target, draft), which with and without
// replacement share (greedy does not use it).
Expected<OptimalRate> optimal_rate(const Problem& problem, DraftMethod method,
                                   const std::vector<std::int32_t>& order);

// A token with no mass in either distribution changes neither p(H) nor
// Q(H): results leave it out of a certificate, so that |H| counts tokens that
// matter (calculate and the page's first-numbers module alike).
void drop_massless(const Problem& problem, std::vector<std::int32_t>& certificate);

// Scan of the prefixes of `order` for p(H) - q(H)^n: O(V) after the sort.
OptimalRate optimal_rate_with_replacement(const Problem& problem,
                                          const std::vector<std::int32_t>& order);
// The closed form of README mathematics §2: O(V).
OptimalRate optimal_rate_greedy(const Problem& problem);
// Deterministic drafts T (the n largest q): alpha* = p(T), certified by H = T.
OptimalRate optimal_rate_top_n(const Problem& problem);

}  // namespace mdsd
