#include "core/ratio_order.hpp"

#include <algorithm>
#include <limits>

namespace mdsd {

std::vector<std::int32_t> order_by_ratio(const Eigen::VectorXd& target,
                                         const Eigen::VectorXd& draft) {
  struct Keyed {
    double ratio;
    std::int32_t token;
  };
  const auto size = static_cast<std::size_t>(target.size());
  std::vector<Keyed> keyed(size);
  for (std::size_t i = 0; i < size; ++i) {
    const double q = draft[static_cast<Eigen::Index>(i)];
    const double p = target[static_cast<Eigen::Index>(i)];
    keyed[i] = {q > 0.0 ? p / q : std::numeric_limits<double>::infinity(),
                static_cast<std::int32_t>(i)};
  }
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    return a.ratio < b.ratio || (a.ratio == b.ratio && a.token < b.token);
  });
  std::vector<std::int32_t> order(size);
  for (std::size_t i = 0; i < size; ++i) order[i] = keyed[i].token;
  return order;
}

}  // namespace mdsd
