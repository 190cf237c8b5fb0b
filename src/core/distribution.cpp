#include "core/distribution.hpp"

#include "core/limits.hpp"
#include "core/message_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>

namespace mdsd {
namespace {

// The weights divided by their sum, in place: `weights` becomes the
// probabilities. A fresh vector per side and a pass per check that did not
// vectorise made the request stage of a 152,064-token request 1.5 ms in a
// fresh process, 1.2 in place (README "Whole process").
Expected<Eigen::VectorXd> normalised_weights(Eigen::VectorXd weights, const std::string& field,
                                             std::vector<std::string>& warnings) {
  // Passes that vectorise (no branch in them), the element at fault looked
  // for only when there is one.
  constexpr double kLargestDouble = std::numeric_limits<double>::max();
  const double* const values = weights.data();
  const Eigen::Index size = weights.size();
  int bad = 0;
  for (Eigen::Index i = 0; i < size; ++i) bad |= !((values[i] >= 0.0) & (values[i] <= kLargestDouble));
  for (Eigen::Index i = 0; bad && i < size; ++i) {
    const double w = values[i];
    if (!std::isfinite(w)) {
      return Error{field + "[" + std::to_string(i) + "]: not a finite number (" +
                   format_number(w) + ")"};
    }
    if (w < 0.0) {
      return Error{field + "[" + std::to_string(i) + "]: negative value " +
                   format_number(w)};
    }
  }
  // Normalised after an exact power-of-two scaling by the largest weight, so
  // that finite weights whose sum overflows are still normalised.
  const double largest = size > 0 ? weights.maxCoeff() : 0.0;
  if (!(largest > 0.0)) return Error{field + ": all values are zero; some mass must be positive"};
  const int exponent = std::ilogb(largest);
  // w * 2^-exponent is the correctly rounded ldexp(w, -exponent) whenever the
  // factor is a double (not for a subnormal largest weight, 2^-exponent >
  // 2^1023); the product vectorises, ldexp does not.
  const bool power_of_two = exponent > -1023;
  const double factor = power_of_two ? std::ldexp(1.0, -exponent) : 0.0;
  const auto scale = [&](double w) { return power_of_two ? w * factor : std::ldexp(w, -exponent); };
  const double total = power_of_two ? (weights * factor).sum() : weights.unaryExpr(scale).sum();
  const double unscaled_total = std::ldexp(total, exponent);
  if (!(std::abs(unscaled_total - 1.0) <= 1e-6)) {
    warnings.push_back(field + ": values sum to " +
                       (std::isfinite(unscaled_total) ? format_number(unscaled_total)
                                                      : std::string("more than the largest double")) +
                       ", not 1; normalised");
  }
  // A positive weight can fall below the smallest double once divided by the
  // sum (5e-324 / 2 is 0): say so, since it leaves the draft support (and
  // whether without replacement or greedy applies) smaller than given.
  std::int64_t vanished = 0;
  if (power_of_two) {
    for (Eigen::Index i = 0; i < size; ++i) vanished += (values[i] > 0.0) & !((values[i] * factor) / total > 0.0);
  } else {
    for (Eigen::Index i = 0; i < size; ++i) vanished += (values[i] > 0.0) & !(scale(values[i]) / total > 0.0);
  }
  if (vanished > 0) {
    Eigen::Index first = 0;
    while (!(values[first] > 0.0 && !(scale(values[first]) / total > 0.0))) ++first;
    warnings.push_back(field + ": " + std::to_string(vanished) + " positive value" + (vanished == 1 ? "" : "s") +
                       " (the first " + field + "[" + std::to_string(first) + "] = " + format_number(values[first]) +
                       ") fall below the smallest double once normalised and count as 0");
  }
  if (power_of_two) {
    weights = (weights * factor) / total;
  } else {
    weights = weights.unaryExpr(scale) / total;
  }
  return weights;
}

// Indices of `probabilities` sorted by decreasing probability, ties by index.
std::vector<Eigen::Index> by_decreasing_probability(const Eigen::VectorXd& probabilities) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(probabilities.size()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    return probabilities[a] > probabilities[b];
  });
  return order;
}

