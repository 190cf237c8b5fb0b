// The token order in which optimal certificates are prefixes (README mathematics §2).
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace mdsd {

// Token ids sorted by ascending p_i / q_i: tokens with p_i = 0 first (even
// when q_i = 0 too), then tokens with q_i = 0 last, ties by token id so the
// order is deterministic.
std::vector<std::int32_t> order_by_ratio(const Eigen::VectorXd& target,
                                         const Eigen::VectorXd& draft);

}  // namespace mdsd
