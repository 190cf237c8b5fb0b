// verify/alias_table: Walker's alias draws against the weights, judged by a
// chi-square fit of long runs (support's independent fit).
#include "verify/alias_table.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace mdsd::test {
namespace {

constexpr std::int64_t kDraws = 200'000;

Fit fit_of(const Eigen::VectorXd& weights, std::int64_t draws, std::uint64_t seed) {
  const AliasTable table(weights);
  Random random(seed);
  std::vector<std::int64_t> counts(static_cast<std::size_t>(weights.size()), 0);
  bool in_range = true;
  for (std::int64_t i = 0; i < draws && in_range; ++i) {
    const std::int32_t token = table.sample(random);
    in_range = token >= 0 && token < weights.size();
    if (in_range) ++counts[static_cast<std::size_t>(token)];
  }
  REQUIRE(in_range);
  const Eigen::VectorXd law = weights / weights.sum();
  return pearson_fit(counts, std::vector<double>(law.data(), law.data() + law.size()));
}

}  // namespace

TEST_CASE("alias draws follow the weights: zeros never, unnormalised weights, skew") {
  const std::vector<Eigen::VectorXd> cases = {
      vector_of({1.0}),
      vector_of({0.0, 1.0, 0.0}),
      vector_of({0.25, 0.25, 0.25, 0.25}),
      (Eigen::VectorXd(5) << 3.0, 0.0, 1.0, 0.0, 6.0).finished(),  // sums to 10
      (Eigen::VectorXd(4) << 1e-3, 1.0, 1e-3, 0.5).finished(),
      vector_of({0.6, 0.3, 0.1}),
  };
  std::uint64_t seed = 11;
  for (const Eigen::VectorXd& weights : cases) {
    CAPTURE(weights.transpose());
    const Fit fit = fit_of(weights, kDraws, ++seed);
    CHECK_FALSE(fit.impossible);
    CHECK(fit.p_value > kPassP);
  }
}

TEST_CASE("alias draws follow random weights with zeros and ties, V up to 200") {
  std::mt19937_64 rng(201);
  for (int trial = 0; trial < 8; ++trial) {
    const int vocab = std::uniform_int_distribution<int>(2, 200)(rng);
    const Eigen::VectorXd weights = random_distribution(rng, vocab);
    CAPTURE(trial);
    const Fit fit = fit_of(weights, kDraws, 1000 + trial);
    CHECK_FALSE(fit.impossible);
    CHECK(fit.p_value > kPassP);
  }
}

TEST_CASE("a wrong law is rejected by the same fit (the check can fail)") {
  // Draw from (.6, .3, .1) but judge against (.58, .32, .1).
  const AliasTable table(vector_of({.6, .3, .1}));
  Random random(5);
  std::vector<std::int64_t> counts(3, 0);
  for (std::int64_t i = 0; i < kDraws; ++i) ++counts[static_cast<std::size_t>(table.sample(random))];
  CHECK(pearson_fit(counts, {0.58, 0.32, 0.1}).p_value < kBrokenP);
}

TEST_CASE("same seed, same draws") {
  const AliasTable table(vector_of({.1, .2, .3, .4}));
  Random first(77), second(77), other(78);
  int differ = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::int32_t a = table.sample(first);
    CHECK(a == table.sample(second));
    differ += a != table.sample(other);
  }
  CHECK(differ > 0);
}

}  // namespace mdsd::test
