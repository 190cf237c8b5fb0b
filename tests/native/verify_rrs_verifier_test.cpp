// verify/rrs_verifier: recursive rejection sampling with and without
// replacement. Exact acceptance against tests/data/small.jsonl, README mathematics §6
// and a direct enumeration; verify() against the enumerated law of each step.
#include "verify/rrs_verifier.hpp"

#include "core/ratio_order.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace mdsd::test {
namespace {

// The exact recursion for these supports is far below this.
constexpr double kUnlimitedWork = 1e12;
// verify() is run this many times per draft tuple.
constexpr std::int64_t kPerTuple = 4000;

struct Built {
  Problem problem;
  RatioTable table;
  explicit Built(Problem p)
      : problem(std::move(p)), table(problem.target, problem.draft, order_by_ratio(problem.target, problem.draft)) {}
};

double optional_value(const std::optional<double>& value) {
  REQUIRE(value.has_value());
  return *value;
}

}  // namespace

TEST_CASE("RRS acceptance reproduces tests/data/small.jsonl") {
  int with_checked = 0, without_checked = 0;
  for (const SharedVerifierCase& entry : load_small_verifier_cases()) {
    CAPTURE(entry.line);
    const Built built(Problem{normalised(entry.target), normalised(entry.draft), entry.drafts});
    const auto& expected = entry.expected_verifiers;
    if (expected.contains("rrs_with_replacement")) {
      const RrsWithReplacement with(built.problem, built.table);
      CHECK(std::abs(with.acceptance() - expected["rrs_with_replacement"]["alpha"].get<double>()) <= kExact);
      ++with_checked;
    }
    if (expected.contains("rrs_without_replacement")) {
      const RrsWithoutReplacement without(built.problem, built.table);
      CHECK(std::abs(optional_value(without.exact_acceptance(kUnlimitedWork)) -
                     expected["rrs_without_replacement"]["alpha"].get<double>()) <= kExact);
      ++without_checked;
    }
  }
  CHECK(with_checked == 60);
  CHECK(without_checked >= 50);
}

TEST_CASE("RRS acceptance reproduces README mathematics §6") {
  for (const TheoryRow& row : theory_table_rows()) {
    CAPTURE(row.target.transpose());
    CAPTURE(row.drafts);
    const Built built(Problem{row.target, row.draft, row.drafts});
    CHECK(std::abs(RrsWithReplacement(built.problem, built.table).acceptance() - row.rrs_with) <= kTheoryDigits);
    CHECK(std::abs(optional_value(RrsWithoutReplacement(built.problem, built.table).exact_acceptance(kUnlimitedWork)) -
                   row.rrs_without) <= kTheoryDigits);
  }
}

TEST_CASE("RRS exact acceptance equals the enumerated law, whose output is p") {
  std::mt19937_64 rng(501);
  for (int trial = 0; trial < 150; ++trial) {
    const Instance instance = random_instance(rng, 1, 6, 4);
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    CAPTURE(trial);
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    CAPTURE(instance.drafts);
    const Built built(Problem{p, q, instance.drafts});

    const Outcome with = mix_outcomes(brute_tuple_law(q, instance.drafts, DraftMethod::with_replacement),
                                      [&](const auto& t) { return brute_rrs_with(p, q, t); }, p.size());
    CHECK((output_law(with) - p).cwiseAbs().maxCoeff() <= kExact);
    CHECK(std::abs(RrsWithReplacement(built.problem, built.table).acceptance() - accepted_mass(with)) <= kExact);

    const Outcome without = mix_outcomes(brute_tuple_law(q, instance.drafts, DraftMethod::without_replacement),
                                         [&](const auto& t) { return brute_rrs_without(p, q, t); }, p.size());
    CHECK((output_law(without) - p).cwiseAbs().maxCoeff() <= kExact);
    CHECK(std::abs(optional_value(RrsWithoutReplacement(built.problem, built.table).exact_acceptance(kUnlimitedWork)) -
                   accepted_mass(without)) <= kExact);
  }
}

TEST_CASE("RRS without replacement: exact only while the recursion is small enough") {
  // Support 5, n = 3: about 5^2 = 25 steps.
  const Built built(Problem{vector_of({.2, .2, .2, .2, .2}), vector_of({.4, .3, .1, .1, .1}), 3});
  const RrsWithoutReplacement verifier(built.problem, built.table);
  CHECK(verifier.exact_acceptance(25.0).has_value());
  CHECK_FALSE(verifier.exact_acceptance(24.0).has_value());
}

