// verify/draft_sampler: empirical draft tuples and sets against the exact
// joint laws enumerated in support (README mathematics §1), for every scheme.
#include "verify/draft_sampler.hpp"
#include "verify/undrafted_mass.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace mdsd::test {
namespace {

constexpr std::int64_t kDraws = 100'000;

using Counts = std::map<std::vector<std::int32_t>, std::int64_t>;

Counts draw_tuples(const DraftSampler& sampler, std::int64_t draws, std::uint64_t seed) {
  Counts counts;
  Random random(seed);
  std::vector<std::int32_t> drafts;
  for (std::int64_t i = 0; i < draws; ++i) {
    sampler.sample(random, drafts);
    ++counts[drafts];
  }
  return counts;
}

Counts to_sets(const Counts& tuples) {
  Counts sets;
  for (const auto& [tuple, count] : tuples) {
    auto set = tuple;
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    sets[set] += count;
  }
  return sets;
}

// A chi-square fit of observed keys against an exact law over the same keys;
// a key the law does not have is impossible.
Fit fit_law(const Counts& observed, const std::map<std::vector<std::int32_t>, double>& law) {
  std::vector<std::int64_t> counts;
  std::vector<double> probabilities;
  for (const auto& [key, mass] : law) {
    const auto found = observed.find(key);
    counts.push_back(found == observed.end() ? 0 : found->second);
    probabilities.push_back(mass);
  }
  for (const auto& [key, count] : observed) {
    if (!law.count(key)) {
      counts.push_back(count);
      probabilities.push_back(0.0);
    }
  }
  return pearson_fit(counts, probabilities);
}

DraftScheme scheme_of(DraftMethod method) {
  switch (method) {
    case DraftMethod::with_replacement: return DraftScheme::with_replacement;
    case DraftMethod::without_replacement: return DraftScheme::without_replacement;
    case DraftMethod::greedy: return DraftScheme::greedy;
    case DraftMethod::top_n: return DraftScheme::top_n;
  }
  return DraftScheme::with_replacement;
}

// Small instances, including zeros, ties and one where the excluded tokens
// hold almost all the mass (the sampler's fallback scan).
std::vector<Instance> small_instances() {
  std::vector<Instance> instances = {
      {vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 2},
      {vector_of({.1, .2, .3, .4}), vector_of({.4, .3, .2, .1}), 3},
      {vector_of({.2, .2, .2, .2, .2}), vector_of({.25, 0, .25, .25, .25}), 3},  // ties, a zero
      {vector_of({.25, .25, .25, .25}), vector_of({.99, .004, .003, .003}), 3},   // fallback scan
      {vector_of({.5, .5}), vector_of({1, 0}), 1},
  };
  std::mt19937_64 rng(301);
  for (int i = 0; i < 4; ++i) instances.push_back(random_instance(rng, 2, 5, 3));
  return instances;
}

}  // namespace

TEST_CASE("draft tuples follow the exact joint law of each method") {
  std::uint64_t seed = 30;
  for (const Instance& instance : small_instances()) {
    const Eigen::VectorXd& q = instance.draft;
    for (DraftMethod method : kAllDraftMethods) {
      if (method != DraftMethod::with_replacement && support_size(q) < instance.drafts) continue;
      CAPTURE(q.transpose());
      CAPTURE(instance.drafts);
      CAPTURE(method_name(method));
      const DraftSampler sampler(q, instance.drafts, scheme_of(method));
      const Counts tuples = draw_tuples(sampler, kDraws, ++seed);
      for (const auto& [tuple, count] : tuples) {
        CHECK(tuple.size() == static_cast<std::size_t>(instance.drafts));
      }
      if (method == DraftMethod::top_n) {
        // Deterministic: every draw is the n largest (repeated arg-max).
        auto expected = brute_greedy_fixed(q, instance.drafts + 1);
        std::sort(expected.begin(), expected.end());
        REQUIRE(tuples.size() == 1);
        CHECK(tuples.begin()->first == expected);
      } else if (method == DraftMethod::greedy) {
        // The fixed drafts come first in the sampler's order (ascending), the
        // brute force lists them by rank: compare sets, and T separately.
        auto fixed = brute_greedy_fixed(q, instance.drafts);
        std::sort(fixed.begin(), fixed.end());
        CHECK(sampler.fixed() == fixed);
        for (const auto& [tuple, count] : tuples) {
          CHECK(std::equal(fixed.begin(), fixed.end(), tuple.begin()));
        }
        const Fit fit = fit_law(to_sets(tuples), brute_set_law(q, instance.drafts, method));
        CHECK_FALSE(fit.impossible);
        CHECK(fit.p_value > kPassP);
      } else {
        const Fit fit = fit_law(tuples, brute_tuple_law(q, instance.drafts, method));
        CHECK_FALSE(fit.impossible);
        CHECK(fit.p_value > kPassP);
      }
    }
  }
}

