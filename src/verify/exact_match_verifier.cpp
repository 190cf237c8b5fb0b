#include "verify/exact_match_verifier.hpp"

#include "core/subset.hpp"

#include <algorithm>

namespace mdsd {

ExactMatchVerifier::ExactMatchVerifier(const Problem& problem, const std::vector<std::int32_t>& drafts)
    : target_(problem.target), is_draft_(static_cast<std::size_t>(problem.target.size()), false) {
  CompensatedSum accepted;
  for (const std::int32_t token : drafts) {
    is_draft_[static_cast<std::size_t>(token)] = true;
    accepted.add(problem.target[token]);
  }
  acceptance_ = std::min(1.0, accepted.value());
}

Verdict ExactMatchVerifier::verify(const std::vector<std::int32_t>&, Random& random) const {
  // The drafts are the same every step (is_draft_ holds them).
  const std::int32_t y = target_.sample(random);
  return {y, is_draft_[static_cast<std::size_t>(y)]};
}

}  // namespace mdsd
