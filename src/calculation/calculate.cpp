#include "calculation/calculate.hpp"

#include "core/message_text.hpp"
#include "core/ratio_order.hpp"
#include "lp/transport_flow.hpp"

#include <algorithm>
#include <cmath>

namespace mdsd {
namespace {

// The fast alpha*, the max-flow and GLPK are independent computations of one
// number; past this they disagree and the user is told.
constexpr double kLpAgreement = 1e-8;
// Without replacement, the set law enumerates n-subsets with an O(n 2^n)
// dynamic program each.
constexpr int kMaxEnumeratedWithoutReplacementDrafts = 16;

// The max-flow solves the LP; GLPK solves it again when lp.glpk asks.
LpResult solve_lp(std::string label, const Eigen::VectorXd& target, const std::vector<DraftSet>& law,
                  const LpOptions& options) {
  LpResult result{std::move(label), solve_transport_flow(target, law, options), std::nullopt};
  if (options.glpk && result.solution.ok()) result.glpk = solve_transport_lp(target, law, options);
  return result;
}

LpResult method_lp(const Request& request, DraftMethod method) {
  const Problem& problem = request.problem;
  const std::string label(method_name(method));
  if (method != DraftMethod::with_replacement && positive_count(problem.draft) < problem.drafts) {
    return {label, Error{label + " does not apply: fewer than n draft tokens with positive probability"}, std::nullopt};
  }
  if (method == DraftMethod::without_replacement &&
      problem.drafts > kMaxEnumeratedWithoutReplacementDrafts) {
    return {label, Error{"the without_replacement LP enumerates draft sets for n <= " +
                         std::to_string(kMaxEnumeratedWithoutReplacementDrafts) + " only"}, std::nullopt};
  }
  const double columns = lp_column_count(problem.draft, problem.drafts, method);
  if (columns > static_cast<double>(request.lp_options.max_columns)) {
    return {label, Error{"the LP would have " + format_number(std::round(columns)) +
                         " columns, more than the limit of " +
                         std::to_string(request.lp_options.max_columns) + " (lp.max_columns)"}, std::nullopt};
  }
  return solve_lp(label, problem.target, draft_set_law(problem.draft, problem.drafts, method), request.lp_options);
}

// Partial lists: an interval per method; the verifiers whose acceptance is
// alpha* of their method (greedy and SpecHub of greedy drafts, exact match of
// top_n drafts) get that method's interval, the others an error.
Result calculate_partial(const Request& request) {
  const PartialProblem& partial = *request.partial;
  const int n = request.problem.drafts;
  Result result;
  result.vocab = static_cast<Eigen::Index>(partial.vocab);
  result.drafts = n;
  result.warnings = request.warnings;
  result.unlisted_mass = UnlistedMass{{partial.target.unlisted_mass_low(), partial.target.unlisted_mass_high()},
                                      {partial.draft.unlisted_mass_low(), partial.draft.unlisted_mass_high()}};
  const PartialBounds bounds(partial.target, partial.draft);
  std::vector<MethodInterval> extra;  // methods only a verifier asked for
  const auto interval_of = [&](DraftMethod method) -> Expected<AlphaInterval> {
    for (const auto* list : {&result.intervals, &extra}) {
      for (const MethodInterval& entry : *list) {
        if (entry.method == method) return entry.interval;
      }
    }
    extra.push_back({method, bounds.interval(n, method)});
    return extra.back().interval;
  };
  for (DraftMethod method : request.methods) result.intervals.push_back({method, bounds.interval(n, method)});
  // Every token listed, the values known to a tolerance (llama.cpp's
  // quantised rows): the other verifiers on the decoded values, said so.
  std::optional<Result> decoded;
  if (partial.target.all_listed() && partial.draft.all_listed()) {
    Request full = request;
    full.partial.reset();
    full.problem = union_problem(partial.target, partial.draft, n).problem;
    full.methods.clear();
    full.verifiers.clear();
    for (VerifierKind kind : request.verifiers) {
      if (kind != VerifierKind::greedy && kind != VerifierKind::spechub && kind != VerifierKind::exact_match) {
        full.verifiers.push_back(kind);
      }
    }
    if (!full.verifiers.empty()) decoded = calculate(full);
  }
  for (VerifierKind kind : request.verifiers) {
    const std::string name(verifier_name(kind));
    if (kind == VerifierKind::spechub && n != 2) {
      result.verifier_intervals.push_back(
          {kind, Error{"spechub is defined for n = 2 drafts; this request has n = " + std::to_string(n)}});
    } else if (kind == VerifierKind::greedy || kind == VerifierKind::spechub || kind == VerifierKind::exact_match) {
      result.verifier_intervals.push_back({kind, interval_of(draft_method_of(kind))});
    } else if (decoded) {
      for (const VerifierReport& report : decoded->verifiers) {
        if (report.kind != kind) continue;
        if (!report.acceptance.ok()) {
          result.verifier_intervals.push_back({kind, Error{report.acceptance.error()}});
        } else {
          const double alpha = report.acceptance.value().alpha;
          result.verifier_intervals.push_back({kind, AlphaInterval{alpha, alpha}, true, report.acceptance.value().exact});
        }
      }
    } else {
      result.verifier_intervals.push_back(
          {kind, Error{name + ": needs the full distributions; with a list of some tokens only the verifiers that "
                              "reach alpha* (greedy, spechub, exact_match) are bounded"}});
    }
  }
  return result;
}

}  // namespace

Result calculate(const Request& request) {
  Result result;
  calculate(request, result, nullptr);
  return result;
}

void calculate(const Request& request, Result& result, const MethodDone& method_done) {
  if (request.partial) {
    result = calculate_partial(request);
    return;
  }
  result.vocab = request.problem.target.size();
  result.drafts = request.problem.drafts;
  result.warnings = request.warnings;
  // One sort serves with and without replacement.
  std::vector<std::int32_t> order;
  if (std::any_of(request.methods.begin(), request.methods.end(),
                  [](DraftMethod method) {
                    return method == DraftMethod::with_replacement || method == DraftMethod::without_replacement;
                  })) {
    order = order_by_ratio(request.problem.target, request.problem.draft);
  }
  result.optimal.reserve(request.methods.size());  // entries never move (method_done)
  for (DraftMethod method : request.methods) {
    result.optimal.push_back({method, optimal_rate(request.problem, method, order)});
    if (result.optimal.back().rate.ok() && request.has_draft) {
      drop_massless(request.problem, result.optimal.back().rate.value().certificate);
    }
    if (method_done) method_done(result.optimal.back());
  }
  if (request.draft_joint) {
    result.lp.push_back(solve_lp("joint", request.problem.target, *request.draft_joint, request.lp_options));
  } else if (request.lp) {
    for (DraftMethod method : request.methods) result.lp.push_back(method_lp(request, method));
  }
  if (request.has_draft && !request.verifiers.empty()) {
    if (order.empty()) order = order_by_ratio(request.problem.target, request.problem.draft);
    std::vector<MethodResult> extra;  // alpha* of methods the request did not list
    const auto optimal_rate_of = [&](DraftMethod method) -> Expected<OptimalRate> {
      for (const auto* list : {&result.optimal, &extra}) {
        for (const MethodResult& entry : *list) {
          if (entry.method == method) return entry.rate;
        }
      }
      extra.push_back({method, optimal_rate(request.problem, method, order)});
      return extra.back().rate;
    };
    result.verifiers = report_verifiers(request, order, optimal_rate_of);
  }
  for (std::size_t i = 0; i < result.lp.size() && !request.draft_joint; ++i) {
    const auto& lp = result.lp[i].solution;
    const auto& fast = result.optimal[i].rate;
    if (lp.ok() && fast.ok() && std::abs(lp.value().alpha - fast.value().alpha) > kLpAgreement) {
      result.warnings.push_back("lp." + result.lp[i].label + ": LP optimum " +
                                format_number(lp.value().alpha) + " differs from alpha* " +
                                format_number(fast.value().alpha));
    }
  }
  for (const LpResult& entry : result.lp) {
    if (!entry.solution.ok() || !entry.glpk || !entry.glpk->ok()) continue;
    const double flow = entry.solution.value().alpha, glpk = entry.glpk->value().alpha;
    if (std::abs(flow - glpk) > kLpAgreement) {
      result.warnings.push_back("lp." + entry.label + ": GLPK's optimum " + format_number(glpk) +
                                " differs from the max-flow's " + format_number(flow));
    }
  }
}

}  // namespace mdsd