TEST_CASE("SpecHub: tuples follow x1 ~ q then the hub or a second draw; sets follow greedy n = 2") {
  std::uint64_t seed = 60;
  for (const Instance& instance : small_instances()) {
    const Eigen::VectorXd& q = instance.draft;
    if (support_size(q) < 2) continue;
    CAPTURE(q.transpose());
    const DraftSampler sampler(q, 2, DraftScheme::spechub);
    CHECK(sampler.hub() == brute_greedy_fixed(q, 2)[0]);
    const Counts tuples = draw_tuples(sampler, kDraws, ++seed);
    const Fit tuple_fit = fit_law(tuples, brute_spechub_tuple_law(q));
    CHECK_FALSE(tuple_fit.impossible);
    CHECK(tuple_fit.p_value > kPassP);
    const Fit set_fit = fit_law(to_sets(tuples), brute_set_law(q, 2, DraftMethod::greedy));
    CHECK(set_fit.p_value > kPassP);
    // The two exact laws agree set by set (README mathematics §4, SpecHub).
    const SetLaw spechub_sets = collapse_to_sets(brute_spechub_tuple_law(q));
    const SetLaw greedy_sets = brute_set_law(q, 2, DraftMethod::greedy);
    REQUIRE(spechub_sets.size() == greedy_sets.size());
    for (const auto& [set, mass] : greedy_sets) {
      CAPTURE(set.size());
      REQUIRE(spechub_sets.count(set));
      CHECK(std::abs(spechub_sets.at(set) - mass) <= kRounding);
    }
  }
}

TEST_CASE("greedy's fixed drafts: the n - 1 largest q, ties to the lower index") {
  const Eigen::VectorXd q = vector_of({.1, .3, .2, .3, .1});
  CHECK(DraftSampler(q, 2, DraftScheme::greedy).fixed() == std::vector<std::int32_t>{1});
  CHECK(DraftSampler(q, 3, DraftScheme::greedy).fixed() == std::vector<std::int32_t>{1, 3});
  CHECK(DraftSampler(q, 4, DraftScheme::greedy).fixed() == std::vector<std::int32_t>{1, 2, 3});
  CHECK(DraftSampler(q, 1, DraftScheme::greedy).fixed().empty());
  CHECK(DraftSampler(q, 2, DraftScheme::spechub).hub() == 1);
  // n = 4: the last draft is 0 or 4, equally likely, never a fixed one.
  const Counts tuples = draw_tuples(DraftSampler(q, 4, DraftScheme::greedy), 20000, 3);
  REQUIRE(tuples.size() == 2);
  CHECK(tuples.count({1, 2, 3, 0}) == 1);
  CHECK(tuples.count({1, 2, 3, 4}) == 1);
}

TEST_CASE("without replacement never repeats a token and never draws q = 0") {
  const Eigen::VectorXd q = vector_of({.5, 0, .3, 0, .15, .05});
  const DraftSampler sampler(q, 4, DraftScheme::without_replacement);
  Random random(9);
  std::vector<std::int32_t> drafts;
  int wrong = 0;
  for (int i = 0; i < 20000; ++i) {
    sampler.sample(random, drafts);
    auto sorted = drafts;
    std::sort(sorted.begin(), sorted.end());
    wrong += sorted != std::vector<std::int32_t>{0, 2, 4, 5};  // the support is exactly 4 tokens
  }
  CHECK(wrong == 0);
}

TEST_CASE("same seed, same drafts, for every scheme") {
  const Eigen::VectorXd q = vector_of({.3, .1, .25, .05, .3});
  for (DraftScheme scheme : {DraftScheme::with_replacement, DraftScheme::without_replacement,
                             DraftScheme::greedy, DraftScheme::spechub}) {
    CAPTURE(static_cast<int>(scheme));
    const int n = scheme == DraftScheme::spechub ? 2 : 3;
    const DraftSampler sampler(q, n, scheme);
    Random first(123), second(123), other(124);
    std::vector<std::int32_t> a, b, c;
    int differ = 0;
    for (int i = 0; i < 2000; ++i) {
      sampler.sample(first, a);
      sampler.sample(second, b);
      sampler.sample(other, c);
      CHECK(a == b);
      differ += a != c;
    }
    CHECK(differ > 0);
  }
}

}  // namespace mdsd::test

