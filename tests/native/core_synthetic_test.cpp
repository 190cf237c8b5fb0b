// core/synthetic and core/random: deterministic LLM-like pairs for benchmarks.
#include "core/synthetic.hpp"

#include "core/random.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

namespace mdsd::test {

TEST_CASE("Random: uniform in [0, 1), below(bound) in [0, bound), same seed same stream") {
  Random first(7), second(7), other(8);
  bool differs = false, same = true, in_range = true;
  double sum = 0.0;
  constexpr int kDraws = 100'000;
  for (int i = 0; i < kDraws; ++i) {
    const double u = first.uniform();
    in_range = in_range && u >= 0.0 && u < 1.0;
    same = same && second.uniform() == u;
    differs = differs || other.uniform() != u;
    sum += u;
  }
  CHECK(in_range);
  CHECK(same);
  CHECK(differs);
  // Mean 1/2, standard error sqrt(1/12 / n) ~ 9e-4: five of them.
  CHECK(std::abs(sum / kDraws - 0.5) < 5 * std::sqrt(1.0 / 12 / kDraws));

  Random dice(9);
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 6000; ++i) {
    const auto face = dice.below(6);
    REQUIRE(face < 6);
    ++counts[face];
  }
  for (int count : counts) CHECK(std::abs(count - 1000) < 5 * std::sqrt(6000 * (1.0 / 6) * (5.0 / 6)));
}

TEST_CASE("synthetic_pair: deterministic, normalised, and different seeds differ") {
  const auto pair = synthetic_pair(1000, 42);
  const auto again = synthetic_pair(1000, 42);
  const auto other = synthetic_pair(1000, 43);
  CHECK(pair.target == again.target);
  CHECK(pair.draft == again.draft);
  CHECK(pair.target != other.target);
  for (const Eigen::VectorXd* distribution : {&pair.target, &pair.draft}) {
    REQUIRE(distribution->size() == 1000);
    CHECK(std::abs(distribution->sum() - 1.0) <= kRounding);
    CHECK(distribution->minCoeff() > 0.0);
  }
  CHECK(pair.target != pair.draft);
  const auto single = synthetic_pair(1, 5);
  CHECK(single.target.size() == 1);
  CHECK(std::abs(single.target[0] - 1.0) <= kRounding);
}

TEST_CASE("synthetic_pair without noise is the Zipf law r^(-s / temperature) over a permutation") {
  for (double temperature : {1.0, 0.5}) {
    SyntheticOptions options;
    options.zipf_exponent = 1.1;
    options.target_noise = 0.0;
    options.draft_noise = 0.0;
    options.temperature = temperature;
    constexpr int kVocab = 300;
    const auto pair = synthetic_pair(kVocab, 3, options);
    CHECK(pair.draft == pair.target);
    std::vector<double> sorted(pair.target.data(), pair.target.data() + kVocab);
    std::sort(sorted.rbegin(), sorted.rend());
    double normaliser = 0.0;
    for (int rank = 1; rank <= kVocab; ++rank) normaliser += std::pow(rank, -1.1 / temperature);
    for (int rank = 1; rank <= kVocab; ++rank) {
      CAPTURE(rank);
      CHECK(std::abs(sorted[rank - 1] - std::pow(rank, -1.1 / temperature) / normaliser) <=
            kRounding);
    }
    // A permutation: the most likely token is not always token 0.
    std::set<Eigen::Index> most_likely;
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
      Eigen::Index at;
      synthetic_pair(kVocab, seed, options).target.maxCoeff(&at);
      most_likely.insert(at);
    }
    CHECK(most_likely.size() > 1);
  }
}

}  // namespace mdsd::test
