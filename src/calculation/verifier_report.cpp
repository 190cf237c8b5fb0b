#include "calculation/verifier_report.hpp"
#include "core/message_text.hpp"

#include "core/distribution.hpp"
#include "core/draft_law.hpp"
#include "lp/plan_verifier.hpp"
#include "lp/transport_flow.hpp"
#include "verify/exact_match_verifier.hpp"
#include "verify/greedy_verifier.hpp"
#include "verify/kseq_verifier.hpp"
#include "verify/optimal_verifier.hpp"
#include "verify/rrs_verifier.hpp"

#include <cmath>
#include <memory>

namespace mdsd {
namespace {

// Gaps below this are rounding (sums of up to 2^22 terms in different orders).
constexpr double kRoundingGap = 1e-12;
// The exact RRS-without-replacement recursion visits about S^(n-1) nodes.
constexpr double kMaxExactRecursion = 4e6;
// RRS without replacement is refused when the draft mass outside the n - 1
// largest tokens is below this (see build()).
constexpr double kLeastRrsLeftMass = 1e-290;

struct Built {
  std::unique_ptr<Verifier> verifier;
  std::optional<double> exact_alpha;
  std::optional<double> rho;
};

Expected<Built> build(VerifierKind kind, const Request& request, const RatioTable& table) {
  const Problem& problem = request.problem;
  const int n = problem.drafts;
  const auto support = positive_count(problem.draft);
  const std::string name(verifier_name(kind));
  if (kind == VerifierKind::spechub && n != 2) {
    return Error{"spechub is defined for n = 2 drafts; this request has n = " + std::to_string(n)};
  }
  if (draft_method_of(kind) != DraftMethod::with_replacement && support < n) {
    return Error{name + " needs at least n = " + std::to_string(n) +
                 " draft tokens with positive probability; draft has " + std::to_string(support)};
  }
  Built built;
  switch (kind) {
    case VerifierKind::rrs_with_replacement: {
      auto verifier = std::make_unique<RrsWithReplacement>(problem, table);
      built.exact_alpha = verifier->acceptance();
      built.verifier = std::move(verifier);
      break;
    }
    case VerifierKind::rrs_without_replacement: {
      // Its residual is (p - C q)+ with C <= n / (mass left after the n - 1
      // largest drafts); past the double range C q would be inf or NaN.
      const double least_left = mass_outside(problem.draft, greedy_fixed_drafts(problem.draft, n));
      if (n > 1 && least_left < kLeastRrsLeftMass) {
        return Error{name + ": the draft mass left after the " + std::to_string(n - 1) +
                     " most likely tokens is " + format_number(least_left) +
                     ", below " + format_number(kLeastRrsLeftMass) +
                     ": its residual would overflow the double range; not computed"};
      }
      auto verifier = std::make_unique<RrsWithoutReplacement>(problem, table);
      built.exact_alpha = verifier->exact_acceptance(kMaxExactRecursion);
      built.verifier = std::move(verifier);
      break;
    }
    case VerifierKind::kseq: {
      auto verifier = std::make_unique<KSeq>(problem, table);
      built.exact_alpha = verifier->acceptance();
      built.rho = verifier->rho();
      built.verifier = std::move(verifier);
      break;
    }
    case VerifierKind::optimal_with_replacement: {
      auto verifier = std::make_unique<OptimalWithReplacement>(problem, table.order());
      built.exact_alpha = verifier->acceptance();
      built.verifier = std::move(verifier);
      break;
    }
    case VerifierKind::greedy:
    case VerifierKind::spechub: {
      const int fixed = kind == VerifierKind::spechub ? 2 : n;
      auto verifier = std::make_unique<GreedyVerifier>(problem, greedy_fixed_drafts(problem.draft, fixed));
      built.exact_alpha = verifier->acceptance();
      built.verifier = std::move(verifier);
      break;
    }
    case VerifierKind::exact_match: {
      auto verifier = std::make_unique<ExactMatchVerifier>(problem, greedy_fixed_drafts(problem.draft, n + 1));
      built.exact_alpha = verifier->acceptance();
      built.verifier = std::move(verifier);
      break;
    }
    case VerifierKind::optimal_lp: {
      const double columns = lp_column_count(problem.draft, n, DraftMethod::without_replacement);
      if (n > 16 || columns > static_cast<double>(request.lp_options.max_columns)) {
        return Error{"optimal_lp needs the LP of the without-replacement law, which is over its size limit (lp.max_columns)"};
      }
      auto law = draft_set_law(problem.draft, n, DraftMethod::without_replacement);
      // The max-flow's plan (GLPK, when lp.glpk asks, only cross-checks lp.<method>).
      auto solution = solve_transport_flow(problem.target, law, request.lp_options);
      if (!solution.ok()) return Error{"optimal_lp: " + solution.error()};
      built.exact_alpha = solution.value().alpha;
      built.verifier = std::make_unique<PlanVerifier>(problem.target, std::move(law), solution.value());
      break;
    }
  }
  return built;
}

SimulationSummary summarise(SimulationCounts counts, const Eigen::VectorXd& target) {
  SimulationSummary summary;
  summary.acceptance_ci95 = wilson_interval_95(counts.accepted, counts.samples);
  summary.hit_rate_ci95 = wilson_interval_95(counts.hits, counts.samples);
  summary.fit = chi_square_goodness_of_fit(
      counts.output_counts, std::vector<double>(target.data(), target.data() + target.size()));
  summary.counts = std::move(counts);
  return summary;
}

}  // namespace

std::vector<VerifierReport> report_verifiers(
    const Request& request, const std::vector<std::int32_t>& order,
    const std::function<Expected<OptimalRate>(DraftMethod)>& optimal_rate_of) {
  std::vector<VerifierReport> reports;
  if (request.verifiers.empty()) return reports;
  const Problem& problem = request.problem;
  const RatioTable table(problem.target, problem.draft, order);
  for (VerifierKind kind : request.verifiers) {
    auto built = build(kind, request, table);
    if (!built.ok()) {
      reports.push_back({kind, Error{built.error()}, std::nullopt});
      if (request.simulate) reports.back().simulation = Expected<SimulationSummary>(Error{built.error()});
      continue;
    }
    // The sampler (an alias table over V tokens) only for a simulation.
    std::optional<DraftSampler> sampler;
    const auto sampler_for = [&]() -> const DraftSampler& {
      if (!sampler) sampler.emplace(problem.draft, problem.drafts, draft_scheme_of(kind));
      return *sampler;
    };
    VerifierAcceptance acceptance;
    acceptance.draft_method = draft_method_of(kind);
    acceptance.rho = built.value().rho;
    if (built.value().exact_alpha) {
      acceptance.alpha = *built.value().exact_alpha;
    } else {
      const auto counts = simulate(sampler_for(), *built.value().verifier, request.estimate_samples,
                                   request.estimate_seed, problem.target.size());
      acceptance.exact = false;
      acceptance.samples = counts.samples;
      acceptance.alpha = static_cast<double>(counts.accepted) / static_cast<double>(counts.samples);
      acceptance.ci95 = wilson_interval_95(counts.accepted, counts.samples);
    }
    const auto bound = optimal_rate_of(acceptance.draft_method);
    acceptance.gap = bound.ok() ? bound.value().alpha - acceptance.alpha : 0.0;
    // Greedy and SpecHub reach the bound: their gap is rounding between two
    // computations of one number, not a gap.
    if (std::abs(acceptance.gap) < kRoundingGap) acceptance.gap = 0.0;
    VerifierReport report{kind, acceptance, std::nullopt};
    if (request.simulate) {
      report.simulation = summarise(simulate(sampler_for(), *built.value().verifier, request.simulate->samples,
                                             request.simulate->seed, problem.target.size()),
                                    problem.target);
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace mdsd
