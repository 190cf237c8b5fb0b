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
  return json;
}

}  // namespace mdsd
