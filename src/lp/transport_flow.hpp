// The transport LP of README mathematics §2 solved as what it is, a bipartite
// maximum flow:
//
//   source -> draft set s   capacity Q_s
//   s -> token y in s       unbounded
//   y -> sink               capacity p_y
//
// The maximum flow is alpha*, its flow on the s -> y edges is the transport
// plan pi[y, s], and the minimum cut gives the 0/1 certificate: H = the tokens
// still reachable from the source in the final residual graph, with
// alpha* = 1 + p(H) - Q(H). It returns the LpSolution of transport_lp.hpp with
// solver "max_flow"; GLPK's simplex (transport_lp.hpp) is its cross-check.
//
// Exactness: the capacities are fixed-point integers (unsigned 128-bit) in
// units of 2^-shift, with 2^shift * max(sum Q, sum p) < 2^124, so that no sum
// of capacities overflows. A capacity is rounded down by less than one unit,
// i.e. by less than 2^-123 times the larger total; every capacity of 2^-71
// or more (times that total) is exact, since a double has 53 bits. The
// integer max-flow is then exact, so
//   - the plan is feasible for the true capacities (rounded down), and
//   - for every cut, its integer value is within (|S| + |Y|) units of its true
//     value: the flow value (a lower bound on alpha*) and the certificate's
//     true value 1 + p(H) - Q(H) (an upper bound) differ by at most
//     (|S| + |Y|) * 2^-123 * total, below 1e-29 for 10^8 sets and tokens.
#pragma once

#include "lp/transport_lp.hpp"

namespace mdsd {

// Errors: the law has more than options.max_columns columns, or no set.
// Preconditions: every token of the law is an index into target; masses are
// finite and >= 0 (a negative or NaN mass counts as 0).
Expected<LpSolution> solve_transport_flow(const Eigen::VectorXd& target,
                                          const std::vector<DraftSet>& law,
                                          const LpOptions& options);

}  // namespace mdsd
