#include "core/partial_distribution.hpp"

#include "core/limits.hpp"
#include "core/message_text.hpp"
#include "core/subset.hpp"

#include <algorithm>
#include <numeric>

namespace mdsd {
namespace {

// Listed probabilities may sum a little over 1 from rounding in the engine;
// past this they are an error, not rounding.
constexpr double kListedSumTolerance = 1e-4;
constexpr double kRounding = 1e-6;

// Listed indices by decreasing weight, ties by lower token id.
std::vector<std::size_t> by_decreasing_weight(const PartialDistribution& partial) {
  std::vector<std::size_t> order(partial.ids.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double wa = partial.weights[a], wb = partial.weights[b];
    return wa > wb || (wa == wb && partial.ids[a] < partial.ids[b]);
  });
  return order;
}

// Keeps the first `kept` tokens of `order` and makes the rest, listed or
// not, impossible: the distribution is then known exactly.
void keep_only(PartialDistribution& partial, const std::vector<std::size_t>& order, std::size_t kept) {
  for (std::size_t rank = kept; rank < order.size(); ++rank) partial.weights[order[rank]] = 0.0;
  CompensatedSum sum;
  for (double w : partial.weights) sum.add(w);
  partial.listed_weight = sum.value();
  partial.scale_low = partial.scale_high = 1.0 / partial.listed_weight;
  partial.unlisted_weight_low = partial.unlisted_weight_high = 0.0;
  partial.unlisted_cap = 0.0;
  partial.unlisted_count = 0;
}

// Number of listed tokens (in `order`) strictly above every unlisted one.
std::size_t known_top(const PartialDistribution& partial, const std::vector<std::size_t>& order) {
  if (partial.closed()) return order.size();
  std::size_t count = 0;
  while (count < order.size() && partial.weights[order[count]] > partial.unlisted_cap) ++count;
  return count;
}

std::optional<Error> apply_top_k(PartialDistribution& partial, std::int64_t top_k, const std::string& field) {
  const auto order = by_decreasing_weight(partial);
  const auto listed = static_cast<std::int64_t>(order.size());
  if (partial.closed() || (partial.unlisted_count >= 0 && top_k >= listed + partial.unlisted_count)) {
    if (top_k < listed) keep_only(partial, order, static_cast<std::size_t>(top_k));
    return std::nullopt;
  }
  const auto above = static_cast<std::int64_t>(known_top(partial, order));
  if (top_k > above) {
    return Error{field + ".top_k: keeps the " + std::to_string(top_k) + " most likely tokens, but only " +
                 std::to_string(above) + " listed token" + (above == 1 ? " is" : "s are") +
                 " known to be above every unlisted one; which tokens it keeps is not known"};
  }
  keep_only(partial, order, static_cast<std::size_t>(top_k));
  return std::nullopt;
}

std::optional<Error> apply_top_p(PartialDistribution& partial, double top_p, const std::string& field) {
  const auto order = by_decreasing_weight(partial);
  // The smallest m whose m most likely tokens reach top_p at scale s (the
  // rule of the full-vocabulary path: keep adding while below top_p).
  const auto kept_at = [&](double scale) -> std::size_t {
    double kept = 0.0;
    std::size_t rank = 0;
    while (rank < order.size() && kept < top_p) kept += scale * partial.weights[order[rank++]];
    return kept < top_p ? order.size() + 1 : rank;  // order.size() + 1: reaches past the listed tokens
  };
  if (partial.closed()) {
    keep_only(partial, order, std::min(order.size(), kept_at(partial.scale_low)));
    return std::nullopt;
  }
  const std::size_t fewest = kept_at(partial.scale_high), most = kept_at(partial.scale_low);
  if (most > known_top(partial, order)) {
    return Error{field + ".top_p: the tokens that reach " + format_number(top_p) +
                 " may include unlisted ones; which tokens it keeps is not known"};
  }
  if (fewest != most) {
    return Error{field + ".top_p: keeps between " + std::to_string(fewest) + " and " + std::to_string(most) +
                 " tokens depending on the unlisted mass; which tokens it keeps is not known"};
  }
  keep_only(partial, order, most);
  return std::nullopt;
}

}  // namespace

PartialDistribution complete_partial(const Eigen::VectorXd& probabilities, double log_tolerance) {
  PartialDistribution partial;
  partial.log_tolerance = log_tolerance;
  partial.ids.resize(static_cast<std::size_t>(probabilities.size()));
  std::iota(partial.ids.begin(), partial.ids.end(), std::int64_t{0});
  partial.weights.assign(probabilities.data(), probabilities.data() + probabilities.size());
  CompensatedSum sum;
  for (double w : partial.weights) sum.add(w);
  partial.listed_weight = sum.value();
  partial.scale_low = partial.scale_high = 1.0 / partial.listed_weight;
  partial.unlisted_cap = 0.0;
  partial.unlisted_count = 0;
  return partial;
}

