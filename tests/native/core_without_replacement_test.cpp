// core/without_replacement: the trapezoid-rule integral of THEORY.md §3
// against enumeration of successive sampling.
#include "core/without_replacement.hpp"

#include "core/ratio_order.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace mdsd::test {
namespace {

OptimalRate without_replacement(const Problem& problem, const WithoutReplacementOptions& options = {}) {
  return optimal_rate_without_replacement(problem, order_by_ratio(problem.target, problem.draft),
                                          options);
}

// Checks alpha and the certificate's Q(H) against the brute force.
void check_against_enumeration(const Eigen::VectorXd& target, const Eigen::VectorXd& draft,
                               int drafts) {
  CAPTURE(target.transpose());
  CAPTURE(draft.transpose());
  CAPTURE(drafts);
  const SetLaw law = brute_set_law(draft, drafts, DraftMethod::without_replacement);
  const double expected = brute_optimal_rate(target, law).alpha;
  // The pruned scan and the one that integrates every prefix.
  for (bool every_prefix : {false, true}) {
    CAPTURE(every_prefix);
    const OptimalRate rate =
        without_replacement(Problem{target, draft, drafts}, {.evaluate_every_prefix = every_prefix});
    CHECK(std::abs(rate.alpha - expected) <= kQuadrature);
    const Subset certificate = subset_of(rate.certificate);
    CHECK(std::abs(rate.certificate_draft_mass - brute_mass_inside(law, certificate)) <=
          kQuadrature);
    CHECK(std::abs(rate.certificate_target_mass - target_mass(target, certificate)) <= kRounding);
  }
}

// Uniform q makes successive sampling a uniform random n-subset, so
// Q(H) = C(|H|, n) / C(V, n) and, Q depending only on |H|, the best H of each
// size holds the smallest p: alpha* = 1 + min_k [p(k smallest) - C(k, n) / C(V, n)].
double uniform_draft_closed_form(const Eigen::VectorXd& target, int drafts) {
  std::vector<double> sorted(target.data(), target.data() + target.size());
  std::sort(sorted.begin(), sorted.end());
  const auto vocab = static_cast<int>(sorted.size());
  double best = 0.0, smallest_mass = 0.0;
  for (int k = 1; k <= vocab; ++k) {
    smallest_mass += sorted[static_cast<std::size_t>(k - 1)];
    double subsets_ratio = 1.0;  // C(k, n) / C(V, n) = prod_j (k - j) / (V - j)
    for (int j = 0; j < drafts; ++j) subsets_ratio *= std::max(0.0, double(k - j)) / (vocab - j);
    best = std::min(best, smallest_mass - subsets_ratio);
  }
  return 1.0 + best;
}

}  // namespace

TEST_CASE("the integral equals enumeration on random instances, V <= 9, n <= 5") {
  std::mt19937_64 rng(31);
  for (int trial = 0; trial < 250; ++trial) {
    CAPTURE(trial);
    const Instance instance = random_instance(rng, 2, 9, 5);
    check_against_enumeration(instance.target, instance.draft, instance.drafts);
  }
}

TEST_CASE("halving the quadrature step (doubling chains) changes alpha by less than 1e-12") {
  constexpr double kStepInvariance = 1e-12;
  std::mt19937_64 rng(32);
  for (int trial = 0; trial < 150; ++trial) {
    // Larger vocabularies too: here nothing is enumerated.
    const Instance instance = random_instance(rng, 2, trial < 100 ? 9 : 300, 5);
    const Problem problem{instance.target, instance.draft, instance.drafts};
    const OptimalRate coarse = without_replacement(problem);  // chains = 3: step ln 2 / 3
    const OptimalRate fine = without_replacement(problem, {.chains = 6});
    const OptimalRate finer = without_replacement(problem, {.chains = 8});
    CAPTURE(trial);
    CHECK(std::abs(coarse.alpha - fine.alpha) < kStepInvariance);
    // without_replacement.hpp promises agreement with chains = 8 to 1e-13.
    CHECK(std::abs(coarse.alpha - finer.alpha) <= 1e-13);
  }
}

TEST_CASE("uniform q matches the closed form C(|H|, n) / C(V, n) up to n = 64") {
  // Targets for which the optimum is not trivially 1 at large n.
  for (int vocab : {10, 100, 1000}) {
    for (int drafts : {1, 2, 3, 5, 8, 12, 16, 24, 32, 48, 64}) {
      if (drafts > vocab) continue;
      const Eigen::VectorXd draft = Eigen::VectorXd::Constant(vocab, 1.0 / vocab);
      Eigen::VectorXd half(vocab), decaying(vocab);
      for (int i = 0; i < vocab; ++i) {
        half[i] = i < vocab / 2 ? 1.0 : 0.2;
        decaying[i] = std::exp(-3.0 * i / drafts);
      }
      for (const Eigen::VectorXd& weights : {half, decaying}) {
        const Eigen::VectorXd target = weights / weights.sum();
        CAPTURE(vocab);
        CAPTURE(drafts);
        const double expected = uniform_draft_closed_form(target, drafts);
        const OptimalRate rate = without_replacement(Problem{target, draft, drafts});
        CHECK(std::abs(rate.alpha - expected) <= kExact);
      }
    }
  }
}

TEST_CASE("extreme inputs still match enumeration") {
  SUBCASE("q entries of 1e-12 next to 0.5") {
    const Eigen::VectorXd draft = vector_of({1e-12, 0.5, 2e-12, 0.3, 0.2 - 3e-12});
    for (int drafts = 1; drafts <= 5; ++drafts) {
      check_against_enumeration(vector_of({.2, .2, .2, .2, .2}), draft, drafts);
      check_against_enumeration(vector_of({.4, .1, .3, .1, .1}), draft, drafts);
      check_against_enumeration(vector_of({0, .5, 0, .25, .25}), draft, drafts);
    }
  }
  SUBCASE("p with zeros") {
    const Eigen::VectorXd target = vector_of({0, .5, 0, .5, 0, 0});
    for (int drafts = 1; drafts <= 5; ++drafts) {
      check_against_enumeration(target, vector_of({.2, .2, .2, .2, .1, .1}), drafts);
      check_against_enumeration(target, vector_of({.6, .05, .2, .05, .1, 0}), drafts);
    }
  }
  SUBCASE("one token with q = 1 - 1e-9") {
    Eigen::VectorXd draft(5);
    draft << 1 - 1e-9, 4e-10, 3e-10, 2e-10, 1e-10;
    for (int drafts = 1; drafts <= 5; ++drafts) {
      check_against_enumeration(vector_of({.2, .2, .2, .2, .2}), draft, drafts);
      check_against_enumeration(vector_of({.01, .5, .29, .1, .1}), draft, drafts);
      check_against_enumeration(vector_of({.99, 0, .01, 0, 0}), draft, drafts);
    }
  }
}

}  // namespace mdsd::test
