// From what a user gives (probabilities, weights or logits) to a validated
// probability vector. Every error names the field it is about.
#pragma once

#include "core/expected.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mdsd {

// A distribution of which only some tokens are known, as engines report it
// (top-k log-probabilities, or a full row whose smallest values are clamped).
// The calculator bounds what it cannot know (core/partial_bounds.hpp).
struct SparseListSpec {
  std::vector<std::int64_t> ids;  // distinct token ids, >= 0 (and < vocab when vocab > 0)
  std::vector<double> values;     // one per id: probabilities, or log-probabilities when `log`
  bool log = false;
  // What is known of the tokens not listed:
  // - top_k: the listed values are exact probabilities; the unlisted mass is
  //   1 - their sum and no unlisted token is above the smallest listed one
  //   (the list is the k most likely tokens);
  // - any: the same, without the per-token bound;
  // - floor: every unlisted token has log p <= floor_logprob, and the listed
  //   values are exact only up to one common factor (llama.cpp's clamped
  //   rows: the decoded values, renormalised); needs vocab.
  enum class Unlisted { top_k, any, floor };
  Unlisted unlisted = Unlisted::top_k;
  double floor_logprob = -INFINITY;
  std::int64_t vocab = 0;  // the full vocabulary size; 0 = unknown
};

struct DistributionSpec {
  enum class Kind { weights, logits, sparse };
  Kind kind = Kind::weights;
  // Weights: finite and >= 0, some > 0. Logits: finite or -infinity (a masked
  // token), at least one finite.
  Eigen::VectorXd values;
  SparseListSpec sparse;  // Kind::sparse only
  // Logits and sparse lists: softmax(values / temperature), then keep the top_k most
  // likely tokens (ties: lower index first), then the smallest set of most
  // likely tokens whose mass reaches top_p, renormalising after each step
  // (the order Hugging Face's samplers use).
  double temperature = 1.0;
  std::optional<std::int64_t> top_k;
  std::optional<double> top_p;
  // Logits and sparse lists: each value is within this many nats of the true
  // log-probability, up to one constant common to the row (llama.cpp's
  // quantised rows). Above 0, alpha* is an interval widened by what that
  // error can change (core/partial_bounds.hpp).
  double log_tolerance = 0.0;
};

// temperature > 0 and finite, top_k >= 1, top_p in (0, 1]: the message names
// field.temperature, field.top_k or field.top_p.
std::optional<Error> check_sampling_options(const DistributionSpec& spec, const std::string& field);

// `field` prefixes every message ("target", "draft"). Weights whose sum is
// off 1 by more than 1e-6 are normalised with a warning appended to `warnings`.
Expected<Eigen::VectorXd> to_probabilities(const DistributionSpec& spec,
                                           const std::string& field,
                                           std::vector<std::string>& warnings);
// The same, taking spec.values (weights are normalised in place, no copy).
Expected<Eigen::VectorXd> to_probabilities(DistributionSpec&& spec, const std::string& field,
                                           std::vector<std::string>& warnings);


}  // namespace mdsd
