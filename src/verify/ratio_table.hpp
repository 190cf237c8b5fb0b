// The tokens in p/q order with suffix sums of p and q: every residual the
// verifiers use, (p - c q)+ or p - c min(q, p / rho), is positive on a suffix
// of this order and linear in (p, q) there, so its mass and a draw from it
// cost O(log V) (README mathematics §4).
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace mdsd {

class RatioTable {
 public:
  // order = order_by_ratio(target, draft).
  RatioTable(const Eigen::VectorXd& target, const Eigen::VectorXd& draft,
             std::vector<std::int32_t> order);

  // sum_i (p_i - c q_i)+ for c >= 0.
  double positive_mass(double c) const;
  // A token drawn from (p - c q)+ with u uniform on [0, 1); requires
  // positive_mass(c) > 0.
  std::int32_t sample_positive(double c, double u) const;
  // sum_i min(r_i, k q_i) where r = (p - c q)+ / mass: the acceptance of one
  // draft from k q against the residual r (k = 1 for i.i.d. drafts).
  double overlap_with_residual(double c, double mass, double k) const;
  // sum_i min(q_i, p_i / rho) for rho > 0 (K-SEQ's beta).
  double capped_draft_mass(double rho) const;
  // A token drawn from p - c min(q, p / rho) (K-SEQ's residual), 0 <= c <= rho.
  std::int32_t sample_capped_residual(double rho, double c, double u) const;

  const std::vector<std::int32_t>& order() const { return order_; }
  // p/q along the order, ascending (0 for p = 0, infinity for q = 0).
  const std::vector<double>& ratios() const { return ratio_; }
  // First position whose ratio is >= c.
  std::size_t first_at_least(double c) const { return first_above(c, true); }
  // Sums of p and of q over positions [begin, end).
  double target_between(std::size_t begin, std::size_t end) const {
    return target_suffix_[begin] - target_suffix_[end];
  }
  double draft_between(std::size_t begin, std::size_t end) const {
    return draft_suffix_[begin] - draft_suffix_[end];
  }

 private:
  // First position whose ratio is > c (or >= c when `inclusive`).
  std::size_t first_above(double c, bool inclusive = false) const;
  // Over positions [begin, end): the weights a p_j - b q_j, all >= 0.
  double linear_mass(std::size_t begin, std::size_t end, double a, double b) const;
  std::size_t sample_linear(std::size_t begin, std::size_t end, double a, double b,
                            double target) const;

  std::vector<std::int32_t> order_;
  std::vector<double> ratio_;          // p/q along the order (0 for p = 0, inf for q = 0)
  std::vector<double> target_suffix_;  // sum of p from position j to the end; size V + 1
  std::vector<double> draft_suffix_;
};

}  // namespace mdsd
