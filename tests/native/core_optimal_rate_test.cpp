// core/optimal_rate: alpha* and its certificate for the three draft methods.
#include "core/optimal_rate.hpp"

#include "core/synthetic.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace mdsd::test {
namespace {

Problem make_problem(const Eigen::VectorXd& target, const Eigen::VectorXd& draft, int drafts) {
  return Problem{target, draft, drafts};
}

// README mathematics §6, the alpha* columns (rounded to 10 digits there, hence the
// same kExact tolerance covers them).
struct TableRow {
  Eigen::VectorXd target, draft;
  int drafts;
  double with_replacement, without_replacement, greedy;
};

std::vector<TableRow> theory_table() {
  return {
      {vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 2, 0.89, 0.9928571429, 0.95},
      {vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 3, 0.971, 1, 1},
      {vector_of({.5, .3, .2}), vector_of({.2, .3, .5}), 2, 0.86, 0.9857142857, 0.9},
      {vector_of({.1, .2, .3, .4}), vector_of({.4, .3, .2, .1}), 3, 0.871, 1, 0.9333333333},
      {vector_of({.6, .2, .1, .05, .05}), vector_of({.3, .3, .2, .1, .1}), 2, 0.91, 0.9702380952,
       1},
      {vector_of({.25, .25, .25, .25}), vector_of({.7, .1, .1, .1}), 2, 0.76, 1, 1},
  };
}

}  // namespace

TEST_CASE("optimal_rate reproduces every case of tests/data/small.jsonl") {
  int checked_values = 0, checked_errors = 0;
  for (const SharedCase& entry : load_small_cases()) {
    const Problem problem =
        make_problem(normalised(entry.target), normalised(entry.draft), entry.drafts);
    for (DraftMethod method : kSampledMethods) {
      const std::string name(method_name(method));
      CAPTURE(entry.line);
      CAPTURE(name);
      const nlohmann::json& expected = entry.expected_optimal.at(name);
      const auto rate = optimal_rate(problem, method);
      if (expected.contains("error")) {
        REQUIRE_FALSE(rate.ok());
        CHECK(contains(rate.error(), name));
        CHECK(contains(rate.error(), "n = " + std::to_string(entry.drafts)));
        ++checked_errors;
      } else {
        REQUIRE_MESSAGE(rate.ok(), rate.error());
        CHECK(std::abs(rate.value().alpha - expected.at("alpha").get<double>()) <= kExact);
        ++checked_values;
      }
    }
  }
  CHECK(checked_errors >= 4);  // the file has two cases with too small a draft support
  CHECK(checked_values >= 150);
}

TEST_CASE("optimal_rate reproduces the README mathematics §6 table") {
  for (const TableRow& row : theory_table()) {
    CAPTURE(row.drafts);
    CAPTURE(row.target.transpose());
    const Problem problem = make_problem(row.target, row.draft, row.drafts);
    const double expected[] = {row.with_replacement, row.without_replacement, row.greedy};
    for (std::size_t m = 0; m < kSampledMethods.size(); ++m) {
      CAPTURE(method_name(kSampledMethods[m]));
      const auto rate = optimal_rate(problem, kSampledMethods[m]);
      REQUIRE(rate.ok());
      CHECK(std::abs(rate.value().alpha - expected[m]) <= kExact);
    }
  }
}

