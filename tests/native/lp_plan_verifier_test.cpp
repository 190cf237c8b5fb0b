// lp/plan_verifier: the optimal verifier samples the LP's transport plan. Its
// law given a draft set is pi[y, s] / Q_s (accepted) plus the leftover target
// mass (not accepted); over the draft law its output is p and its acceptance
// is alpha*_without (the brute force over all subsets).
#include "lp/plan_verifier.hpp"
#include "lp/transport_flow.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace mdsd::test {
namespace {

constexpr std::int64_t kPerTuple = 5000;

struct Planned {
  std::vector<DraftSet> law;
  LpSolution solution;
};

// Both solvers' plans: the max-flow's (what optimal_lp uses) and GLPK's.
enum class Solver { max_flow, glpk };

Planned plan_for(const Eigen::VectorXd& target, const SetLaw& sets, Solver solver = Solver::max_flow) {
  Planned planned{as_draft_sets(sets), {}};
  auto solution = solver == Solver::max_flow ? solve_transport_flow(target, planned.law, LpOptions{})
                                             : solve_transport_lp(target, planned.law, LpOptions{});
  REQUIRE_MESSAGE(solution.ok(), solution.error());
  planned.solution = solution.value();
  return planned;
}

// The plan verifier's exact law given a draft set, from the plan: output y
// accepted with pi[y, s] / Q_s, else y from the leftover p - sum_s pi[y, s].
OutcomeOf plan_outcome(const Eigen::VectorXd& target, const Planned& planned) {
  const Eigen::Index vocab = target.size();
  Eigen::VectorXd leftover = target;
  for (const TransportEntry& entry : planned.solution.plan) leftover[entry.token] -= entry.mass;
  leftover = leftover.cwiseMax(0.0);
  const double leftover_mass = leftover.sum();
  return [=](const std::vector<std::int32_t>& tuple) {
    auto set = tuple;
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    Outcome outcome(static_cast<std::size_t>(2 * vocab), 0.0);
    double accepted = 0.0;
    for (const TransportEntry& entry : planned.solution.plan) {
      const DraftSet& s = planned.law[static_cast<std::size_t>(entry.set)];
      if (s.tokens != set) continue;
      outcome[static_cast<std::size_t>(entry.token)] += entry.mass / s.mass;
      accepted += entry.mass / s.mass;
    }
    if (leftover_mass > 0.0) {
      for (Eigen::Index y = 0; y < vocab; ++y) {
        outcome[static_cast<std::size_t>(vocab + y)] += (1.0 - accepted) * leftover[y] / leftover_mass;
      }
    }
    return outcome;
  };
}

}  // namespace

TEST_CASE("plan verifier: exact law from the plan keeps p and accepts alpha*_without") {
  std::mt19937_64 rng(801);
  for (int trial = 0; trial < 120; ++trial) {
    const Solver solver = trial % 2 ? Solver::glpk : Solver::max_flow;
    CAPTURE(solver == Solver::glpk);
    const Instance instance = random_instance(rng, 1, 6, 3);
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    CAPTURE(trial);
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    CAPTURE(instance.drafts);
    const TupleLaw tuples = brute_tuple_law(q, instance.drafts, DraftMethod::without_replacement);
    const SetLaw sets = collapse_to_sets(tuples);
    const Planned planned = plan_for(p, sets, solver);
    const double optimum = brute_optimal_rate(p, sets).alpha;
    CHECK(std::abs(planned.solution.alpha - optimum) <= kExact);
    const OutcomeOf outcome = plan_outcome(p, planned);
    const Outcome law = mix_outcomes(tuples, outcome, p.size());
    CHECK((output_law(law) - p).cwiseAbs().maxCoeff() <= kExact);
    CHECK(std::abs(accepted_mass(law) - optimum) <= kExact);
    // Optimal: a leftover token is never one of the drafts, (A) = (B).
    CHECK(std::abs(hit_mass(tuples, outcome) - optimum) <= kExact);
  }
}

