// The optimal verifier (README mathematics §2): given draft set s, output y with
// probability pi[y, s] / Q_s from the LP's transport plan, otherwise a token
// from the leftover target mass p_y - sum_s pi[y, s]. Its output is exactly p
// and its acceptance is the LP optimum alpha*.
#pragma once

#include "core/draft_law.hpp"
#include "lp/transport_lp.hpp"
#include "verify/alias_table.hpp"
#include "verify/verifier.hpp"

#include <map>
#include <optional>

namespace mdsd {

class PlanVerifier : public Verifier {
 public:
  PlanVerifier(const Eigen::VectorXd& target, std::vector<DraftSet> law, const LpSolution& solution);
  Verdict verify(const std::vector<std::int32_t>& drafts, Random& random) const override;

 private:
  struct Row {
    std::vector<std::pair<std::int32_t, double>> outputs;  // (y, pi[y, s] / Q_s)
  };
  std::map<std::vector<std::int32_t>, Row> rows_;  // keyed by the sorted draft set
  std::optional<AliasTable> leftover_;              // absent when alpha* = 1
};

}  // namespace mdsd
