// From the two DISTs of a request or a dataset position to what is computed:
// two full probability vectors, or, when a distribution lists only some
// tokens and something about it stays unknown, the partial lists whose
// alpha* is an interval (core/partial_bounds.hpp).
#pragma once

#include "core/distribution.hpp"
#include "core/partial_distribution.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mdsd {

struct PartialProblem {
  PartialDistribution target, draft;
  std::int64_t vocab = 0;  // 0: not known
};

struct PreparedPair {
  Eigen::VectorXd target, draft;          // when both are known in full
  std::optional<PartialProblem> partial;  // otherwise
};

// vocab > 0: the vocabulary size the request states (every full DIST must
// have that many tokens, every listed id must be below it). A list whose
// tokens are all known (nothing unlisted, or its unlisted mass is 0) becomes
// a full vector of max(vocab, largest id + 1) tokens. The specs are taken:
// their weights become the probabilities in place.
Expected<PreparedPair> prepare_pair(DistributionSpec target, DistributionSpec draft,
                                    std::int64_t vocab, std::vector<std::string>& warnings);

}  // namespace mdsd
