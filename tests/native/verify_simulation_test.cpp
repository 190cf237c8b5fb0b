// verify/simulation: the counting loop, its determinism, and long runs of
// every verifier with its draft sampler: the output follows p (a chi-square
// fit that a deliberately broken verifier fails), and the exact acceptance
// and hit rate lie inside the 99.9% interval of the run.
#include "verify/simulation.hpp"

#include "core/ratio_order.hpp"
#include "lp/plan_verifier.hpp"
#include "lp/transport_flow.hpp"
#include "verify/greedy_verifier.hpp"
#include "verify/kseq_verifier.hpp"
#include "verify/rrs_verifier.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <memory>

namespace mdsd::test {
namespace {

constexpr std::int64_t kSamples = 300'000;

// Returns the first draft, never through an accept test.
class FirstDraftUnaccepted : public Verifier {
 public:
  Verdict verify(const std::vector<std::int32_t>& drafts, Random&) const override { return {drafts.front(), false}; }
};

// Returns a fixed token, always "accepted".
class ConstantAccepted : public Verifier {
 public:
  explicit ConstantAccepted(std::int32_t token) : token_(token) {}
  Verdict verify(const std::vector<std::int32_t>&, Random&) const override { return {token_, true}; }

 private:
  std::int32_t token_;
};

Fit target_fit(const SimulationCounts& counts, const Eigen::VectorXd& target) {
  return pearson_fit(counts.output_counts, std::vector<double>(target.data(), target.data() + target.size()));
}

bool inside_999(double exact, std::int64_t successes, std::int64_t trials) {
  const auto interval = wilson_interval(successes, trials, kZ999);
  return interval[0] <= exact + kRounding && exact <= interval[1] + kRounding;  // LP: 1 + ulp
}

// Every verifier that applies to an instance, with its sampler scheme and
// its exact figures (A) and (B), the latter from the enumeration.
struct Subject {
  std::string name;
  DraftScheme scheme;
  std::unique_ptr<Verifier> verifier;
  double acceptance = 0.0, hit_rate = 0.0;
};

struct Bench {
  Problem problem, pair;  // pair: the same with n = 2 (SpecHub)
  RatioTable table;
  std::vector<DraftSet> lp_law;
  LpSolution lp;
  std::vector<Subject> subjects;

