#include "calculation/calculate.hpp"

#include "core/message_text.hpp"
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

}  // namespace mdsd
