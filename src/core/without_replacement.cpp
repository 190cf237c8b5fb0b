#include "core/without_replacement.hpp"

#include "core/count_laws.hpp"
#include "core/draft_law.hpp"
#include "core/ratio_order.hpp"
#include "core/subset.hpp"

#include <algorithm>
#include <cmath>

namespace mdsd {
namespace {

// The grid's largest t is kept below e^kLargestLogTime so that t, and t times
// a weight, stay finite (see `scale` below).
constexpr double kLargestLogTime = 700.0;
// The bounds and the values are sums of up to 2^22 terms computed in
// different orders; pruning compares them with this slack so that rounding
// never discards the minimising prefix (for n = 1 the bounds are equal).
constexpr double kPruneSlack = 1e-9;

struct PrefixMasses {
  std::vector<double> target;   // p(H_k), k = 0..V
  std::vector<double> outside;  // r = 1 - q(H_k), summed from the tail: exactly 0 at the end
  std::vector<double> lower;    // a lower bound on p(H_k) - Q(H_k)
  double best_known = 0.0;      // an achieved value: min over k of an upper bound
};

// O(V n) bounds on every prefix value. Q(H) <= q(H)^n gives the lower bound;
// Q(H) >= prod_{i<n} (q(H) - M_i) / (1 - M_i), with M_i the sum of the i
// largest q in H, gives an upper bound (each successive draft falls in H with
// at least that conditional probability).
PrefixMasses prefix_masses(const Problem& problem, const std::vector<std::int32_t>& order) {
  const std::size_t vocabulary = order.size();
  const int drafts = problem.drafts;
  PrefixMasses masses;
  masses.target.assign(vocabulary + 1, 0.0);
  masses.outside.assign(vocabulary + 1, 0.0);
  masses.lower.assign(vocabulary + 1, 0.0);
  CompensatedSum tail, target_sum;
  for (std::size_t k = vocabulary; k-- > 0;) {
    tail.add(problem.draft[order[k]]);
    masses.outside[k] = tail.value();
  }
  std::vector<double> largest;  // the n - 1 largest q in H, descending
  double inside = 0.0;
  int drafted = 0;
  for (std::size_t k = 0; k <= vocabulary; ++k) {
    if (k > 0) {
      const double q = problem.draft[order[k - 1]];
      target_sum.add(problem.target[order[k - 1]]);
      masses.target[k] = target_sum.value();
      inside += q;
      if (q > 0.0) {
        ++drafted;
        largest.insert(std::upper_bound(largest.begin(), largest.end(), q, std::greater<>()), q);
        if (static_cast<int>(largest.size()) > drafts - 1) largest.pop_back();
      }
    }
    const double r = masses.outside[k];
    double upper_value;
    if (drafted < drafts) {  // Q = 0 exactly
      masses.lower[k] = upper_value = masses.target[k];
    } else if (r == 0.0) {   // Q = 1 exactly
      masses.lower[k] = upper_value = masses.target[k] - 1.0;
    } else {
      masses.lower[k] = masses.target[k] - all_inside_power(inside, r, drafts);
      double draft_lower = 1.0, taken = 0.0;
      for (int i = 0; i < drafts; ++i) {
        const double left = inside - taken;  // q(H) - M_i
        draft_lower *= left > 0.0 ? left / (r + left) : 0.0;
        if (i < drafts - 1) taken += largest[static_cast<std::size_t>(i)];
      }
      upper_value = masses.target[k] - draft_lower;
    }
    masses.best_known = std::min(masses.best_known, upper_value);
  }
  return masses;
}

// min over prefixes H of p(H) - Q(H) by the integral, as an OptimalRate
// whose alpha field holds that minimum (<= 0), not yet 1 + it.
OptimalRate minimum_by_integral(const Problem& problem, const std::vector<std::int32_t>& order,
                                const WithoutReplacementOptions& options) {
  const std::size_t vocabulary = order.size();
  const int drafts = problem.drafts;
  const PrefixMasses masses = prefix_masses(problem, order);

  // Prefixes that need the integral and can still win; the last of them has
  // the smallest r and so sets the top of the grid.
  std::size_t last_candidate = 0;
  bool any_candidate = false;
  int drafted = 0;
  for (std::size_t k = 0; k <= vocabulary; ++k) {
    if (k > 0 && problem.draft[order[k - 1]] > 0.0) ++drafted;
    const bool integral = drafted >= drafts && masses.outside[k] > 0.0;
    if (integral && (options.evaluate_every_prefix || masses.lower[k] <= masses.best_known + kPruneSlack)) {
      last_candidate = k;
      any_candidate = true;
    }
  }

  // Exact prefix values first (Q = 0 below n drafted tokens, Q = 1 once r = 0).
  double best_value = 0.0, best_draft = 0.0;
  std::size_t best_size = 0;
  auto consider = [&](std::size_t k, double draft_law_mass) {
    const double value = masses.target[k] - draft_law_mass;
    if (value < best_value) {
      best_value = value;
      best_size = k;
      best_draft = draft_law_mass;
    }
  };
  drafted = 0;
  for (std::size_t k = 0; k <= vocabulary; ++k) {
    if (k > 0 && problem.draft[order[k - 1]] > 0.0) ++drafted;
    if (drafted < drafts) consider(k, 0.0);
    else if (masses.outside[k] == 0.0) consider(k, 1.0);
  }

  if (any_candidate) {
    // Q(H) depends only on the ratios of the clock rates: multiplying every
    // rate by `scale` divides every t by it. When r is so small (a subnormal
    // draft mass outside H) that the grid's top t = kLargestRate / r would
    // overflow, the rates are scaled up so that it stays below
    // e^kLargestLogTime; both ends of the grid move down by log(scale)
    // (the s_low bound assumed rates <= 1).
    const double log_top = std::log(kLargestRate) - std::log(masses.outside[last_candidate]);
    const double log_scale = std::max(0.0, log_top - kLargestLogTime);
    const double scale = std::exp(log_scale);
    const double s_low = grid_low(drafts) - log_scale;
    const double s_high = log_top - log_scale;
    const int chains = options.chains > 0
                           ? options.chains
                           : default_chains(drafts);
    CountLaws laws(drafts, chains, s_low, std::max(s_high, s_low));
    drafted = 0;
    for (std::size_t k = 0; k <= last_candidate; ++k) {
      if (k > 0) {
        const double q = problem.draft[order[k - 1]];
        if (q > 0.0) {
          laws.add(q * scale);
          ++drafted;
        }
      }
      if (drafted < drafts || masses.outside[k] == 0.0) continue;
      if (options.evaluate_every_prefix || masses.lower[k] < best_value + kPruneSlack) {
        consider(k, std::clamp(laws.draft_law_mass(masses.outside[k] * scale), 0.0, 1.0));
      }
    }
  }

  return {best_value, sorted_prefix(order, best_size), masses.target[best_size], best_draft};
}

// The same minimum, with what successive sampling makes negligible taken out
// first (drafts that are near-certain, or all but impossible, would otherwise
// stretch the integral's grid over hundreds of orders of magnitude and cost
// seconds at full vocabularies: a temperature of 0.003 puts the draft's whole
// tail near 1e-308). Each step changes Q(H), for every H, by at most
// kNegligibleDraw; s_1 >= s_2 >= ... are the n largest q.
// - Tokens with q below kNegligibleDraw s_n / (n V) are never drawn: while
//   fewer than n tokens are drawn, one of the n largest is left, so each draw
//   picks one of those tokens with chance below V q / s_n.
// - If the tokens T after the k largest (k < n) hold a mass t_k with
//   k t_k <= kNegligibleDraw s_k, the first k draws are exactly the k largest
//   T; then Q(H) = 0 unless T is in H, and otherwise the remaining n - k
//   drafts are successive sampling from the rest, renormalised: a problem of
//   the same kind with n - k drafts, solved the same way.
constexpr double kNegligibleDraw = 1e-18;

OptimalRate minimum_without_replacement(const Problem& problem, const std::vector<std::int32_t>& order,
                                        const WithoutReplacementOptions& options) {
  const Eigen::Index vocabulary = problem.draft.size();
  const int drafts = problem.drafts;
  // The n largest q, descending (ties: lower token id first).
  std::vector<std::int32_t> largest = greedy_fixed_drafts(problem.draft, drafts + 1);
  std::sort(largest.begin(), largest.end(), [&](std::int32_t a, std::int32_t b) {
    return problem.draft[a] > problem.draft[b] || (problem.draft[a] == problem.draft[b] && a < b);
  });
  const double smallest_of_largest = problem.draft[largest.back()];
  const double never_drawn = kNegligibleDraw * smallest_of_largest / (drafts * static_cast<double>(vocabulary));
  std::vector<bool> is_largest(static_cast<std::size_t>(vocabulary), false);
  for (const std::int32_t token : largest) is_largest[static_cast<std::size_t>(token)] = true;
  bool drops = false;
  double rest = 0.0;  // q outside the n largest, once the never-drawn tokens are out
  for (Eigen::Index i = 0; i < vocabulary; ++i) {
    if (is_largest[static_cast<std::size_t>(i)]) continue;
    const double q = problem.draft[i];
    if (q > 0.0 && q < never_drawn) drops = true;
    else rest += q;
  }
  // The smallest k whose first k draws are certain.
  int certain = 0;
  double after = rest;  // t_k: q after the k largest
  std::vector<double> tail(static_cast<std::size_t>(drafts), 0.0);
  for (int k = drafts - 1; k >= 1; --k) {
    after += problem.draft[largest[static_cast<std::size_t>(k)]];
    tail[static_cast<std::size_t>(k)] = after;
  }
  for (int k = 1; k < drafts; ++k) {
    if (k * tail[static_cast<std::size_t>(k)] <= kNegligibleDraw * problem.draft[largest[static_cast<std::size_t>(k - 1)]]) {
      certain = k;
      break;
    }
  }
  if (!drops && certain == 0) return minimum_by_integral(problem, order, options);

  Problem reduced = problem;
  if (drops) {
    for (Eigen::Index i = 0; i < vocabulary; ++i) {
      if (!is_largest[static_cast<std::size_t>(i)] && reduced.draft[i] < never_drawn) reduced.draft[i] = 0.0;
    }
  }
  if (certain == 0) {
    return minimum_without_replacement(reduced, order_by_ratio(reduced.target, reduced.draft), options);
  }
  // T = the `certain` largest: in every draft set; the rest is drawn from q
  // off T, renormalised by its (directly summed) mass.
  std::vector<std::int32_t> fixed(largest.begin(), largest.begin() + certain);
  double fixed_target = 0.0;
  for (const std::int32_t token : fixed) {
    fixed_target += reduced.target[token];
    reduced.target[token] = 0.0;
    reduced.draft[token] = 0.0;
  }
  reduced.draft /= tail[static_cast<std::size_t>(certain)];
  reduced.drafts = drafts - certain;
  OptimalRate inner = minimum_without_replacement(reduced, order_by_ratio(reduced.target, reduced.draft), options);
  const double value = fixed_target + inner.alpha;  // H = T + H'
  if (!(value < 0.0)) return {0.0, {}, 0.0, 0.0};   // H = {} is as good
  std::vector<std::int32_t> certificate = std::move(inner.certificate);
  certificate.insert(certificate.end(), fixed.begin(), fixed.end());
  std::sort(certificate.begin(), certificate.end());
  return {value, std::move(certificate), fixed_target + inner.certificate_target_mass, inner.certificate_draft_mass};
}

}  // namespace

OptimalRate optimal_rate_without_replacement(const Problem& problem,
                                             const std::vector<std::int32_t>& order,
                                             const WithoutReplacementOptions& options) {
  OptimalRate minimum = minimum_without_replacement(problem, order, options);
  minimum.alpha = std::clamp(1.0 + minimum.alpha, 0.0, 1.0);
  return minimum;
}

}  // namespace mdsd