  explicit Bench(const Instance& instance)
      : problem{instance.target, instance.draft, instance.drafts},
        pair{instance.target, instance.draft, 2},
        table(instance.target, instance.draft, order_by_ratio(instance.target, instance.draft)) {
    const Eigen::VectorXd& p = problem.target;
    const Eigen::VectorXd& q = problem.draft;
    const int n = problem.drafts;
    const auto with_tuples = brute_tuple_law(q, n, DraftMethod::with_replacement);

    auto rrs_with = std::make_unique<RrsWithReplacement>(problem, table);
    const double rrs_with_alpha = rrs_with->acceptance();
    subjects.push_back({"rrs_with_replacement", DraftScheme::with_replacement, std::move(rrs_with), rrs_with_alpha,
                        rrs_with_alpha});

    auto kseq = std::make_unique<KSeq>(problem, table);
    const double rho = kseq->rho(), kseq_alpha = kseq->acceptance();
    const double kseq_hits = hit_mass(with_tuples, [&](const auto& t) { return brute_kseq(p, q, rho, t); });
    subjects.push_back({"kseq", DraftScheme::with_replacement, std::move(kseq), kseq_alpha, kseq_hits});

    if (support_size(q) < n) return;
    auto rrs_without = std::make_unique<RrsWithoutReplacement>(problem, table);
    const double rrs_without_alpha = *rrs_without->exact_acceptance(1e12);
    subjects.push_back({"rrs_without_replacement", DraftScheme::without_replacement, std::move(rrs_without),
                        rrs_without_alpha, rrs_without_alpha});

    auto fixed = brute_greedy_fixed(q, n);
    std::sort(fixed.begin(), fixed.end());
    auto greedy = std::make_unique<GreedyVerifier>(problem, fixed);
    const double greedy_alpha = greedy->acceptance();
    subjects.push_back({"greedy", DraftScheme::greedy, std::move(greedy), greedy_alpha, greedy_alpha});

    const SetLaw sets = brute_set_law(q, n, DraftMethod::without_replacement);
    lp_law = as_draft_sets(sets);
    auto solution = solve_transport_flow(p, lp_law, LpOptions{});  // as optimal_lp solves it
    REQUIRE(solution.ok());
    lp = solution.value();
    const double optimum = brute_optimal_rate(p, sets).alpha;
    REQUIRE(std::abs(lp.alpha - optimum) <= kExact);
    subjects.push_back({"optimal_lp", DraftScheme::without_replacement,
                        std::make_unique<PlanVerifier>(p, lp_law, lp), optimum, optimum});

    if (n == 2) {
      auto spechub = std::make_unique<GreedyVerifier>(pair, std::vector<std::int32_t>{brute_greedy_fixed(q, 2)[0]});
      const double spechub_alpha = spechub->acceptance();
      subjects.push_back({"spechub", DraftScheme::spechub, std::move(spechub), spechub_alpha, spechub_alpha});
    }
  }
};

}  // namespace

TEST_CASE("simulate counts samples, acceptances, hits and outputs") {
  const Eigen::VectorXd q = vector_of({.5, .5, 0.0});
  const DraftSampler sampler(q, 2, DraftScheme::with_replacement);

  const SimulationCounts first = simulate(sampler, FirstDraftUnaccepted(), 10000, 1, 3);
  CHECK(first.samples == 10000);
  CHECK(first.accepted == 0);
  CHECK(first.hits == 10000);
  REQUIRE(first.output_counts.size() == 3);
  CHECK(first.output_counts[0] + first.output_counts[1] == 10000);
  CHECK(first.output_counts[2] == 0);

  const SimulationCounts constant = simulate(sampler, ConstantAccepted(2), 5000, 1, 3);
  CHECK(constant.accepted == 5000);
  CHECK(constant.hits == 0);  // token 2 has q = 0: never a draft
  CHECK(constant.output_counts == std::vector<std::int64_t>{0, 0, 5000});
}

TEST_CASE("simulate: same seed, same counts; another seed, other counts") {
  const Instance instance{vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 2};
  const Bench bench(instance);
  for (const Subject& subject : bench.subjects) {
    CAPTURE(subject.name);
    const DraftSampler sampler(bench.problem.draft, 2, subject.scheme);
    const auto a = simulate(sampler, *subject.verifier, 20000, 42, 3);
    const auto b = simulate(sampler, *subject.verifier, 20000, 42, 3);
    const auto c = simulate(sampler, *subject.verifier, 20000, 43, 3);
    CHECK(a.output_counts == b.output_counts);
    CHECK(a.accepted == b.accepted);
    CHECK(a.hits == b.hits);
    CHECK(a.output_counts != c.output_counts);
  }
}

TEST_CASE("every verifier keeps p; its exact acceptance and hit rate lie in the 99.9% interval") {
  std::vector<Instance> instances = {{vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 2},
                                     {vector_of({.1, .2, .3, .4}), vector_of({.4, .3, .2, .1}), 3},
                                     {vector_of({.6, .2, .1, .05, .05}), vector_of({.3, .3, .2, .1, .1}), 2}};
  std::mt19937_64 rng(901);
  for (int i = 0; i < 5; ++i) instances.push_back(random_instance(rng, 2, 10, 3));
  std::uint64_t seed = 900;
  double worst_acceptance = 0.0, smallest_p = 1.0;
  for (const Instance& instance : instances) {
    CAPTURE(instance.target.transpose());
    CAPTURE(instance.draft.transpose());
    CAPTURE(instance.drafts);
    const Bench bench(instance);
    for (const Subject& subject : bench.subjects) {
      CAPTURE(subject.name);
      const int n = subject.scheme == DraftScheme::spechub ? 2 : bench.problem.drafts;
      const DraftSampler sampler(bench.problem.draft, n, subject.scheme);
      const SimulationCounts counts = simulate(sampler, *subject.verifier, kSamples, ++seed, bench.problem.target.size());
      std::int64_t total = 0;
      for (std::int64_t count : counts.output_counts) total += count;
      CHECK(total == kSamples);
      const Fit fit = target_fit(counts, bench.problem.target);
      CHECK_FALSE(fit.impossible);
      CHECK(fit.p_value > kPassP);
      smallest_p = std::min(smallest_p, fit.p_value);
      CHECK(inside_999(subject.acceptance, counts.accepted, counts.samples));
      CHECK(inside_999(subject.hit_rate, counts.hits, counts.samples));
      CHECK(counts.hits >= counts.accepted);  // an accepted token is a draft
      worst_acceptance = std::max(worst_acceptance, std::abs(static_cast<double>(counts.accepted) / kSamples -
                                                             subject.acceptance));
    }
  }
  MESSAGE("largest |simulated - exact acceptance|: " << worst_acceptance << "; smallest fit p-value: " << smallest_p);
}

TEST_CASE("the same fit rejects an RRS whose residual forgets to subtract q") {
  for (int n : {1, 2}) {
    CAPTURE(n);
    const Instance instance{vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), n};
    const Bench bench(instance);
    const DraftSampler sampler(bench.problem.draft, n, DraftScheme::with_replacement);
    const RrsForgettingQ broken(bench.problem.target, bench.problem.draft);
    const Fit broken_fit = target_fit(simulate(sampler, broken, kSamples, 7, 3), bench.problem.target);
    CHECK(broken_fit.p_value < kBrokenP);
    // The correct one passes on the same seed.
    const Fit fit = target_fit(simulate(sampler, *bench.subjects.front().verifier, kSamples, 7, 3), bench.problem.target);
    CHECK(fit.p_value > kPassP);
  }
}

}  // namespace mdsd::test
