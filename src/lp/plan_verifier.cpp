#include "lp/plan_verifier.hpp"

#include <algorithm>

namespace mdsd {

PlanVerifier::PlanVerifier(const Eigen::VectorXd& target, std::vector<DraftSet> law,
                           const LpSolution& solution) {
  Eigen::VectorXd leftover = target;
  for (const TransportEntry& entry : solution.plan) {
    const DraftSet& set = law[static_cast<std::size_t>(entry.set)];
    rows_[set.tokens].outputs.emplace_back(entry.token, entry.mass / set.mass);
    leftover[entry.token] -= entry.mass;
  }
  leftover = leftover.cwiseMax(0.0);
  if (leftover.sum() > 0.0) leftover_.emplace(leftover);
}

Verdict PlanVerifier::verify(const std::vector<std::int32_t>& drafts, Random& random) const {
  std::vector<std::int32_t> set = drafts;
  std::sort(set.begin(), set.end());
  set.erase(std::unique(set.begin(), set.end()), set.end());
  double u = random.uniform();
  if (const auto row = rows_.find(set); row != rows_.end()) {
    for (const auto& [token, probability] : row->second.outputs) {
      if (u < probability) return {token, true};
      u -= probability;
    }
  }
  if (!leftover_) return {drafts.front(), true};  // rounding: the plan covered everything
  return {leftover_->sample(random), false};
}

}  // namespace mdsd
