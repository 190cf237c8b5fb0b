// verify/statistics: the Wilson interval, the regularised incomplete gamma and
// the chi-square goodness of fit a simulation reports.
#include "verify/statistics.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace mdsd::test {
namespace {

// Published values are printed to 4 decimals.
constexpr double kFourDecimals = 1e-4;
// Table quantiles of chi-square are printed to 6 decimals; the tail moves by
// less than 1e-8 over that rounding.
constexpr double kQuantileTail = 1e-6;
// The incomplete gamma against closed forms.
constexpr double kGamma = 1e-12;

}  // namespace

TEST_CASE("wilson_interval_95 matches published intervals") {
  struct Known {
    std::int64_t successes, trials;
    double low, high;
  };
  // 50/100 is the textbook case; the rest are Newcombe (1998), Stat. Med. 17,
  // Table I, method 3 (score interval without continuity correction).
  const Known known[] = {{50, 100, 0.4038, 0.5962}, {81, 263, 0.2553, 0.3662},
                         {15, 148, 0.0624, 0.1605}, {0, 20, 0.0, 0.1611},
                         {1, 29, 0.0061, 0.1718}};
  for (const Known& k : known) {
    CAPTURE(k.successes);
    CAPTURE(k.trials);
    const auto interval = wilson_interval_95(k.successes, k.trials);
    CHECK(std::abs(interval[0] - k.low) <= kFourDecimals);
    CHECK(std::abs(interval[1] - k.high) <= kFourDecimals);
  }
}

TEST_CASE("wilson_interval_95 equals the score formula, stays in [0, 1] and covers the estimate") {
  constexpr double kZ95 = 1.959963984540054;
  for (std::int64_t trials : {1, 2, 7, 100, 12345, 100000000}) {
    for (std::int64_t successes : {std::int64_t{0}, std::int64_t{1}, trials / 3, trials / 2, trials - 1, trials}) {
      if (successes < 0 || successes > trials) continue;
      CAPTURE(trials);
      CAPTURE(successes);
      const auto interval = wilson_interval_95(successes, trials);
      const auto formula = wilson_interval(successes, trials, kZ95);
      CHECK(std::abs(interval[0] - std::max(0.0, formula[0])) <= kRounding);
      CHECK(std::abs(interval[1] - std::min(1.0, formula[1])) <= kRounding);
      CHECK(interval[0] >= 0.0);
      CHECK(interval[1] <= 1.0);
      if (successes > 0 && successes < trials) {
        const double estimate = static_cast<double>(successes) / static_cast<double>(trials);
        CHECK(interval[0] <= estimate);
        CHECK(estimate <= interval[1]);
      }
    }
  }
  // No trials: the interval says nothing.
  CHECK(wilson_interval_95(0, 0) == std::array<double, 2>{0.0, 1.0});
}

TEST_CASE("wilson_interval_95 has the exact endpoints 0 and 1 at 0 and n successes") {
  // In exact arithmetic the score interval of 0/n starts at 0 and that of n/n
  // ends at 1, so the interval contains the estimate. A regression test:
  // center - half used to round to 5.55e-17 for 0/7 (and 1 - 1.1e-16 for n/n).
  for (std::int64_t trials : {1, 7, 10, 100, 200000}) {
    CAPTURE(trials);
    CHECK(wilson_interval_95(0, trials)[0] == 0.0);
    CHECK(wilson_interval_95(trials, trials)[1] == 1.0);
  }
}

TEST_CASE("upper_regularized_gamma at the 5% and 1% chi-square quantiles") {
  struct Quantile {
    int df;
    double x, tail;
  };
  // Standard chi-square tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4).
  const Quantile table[] = {{1, 3.841459, 0.05},   {2, 5.991465, 0.05},  {3, 7.814728, 0.05},
                            {10, 18.307038, 0.05}, {100, 124.342113, 0.05}, {1, 6.634897, 0.01},
                            {10, 23.209251, 0.01}, {100, 135.806723, 0.01}, {5, 1.145476, 0.95}};
  for (const Quantile& q : table) {
    CAPTURE(q.df);
    CAPTURE(q.x);
    CHECK(std::abs(upper_regularized_gamma(0.5 * q.df, 0.5 * q.x) - q.tail) <= kQuantileTail);
    // The independent closed form in support agrees with the table too.
    CHECK(std::abs(chi_square_upper_tail(q.x, q.df) - q.tail) <= kQuantileTail);
  }
}