namespace mdsd::test {

TEST_CASE("draft sampler: cold and layered drafts follow the enumerated law, without a scan per draw") {
  // q in layers 1e20 and more apart, as a cold temperature makes them: the
  // first draws are near-certain and the rest must still follow q restricted
  // to what is left. The enumerated tuple law (masses summed, not 1 - drawn)
  // is the reference.
  std::vector<Eigen::VectorXd> drafts;
  Eigen::VectorXd cold(12);
  cold << 1.0, 3e-300, 1e-300, 2e-300, 1e-300, 5e-301, 4e-300, 1e-300, 2e-300, 3e-300, 1e-300, 1e-300;
  drafts.push_back(cold / cold.sum());
  Eigen::VectorXd layered(8);
  layered << 0.6, 0.4, 2e-21, 1e-21, 3e-300, 1e-300, 1e-300, 2e-300;
  drafts.push_back(layered / layered.sum());
  std::uint64_t seed = 1100;
  for (const Eigen::VectorXd& q : drafts) {
    for (const int n : {2, 3, 4}) {
      for (const DraftMethod method : {DraftMethod::without_replacement, DraftMethod::greedy}) {
        CAPTURE(q.transpose());
        CAPTURE(n);
        CAPTURE(method_name(method));
        const DraftSampler sampler(q, n, scheme_of(method));
        const TupleLaw exact = brute_tuple_law(q, n, method);
        // The fit is of the last draft given the most frequent prefix (the
        // near-certain draws), so that it sees the 1e-300 layer.
        // Greedy's fixed drafts come in no particular order: sort them.
        const auto canonical = [&](std::vector<std::int32_t> tuple) {
          if (method == DraftMethod::greedy) std::sort(tuple.begin(), tuple.end() - 1);
          return tuple;
        };
        std::map<std::vector<std::int32_t>, double> law;
        for (const auto& [tuple, mass] : exact) law[canonical(tuple)] += mass;
        Counts observed;
        for (const auto& [tuple, count] : draw_tuples(sampler, 20'000, ++seed)) observed[canonical(tuple)] += count;
        std::map<std::vector<std::int32_t>, double> conditional;
        double total = 0.0;
        for (const auto& [tuple, count] : observed) {
          (void)count;
          CHECK(law.count(tuple) == 1);  // every drawn tuple is possible
        }
        // Same prefix as the most frequent observed tuple, excluding the last
        // draw: the last draw's law given that prefix.
        const auto most = std::max_element(observed.begin(), observed.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
        const std::vector<std::int32_t> prefix(most->first.begin(), most->first.end() - 1);
        Counts last_counts;
        for (const auto& [tuple, count] : observed) {
          if (std::equal(prefix.begin(), prefix.end(), tuple.begin())) last_counts[{tuple.back()}] += count;
        }
        for (const auto& [tuple, mass] : law) {
          if (std::equal(prefix.begin(), prefix.end(), tuple.begin())) {
            conditional[{tuple.back()}] += mass;
            total += mass;
          }
        }
        for (auto& [key, mass] : conditional) mass /= total;
        CHECK(fit_law(last_counts, conditional).p_value > kPassP);
      }
    }
  }
}

TEST_CASE("undrafted mass: the mass left equals a long-double sum, however much the drawn tokens held") {
  std::mt19937_64 rng(1101);
  Eigen::VectorXd q(10);
  q << 1.0, 1e-20, 3e-21, 1e-300, 2e-300, 1e-300, 5e-301, 4e-300, 1e-300, 2e-300;
  q /= q.sum();
  for (const int n : {1, 2, 4}) {
    const UndraftedMass undrafted(q, n);
    for (int trial = 0; trial < 200; ++trial) {
      std::vector<std::int32_t> drawn(10);
      std::iota(drawn.begin(), drawn.end(), 0);
      std::shuffle(drawn.begin(), drawn.end(), rng);
      const std::size_t count = static_cast<std::size_t>(trial % 10);
      long double reference = 0.0L;
      for (std::int32_t i = 0; i < 10; ++i) {
        if (std::find(drawn.begin(), drawn.begin() + static_cast<std::ptrdiff_t>(count), i) ==
            drawn.begin() + static_cast<std::ptrdiff_t>(count)) {
          reference += q[i];
        }
      }
      CAPTURE(n);
      CAPTURE(count);
      const double left = undrafted.left(drawn.data(), count);
      CHECK(std::abs(left - static_cast<double>(reference)) <= 1e-15 * static_cast<double>(reference));
    }
  }
}

}  // namespace mdsd::test
