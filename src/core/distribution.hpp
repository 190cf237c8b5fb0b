// From what a user gives (probabilities, weights or logits) to a validated
// probability vector. Every error names the field it is about.
#pragma once

#include "core/expected.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mdsd {

struct DistributionSpec {
  enum class Kind { weights, logits };
  Kind kind = Kind::weights;
  // Weights: finite and >= 0, some > 0. Logits: finite or -infinity (a masked
  // token), at least one finite.
  Eigen::VectorXd values;
  // Logits only: softmax(values / temperature), then keep the top_k most
  // likely tokens (ties: lower index first), then the smallest set of most
  // likely tokens whose mass reaches top_p, renormalising after each step
  // (the order Hugging Face's samplers use).
  double temperature = 1.0;
  std::optional<std::int64_t> top_k;
  std::optional<double> top_p;
};

// `field` prefixes every message ("target", "draft"). Weights whose sum is
// off 1 by more than 1e-6 are normalised with a warning appended to `warnings`.
Expected<Eigen::VectorXd> to_probabilities(const DistributionSpec& spec,
                                           const std::string& field,
                                           std::vector<std::string>& warnings);


}  // namespace mdsd
