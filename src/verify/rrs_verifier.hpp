// Recursive rejection sampling (RRS), with and without replacement
// (README mathematics §4). After any history of rejections the residual is
// (p - C q)+ / N for one scalar C: with replacement C_{k+1} = C_k + N_k; without
// replacement C_{k+1} = C_k + N_k / (1 - q(drafted so far)). So every accept
// test and the final draw cost O(log V) with a RatioTable.
#pragma once

#include "verify/ratio_table.hpp"
#include "verify/undrafted_mass.hpp"
#include "verify/verifier.hpp"

#include <optional>

namespace mdsd {

class RrsWithReplacement : public Verifier {
 public:
  // table: RatioTable of (target, draft); both must outlive the verifier.
  RrsWithReplacement(const Problem& problem, const RatioTable& table);
  Verdict verify(const std::vector<std::int32_t>& drafts, Random& random) const override;
  // Exact: 1 - prod_k (1 - beta_k) = 1 - N_{n+1}, since beta_k = 1 - N_{k+1} / N_k.
  double acceptance() const { return 1.0 - mass_.back(); }

 private:
  const Problem& problem_;
  const RatioTable& table_;
  std::vector<double> shift_, mass_;  // C_k and N_k for k = 1..n+1 (0-based)
};

class RrsWithoutReplacement : public Verifier {
 public:
  RrsWithoutReplacement(const Problem& problem, const RatioTable& table);
  Verdict verify(const std::vector<std::int32_t>& drafts, Random& random) const override;
  // Exact acceptance by recursion over the rejected drafts (for n = 2 this is
  // README mathematics's O(V log V) formula), or nothing when the recursion would take
  // more than `max_work` steps (about S^(n-1), S the draft support).
  std::optional<double> exact_acceptance(double max_work) const;

 private:
  double accept_from(int step, double shift, double mass, double remaining,
                     std::vector<std::int32_t>& drafted) const;
  // q of the tokens not in `drafted`, given `remaining` before the last one
  // (of mass `taken`) was drafted: remaining - taken unless that cancels.
  double undrafted_mass(double remaining, double taken, const std::vector<std::int32_t>& drafted) const;

  const Problem& problem_;
  const RatioTable& table_;
  std::vector<std::int32_t> support_;  // tokens with q > 0
  UndraftedMass undrafted_;
  double total_draft_mass_ = 0.0;  // summed, not subtracted
};

}  // namespace mdsd