TEST_CASE("RRS verify(): each draft tuple's (output, accepted) law matches the enumeration") {
  std::vector<Instance> instances = {{vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 3},
                                     {vector_of({.6, .2, .1, .05, .05}), vector_of({.3, .3, .2, .1, .1}), 2}};
  std::mt19937_64 rng(502);
  for (int i = 0; i < 3; ++i) instances.push_back(random_instance(rng, 3, 4, 3));
  std::uint64_t seed = 510;
  for (const Instance& instance : instances) {
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    CAPTURE(instance.drafts);
    const Built built(Problem{p, q, instance.drafts});
    const Fit with = conditional_fit(RrsWithReplacement(built.problem, built.table),
                                     brute_tuple_law(q, instance.drafts, DraftMethod::with_replacement),
                                     [&](const auto& t) { return brute_rrs_with(p, q, t); }, p.size(),
                                     kPerTuple, ++seed);
    CHECK_FALSE(with.impossible);
    CHECK(with.p_value > kPassP);
    const Fit without = conditional_fit(RrsWithoutReplacement(built.problem, built.table),
                                        brute_tuple_law(q, instance.drafts, DraftMethod::without_replacement),
                                        [&](const auto& t) { return brute_rrs_without(p, q, t); }, p.size(),
                                        kPerTuple, ++seed);
    CHECK_FALSE(without.impossible);
    CHECK(without.p_value > kPassP);
  }
}

TEST_CASE("the per-tuple check rejects an RRS whose residual forgets to subtract q") {
  const Eigen::VectorXd p = vector_of({.3, .4, .3}), q = vector_of({.6, .3, .1});
  const Fit fit = conditional_fit(RrsForgettingQ(p, q), brute_tuple_law(q, 2, DraftMethod::with_replacement),
                                  [&](const auto& t) { return brute_rrs_with(p, q, t); }, p.size(), kPerTuple, 520);
  CHECK(fit.p_value < kBrokenP);
}

TEST_CASE("RRS without replacement: exact acceptance keeps precision when the drafted mass is nearly all of q") {
  // V = n = 2: the two drafts are the whole vocabulary, so RRS without
  // replacement must accept with probability 1: if token 0 is rejected the
  // residual is norm((p - q)+) = (0, 1) and the second draft is token 1 with
  // certainty. q_1 = 1e-13 is tiny: forming the remaining draft mass as
  // 1 - q_0 (= 1.00031e-13 in doubles) instead of summing the undrawn q
  // (1e-13) turned that certainty into 0.99969 (exact_acceptance gave
  // 0.99981349 before undrafted_mass()). A regression test.
  const Eigen::VectorXd p = vector_of({.4, .6});
  Eigen::VectorXd q(2);
  q << 1.0 - 1e-13, 1e-13;
  const Built built(Problem{p, q, 2});
  const Outcome law = mix_outcomes(brute_tuple_law(q, 2, DraftMethod::without_replacement),
                                   [&](const auto& t) { return brute_rrs_without(p, q, t); }, 2);
  CHECK(std::abs(accepted_mass(law) - 1.0) <= kExact);  // the enumeration
  const RrsWithoutReplacement verifier(built.problem, built.table);
  CHECK(std::abs(optional_value(verifier.exact_acceptance(kUnlimitedWork)) - 1.0) <= kExact);
  Random random(3);
  int rejected = 0;
  for (int step = 0; step < 100000; ++step) rejected += !verifier.verify({0, 1}, random).accepted;
  CHECK(rejected == 0);
}

TEST_CASE("RRS without replacement: verify() keeps p when one token holds all but 1.5e-16 of q") {
  // p = (.4, .3, .3), q = (1 - 1.5e-16, 1.5e-16, 0) normalised, n = 2. The
  // drafts are (0, 1) with probability 1 - 1e-16. After token 0 is rejected
  // (probability .6) the residual is (0, .5, .5) and the second draft is token
  // 1 with certainty (q_2 = (0, 1, 0)), accepted with probability .5: the
  // output law is p and the acceptance .7. verify() forms the remaining mass
  // as 1 - q_0 = 1.11e-16 (one ulp) instead of 1.5e-16, so it tests token 1
  // against q_2(1) = 1.35 and accepts it with probability .37.
  // FAILS at the time of writing: 1e6 steps give outputs (.400, .221, .379)
  // and acceptance .621 (exact_acceptance, fixed, says .7).
  const Eigen::VectorXd p = vector_of({.4, .3, .3});
  Eigen::VectorXd q(3);
  q << 1.0 - 1.5e-16, 1.5e-16, 0.0;
  q /= q.sum();
  const Built built(Problem{p, q, 2});
  const RrsWithoutReplacement verifier(built.problem, built.table);
  CHECK(std::abs(optional_value(verifier.exact_acceptance(kUnlimitedWork)) - 0.7) <= kExact);
  const TupleLaw tuples = brute_tuple_law(q, 2, DraftMethod::without_replacement);
  const Outcome law = mix_outcomes(tuples, [&](const auto& t) { return brute_rrs_without(p, q, t); }, 3);
  CHECK((output_law(law) - p).cwiseAbs().maxCoeff() <= kExact);
  // The likely tuple (0, 1), 20000 times, against its enumerated law.
  const Fit fit = conditional_fit(verifier, tuples, [&](const auto& t) { return brute_rrs_without(p, q, t); }, 3,
                                  20000, 530, /*min_probability=*/0.5);
  CHECK(fit.degrees_of_freedom > 0);
  CHECK(fit.p_value > kPassP);
}

}  // namespace mdsd::test
