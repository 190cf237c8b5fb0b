// verify/greedy_verifier: the greedy verifier (and SpecHub, which it also
// verifies) reaches alpha*_greedy: against tests/data/small.jsonl, README mathematics
// §6 and the enumerated law; verify() against the law of each draft tuple.
#include "verify/greedy_verifier.hpp"

#include "core/draft_law.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace mdsd::test {
namespace {

constexpr std::int64_t kPerTuple = 5000;

std::vector<std::int32_t> fixed_of(const Eigen::VectorXd& draft, int drafts) {
  auto fixed = brute_greedy_fixed(draft, drafts);
  std::sort(fixed.begin(), fixed.end());
  return fixed;
}

}  // namespace

TEST_CASE("greedy acceptance reproduces tests/data/small.jsonl (verifier and alpha*_greedy)") {
  int verifier_checked = 0, spechub_checked = 0;
  for (const SharedVerifierCase& entry : load_small_verifier_cases()) {
    CAPTURE(entry.line);
    const Problem problem{normalised(entry.target), normalised(entry.draft), entry.drafts};
    const auto& optimal = entry.expected_optimal["greedy"];
    if (optimal.contains("error")) {
      CHECK_FALSE(entry.expected_verifiers.contains("greedy"));
      continue;
    }
    const GreedyVerifier verifier(problem, fixed_of(problem.draft, problem.drafts));
    // The verifier reaches alpha*_greedy (n = 1 included, where T is empty).
    CHECK(std::abs(verifier.acceptance() - optimal["alpha"].get<double>()) <= kExact);
    if (entry.expected_verifiers.contains("greedy")) {
      CHECK(std::abs(verifier.acceptance() - entry.expected_verifiers["greedy"]["alpha"].get<double>()) <= kExact);
      ++verifier_checked;
    }
    if (entry.drafts == 2) {
      // SpecHub: T = {hub}, its acceptance is alpha*_greedy for n = 2.
      const GreedyVerifier spechub(problem, {brute_greedy_fixed(problem.draft, 2)[0]});
      CHECK(std::abs(spechub.acceptance() - optimal["alpha"].get<double>()) <= kExact);
      ++spechub_checked;
    }
  }
  CHECK(verifier_checked >= 35);
  CHECK(spechub_checked >= 15);
}

TEST_CASE("greedy acceptance reproduces README mathematics §6 (alpha*_greedy column)") {
  for (const TheoryRow& row : theory_table_rows()) {
    CAPTURE(row.target.transpose());
    CAPTURE(row.drafts);
    const Problem problem{row.target, row.draft, row.drafts};
    CHECK(std::abs(GreedyVerifier(problem, fixed_of(row.draft, row.drafts)).acceptance() - row.optimal_greedy) <=
          kTheoryDigits);
  }
}

TEST_CASE("greedy: exact acceptance equals the enumerated law, whose output is p; (A) = (B)") {
  std::mt19937_64 rng(701);
  for (int trial = 0; trial < 200; ++trial) {
    const Instance instance = random_instance(rng, 1, 7, 4);
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    const int n = instance.drafts;
    CAPTURE(trial);
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    CAPTURE(n);
    const Problem problem{p, q, n};
    const auto fixed = fixed_of(q, n);
    const GreedyVerifier verifier(problem, fixed);
    const TupleLaw tuples = brute_tuple_law(q, n, DraftMethod::greedy);
    const OutcomeOf outcome = [&](const auto& t) { return brute_greedy(p, q, fixed, t); };
    const Outcome law = mix_outcomes(tuples, outcome, p.size());
    CHECK((output_law(law) - p).cwiseAbs().maxCoeff() <= kExact);
    CHECK(std::abs(verifier.acceptance() - accepted_mass(law)) <= kExact);
    CHECK(std::abs(hit_mass(tuples, outcome) - accepted_mass(law)) <= kExact);
    // ... and it is the optimum over all subsets (README mathematics §2).
    CHECK(std::abs(verifier.acceptance() - brute_optimal_rate(p, collapse_to_sets(tuples)).alpha) <= kExact);
  }
}

TEST_CASE("greedy and SpecHub verify(): each draft tuple's (output, accepted) law matches the enumeration") {
  std::vector<Instance> instances = {{vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 2},
                                     {vector_of({.1, .2, .3, .4}), vector_of({.4, .3, .2, .1}), 3},
                                     {vector_of({.6, .2, .1, .05, .05}), vector_of({.3, .3, .2, .1, .1}), 2}};
  std::mt19937_64 rng(702);
  for (int i = 0; i < 3; ++i) instances.push_back(random_instance(rng, 3, 5, 3));
  std::uint64_t seed = 710;
  for (const Instance& instance : instances) {
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    const int n = instance.drafts;
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    CAPTURE(n);
    const Problem problem{p, q, n};
    const auto fixed = fixed_of(q, n);
    const GreedyVerifier verifier(problem, fixed);
    const Fit greedy = conditional_fit(verifier, brute_tuple_law(q, n, DraftMethod::greedy),
                                       [&](const auto& t) { return brute_greedy(p, q, fixed, t); }, p.size(),
                                       kPerTuple, ++seed);
    CHECK_FALSE(greedy.impossible);
    CHECK(greedy.p_value > kPassP);
    if (support_size(q) < 2) continue;
    // SpecHub's tuples put the hub first or second; the verifier takes either.
    const Problem pair{p, q, 2};
    const std::vector<std::int32_t> hub = {brute_greedy_fixed(q, 2)[0]};
    const GreedyVerifier spechub(pair, hub);
    const Fit fit = conditional_fit(spechub, brute_spechub_tuple_law(q),
                                    [&](const auto& t) { return brute_greedy(p, q, hub, t); }, p.size(),
                                    kPerTuple, ++seed);
    CHECK_FALSE(fit.impossible);
    CHECK(fit.p_value > kPassP);
  }
}

}  // namespace mdsd::test
