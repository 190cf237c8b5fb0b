// A verifier for i.i.d. drafts that reaches alpha* exactly at any vocabulary
// (README "The optimal verifier"). Two stages: select one draft with a rule
// whose output law s is known, then run single-draft speculative sampling of
// it against p (accept with min(1, p/s), else draw from (p - s)+), which
// accepts sum_y min(p_y, s_y). The rule gives every draft a random level and
// selects the highest; the levels are laid out (optimal_levels.hpp) so that
// s = max(p, theta_in q) on the certificate H and s = min(p, theta_out q)
// outside it, which makes sum_y min(p_y, s_y) = 1 + p(H) - q(H)^n = alpha*.
//
// Preparation O(V log V) (the sort is the caller's); a step costs one
// uniform and a binary search over a few segments per draft.
#pragma once

#include "verify/alias_table.hpp"
#include "verify/optimal_levels.hpp"
#include "verify/verifier.hpp"

#include <optional>

namespace mdsd {

class OptimalWithReplacement : public Verifier {
 public:
  // order = order_by_ratio(target, draft); problem must outlive the verifier.
  OptimalWithReplacement(const Problem& problem, const std::vector<std::int32_t>& order);
  Verdict verify(const std::vector<std::int32_t>& drafts, Random& random) const override;

  // sum_y min(p_y, s_y): alpha* up to rounding.
  double acceptance() const { return acceptance_; }
  // s: the law of the selected draft.
  const std::vector<double>& selection_law() const { return selection_; }
  // The levels of token y's drafts are uniform on these segments (empty when q_y = 0).
  std::vector<LevelSegment> level_segments(std::int32_t token) const;
  // |H|, the certificate's size (a prefix of the p/q order).
  std::size_t certificate_size() const { return certificate_size_; }

 private:
  double sample_level(std::int32_t token, Random& random) const;

  const Problem& problem_;
  std::size_t certificate_size_ = 0;
  std::vector<std::int32_t> class_of_;          // per token, -1 when q = 0
  std::vector<std::size_t> class_begin_;        // segments of class k: [begin[k], begin[k + 1])
  std::vector<LevelSegment> segments_;
  std::vector<double> segment_end_;             // cumulative length within the class, per segment
  std::vector<double> selection_;
  double acceptance_ = 0.0;
  std::optional<AliasTable> residual_;          // (p - s)+, absent when it is 0
};

}  // namespace mdsd
