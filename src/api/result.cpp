#include "api/result.hpp"

#include "core/distribution.hpp"
#include "core/ratio_order.hpp"

#include <algorithm>

#include <cmath>

namespace mdsd {
namespace {

// The fast alpha* and the LP are independent computations of one number;
// past this they disagree and the user is told.
constexpr double kLpAgreement = 1e-8;
// Without replacement, the set law enumerates n-subsets with an O(n 2^n)
// dynamic program each.
constexpr int kMaxEnumeratedWithoutReplacementDrafts = 16;

Expected<LpSolution> method_lp(const Request& request, DraftMethod method) {
  const Problem& problem = request.problem;
  if (method != DraftMethod::with_replacement && positive_count(problem.draft) < problem.drafts) {
    return Error{std::string(method_name(method)) + " does not apply: fewer than n draft tokens with positive probability"};
  }
  if (method == DraftMethod::without_replacement &&
      problem.drafts > kMaxEnumeratedWithoutReplacementDrafts) {
    return Error{"the without_replacement LP enumerates draft sets for n <= " +
                 std::to_string(kMaxEnumeratedWithoutReplacementDrafts) + " only"};
  }
  const double columns = lp_column_count(problem.draft, problem.drafts, method);
  if (columns > static_cast<double>(request.lp_options.max_columns)) {
    return Error{"the LP would have " + format_number(std::round(columns)) +
                 " columns, more than the limit of " +
                 std::to_string(request.lp_options.max_columns) + " (lp.max_columns)"};
  }
  return solve_transport_lp(problem.target, draft_set_law(problem.draft, problem.drafts, method),
                            request.lp_options);
}

nlohmann::ordered_json rate_json(const OptimalRate& rate) {
  return {{"alpha", rate.alpha},
          {"certificate", rate.certificate},
          {"certificate_size", rate.certificate.size()},
          {"certificate_target_mass", rate.certificate_target_mass},
          {"certificate_draft_mass", rate.certificate_draft_mass}};
}

nlohmann::ordered_json lp_json(const LpSolution& solution) {
  return {{"alpha", solution.alpha},
          {"status", solution.status},
          {"columns", solution.columns},
          {"certificate", solution.certificate},
          {"certificate_alpha", solution.certificate_alpha}};
}

nlohmann::ordered_json interval_json(const std::array<double, 2>& interval) {
  return nlohmann::ordered_json::array({interval[0], interval[1]});
}

nlohmann::ordered_json acceptance_json(const VerifierAcceptance& acceptance) {
  nlohmann::ordered_json json = {{"alpha", acceptance.alpha},
                                 {"exact", acceptance.exact},
                                 {"draft_method", method_name(acceptance.draft_method)},
                                 {"gap", acceptance.gap}};
  if (!acceptance.exact) {
    json["ci95"] = interval_json(acceptance.ci95);
    json["samples"] = acceptance.samples;
  }
  if (acceptance.rho) json["rho"] = *acceptance.rho;
  return json;
}

nlohmann::ordered_json simulation_json(const SimulationSummary& summary) {
  const auto& counts = summary.counts;
  const auto samples = static_cast<double>(counts.samples);
  return {{"samples", counts.samples},
          {"acceptance", static_cast<double>(counts.accepted) / samples},
          {"acceptance_ci95", interval_json(summary.acceptance_ci95)},
          {"hit_rate", static_cast<double>(counts.hits) / samples},
          {"hit_rate_ci95", interval_json(summary.hit_rate_ci95)},
          {"output_counts", counts.output_counts},
          {"chi2_statistic", summary.fit.statistic},
          {"chi2_degrees_of_freedom", summary.fit.degrees_of_freedom},
          {"chi2_p_value", summary.fit.p_value}};
}

}  // namespace

Result calculate(const Request& request) {
  Result result;
  result.vocab = request.problem.target.size();
  result.drafts = request.problem.drafts;
  result.warnings = request.warnings;
  // One sort serves with and without replacement.
  std::vector<std::int32_t> order;
  if (std::any_of(request.methods.begin(), request.methods.end(),
                  [](DraftMethod method) { return method != DraftMethod::greedy; })) {
    order = order_by_ratio(request.problem.target, request.problem.draft);
  }
  for (DraftMethod method : request.methods) {
    result.optimal.push_back({method, optimal_rate(request.problem, method, order)});
  }
  if (request.draft_joint) {
    result.lp.push_back({"joint", solve_transport_lp(request.problem.target, *request.draft_joint,
                                                     request.lp_options)});
  } else if (request.lp) {
    for (DraftMethod method : request.methods) {
      result.lp.push_back({std::string(method_name(method)), method_lp(request, method)});
    }
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
  return result;
}

nlohmann::ordered_json to_json(const Result& result) {
  nlohmann::ordered_json json = {{"vocab", result.vocab},
                         {"drafts", result.drafts},
                         {"warnings", result.warnings}};
  if (!result.optimal.empty()) {
    nlohmann::ordered_json& optimal = json["optimal"] = nlohmann::ordered_json::object();
    for (const MethodResult& entry : result.optimal) {
      optimal[std::string(method_name(entry.method))] =
          entry.rate.ok() ? rate_json(entry.rate.value())
                          : nlohmann::ordered_json{{"error", entry.rate.error()}};
    }
  }
  if (!result.lp.empty()) {
    nlohmann::ordered_json& lp = json["lp"] = nlohmann::ordered_json::object();
    for (const LpResult& entry : result.lp) {
      lp[entry.label] = entry.solution.ok() ? lp_json(entry.solution.value())
                                            : nlohmann::ordered_json{{"error", entry.solution.error()}};
    }
  }
  if (!result.verifiers.empty()) {
    nlohmann::ordered_json& verifiers = json["verifiers"] = nlohmann::ordered_json::object();
    for (const VerifierReport& report : result.verifiers) {
      verifiers[std::string(verifier_name(report.kind))] =
          report.acceptance.ok() ? acceptance_json(report.acceptance.value())
                                 : nlohmann::ordered_json{{"error", report.acceptance.error()}};
    }
    if (result.verifiers.front().simulation) {
      nlohmann::ordered_json& simulation = json["simulation"] = nlohmann::ordered_json::object();
      for (const VerifierReport& report : result.verifiers) {
        const auto& summary = *report.simulation;
        simulation[std::string(verifier_name(report.kind))] =
            summary.ok() ? simulation_json(summary.value())
                         : nlohmann::ordered_json{{"error", summary.error()}};
      }
    }
  }
  return json;
}

}  // namespace mdsd
