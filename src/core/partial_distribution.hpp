// What a partial list of tokens (SparseListSpec) says about the distribution,
// after temperature, top-k and top-p: the listed tokens' probabilities up to
// one common factor, and bounds on the tokens not listed. README "Sparse
// distributions" states the rules; core/partial_bounds.hpp turns them into
// bounds on alpha*.
#pragma once

#include "core/distribution.hpp"
#include "core/expected.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace mdsd {

// Listed token i has probability p_i = s * weights[i] for one unknown scale s
// in [scale_low, scale_high]; the unlisted tokens hold the rest, s W with
// W in [unlisted_weight_low, unlisted_weight_high] and s (S + W) = 1
// (S = listed_weight), each at most s * unlisted_cap. W is kept apart from S
// so that a small unlisted mass is never 1 - s S, a difference that rounding
// would swamp. Every distribution
// consistent with the data is of this form (the converse need not hold: the
// bounds are relaxations, valid but not always attained).
struct PartialDistribution {
  std::vector<std::int64_t> ids;  // as listed
  std::vector<double> weights;    // >= 0, same order as ids
  double listed_weight = 0.0;     // S
  double scale_low = 1.0, scale_high = 1.0;  // 1 / (S + W_high), 1 / (S + W_low)
  double unlisted_weight_low = 0.0, unlisted_weight_high = 0.0;
  double unlisted_cap = INFINITY;   // in weight units
  std::int64_t unlisted_count = -1;  // tokens not listed; -1 when the vocabulary is unknown
  // Each listed weight is within a factor e^log_tolerance of the truth, up to
  // one common factor (DistributionSpec::log_tolerance, after temperature).
  double log_tolerance = 0.0;

  // The unlisted probability mass s W at the two ends of the scale.
  double unlisted_mass_high() const { return unlisted_weight_high * scale_low; }
  double unlisted_mass_low() const { return unlisted_weight_low * scale_high; }
  // Nothing unknown: the listed tokens are the whole distribution, exactly.
  bool closed() const { return log_tolerance == 0.0 && (unlisted_count == 0 || unlisted_weight_high == 0.0); }
  // No unlisted mass (the listed values may still carry log_tolerance).
  bool all_listed() const { return unlisted_count == 0 || unlisted_weight_high == 0.0; }
};

// A full distribution as a partial one with every token listed.
PartialDistribution complete_partial(const Eigen::VectorXd& probabilities, double log_tolerance = 0.0);

// `vocab` (> 0 when known) overrides spec.sparse.vocab when that is 0 and
// must agree with it otherwise. Messages name `field` (target, draft).
Expected<PartialDistribution> to_partial(const DistributionSpec& spec, const std::string& field,
                                         std::int64_t vocab, std::vector<std::string>& warnings);

}  // namespace mdsd
