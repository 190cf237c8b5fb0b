// Deterministic, LLM-like (target, draft) pairs for benchmarks and demos.
// Synthetic: they resemble the shape of real next-token distributions
// (Zipf-like head, long tail), they are not any model's output.
#pragma once

#include <Eigen/Core>

#include <cstdint>

namespace mdsd {

struct SyntheticOptions {
  // Target logit of the token of rank r (1-based): -zipf_exponent * log(r)
  // plus target_noise * N(0, 1); ranks are a random permutation of the ids.
  double zipf_exponent = 1.1;
  double target_noise = 0.5;
  // The draft's logits are the target's plus draft_noise * N(0, 1).
  double draft_noise = 0.8;
  // Both are softmax(logits / temperature).
  double temperature = 1.0;
};

struct DistributionPair {
  Eigen::VectorXd target;
  Eigen::VectorXd draft;
};

// The logits behind synthetic_pair (temperature not applied).
DistributionPair synthetic_logits(Eigen::Index vocabulary, std::uint64_t seed,
                                  const SyntheticOptions& options = {});

// Same vocabulary, seed and options give the same pair. vocabulary >= 1.
DistributionPair synthetic_pair(Eigen::Index vocabulary, std::uint64_t seed,
                                const SyntheticOptions& options = {});

}  // namespace mdsd
