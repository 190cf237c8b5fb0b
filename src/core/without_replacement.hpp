// alpha* for drafts sampled without replacement (successive sampling),
// THEORY.md §3: for every prefix H of the p/q order,
//
//   Q(H) = integral_0^inf r e^{-r t} P[N_H(t) >= n] dt,   r = 1 - q(H),
//
// where N_H(t) counts the tokens of H whose exponential clock (rate q_i) has
// rung by time t. With t = e^s the integrand is smooth and decays doubly
// exponentially, so the trapezoid rule on one fixed s-grid converges
// geometrically; the truncated Poisson-binomial law of N_H at each node is
// updated in O(n) as each token joins H.
#pragma once

#include "core/optimal_rate.hpp"

namespace mdsd {

struct WithoutReplacementOptions {
  // Trapezoid step in s = log t. Error is below 1e-12 at 0.25 (tests check
  // against enumeration and adaptive quadrature).
  double step = 0.25;
};

// Preconditions: problem valid and at least n tokens with q > 0.
OptimalRate optimal_rate_without_replacement(const Problem& problem,
                                             const WithoutReplacementOptions& options = {});

}  // namespace mdsd
