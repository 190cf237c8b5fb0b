#include "verify/alias_table.hpp"

namespace mdsd {

AliasTable::AliasTable(const Eigen::VectorXd& weights) {
  const auto size = static_cast<std::size_t>(weights.size());
  keep_.assign(size, 1.0);
  alias_.resize(size);
  // w / total first, then times V: V / total overflows for a subnormal total.
  const double total = weights.sum();
  std::vector<double> scaled(size);
  std::vector<std::int32_t> small, large;
  for (std::size_t i = 0; i < size; ++i) {
    alias_[i] = static_cast<std::int32_t>(i);
    scaled[i] = weights[static_cast<Eigen::Index>(i)] / total * static_cast<double>(size);
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::int32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const std::int32_t low = small.back(), high = large.back();
    small.pop_back();
    keep_[low] = scaled[low];
    alias_[low] = high;
    scaled[high] -= 1.0 - scaled[low];
    if (scaled[high] < 1.0) {
      large.pop_back();
      small.push_back(high);
    }
  }
  // Leftovers are 1 up to rounding: they keep their own token.
}

std::int32_t AliasTable::sample(Random& random) const {
  const double position = random.uniform() * static_cast<double>(keep_.size());
  const auto column = static_cast<std::size_t>(position);
  const double within = position - static_cast<double>(column);
  return within < keep_[column] ? static_cast<std::int32_t>(column) : alias_[column];
}

}  // namespace mdsd
