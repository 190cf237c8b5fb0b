// The statistics a simulation reports.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace mdsd {

// Wilson score interval for a binomial proportion at 95% (z = 1.959964).
std::array<double, 2> wilson_interval_95(std::int64_t successes, std::int64_t trials);

struct ChiSquareTest {
  double statistic = 0.0;
  int degrees_of_freedom = 0;
  double p_value = 1.0;  // P[chi2(df) >= statistic]
};

// Goodness of fit of observed counts to the expected law `probabilities`
// (sum 1). Tokens whose expected count is below 5 are pooled into one bin so
// that the chi-square approximation holds; a token observed where its
// probability is 0 makes the p-value 0.
ChiSquareTest chi_square_goodness_of_fit(const std::vector<std::int64_t>& counts,
                                         const std::vector<double>& probabilities);

// Upper regularised incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a).
double upper_regularized_gamma(double a, double x);

}  // namespace mdsd
