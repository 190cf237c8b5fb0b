// Walker's alias method: O(1) draws from a fixed distribution, with
// arithmetic only (no libm), so a seed gives the same draws natively and in
// WebAssembly.
#pragma once

#include "core/random.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace mdsd {

class AliasTable {
 public:
  // weights: non-negative, some positive.
  explicit AliasTable(const Eigen::VectorXd& weights);
  std::int32_t sample(Random& random) const;

 private:
  std::vector<double> keep_;  // probability of keeping the column's own token
  std::vector<std::int32_t> alias_;
};

}  // namespace mdsd
