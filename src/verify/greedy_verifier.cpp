#include "verify/greedy_verifier.hpp"

#include "core/draft_law.hpp"
#include "core/ratio_order.hpp"

namespace mdsd {

GreedyVerifier::GreedyVerifier(const Problem& problem, std::vector<std::int32_t> fixed)
    : problem_(problem), fixed_(std::move(fixed)),
      is_fixed_(static_cast<std::size_t>(problem.draft.size()), false) {
  const double outside = mass_outside(problem.draft, fixed_);
  conditional_draft_ = problem.draft / outside;
  double fixed_target = 0.0;
  for (const std::int32_t token : fixed_) {
    is_fixed_[static_cast<std::size_t>(token)] = true;
    conditional_draft_[token] = 0.0;
    fixed_target += problem.target[token];
  }
  residual_ = std::make_unique<RatioTable>(problem.target, conditional_draft_,
                                           order_by_ratio(problem.target, conditional_draft_));
  acceptance_ = std::min(1.0, fixed_target + residual_->overlap_with_residual(0.0, 1.0, 1.0));
}

Verdict GreedyVerifier::verify(const std::vector<std::int32_t>& drafts, Random& random) const {
  std::int32_t x = drafts.back();
  for (const std::int32_t token : drafts) {
    if (!is_fixed_[static_cast<std::size_t>(token)]) x = token;
  }
  if (random.uniform() * conditional_draft_[x] < problem_.target[x]) return {x, true};
  const double mass = residual_->positive_mass(1.0);
  if (!(mass > 0.0)) return {x, true};  // unreachable in exact arithmetic
  const std::int32_t y = residual_->sample_positive(1.0, random.uniform());
  return {y, is_fixed_[static_cast<std::size_t>(y)]};
}

}  // namespace mdsd
