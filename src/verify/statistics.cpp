#include "verify/statistics.hpp"

#include "core/log_gamma.hpp"

#include <cmath>

namespace mdsd {
namespace {
constexpr double kZ95 = 1.959963984540054;
constexpr double kMinimumExpected = 5.0;
}  // namespace

std::array<double, 2> wilson_interval_95(std::int64_t successes, std::int64_t trials) {
  if (trials <= 0) return {0.0, 1.0};
  const double n = static_cast<double>(trials);
  const double phat = static_cast<double>(successes) / n;
  const double z2 = kZ95 * kZ95;
  const double center = (phat + z2 / (2 * n)) / (1 + z2 / n);
  const double half = kZ95 * std::sqrt(phat * (1 - phat) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  // At 0 or n successes the exact endpoint is 0 or 1; rounding would leave ~1e-17.
  return {successes == 0 ? 0.0 : std::max(0.0, center - half),
          successes == trials ? 1.0 : std::min(1.0, center + half)};
}

double upper_regularized_gamma(double a, double x) {
  if (x <= 0.0) return 1.0;
  const double log_prefactor = a * std::log(x) - x - log_gamma(a);
  if (x < a + 1.0) {
    // Series for the lower function P(a, x).
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < 100000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::abs(term) < std::abs(sum) * 1e-16) break;
    }
    return std::max(0.0, 1.0 - sum * std::exp(log_prefactor));
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  constexpr double kTiny = 1e-300;
  double b = x + 1.0 - a, c = 1.0 / kTiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::abs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1.0) < 1e-16) break;
  }
  return std::min(1.0, std::exp(log_prefactor) * h);
}

ChiSquareTest chi_square_goodness_of_fit(const std::vector<std::int64_t>& counts,
                                         const std::vector<double>& probabilities) {
  double total = 0.0;
  for (std::int64_t count : counts) total += static_cast<double>(count);
  ChiSquareTest test;
  if (total <= 0.0) return test;
  double pooled_observed = 0.0, pooled_expected = 0.0;
  int bins = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double expected = total * probabilities[i];
    const auto observed = static_cast<double>(counts[i]);
    if (probabilities[i] <= 0.0) {
      if (observed > 0.0) {  // impossible under the target
        test.statistic = INFINITY;
        test.p_value = 0.0;
        return test;
      }
      continue;
    }
    if (expected < kMinimumExpected) {
      pooled_observed += observed;
      pooled_expected += expected;
      continue;
    }
    test.statistic += (observed - expected) * (observed - expected) / expected;
    ++bins;
  }
  if (pooled_expected > 0.0) {
    test.statistic += (pooled_observed - pooled_expected) * (pooled_observed - pooled_expected) /
                      pooled_expected;
    ++bins;
  }
  test.degrees_of_freedom = std::max(bins - 1, 1);
  test.p_value = upper_regularized_gamma(0.5 * test.degrees_of_freedom, 0.5 * test.statistic);
  return test;
}

}  // namespace mdsd