TEST_CASE("optimal_rate equals the brute force over all subsets on random instances") {
  std::mt19937_64 rng(20250101);
  int not_applicable = 0;
  for (int trial = 0; trial < 400; ++trial) {
    // A quarter of the instances may have fewer than n tokens with q > 0.
    const Instance instance = random_instance(rng, 2, 7, 4, trial % 4 != 0);
    const Problem problem = make_problem(instance.target, instance.draft, instance.drafts);
    CAPTURE(trial);
    CAPTURE(instance.target.transpose());
    CAPTURE(instance.draft.transpose());
    CAPTURE(instance.drafts);
    for (DraftMethod method : kAllDraftMethods) {
      CAPTURE(method_name(method));
      const auto rate = optimal_rate(problem, method);
      if (method != DraftMethod::with_replacement &&
          support_size(instance.draft) < instance.drafts) {
        CHECK_FALSE(rate.ok());
        ++not_applicable;
        continue;
      }
      REQUIRE_MESSAGE(rate.ok(), rate.error());
      const SetLaw law = brute_set_law(instance.draft, instance.drafts, method);
      const BruteOptimum brute = brute_optimal_rate(instance.target, law);
      CHECK(std::abs(rate.value().alpha - brute.alpha) <= kExact);

      // The certificate proves the value: 1 + p(H) - Q(H) with Q(H) from the
      // independent enumeration.
      const Subset certificate = subset_of(rate.value().certificate);
      const double p_h = target_mass(instance.target, certificate);
      const double q_h = brute_mass_inside(law, certificate);
      CHECK(std::abs(1.0 + p_h - q_h - rate.value().alpha) <= kExact);
      CHECK(std::abs(rate.value().certificate_target_mass - p_h) <= kExact);
      CHECK(std::abs(rate.value().certificate_draft_mass - q_h) <= kExact);
      CHECK(std::is_sorted(rate.value().certificate.begin(), rate.value().certificate.end()));
    }
  }
  CHECK(not_applicable > 0);  // the error path was exercised
}

TEST_CASE("n = 1 gives sum min(p, q) for every sampled method") {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    const Instance instance = random_instance(rng, 1, 12, 1);
    const Problem problem = make_problem(instance.target, instance.draft, 1);
    const double expected = overlap(instance.target, instance.draft);
    for (DraftMethod method : kSampledMethods) {
      CAPTURE(trial);
      CAPTURE(method_name(method));
      const auto rate = optimal_rate(problem, method);
      REQUIRE(rate.ok());
      CHECK(std::abs(rate.value().alpha - expected) <= kExact);
    }
  }
}

TEST_CASE("p = q gives alpha* = 1 for every sampled method") {
  std::mt19937_64 rng(12);
  for (int trial = 0; trial < 200; ++trial) {
    Instance instance = random_instance(rng, 1, 12, 6);
    instance.target = instance.draft;
    const Problem problem = make_problem(instance.target, instance.draft, instance.drafts);
    for (DraftMethod method : kSampledMethods) {
      CAPTURE(trial);
      CAPTURE(method_name(method));
      const auto rate = optimal_rate(problem, method);
      REQUIRE(rate.ok());
      CHECK(std::abs(rate.value().alpha - 1.0) <= kExact);
    }
  }
}

TEST_CASE("without replacement is never below with replacement") {
  std::mt19937_64 rng(13);
  for (int trial = 0; trial < 300; ++trial) {
    const Instance instance = random_instance(rng, 2, 40, 8);
    const Problem problem = make_problem(instance.target, instance.draft, instance.drafts);
    const auto with = optimal_rate(problem, DraftMethod::with_replacement);
    const auto without = optimal_rate(problem, DraftMethod::without_replacement);
    REQUIRE(with.ok());
    REQUIRE(without.ok());
    CAPTURE(trial);
    CHECK(without.value().alpha >= with.value().alpha - 1e-12);
  }
}

TEST_CASE("without replacement and greedy need n draft tokens with q > 0") {
  const Problem problem = make_problem(vector_of({.5, .5, 0}), vector_of({.5, 0, .5}), 3);
  for (DraftMethod method : {DraftMethod::without_replacement, DraftMethod::greedy}) {
    const auto rate = optimal_rate(problem, method);
    REQUIRE_FALSE(rate.ok());
    CHECK(contains(rate.error(), std::string(method_name(method))));
    CHECK(contains(rate.error(), "draft has 2"));
  }
  // With replacement applies. By hand, 1 + p(H) - q(H)^3 over the subsets:
  // {2}: .875, {0, 2}: .5, {1, 2}: 1.375, everything else >= 1; so alpha* = .5.
  const auto with = optimal_rate(problem, DraftMethod::with_replacement);
  REQUIRE(with.ok());
  CHECK(std::abs(with.value().alpha - 0.5) <= kExact);
  CHECK(with.value().certificate == std::vector<std::int32_t>{0, 2});
}

}  // namespace mdsd::test

