// verify/kseq_verifier: K-SEQ's rho and acceptance against
// tests/data/small.jsonl, README mathematics §6 and an independent bisection;
// verify() against the enumerated law of each step.
#include "verify/kseq_verifier.hpp"

#include "core/ratio_order.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace mdsd::test {
namespace {

constexpr std::int64_t kPerTuple = 4000;
// rho is exact to the last bits: the validity condition holds at rho and
// fails a little below it (unless rho = 1).
constexpr double kBelowRho = 1e-9;
// The target for rho against the long-double reference.
constexpr double kRhoDigits = 1e-12;

struct Built {
  Problem problem;
  RatioTable table;
  explicit Built(Problem p)
      : problem(std::move(p)), table(problem.target, problem.draft, order_by_ratio(problem.target, problem.draft)) {}
};

double beta(const Eigen::VectorXd& p, const Eigen::VectorXd& q, double rho) {
  return q.cwiseMin(p / rho).sum();
}

}  // namespace

TEST_CASE("K-SEQ acceptance and rho reproduce tests/data/small.jsonl") {
  int checked = 0;
  for (const SharedVerifierCase& entry : load_small_verifier_cases()) {
    if (!entry.expected_verifiers.contains("kseq")) continue;
    CAPTURE(entry.line);
    const Built built(Problem{normalised(entry.target), normalised(entry.draft), entry.drafts});
    const KSeq kseq(built.problem, built.table);
    const auto& expected = entry.expected_verifiers["kseq"];
    CHECK(std::abs(kseq.acceptance() - expected["alpha"].get<double>()) <= kExact);
    CHECK(std::abs(kseq.rho() - expected["rho"].get<double>()) <= kExact);
    // At least (1 - 1/e) of the optimum with replacement (README mathematics §4).
    const double optimum = entry.expected_optimal["with_replacement"]["alpha"].get<double>();
    CHECK(kseq.acceptance() >= (1.0 - std::exp(-1.0)) * optimum - kExact);
    CHECK(kseq.acceptance() <= optimum + kExact);
    ++checked;
  }
  CHECK(checked == 60);
}

TEST_CASE("K-SEQ acceptance and rho reproduce README mathematics §6") {
  for (const TheoryRow& row : theory_table_rows()) {
    CAPTURE(row.target.transpose());
    CAPTURE(row.drafts);
    const Built built(Problem{row.target, row.draft, row.drafts});
    const KSeq kseq(built.problem, built.table);
    CHECK(std::abs(kseq.acceptance() - row.kseq) <= kTheoryDigits);
    CHECK(std::abs(kseq.rho() - row.kseq_rho) <= kTheoryDigits);
  }
}

TEST_CASE("K-SEQ: rho is the smallest valid one and the enumerated law keeps p") {
  std::mt19937_64 rng(601);
  for (int trial = 0; trial < 200; ++trial) {
    const Instance instance = random_instance(rng, 1, 6, 4, false);
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    const int n = instance.drafts;
    CAPTURE(trial);
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    CAPTURE(n);
    const Built built(Problem{p, q, n});
    const KSeq kseq(built.problem, built.table);
    const double rho = kseq.rho();
    CHECK(std::abs(rho - brute_kseq_rho(p, q, n)) <= kExact);
    CHECK(rho >= 1.0);
    CHECK(rho <= n);
    const double b = beta(p, q, rho);
    CHECK(rho * b >= 1.0 - std::pow(1.0 - b, n) - kRounding);
    if (rho > 1.0 + kBelowRho) {
      const double below = rho - kBelowRho, b_below = beta(p, q, below);
      CHECK(below * b_below < 1.0 - std::pow(1.0 - b_below, n));
    }
    CHECK(std::abs(kseq.acceptance() - (1.0 - std::pow(1.0 - b, n))) <= kExact);

    const TupleLaw tuples = brute_tuple_law(q, n, DraftMethod::with_replacement);
    const OutcomeOf outcome = [&](const auto& t) { return brute_kseq(p, q, rho, t); };
    const Outcome law = mix_outcomes(tuples, outcome, p.size());
    CHECK((output_law(law) - p).cwiseAbs().maxCoeff() <= kExact);
    CHECK(std::abs(accepted_mass(law) - kseq.acceptance()) <= kExact);
    // Figure (B), the output is a draft, is at least figure (A).
    CHECK(hit_mass(tuples, outcome) >= accepted_mass(law) - kRounding);
  }
}