Expected<PartialDistribution> to_partial(const DistributionSpec& spec, const std::string& field,
                                         std::int64_t vocab, std::vector<std::string>& warnings) {
  const SparseListSpec& list = spec.sparse;
  const std::string values_field = field + (list.log ? ".logprobs" : ".probs");
  std::int64_t vocabulary = list.vocab;
  if (vocab > 0) {
    if (vocabulary > 0 && vocabulary != vocab) {
      return Error{field + ": its vocabulary of " + std::to_string(vocabulary) + " tokens differs from vocab = " +
                   std::to_string(vocab)};
    }
    vocabulary = vocab;
  }
  const std::size_t listed = list.ids.size();
  if (listed == 0) return Error{field + ".ids: is empty; list at least one token"};
  if (list.values.size() != listed) {
    return Error{values_field + ": has " + std::to_string(list.values.size()) + " values but " + field + ".ids has " +
                 std::to_string(listed)};
  }
  if (static_cast<std::int64_t>(listed) > limits::kMaxVocabulary) {
    return Error{field + ".ids: " + std::to_string(listed) + " tokens is more than the limit of " +
                 std::to_string(limits::kMaxVocabulary)};
  }
  for (std::size_t i = 0; i < listed; ++i) {
    const std::int64_t id = list.ids[i];
    if (id < 0 || (vocabulary > 0 && id >= vocabulary)) {
      return Error{field + ".ids[" + std::to_string(i) + "]: token id " + std::to_string(id) +
                   (id < 0 ? " is negative" : " is outside the vocabulary of " + std::to_string(vocabulary) + " tokens")};
    }
  }
  {
    std::vector<std::int64_t> sorted = list.ids;
    std::sort(sorted.begin(), sorted.end());
    if (auto twice = std::adjacent_find(sorted.begin(), sorted.end()); twice != sorted.end()) {
      return Error{field + ".ids: token id " + std::to_string(*twice) + " is listed twice"};
    }
  }
  // Natural logarithms of the listed values.
  std::vector<double> logs(listed);
  for (std::size_t i = 0; i < listed; ++i) {
    const double v = list.values[i];
    const std::string where = values_field + "[" + std::to_string(i) + "]";
    if (std::isnan(v) || v == INFINITY || (!list.log && v == -INFINITY)) {
      return Error{where + ": not a finite number (" + format_number(v) + ")"};
    }
    const bool relative = list.unlisted == SparseListSpec::Unlisted::floor;  // any common shift
    if (list.log) {
      if (v > kRounding && !relative) return Error{where + ": a log-probability must be <= 0, got " + format_number(v)};
      logs[i] = relative ? v : std::min(v, 0.0);
    } else {
      if (v < 0.0) return Error{where + ": negative value " + format_number(v)};
      if (v > 1.0 + kRounding) return Error{where + ": a probability must be <= 1, got " + format_number(v)};
      logs[i] = std::log(std::min(v, 1.0));
    }
  }
  if (list.unlisted == SparseListSpec::Unlisted::floor) {
    if (vocabulary <= 0) {
      return Error{field + ".unlisted: at_most_logprob needs the vocabulary size (\"vocab\")"};
    }
    if (!std::isfinite(list.floor_logprob)) {
      return Error{field + ".unlisted.at_most_logprob: must be a finite number, got " + format_number(list.floor_logprob)};
    }
  }
  if (auto error = check_sampling_options(spec, field)) return *error;
  const double largest = *std::max_element(logs.begin(), logs.end());
  if (largest == -INFINITY) return Error{values_field + ": every listed token has probability 0"};
  const std::int64_t unlisted = vocabulary > 0 ? vocabulary - static_cast<std::int64_t>(listed) : -1;

  // What is known of the unlisted tokens, in the listed values' own units:
  // their total lies in [total_low, total_high], each is at most e^log_cap.
  // The cap is kept as a logarithm taken from the same numbers as the listed
  // values (the smallest listed log, the floor), so that a listed token tied
  // with it stays exactly tied through any temperature.
  double total_low = 0.0, total_high = 0.0, log_cap = INFINITY;
  if (list.unlisted == SparseListSpec::Unlisted::floor) {
    log_cap = list.floor_logprob;
    total_high = static_cast<double>(unlisted) * std::exp(log_cap);
  } else {
    CompensatedSum sum;
    for (double l : logs) sum.add(std::exp(l));
    const double listed_mass = sum.value();
    if (listed_mass > 1.0 + kListedSumTolerance) {
      return Error{values_field + ": the listed probabilities sum to " + format_number(listed_mass) +
                   ", more than 1"};
    }
    if (unlisted == 0 && std::abs(listed_mass - 1.0) > kRounding) {
      warnings.push_back(field + ": the listed tokens are the whole vocabulary but sum to " +
                         format_number(listed_mass) + "; normalised");
    } else if (listed_mass > 1.0 + kRounding) {
      warnings.push_back(field + ": the listed probabilities sum to " + format_number(listed_mass) +
                         ", a little over 1; taken as the whole distribution, normalised");
    }
    total_low = total_high = unlisted == 0 ? 0.0 : std::max(0.0, 1.0 - listed_mass);
    if (list.unlisted == SparseListSpec::Unlisted::top_k) {
      for (double l : logs) {
        if (l > -INFINITY) log_cap = std::min(log_cap, l);
      }
      const double cap = std::exp(log_cap);
      if (unlisted > 0 && static_cast<double>(unlisted) * cap < total_low * (1.0 - kRounding)) {
        return Error{field + ": the unlisted mass " + format_number(total_low) + " cannot be held by the " +
                     std::to_string(unlisted) + " unlisted tokens, each at most the smallest listed probability " +
                     format_number(cap) + "; is the list really the most likely tokens (\"unlisted\": \"any\")?"};
      }
    }
  }
  // 1 / T overflows for T below 1e-308; 1e300 keeps only the largest values
  // (exactly as the limit does: log differences times it are -inf or 0).
  const double power = std::min(1.0 / spec.temperature, 1e300);
  // A temperature above 1 lifts even a rounding-level unlisted mass (1 - a
  // sum of listed values a few ulps from 1): it is taken at least that large.
  if (power < 1.0 && unlisted > 0) total_high = std::max(total_high, 4e-16 * static_cast<double>(listed));
  if (total_high > 0.0) log_cap = std::min(log_cap, std::log(total_high));  // no token holds more than the total

  // Temperature: every probability to the power a = 1/T, renormalised. All in
  // logarithms, each written so that no two large terms cancel (a can be
  // 1e16), the unlisted total after the power bounded by convexity; then
  // shifted so that the largest of the listed weights and the unlisted bound
  // is at most 1 (nothing overflows; a listed weight that underflows is below
  // 1e-308 of the rest).
  PartialDistribution partial;
  partial.log_tolerance = spec.log_tolerance * power;  // log p / T
  partial.ids = list.ids;
  partial.weights.resize(listed);
  const double count = static_cast<double>(unlisted);
  double log_low = -INFINITY, log_high = -INFINITY;  // the unlisted total, in units of the largest listed^a
  if (total_high > 0.0) {
    const double log_total_low = total_low > 0.0 ? std::log(total_low) : -INFINITY, log_total_high = std::log(total_high);
    if (power == 1.0) {
      log_low = log_total_low - largest;
      log_high = log_total_high - largest;
    } else if (power > 1.0) {
      // sum x^a <= (sum x) cap^(a-1); >= k (sum x / k)^a spread over k tokens.
      log_high = (log_total_high - log_cap) + power * (log_cap - largest);
      if (unlisted > 0 && total_low > 0.0) log_low = std::log(count) + power * ((log_total_low - std::log(count)) - largest);
    } else {
      // a < 1: sum x^a >= (sum x) cap^(a-1); <= k (sum x / k)^a.
      if (unlisted < 0) {
        return Error{field + ".temperature: above 1, it lifts the unlisted tokens by an amount that depends on how "
                             "many there are; give the vocabulary size (\"vocab\")"};
      }
      if (total_low > 0.0) log_low = (log_total_low - log_cap) + power * (log_cap - largest);
      log_high = std::log(count) + power * ((log_total_high - std::log(count)) - largest);
    }
  }
  const double shift = std::max(0.0, log_high);  // the largest listed weight is e^0
  for (std::size_t i = 0; i < listed; ++i) partial.weights[i] = std::exp(power * (logs[i] - largest) - shift);
  const double low = std::exp(log_low - shift), high = std::exp(log_high - shift);
  partial.unlisted_cap = total_high > 0.0 ? std::exp(power * (log_cap - largest) - shift) : 0.0;
  partial.unlisted_count = unlisted;
  CompensatedSum sum;
  for (double w : partial.weights) sum.add(w);
  partial.listed_weight = sum.value();
  partial.scale_low = 1.0 / (partial.listed_weight + high);
  partial.scale_high = 1.0 / (partial.listed_weight + low);
  partial.unlisted_weight_low = low;
  partial.unlisted_weight_high = high;
  if (high == 0.0) {  // the unlisted tokens are impossible
    partial.unlisted_cap = 0.0;
    partial.unlisted_count = 0;
  }
  if (!(partial.listed_weight + high > 0.0) || !std::isfinite(partial.scale_high)) {
    return Error{values_field + ": every listed token falls below the smallest double at temperature " +
                 format_number(spec.temperature)};
  }

  if (spec.top_k) {
    if (auto error = apply_top_k(partial, *spec.top_k, field)) return *error;
  }
  if (spec.top_p && *spec.top_p < 1.0) {
    if (auto error = apply_top_p(partial, *spec.top_p, field)) return *error;
  }
  return partial;
}

}  // namespace mdsd