TEST_CASE("upper_regularized_gamma equals closed forms on both sides of x = a + 1") {
  // Q(1, x) = e^-x; Q(1/2, x) = erfc(sqrt x); Q(m, x) = e^-x sum_{k<m} x^k / k!;
  // Q(m + 1/2, x) = Q(1/2, x) + e^-x sum_{k<m} x^(k+1/2) / Gamma(k + 3/2).
  for (double x : {0.0, 1e-6, 0.01, 0.3, 1.0, 1.9, 2.1, 5.0, 10.0, 31.0, 49.5, 50.5, 70.0, 200.0}) {
    CAPTURE(x);
    CHECK(std::abs(upper_regularized_gamma(1.0, x) - std::exp(-x)) <= kGamma);
    CHECK(std::abs(upper_regularized_gamma(0.5, x) - std::erfc(std::sqrt(x))) <= kGamma);
    for (int degrees = 1; degrees <= 101; degrees += 4) {
      CAPTURE(degrees);
      CHECK(std::abs(upper_regularized_gamma(0.5 * degrees, x) -
                     chi_square_upper_tail(2.0 * x, degrees)) <= kGamma);
    }
  }
  CHECK(upper_regularized_gamma(3.0, 0.0) == 1.0);
  CHECK(upper_regularized_gamma(3.0, 1e4) <= 1e-300);
}

TEST_CASE("chi_square_goodness_of_fit: statistic, degrees of freedom and p-value by hand") {
  // Expected 25, 25, 50: (5^2 + 5^2) / 25 = 2 on 2 degrees of freedom, p = e^-1.
  const auto fit = chi_square_goodness_of_fit({30, 20, 50}, {0.25, 0.25, 0.5});
  CHECK(std::abs(fit.statistic - 2.0) <= kRounding);
  CHECK(fit.degrees_of_freedom == 2);
  CHECK(std::abs(fit.p_value - std::exp(-1.0)) <= kGamma);

  const auto perfect = chi_square_goodness_of_fit({100, 300, 600}, {0.1, 0.3, 0.6});
  CHECK(perfect.statistic == 0.0);
  CHECK(perfect.p_value == doctest::Approx(1.0));
}

TEST_CASE("chi_square_goodness_of_fit pools bins expected below 5") {
  // 200 samples: expected 100, 60, 38, 1, 1. The last two form one bin with
  // expected 2 and observed 6: 100/100 + 36/60 + 0 + 16/2 = 9.6 on 4 - 1 = 3
  // degrees of freedom; P[chi2(3) >= 9.6] = 0.0222909831 (closed form).
  const auto fit = chi_square_goodness_of_fit({90, 66, 38, 5, 1}, {0.5, 0.3, 0.19, 0.005, 0.005});
  CHECK(std::abs(fit.statistic - 9.6) <= kRounding);
  CHECK(fit.degrees_of_freedom == 3);
  CHECK(std::abs(fit.p_value - 0.022290983128701782) <= kQuantileTail);

  // Everything below 5: one pooled bin, nothing to test, df clamped to 1.
  const auto tiny = chi_square_goodness_of_fit({1, 1, 1}, {0.2, 0.3, 0.5});
  CHECK(tiny.statistic == doctest::Approx(0.0));
  CHECK(tiny.degrees_of_freedom == 1);
}

TEST_CASE("chi_square_goodness_of_fit: an impossible token gives p = 0, an absent one is ignored") {
  const auto impossible = chi_square_goodness_of_fit({500, 499, 1}, {0.5, 0.5, 0.0});
  CHECK(impossible.p_value == 0.0);
  CHECK(std::isinf(impossible.statistic));

  const auto absent = chi_square_goodness_of_fit({500, 500, 0}, {0.5, 0.5, 0.0});
  CHECK(absent.statistic == 0.0);
  CHECK(absent.degrees_of_freedom == 1);
  CHECK(absent.p_value == doctest::Approx(1.0));

  const auto empty = chi_square_goodness_of_fit({0, 0}, {0.5, 0.5});
  CHECK(empty.p_value == 1.0);
}

TEST_CASE("chi_square_goodness_of_fit agrees with the support's independent fit on large counts") {
  std::mt19937_64 rng(401);
  for (int trial = 0; trial < 50; ++trial) {
    CAPTURE(trial);
    const int vocab = std::uniform_int_distribution<int>(2, 30)(rng);
    std::vector<double> probabilities(static_cast<std::size_t>(vocab));
    double total = 0.0;
    for (double& p : probabilities) total += p = std::uniform_real_distribution<double>(0.1, 1.0)(rng);
    for (double& p : probabilities) p /= total;
    std::vector<std::int64_t> counts(probabilities.size());
    for (auto& count : counts) count = std::uniform_int_distribution<int>(1000, 1200)(rng);
    const auto fit = chi_square_goodness_of_fit(counts, probabilities);
    const Fit reference = pearson_fit(counts, probabilities);  // no pooling happens here
    CHECK(fit.degrees_of_freedom == reference.degrees_of_freedom);
    CHECK(std::abs(fit.statistic - reference.statistic) <= 1e-9 * (1.0 + reference.statistic));
    CHECK(std::abs(fit.p_value - reference.p_value) <= kGamma);
  }
}

}  // namespace mdsd::test