TEST_CASE("K-SEQ: p = q has rho = 1 and acceptance 1 exactly, for every n up to 64") {
  // The validity condition holds at rho = 1 with equality (1 - beta = 0 and
  // 1 - rho beta = 0); a difference with 1 used to land on 2.4 at n = 64.
  std::mt19937_64 rng(620);
  for (const int vocab : {2, 17, 1000}) {
    const Eigen::VectorXd p = random_distribution(rng, vocab);
    for (const int n : {2, 3, 8, 16, 33, 64}) {
      CAPTURE(vocab);
      CAPTURE(n);
      const Built built(Problem{p, p, n});
      const KSeq kseq(built.problem, built.table);
      CHECK(kseq.rho() == 1.0);
      CHECK(kseq.acceptance() == 1.0);
      CHECK(brute_kseq_rho(p, p, n) == 1.0);
    }
  }
}

TEST_CASE("K-SEQ: rho to 1e-12 against a long-double reference, where the condition is flat") {
  // Near-equal pairs (p a small perturbation of q) at large n: (1 - beta)^n
  // is tiny and flat near the root, where a bisection on rho beta - (1 - (1 -
  // beta)^n) in doubles stops at rounding noise. Also rho = 1 exactly valid
  // when p <= q wherever p/q < 1 leaves nothing to correct.
  std::mt19937_64 rng(621);
  std::uniform_real_distribution<double> wobble(-1.0, 1.0);
  int above_one = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int vocab = 5 + trial * 7;
    const Eigen::VectorXd q = random_distribution(rng, vocab);
    Eigen::VectorXd p = q;
    const double size = std::pow(10.0, -1.0 - trial % 6);
    for (Eigen::Index i = 0; i < p.size(); ++i) p[i] *= 1.0 + size * wobble(rng);
    p /= p.sum();
    for (const int n : {2, 8, 32, 64}) {
      CAPTURE(trial);
      CAPTURE(n);
      const Built built(Problem{p, q, n});
      const KSeq kseq(built.problem, built.table);
      const double reference = brute_kseq_rho(p, q, n);
      CHECK(std::abs(kseq.rho() - reference) <= kRhoDigits * reference);
      const double b = beta(p, q, reference);
      CHECK(std::abs(kseq.acceptance() - (1.0 - std::pow(1.0 - b, n))) <= kRhoDigits);
      above_one += kseq.rho() > 1.0;
    }
  }
  CHECK(above_one > 100);  // the family does exercise roots above 1
}

TEST_CASE("K-SEQ: n = 1 is single-draft speculative sampling with rho = 1") {
  const Eigen::VectorXd p = vector_of({.3, .4, .3}), q = vector_of({.6, .3, .1});
  const Built built(Problem{p, q, 1});
  const KSeq kseq(built.problem, built.table);
  CHECK(kseq.rho() == 1.0);
  CHECK(std::abs(kseq.acceptance() - overlap(p, q)) <= kRounding);
}

TEST_CASE("K-SEQ verify(): each draft tuple's (output, accepted) law matches the enumeration") {
  std::vector<Instance> instances = {{vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 3},
                                     {vector_of({.5, .3, .2}), vector_of({.2, .3, .5}), 2},
                                     {vector_of({.1, .2, .3, .4}), vector_of({.4, .3, .2, .1}), 3}};
  std::mt19937_64 rng(602);
  for (int i = 0; i < 3; ++i) instances.push_back(random_instance(rng, 3, 4, 3, false));
  std::uint64_t seed = 610;
  for (const Instance& instance : instances) {
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    CAPTURE(instance.drafts);
    const Built built(Problem{p, q, instance.drafts});
    const KSeq kseq(built.problem, built.table);
    const Fit fit = conditional_fit(kseq, brute_tuple_law(q, instance.drafts, DraftMethod::with_replacement),
                                    [&](const auto& t) { return brute_kseq(p, q, kseq.rho(), t); }, p.size(),
                                    kPerTuple, ++seed);
    CHECK_FALSE(fit.impossible);
    CHECK(fit.p_value > kPassP);
  }
}

}  // namespace mdsd::test
