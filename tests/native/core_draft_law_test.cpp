// core/draft_law: the law of the draft sets against enumeration of ordered
// draft tuples.
#include "core/draft_law.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <set>

namespace mdsd::test {

TEST_CASE("draft_set_law matches the enumeration of ordered tuples") {
  std::mt19937_64 rng(41);
  for (int trial = 0; trial < 300; ++trial) {
    const Instance instance = random_instance(rng, 1, 7, 4);
    for (DraftMethod method : kAllDraftMethods) {
      CAPTURE(trial);
      CAPTURE(method_name(method));
      CAPTURE(instance.draft.transpose());
      CAPTURE(instance.drafts);
      const auto law = draft_set_law(instance.draft, instance.drafts, method);
      const SetLaw expected = brute_set_law(instance.draft, instance.drafts, method);

      double total = 0.0;
      std::set<std::vector<std::int32_t>> seen;
      for (const DraftSet& set : law) {
        CAPTURE(set.tokens);
        CHECK(std::is_sorted(set.tokens.begin(), set.tokens.end()));
        CHECK(seen.insert(set.tokens).second);  // each set once
        const auto found = expected.find(set.tokens);
        REQUIRE(found != expected.end());
        CHECK(std::abs(set.mass - found->second) <= kRounding);
        total += set.mass;
      }
      CHECK(law.size() == expected.size());  // no set of positive mass missing
      CHECK(std::abs(total - 1.0) <= kRounding);

      CHECK(column_count(law) == brute_column_count(expected));
      CHECK(lp_column_count(instance.draft, instance.drafts, method) ==
            static_cast<double>(brute_column_count(expected)));
    }
  }
}

TEST_CASE("without replacement: drafting every token has mass 1 even when one q is close to 1") {
  // V = n: successive sampling draws every token with q > 0, whatever q is.
  for (double tiny : {1e-6, 2e-10, 1e-13}) {
    CAPTURE(tiny);
    const Eigen::VectorXd draft = vector_of({tiny, 1.0});
    const auto law = draft_set_law(draft, 2, DraftMethod::without_replacement);
    REQUIRE(law.size() == 1);
    CHECK(law[0].tokens == std::vector<std::int32_t>{0, 1});
    CHECK(std::abs(law[0].mass - 1.0) <= kRounding);
  }
  // Three tokens, n = 2, q = (1 - 2e-10, 1e-10, 1e-10) up to normalisation: by
  // hand, P({1, 2}) = 2 * (1e-10)(1e-10) / (1 - 1e-10) ~ 2e-20 and the other
  // two sets share the rest equally.
  const Eigen::VectorXd draft = vector_of({1 - 2e-10, 1e-10, 1e-10});
  double total = 0.0;
  for (const DraftSet& set : draft_set_law(draft, 2, DraftMethod::without_replacement)) {
    total += set.mass;
  }
  CHECK(std::abs(total - 1.0) <= kRounding);
}

TEST_CASE("mass_inside is Q(H) of the enumerated law") {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 100; ++trial) {
    const Instance instance = random_instance(rng, 1, 6, 3);
    for (DraftMethod method : kAllDraftMethods) {
      const auto law = draft_set_law(instance.draft, instance.drafts, method);
      const SetLaw expected = brute_set_law(instance.draft, instance.drafts, method);
      const auto vocab = static_cast<int>(instance.draft.size());
      for (Subset subset = 0; subset < (Subset{1} << vocab); ++subset) {
        std::vector<bool> inside(static_cast<std::size_t>(vocab));
        for (int i = 0; i < vocab; ++i) inside[static_cast<std::size_t>(i)] = subset >> i & 1u;
        CAPTURE(trial);
        CAPTURE(subset);
        CHECK(std::abs(mass_inside(law, inside) - brute_mass_inside(expected, subset)) <=
              kRounding);
      }
    }
  }
}

TEST_CASE("greedy_fixed_drafts: the n - 1 largest q, ties to the lower token id") {
  const Eigen::VectorXd draft = vector_of({0.2, 0.3, 0.2, 0.3});
  CHECK(greedy_fixed_drafts(draft, 1).empty());
  CHECK(greedy_fixed_drafts(draft, 2) == std::vector<std::int32_t>{1});
  CHECK(greedy_fixed_drafts(draft, 3) == std::vector<std::int32_t>{1, 3});
  CHECK(greedy_fixed_drafts(draft, 4) == std::vector<std::int32_t>{0, 1, 3});
  CHECK(greedy_fixed_drafts(vector_of({0.25, 0.25, 0.25, 0.25}), 3) ==
        std::vector<std::int32_t>{0, 1});

  std::mt19937_64 rng(43);
  for (int trial = 0; trial < 300; ++trial) {
    const Instance instance = random_instance(rng, 1, 12, 8);
    auto expected = brute_greedy_fixed(instance.draft, instance.drafts);
    std::sort(expected.begin(), expected.end());
    CAPTURE(instance.draft.transpose());
    CHECK(greedy_fixed_drafts(instance.draft, instance.drafts) == expected);
  }
}

TEST_CASE("mass_outside keeps relative precision when q(fixed) is close to 1") {
  Eigen::VectorXd draft(3);
  draft << 1 - 1e-9, 6e-10, 4e-10;
  constexpr double kRelative = 1e-14;
  CHECK(std::abs(mass_outside(draft, {0}) - 1e-9) <= kRelative * 1e-9);
  CHECK(std::abs(mass_outside(draft, {1, 2}) - (1 - 1e-9)) <= kRounding);
  CHECK(mass_outside(draft, {}) == doctest::Approx(1.0));
}

}  // namespace mdsd::test
