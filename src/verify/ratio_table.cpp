#include "verify/ratio_table.hpp"

#include <algorithm>
#include <limits>

namespace mdsd {

RatioTable::RatioTable(const Eigen::VectorXd& target, const Eigen::VectorXd& draft,
                       std::vector<std::int32_t> order)
    : order_(std::move(order)) {
  const std::size_t size = order_.size();
  ratio_.resize(size);
  target_suffix_.assign(size + 1, 0.0);
  draft_suffix_.assign(size + 1, 0.0);
  for (std::size_t j = 0; j < size; ++j) {
    const double p = target[order_[j]], q = draft[order_[j]];
    ratio_[j] = !(p > 0.0) ? 0.0 : q > 0.0 ? p / q : std::numeric_limits<double>::infinity();
  }
  for (std::size_t j = size; j-- > 0;) {
    target_suffix_[j] = target_suffix_[j + 1] + target[order_[j]];
    draft_suffix_[j] = draft_suffix_[j + 1] + draft[order_[j]];
  }
}

std::size_t RatioTable::first_above(double c, bool inclusive) const {
  const auto it = inclusive ? std::lower_bound(ratio_.begin(), ratio_.end(), c)
                            : std::upper_bound(ratio_.begin(), ratio_.end(), c);
  return static_cast<std::size_t>(it - ratio_.begin());
}

double RatioTable::linear_mass(std::size_t begin, std::size_t end, double a, double b) const {
  const double mass = a * (target_suffix_[begin] - target_suffix_[end]) -
                      b * (draft_suffix_[begin] - draft_suffix_[end]);
  return std::max(mass, 0.0);
}

std::size_t RatioTable::sample_linear(std::size_t begin, std::size_t end, double a, double b,
                                      double target) const {
  // Smallest j in [begin, end) whose cumulative weight from begin exceeds target.
  std::size_t low = begin, high = end;
  while (low < high) {
    const std::size_t middle = low + (high - low) / 2;
    if (linear_mass(begin, middle + 1, a, b) > target) high = middle;
    else low = middle + 1;
  }
  return std::min(low, end - 1);  // rounding: the last positive weight
}

double RatioTable::positive_mass(double c) const {
  return linear_mass(first_above(c), order_.size(), 1.0, c);
}

std::int32_t RatioTable::sample_positive(double c, double u) const {
  const std::size_t begin = first_above(c), end = order_.size();
  return order_[sample_linear(begin, end, 1.0, c, u * linear_mass(begin, end, 1.0, c))];
}

double RatioTable::overlap_with_residual(double c, double mass, double k) const {
  // min((p - c q) / mass, k q) is the first term where c < ratio < c + k mass.
  const std::size_t begin = first_above(c), split = first_above(c + k * mass, true);
  return linear_mass(begin, split, 1.0, c) / mass + k * draft_suffix_[split];
}

double RatioTable::capped_draft_mass(double rho) const {
  const std::size_t split = first_above(rho, true);
  return (target_suffix_[0] - target_suffix_[split]) / rho + draft_suffix_[split];
}

std::int32_t RatioTable::sample_capped_residual(double rho, double c, double u) const {
  // Below rho the weight is p (1 - c / rho); from rho on it is p - c q.
  const std::size_t split = first_above(rho, true), end = order_.size();
  const double below = linear_mass(0, split, 1.0 - c / rho, 0.0);
  const double above = linear_mass(split, end, 1.0, c);
  const double target = u * (below + above);
  if (target < below && split > 0) return order_[sample_linear(0, split, 1.0 - c / rho, 0.0, target)];
  return order_[sample_linear(split, end, 1.0, c, std::max(0.0, target - below))];
}

}  // namespace mdsd