TEST_CASE("plan verifier: max-flow plans keep p when draft masses are 1e20 and more apart") {
  // A cold draft's layers: the plan's entries for the rare sets are tiny
  // and the leftover is what the plan leaves; the exact law must still be p.
  const std::vector<std::vector<double>> drafts = {{1.0, 1e-20, 1e-20, 1e-45, 1e-300, 5e-324},
                                                   {0.5, 0.5, 1e-25, 3e-25, 1e-300, 0.0}};
  std::mt19937_64 rng(803);
  for (const auto& values : drafts) {
    Eigen::VectorXd q = Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
    q /= q.sum();
    for (int trial = 0; trial < 4; ++trial) {
      const Eigen::VectorXd p = random_distribution(rng, static_cast<int>(values.size()));
      for (int n = 1; n <= std::min(3, support_size(q)); ++n) {
        CAPTURE(q.transpose());
        CAPTURE(p.transpose());
        CAPTURE(n);
        const TupleLaw tuples = brute_tuple_law(q, n, DraftMethod::without_replacement);
        const SetLaw sets = collapse_to_sets(tuples);
        const Planned planned = plan_for(p, sets);
        const double optimum = brute_optimal_rate(p, sets).alpha;
        CHECK(std::abs(planned.solution.alpha - optimum) <= kExact);
        const Outcome law = mix_outcomes(tuples, plan_outcome(p, planned), p.size());
        CHECK((output_law(law) - p).cwiseAbs().maxCoeff() <= kExact);
        CHECK(std::abs(accepted_mass(law) - optimum) <= kExact);
      }
    }
  }
}

TEST_CASE("plan verifier verify(): each draft tuple's (output, accepted) law matches the plan") {
  std::vector<Instance> instances = {{vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 2},   // alpha* < 1
                                     {vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 3},   // alpha* = 1
                                     {vector_of({.1, .2, .3, .4}), vector_of({.4, .3, .2, .1}), 2}};
  std::mt19937_64 rng(802);
  for (int i = 0; i < 3; ++i) instances.push_back(random_instance(rng, 3, 5, 3));
  std::uint64_t seed = 810;
  for (const Instance& instance : instances) {
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    CAPTURE(instance.drafts);
    // Tuples in draw order: the verifier must not care about the order.
    const TupleLaw tuples = brute_tuple_law(q, instance.drafts, DraftMethod::without_replacement);
    const Planned planned = plan_for(p, collapse_to_sets(tuples));
    const PlanVerifier verifier(p, planned.law, planned.solution);
    const Fit fit = conditional_fit(verifier, tuples, plan_outcome(p, planned), p.size(), kPerTuple, ++seed);
    CHECK_FALSE(fit.impossible);
    CHECK(fit.p_value > kPassP);
  }
}

TEST_CASE("plan verifier with alpha* = 1 always accepts") {
  // README mathematics §6 row 2: n = 3 without replacement on 3 tokens, alpha* = 1.
  const Eigen::VectorXd p = vector_of({.3, .4, .3}), q = vector_of({.6, .3, .1});
  const Planned planned = plan_for(p, brute_set_law(q, 3, DraftMethod::without_replacement));
  CHECK(std::abs(planned.solution.alpha - 1.0) <= kExact);
  const PlanVerifier verifier(p, planned.law, planned.solution);
  Random random(4);
  std::vector<std::int64_t> counts(3, 0);
  int rejected = 0;
  for (int i = 0; i < 30000; ++i) {
    const Verdict verdict = verifier.verify({2, 0, 1}, random);
    rejected += !verdict.accepted;
    ++counts[static_cast<std::size_t>(verdict.token)];
  }
  CHECK(rejected == 0);
  CHECK(pearson_fit(counts, {.3, .4, .3}).p_value > kPassP);
}

}  // namespace mdsd::test
