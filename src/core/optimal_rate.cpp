#include "core/optimal_rate.hpp"

#include "core/draft_law.hpp"
#include "core/ratio_order.hpp"
#include "core/subset.hpp"
#include "core/without_replacement.hpp"

#include <algorithm>
#include <cmath>

namespace mdsd {
namespace {

OptimalRate from_subset(std::vector<std::int32_t> certificate, double target_mass,
                        double draft_mass) {
  std::sort(certificate.begin(), certificate.end());
  const double alpha = std::clamp(1.0 + target_mass - draft_mass, 0.0, 1.0);
  return {alpha, std::move(certificate), target_mass, draft_mass};
}

}  // namespace

OptimalRate optimal_rate_with_replacement(const Problem& problem,
                                          const std::vector<std::int32_t>& order) {
  // Scan the prefixes H_k of the p/q order: value p(H_k) - q(H_k)^n, from
  // the longest down, so that 1 - q(H_k) is the tail summed so far (exactly 0
  // past the last q > 0) and no O(V) buffer is needed; ties go to the
  // shortest prefix, as a forward scan would choose.
  const std::size_t vocabulary = order.size();
  double target_total = 0.0, draft_total = 0.0;
  {
    CompensatedSum target_sum, draft_sum;
    for (const std::int32_t token : order) {
      target_sum.add(problem.target[token]);
      draft_sum.add(problem.draft[token]);
    }
    target_total = target_sum.value();
    draft_total = draft_sum.value();
  }
  CompensatedSum target_tail, draft_tail;  // over positions k..V-1
  double best_value = 0.0, best_target = 0.0, best_draft = 0.0;
  std::size_t best_size = 0;
  for (std::size_t k = vocabulary; k-- > 0;) {
    // H_{k+1} = the first k + 1 tokens; the tail after it is positions k+1..
    const double target_mass = target_total - target_tail.value();
    const double outside = draft_tail.value();
    const double draft_law_mass = all_inside_power(draft_total - outside, outside, problem.drafts);
    if (target_mass - draft_law_mass <= best_value) {
      best_value = target_mass - draft_law_mass;
      best_size = k + 1;
      best_target = target_mass;
      best_draft = draft_law_mass;
    }
    target_tail.add(problem.target[order[k]]);
    draft_tail.add(problem.draft[order[k]]);
  }
  if (!(best_value < 0.0)) return from_subset({}, 0.0, 0.0);  // H = {} wins a tie at 0
  return from_subset(sorted_prefix(order, best_size), best_target, best_draft);
}

OptimalRate optimal_rate_greedy(const Problem& problem) {
  // alpha* = p(T) + sum_{j not in T} min(p_j, q_j / (1 - q(T))); the
  // certificate is T plus the tokens where p_j is the smaller term.
  const auto fixed = greedy_fixed_drafts(problem.draft, problem.drafts);
  const double outside = mass_outside(problem.draft, fixed);
  std::vector<bool> is_fixed(static_cast<std::size_t>(problem.draft.size()), false);
  for (std::int32_t token : fixed) is_fixed[token] = true;

  std::vector<std::int32_t> certificate = fixed;
  double target_mass = 0.0, draft_mass = 0.0;
  for (std::int32_t token : fixed) target_mass += problem.target[token];
  for (Eigen::Index j = 0; j < problem.draft.size(); ++j) {
    if (is_fixed[static_cast<std::size_t>(j)]) continue;
    const double conditional_draft = problem.draft[j] / outside;
    if (problem.target[j] < conditional_draft) {
      certificate.push_back(static_cast<std::int32_t>(j));
      target_mass += problem.target[j];
      draft_mass += conditional_draft;
    }
  }
  // H = {} (value 0) is the minimum whenever no set containing T beats it;
  // kRoundoff absorbs the rounding of the two sums (alpha* = 1 either way).
  constexpr double kRoundoff = 1e-14;
  if (target_mass - draft_mass > -kRoundoff) return from_subset({}, 0.0, 0.0);
  return from_subset(std::move(certificate), target_mass, draft_mass);
}

OptimalRate optimal_rate_top_n(const Problem& problem) {
  // Q(H) = 1 when T lies inside H, else 0: the minimum of p(H) - Q(H) is
  // p(T) - 1, at H = T (a set without T gives p(H) >= 0).
  std::vector<std::int32_t> drafts = greedy_fixed_drafts(problem.draft, problem.drafts + 1);
  CompensatedSum target;
  for (const std::int32_t token : drafts) target.add(problem.target[token]);
  return from_subset(std::move(drafts), std::min(1.0, target.value()), 1.0);
}

Expected<OptimalRate> optimal_rate(const Problem& problem, DraftMethod method) {
  if (method == DraftMethod::greedy || method == DraftMethod::top_n) return optimal_rate(problem, method, {});
  return optimal_rate(problem, method, order_by_ratio(problem.target, problem.draft));
}

Expected<OptimalRate> optimal_rate(const Problem& problem, DraftMethod method,
                                   const std::vector<std::int32_t>& order) {
  if (method != DraftMethod::with_replacement) {
    const auto support = positive_count(problem.draft);
    if (support < problem.drafts) {
      return Error{std::string(method_name(method)) + " needs at least n = " +
                   std::to_string(problem.drafts) +
                   " draft tokens with positive probability; draft has " +
                   std::to_string(support)};
    }
  }
  switch (method) {
    case DraftMethod::with_replacement: return optimal_rate_with_replacement(problem, order);
    case DraftMethod::without_replacement: return optimal_rate_without_replacement(problem, order);
    case DraftMethod::greedy: return optimal_rate_greedy(problem);
    case DraftMethod::top_n: return optimal_rate_top_n(problem);
  }
  return Error{"unknown draft method"};
}

void drop_massless(const Problem& problem, std::vector<std::int32_t>& certificate) {
  std::erase_if(certificate, [&](std::int32_t token) {
    return problem.target[token] == 0.0 && problem.draft[token] == 0.0;
  });
}

}  // namespace mdsd
