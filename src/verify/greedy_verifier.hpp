// The greedy verifier (README mathematics §4): greedy drafting fixes T, the n - 1
// largest q, and draws one more draft x from q' = q restricted off T. Verify x
// by single-draft speculative sampling against q': accept with probability
// min(1, p(x) / q'(x)), else output from (p - q')+; an output in T is a fixed
// draft, so it is accepted too. It reaches alpha*_greedy exactly.
// SpecHub (n = 2) drafts a pair whose set has greedy's law (T = {argmax q}), so
// the same unit verifies it, with the non-hub draft as x.
#pragma once

#include "verify/ratio_table.hpp"
#include "verify/verifier.hpp"

#include <memory>

namespace mdsd {

class GreedyVerifier : public Verifier {
 public:
  // fixed: greedy's T (SpecHub: {hub}).
  GreedyVerifier(const Problem& problem, std::vector<std::int32_t> fixed);
  Verdict verify(const std::vector<std::int32_t>& drafts, Random& random) const override;
  // Exact: p(T) + sum_{j not in T} min(p_j, q'_j).
  double acceptance() const { return acceptance_; }

 private:
  const Problem& problem_;
  std::vector<std::int32_t> fixed_;
  std::vector<bool> is_fixed_;
  Eigen::VectorXd conditional_draft_;  // q', 0 on T
  std::unique_ptr<RatioTable> residual_;  // of (p, q')
  double acceptance_ = 0.0;
};

}  // namespace mdsd
