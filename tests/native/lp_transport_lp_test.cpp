// lp/transport_lp: the optimal-transport LP against the brute force over all
// subsets, its certificate and plan, its limits and its recovery from GLPK errors.
#include "lp/transport_lp.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace mdsd::test {
namespace {

// The plan is a feasible transport plan of value alpha: each entry pairs a
// token with a set holding it, and no row sum exceeds p_y or Q_s.
void check_plan(const LpSolution& solution, const Eigen::VectorXd& target,
                const std::vector<DraftSet>& law) {
  Eigen::VectorXd token_sum = Eigen::VectorXd::Zero(target.size());
  std::vector<double> set_sum(law.size(), 0.0);
  double total = 0.0;
  for (const TransportEntry& entry : solution.plan) {
    REQUIRE(entry.set >= 0);
    REQUIRE(static_cast<std::size_t>(entry.set) < law.size());
    const auto& tokens = law[static_cast<std::size_t>(entry.set)].tokens;
    CHECK(std::find(tokens.begin(), tokens.end(), entry.token) != tokens.end());
    CHECK(entry.mass > 0.0);
    token_sum[entry.token] += entry.mass;
    set_sum[static_cast<std::size_t>(entry.set)] += entry.mass;
    total += entry.mass;
  }
  for (Eigen::Index y = 0; y < target.size(); ++y) CHECK(token_sum[y] <= target[y] + kExact);
  for (std::size_t s = 0; s < law.size(); ++s) CHECK(set_sum[s] <= law[s].mass + kExact);
  CHECK(std::abs(total - solution.alpha) <= kExact);
}

// Solves and checks everything that does not depend on where the law came from.
void check_lp(const Eigen::VectorXd& target, const SetLaw& law_map) {
  const std::vector<DraftSet> law = as_draft_sets(law_map);
  const auto solution = solve_transport_lp(target, law, LpOptions{});
  REQUIRE_MESSAGE(solution.ok(), solution.error());
  const LpSolution& lp = solution.value();
  CHECK(lp.status == "optimal");
  CHECK(lp.columns == brute_column_count(law_map));
  const BruteOptimum brute = brute_optimal_rate(target, law_map);
  CHECK(std::abs(lp.alpha - brute.alpha) <= kExact);
  CHECK(std::abs(lp.certificate_alpha - lp.alpha) <= kExact);
  // The certificate, re-evaluated with the brute force.
  const Subset certificate = subset_of(lp.certificate);
  CHECK(std::abs(1.0 + target_mass(target, certificate) - brute_mass_inside(law_map, certificate) -
                 brute.alpha) <= kExact);
  check_plan(lp, target, law);
}

// A law with up to `entries` random draft tuples of length 1..max_length.
SetLaw random_joint_law(std::mt19937_64& rng, int vocab, int entries, int max_length) {
  std::uniform_int_distribution<int> token(0, vocab - 1), length(1, max_length);
  std::uniform_real_distribution<double> weight(0.0, 1.0);
  TupleLaw tuples;
  double total = 0.0;
  for (int e = 0; e < entries; ++e) {
    std::vector<std::int32_t> tuple(static_cast<std::size_t>(length(rng)));
    for (auto& t : tuple) t = token(rng);
    const double w = weight(rng);
    tuples[tuple] += w;
    total += w;
  }
  for (auto& entry : tuples) entry.second /= total;
  return collapse_to_sets(tuples);
}

}  // namespace

TEST_CASE("the LP optimum equals the brute force for the three draft methods") {
  std::mt19937_64 rng(51);
  for (int trial = 0; trial < 120; ++trial) {
    const Instance instance = random_instance(rng, 1, 7, 4);
    for (DraftMethod method : kAllDraftMethods) {
      CAPTURE(trial);
      CAPTURE(method_name(method));
      CAPTURE(instance.target.transpose());
      CAPTURE(instance.draft.transpose());
      CAPTURE(instance.drafts);
      // The law from the independent enumeration...
      check_lp(instance.target, brute_set_law(instance.draft, instance.drafts, method));
      // ...and the one the calculator builds, as calculate() passes it.
      const auto law = draft_set_law(instance.draft, instance.drafts, method);
      const auto solution = solve_transport_lp(instance.target, law, LpOptions{});
      REQUIRE(solution.ok());
      const SetLaw expected = brute_set_law(instance.draft, instance.drafts, method);
      CHECK(std::abs(solution.value().alpha - brute_optimal_rate(instance.target, expected).alpha) <=
            kExact);
    }
  }
}

TEST_CASE("the LP optimum equals the brute force for random explicit joint laws") {
  std::mt19937_64 rng(52);
  for (int trial = 0; trial < 150; ++trial) {
    const int vocab = std::uniform_int_distribution<int>(1, 8)(rng);
    const Eigen::VectorXd target = random_distribution(rng, vocab);
    const SetLaw law = random_joint_law(rng, vocab, 1 + trial % 12, 4);
    CAPTURE(trial);
    CAPTURE(target.transpose());
    check_lp(target, law);
  }
}

TEST_CASE("a law over GLPK's column limit is an error that names the limit") {
  const Eigen::VectorXd draft = vector_of({.2, .2, .2, .2, .2});
  const SetLaw law = brute_set_law(draft, 3, DraftMethod::without_replacement);
  const std::int64_t columns = brute_column_count(law);  // 3 * C(5, 3) = 30
  REQUIRE(columns == 30);
  LpOptions options;
  options.glpk_max_columns = columns - 1;
  const auto over = solve_transport_lp(draft, as_draft_sets(law), options);
  REQUIRE_FALSE(over.ok());
  CHECK(contains(over.error(), std::to_string(columns - 1)));
  CHECK(contains(over.error(), "GLPK's limit"));
  CHECK(contains(over.error(), "(lp.glpk_max_columns)"));

  options.glpk_max_columns = columns;  // exactly at the limit is allowed; p = q gives 1
  const auto at = solve_transport_lp(draft, as_draft_sets(law), options);
  REQUIRE(at.ok());
  CHECK(std::abs(at.value().alpha - 1.0) <= kExact);
}

TEST_CASE("a GLPK internal error is reported and the next solve works") {
  const Eigen::VectorXd target = vector_of({.3, .4, .3});
  const SetLaw law = brute_set_law(vector_of({.6, .3, .1}), 2, DraftMethod::without_replacement);
  constexpr double kTheoryWithout = 0.9928571429;  // README mathematics §6, first row
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    LpOptions failing;
    failing.inject_glpk_error = true;
    const auto failed = solve_transport_lp(target, as_draft_sets(law), failing);
    REQUIRE_FALSE(failed.ok());
    CHECK(contains(failed.error(), "GLPK"));
    // GLPK's own text: the routine that failed and why.
    CHECK(contains(failed.error(), "glp_set_obj_coef"));
    CHECK(contains(failed.error(), "out of range"));
    CHECK(failed.error().find('\n') == std::string::npos);

    const auto solved = solve_transport_lp(target, as_draft_sets(law), LpOptions{});
    REQUIRE_MESSAGE(solved.ok(), solved.error());
    CHECK(solved.value().status == "optimal");
    CHECK(std::abs(solved.value().alpha - kTheoryWithout) <= kExact);
  }
}

}  // namespace mdsd::test
