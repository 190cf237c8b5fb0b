// alpha* for drafts sampled without replacement (successive sampling),
// README mathematics §3: for every prefix H of the p/q order,
//
//   Q(H) = integral_0^inf r e^{-r t} P[N_H(t) >= n] dt,   r = 1 - q(H),
//
// where N_H(t) counts the tokens of H whose exponential clock (rate q_i) has
// rung by time t. With t = e^s the integrand is analytic and decays doubly
// exponentially, so the trapezoid rule on one fixed s-grid converges
// geometrically. The truncated law P[N_H(t_j) = 0..n-1] at each node is
// updated in O(n) as each token joins H.
//
// Where the speed comes from:
// - the grid step is ln(2) / chains (3 for n <= 9), so t doubles every `chains` nodes and
//   the clock probability a = 1 - e^{-q t} follows a <- a (2 - a) along each
//   chain: `chains` calls to expm1 per token instead of one per node (the
//   recurrence is stable: its absolute error does not grow);
// - likewise the weights e^{-r t} come down each chain by square roots, which
//   halve the relative error at every step;
// - a prefix is integrated only when its lower bound p(H) - Q2(H) q(H)^{n-2}
//   (Q2(H), the chance that the first two drafts fall in H, is exact and O(1)
//   per prefix) can still beat the best value so far and an achieved value
//   from a product lower bound on Q(H); those bounds, and the growth of the
//   prefix values past the first token with p_i >= c q_i (c bounds dQ / dq),
//   fix before the scan the last token and the grid range that can matter;
// - nodes where P[N_H(t) < n] has fallen below 1e-30 stop being updated (it
//   only falls as tokens join);
// - tokens join four at a time (CountLaws::add_each): their chains side by
//   side, then one pass over the nodes for all four, up to each prefix to be
//   integrated; the results are those of one token at a time, bit for bit.
//
// Before the integral, what successive sampling makes negligible (to 1e-18
// in Q(H)) is taken out: tokens too light ever to be drawn, and leading
// drafts that are certain (the k largest q when the rest is 1e18 times
// lighter), which leave a problem of the same kind with n - k drafts. A cold
// draft (temperature 0.003 puts its tail near 1e-308) would otherwise
// stretch the grid over hundreds of orders of magnitude.
#pragma once

#include "core/optimal_rate.hpp"

#include <cstdint>
#include <vector>

namespace mdsd {

struct WithoutReplacementOptions {
  // Nodes per doubling of t; the step in s is ln(2) / chains. 0 picks
  // max(3, ceil(sqrt(n))): P[N >= n] rises over a width ~ 1/sqrt(n) in s, and
  // tests check this choice against enumeration and closed forms to ~1e-12.
  int chains = 0;
  // Integrate every prefix instead of only those that can win (for tests).
  bool evaluate_every_prefix = false;
};

// Preconditions: problem valid, at least n tokens with q > 0, and `order` is
// order_by_ratio(problem.target, problem.draft).
OptimalRate optimal_rate_without_replacement(const Problem& problem,
                                             const std::vector<std::int32_t>& order,
                                             const WithoutReplacementOptions& options = {});

}  // namespace mdsd
