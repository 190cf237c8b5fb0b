// core/ratio_order: tokens by ascending p / q: p = 0 first (even with q = 0),
// q = 0 last, ties by token id.
#include "core/ratio_order.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <tuple>

namespace mdsd::test {
namespace {

// The order by a comparison sort on (ratio, token): ratio 0 for p = 0, then
// +infinity for q = 0. Ratios in long double, whose range holds p / q for a
// subnormal q, which overflows a double.
std::vector<std::int32_t> expected_order(const Eigen::VectorXd& target, const Eigen::VectorXd& draft) {
  std::vector<std::int32_t> order(static_cast<std::size_t>(target.size()));
  std::iota(order.begin(), order.end(), 0);
  const auto ratio = [&](std::int32_t i) -> long double {
    if (!(target[i] > 0.0)) return 0.0L;
    return draft[i] > 0.0 ? static_cast<long double>(target[i]) / draft[i]
                          : std::numeric_limits<long double>::infinity();
  };
  std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return std::make_tuple(ratio(a), a) < std::make_tuple(ratio(b), b);
  });
  return order;
}

}  // namespace

TEST_CASE("order_by_ratio by hand") {
  // Ratios (times 0.9, the draft's sum): 0.5, +inf (q = 0), 0 (p = 0), 2, 0.5, +inf.
  const Eigen::VectorXd target = vector_of({.1, .2, 0, .4, .1, .2});
  const Eigen::VectorXd draft = vector_of({.2, 0, .3, .2, .2, 0});
  CHECK(order_by_ratio(target, draft) == std::vector<std::int32_t>{2, 0, 4, 3, 1, 5});
}

TEST_CASE("order_by_ratio equals a comparison sort on random instances") {
  std::mt19937_64 rng(61);
  for (int trial = 0; trial < 300; ++trial) {
    const int vocab = std::uniform_int_distribution<int>(1, trial < 250 ? 12 : 5000)(rng);
    Eigen::VectorXd target = random_distribution(rng, vocab);
    Eigen::VectorXd draft = random_distribution(rng, vocab);
    if (trial % 10 == 0) draft = target;  // every ratio 1 or +inf: all ties
    if (trial % 10 == 1) {                // extreme magnitudes
      for (int i = 0; i < vocab; i += 3) draft[i] *= 1e-300;
      for (int i = 1; i < vocab; i += 5) target[i] *= 1e-200;
    }
    if (trial % 10 == 2) {                // subnormal q: p / q overflows a double
      for (int i = 0; i < vocab; i += 2) draft[i] *= 1e-315;
      for (int i = 1; i < vocab; i += 7) draft[i] = 5e-324 * (1 + i % 5);
    }
    CAPTURE(trial);
    CHECK(order_by_ratio(target, draft) == expected_order(target, draft));
  }
}

TEST_CASE("order_by_ratio sorts ratios that agree in their top 32 bits") {
  // The radix passes see only a key's top 32 bits (a ratio to about 1e-6);
  // ratios closer than that are ordered afterwards, in runs of equal top
  // bits: short ones (insertion), long ones, sorted or not, and with ties.
  std::mt19937_64 rng(62);
  for (int trial = 0; trial < 40; ++trial) {
    const int vocab = std::uniform_int_distribution<int>(2, trial < 20 ? 40 : 3000)(rng);
    Eigen::VectorXd target(vocab), draft(vocab);
    std::uniform_int_distribution<int> step(0, trial % 4 == 0 ? 3 : 1 << 20);
    for (int i = 0; i < vocab; ++i) {
      // A few groups of ratios within 2^-30 of each other, in random order.
      const double group = 1.0 + std::uniform_int_distribution<int>(0, trial % 3)(rng);
      target[i] = group * (1.0 + std::ldexp(step(rng), -50));
      draft[i] = 1.0;
      if (trial % 5 == 1 && i % 4 == 0) draft[i] = 0.0;   // +infinity
      if (trial % 5 == 2 && i % 6 == 0) target[i] = 0.0;  // ratio 0
      if (trial % 5 == 3 && i % 3 == 0) {                 // subnormal q: a ratio past the largest double
        target[i] *= 1e-10;
        draft[i] = 5e-324 * (1 + i % 3);
      }
    }
    if (trial % 7 == 6) std::sort(target.data(), target.data() + vocab);  // runs already in order
    CAPTURE(trial);
    CHECK(order_by_ratio(target, draft) == expected_order(target, draft));
  }
}

}  // namespace mdsd::test