Expected<Eigen::VectorXd> softmax_truncated(const DistributionSpec& spec,
                                            const std::string& field) {
  const Eigen::VectorXd& logits = spec.values;
  double largest = -INFINITY;
  for (Eigen::Index i = 0; i < logits.size(); ++i) {
    const double l = logits[i];
    if (std::isnan(l) || l == INFINITY) {
      return Error{field + ".logits[" + std::to_string(i) + "]: not a finite number (" +
                   format_number(l) + "); only -Infinity is allowed, for a masked token"};
    }
    largest = std::max(largest, l);
  }
  if (largest == -INFINITY) return Error{field + ".logits: every logit is -Infinity; some token must be possible"};
  if (auto error = check_sampling_options(spec, field)) return *error;
  // Subtracting the largest logit keeps exp() in range at any temperature.
  // std::exp, not Eigen's vectorised exp: that gives ~5e-309 for -inf, and a
  // masked token must get exactly 0 (q > 0 decides what can be drafted).
  // When l - largest overflows (|logits| near the largest double), scale
  // first: l / T - largest / T is then the finite difference or -infinity.
  const double temperature = spec.temperature;
  Eigen::VectorXd probabilities = logits.unaryExpr([&](double l) {
    const double shifted = l - largest;
    return std::exp(std::isinf(shifted) && l != -INFINITY ? l / temperature - largest / temperature
                                                          : shifted / temperature);
  });
  probabilities /= probabilities.sum();

  if (spec.top_k && *spec.top_k < probabilities.size()) {
    const auto order = by_decreasing_probability(probabilities);
    for (std::size_t rank = static_cast<std::size_t>(*spec.top_k); rank < order.size(); ++rank) {
      probabilities[order[rank]] = 0.0;
    }
    probabilities /= probabilities.sum();
  }
  if (spec.top_p && *spec.top_p < 1.0) {
    const auto order = by_decreasing_probability(probabilities);
    double kept = 0.0;
    std::size_t rank = 0;
    while (rank < order.size() && kept < *spec.top_p) kept += probabilities[order[rank++]];
    for (; rank < order.size(); ++rank) probabilities[order[rank]] = 0.0;
    probabilities /= probabilities.sum();
  }
  return probabilities;
}

}  // namespace

std::optional<Error> check_sampling_options(const DistributionSpec& spec, const std::string& field) {
  if (!(spec.temperature > 0.0) || !std::isfinite(spec.temperature)) {
    return Error{field + ".temperature: must be a finite number > 0, got " +
                 format_number(spec.temperature)};
  }
  if (spec.top_k && *spec.top_k < 1) {
    return Error{field + ".top_k: must be an integer >= 1, got " + std::to_string(*spec.top_k)};
  }
  if (spec.top_p && !(*spec.top_p > 0.0 && *spec.top_p <= 1.0)) {
    return Error{field + ".top_p: must be in (0, 1], got " + format_number(*spec.top_p)};
  }
  if (!(spec.log_tolerance >= 0.0 && spec.log_tolerance <= 1.0)) {
    return Error{field + ".log_tolerance: must be a number of nats from 0 to 1, got " + format_number(spec.log_tolerance)};
  }
  // Which tokens top-k and top-p keep can turn on values closer than the
  // tolerance: not decided from quantised values.
  if (spec.log_tolerance > 0.0 && (spec.top_k || (spec.top_p && *spec.top_p < 1.0))) {
    return Error{field + ".log_tolerance: top_k and top_p need exact values; these are known to " +
                 format_number(spec.log_tolerance) + " nats"};
  }
  return std::nullopt;
}

namespace {

// Spec: const DistributionSpec& (the weights copied) or DistributionSpec&&
// (the weights taken, normalised in place).
template <class Spec>
Expected<Eigen::VectorXd> probabilities_of(Spec&& spec, const std::string& field, std::vector<std::string>& warnings) {
  if (spec.kind == DistributionSpec::Kind::sparse) {
    return Error{field + ": lists only some tokens; this computation needs the full distribution"};
  }
  const std::string values_field =
      spec.kind == DistributionSpec::Kind::logits ? field + ".logits" : field;
  if (spec.values.size() == 0) return Error{values_field + ": is empty; give at least one value"};
  if (spec.values.size() > limits::kMaxVocabulary) {
    return Error{values_field + ": " + std::to_string(spec.values.size()) +
                 " tokens is more than the limit of " + std::to_string(limits::kMaxVocabulary)};
  }
  if (spec.kind == DistributionSpec::Kind::weights) {
    return normalised_weights(std::forward<Spec>(spec).values, field, warnings);
  }
  return softmax_truncated(spec, field);
}

}  // namespace

Expected<Eigen::VectorXd> to_probabilities(const DistributionSpec& spec, const std::string& field,
                                           std::vector<std::string>& warnings) {
  return probabilities_of(spec, field, warnings);
}

Expected<Eigen::VectorXd> to_probabilities(DistributionSpec&& spec, const std::string& field,
                                           std::vector<std::string>& warnings) {
  return probabilities_of(std::move(spec), field, warnings);
}

}  // namespace mdsd