namespace mdsd::test {
namespace {

// alpha* with replacement in binary128: the p/q order by std::sort on
// long-double ratios (no overflow for subnormal q), prefix sums and q(H)^n in
// __float128. Independent of the radix sort, the tail sums and log1p.
double quad_precision_with_replacement(const Eigen::VectorXd& target, const Eigen::VectorXd& draft,
                                       int drafts) {
  const Eigen::Index vocab = target.size();
  std::vector<std::int32_t> order(static_cast<std::size_t>(vocab));
  for (std::int32_t i = 0; i < vocab; ++i) order[static_cast<std::size_t>(i)] = i;
  auto ratio = [&](std::int32_t i) -> long double {
    if (!(target[i] > 0.0)) return -1.0L;
    if (!(draft[i] > 0.0)) return std::numeric_limits<long double>::infinity();
    return static_cast<long double>(target[i]) / draft[i];
  };
  std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) { return ratio(a) < ratio(b); });
  __float128 target_total = 0, draft_total = 0;
  for (Eigen::Index i = 0; i < vocab; ++i) {
    target_total += target[i];
    draft_total += draft[i];
  }
  __float128 target_mass = 0, draft_mass = 0, best = 0;
  for (const std::int32_t token : order) {
    target_mass += target[token];
    draft_mass += draft[token];
    __float128 power = 1, base = draft_mass / draft_total;
    for (int n = drafts; n > 0; n >>= 1, base *= base) {
      if (n & 1) power *= base;
    }
    const __float128 value = target_mass / target_total - power;
    if (value < best) best = value;
  }
  return static_cast<double>(1 + best);
}

}  // namespace

TEST_CASE("with replacement keeps 1e-13 at every n <= 64, against binary128 (V = 32,000)") {
  // q(H)^n with q(H) near 1: the prefix sum of q lost V ulps, n times over.
  constexpr double kDigits = 1e-13;
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    for (const double temperature : {0.5, 1.0, 2.0}) {
      SyntheticOptions options;
      options.temperature = temperature;
      const DistributionPair pair = synthetic_pair(32000, seed, options);
      for (const int n : {1, 2, 7, 16, 33, 64}) {
        CAPTURE(seed);
        CAPTURE(temperature);
        CAPTURE(n);
        const auto fast = optimal_rate(Problem{pair.target, pair.draft, n}, DraftMethod::with_replacement);
        REQUIRE(fast.ok());
        CHECK(std::abs(fast.value().alpha - quad_precision_with_replacement(pair.target, pair.draft, n)) <= kDigits);
      }
    }
  }
}

}  // namespace mdsd::test

namespace mdsd::test {

TEST_CASE("top_n: alpha* is p of the n most likely draft tokens, certified by them") {
  std::mt19937_64 rng(13);
  for (int trial = 0; trial < 300; ++trial) {
    const Instance instance = random_instance(rng, 1, 12, 6);
    if (support_size(instance.draft) < instance.drafts) continue;
    CAPTURE(trial);
    const Problem problem = make_problem(instance.target, instance.draft, instance.drafts);
    // Independent: repeated arg-max, then the brute force over all subsets
    // of the one-set law.
    double expected = 0.0;
    for (const std::int32_t token : brute_greedy_fixed(instance.draft, instance.drafts + 1)) {
      expected += instance.target[token];
    }
    const auto brute = brute_optimal_rate(instance.target, brute_set_law(instance.draft, instance.drafts, DraftMethod::top_n));
    const auto rate = optimal_rate(problem, DraftMethod::top_n);
    REQUIRE(rate.ok());
    CHECK(std::abs(rate.value().alpha - expected) <= kExact);
    CHECK(std::abs(rate.value().alpha - brute.alpha) <= kExact);
    CHECK(std::abs(rate.value().alpha - (1.0 + rate.value().certificate_target_mass -
                                         rate.value().certificate_draft_mass)) <= kExact);
  }
}

}  // namespace mdsd::test
