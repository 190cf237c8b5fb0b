#include "core/without_replacement.hpp"

#include "core/count_laws.hpp"
#include "core/draft_law.hpp"
#include "core/ratio_order.hpp"
#include "core/subset.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

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
  std::vector<double> draft;    // q of the token at each position of the order
  std::vector<double> target;   // p(H_k), k = 0..V
  std::vector<double> outside;  // r = 1 - q(H_k), summed from the tail: exactly 0 at the end
  std::vector<double> lower;    // a lower bound on p(H_k) - Q(H_k)
  double best_known = 0.0;      // an achieved value: min over k of an upper bound
  // c = sum_{l < n} 1 / (T - M_l), M_l the sum of the l largest q: adding
  // tokens J to H raises Q(H) by at most c q(J) (each draft falls in J with
  // chance at most q(J) / (T - M_l)), so past the first token with
  // p_i >= c q_i in the order, the prefix values only grow.
  double growth = 0.0;
};

// O(V n) bounds on every prefix value, from the chance Q2(H) that the first
// two drafts fall in H, exact and O(1) per prefix (T = q(V), the total):
//
//   Q2(H) = sum_{i in H} (q_i / T) (q(H) - q_i) / (T - q_i)
//         = (q(H) A - B) / T,  A = sum q_i / (T - q_i),  B = sum q_i^2 / (T - q_i).
//
// Given that the drafts so far lie in H and hold a mass S, the next one
// falls in H with chance (q(H) - S) / (T - S), which falls as S grows; S is
// at most M_i, the sum of the i largest q in H. So
//   Q2(H) prod_{2 <= i < n} (q(H) - M_i) / (T - M_i) <= Q(H) <= Q2(H) q(H)^{n-2}.
// For n = 1, Q(H) = q(H). The bounds only prune, with kPruneSlack for their
// rounding.
PrefixMasses prefix_masses(const Problem& problem, const std::vector<std::int32_t>& order) {
  const std::size_t vocabulary = order.size();
  const int drafts = problem.drafts;
  PrefixMasses masses;
  masses.draft.resize(vocabulary);
  masses.target.assign(vocabulary + 1, 0.0);
  masses.outside.assign(vocabulary + 1, 0.0);
  masses.lower.assign(vocabulary + 1, 0.0);
  // One pass of random access into p and q; every later pass reads in order.
  // T - q_i for the largest q (the only one that can exceed T / 2, where
  // T - q_i would lose its digits) is the other tokens' mass, summed directly.
  std::size_t heaviest = 0;
  for (std::size_t k = 0; k < vocabulary; ++k) {
    masses.draft[k] = problem.draft[order[k]];
    masses.target[k + 1] = problem.target[order[k]];
    if (masses.draft[k] > masses.draft[heaviest]) heaviest = k;
  }
  CompensatedSum tail, target_sum, others;
  for (std::size_t k = vocabulary; k-- > 0;) {
    tail.add(masses.draft[k]);
    masses.outside[k] = tail.value();
    if (k != heaviest) others.add(masses.draft[k]);
  }
  const double total = masses.outside[0], others_of_heaviest = others.value();
  for (std::size_t k = 1; k <= vocabulary; ++k) {
    target_sum.add(masses.target[k]);
    masses.target[k] = target_sum.value();
  }
  // The n - 1 largest q in H, descending (zeros until n - 1 tokens with q > 0
  // joined), and left[i] = q(H) - M_i summed as such: a token leaving the
  // top i joins it, so no difference of near-equal sums loses its digits.
  std::vector<double> largest(static_cast<std::size_t>(drafts - 1), 0.0);
  std::vector<double> left(static_cast<std::size_t>(drafts), 0.0);
  // A = sum q_i / (T - q_i) and B = sum q_i^2 / (T - q_i) over H without the
  // heaviest token, whose term q_h (q(H) - q_h) / (T - q_h) takes q(H) - q_h
  // from its own sum: with q_h near T, A and B are near 1 / (T - q_h).
  double first_sum = 0.0, second_sum = 0.0, others_inside = 0.0;
  bool heaviest_inside = false;
  int drafted = 0;
  for (std::size_t k = 0; k <= vocabulary; ++k) {
    if (k > 0) {
      const double q = masses.draft[k - 1];
      if (q > 0.0) {
        ++drafted;
        if (k - 1 == heaviest) {
          heaviest_inside = true;
        } else {
          others_inside += q;
          first_sum += q / (total - q);
          second_sum += q * (q / (total - q));
        }
        left[0] += q;
        double joining = q;  // the token that joins H minus its top i
        for (std::size_t i = 1; i < left.size(); ++i) {
          if (joining > largest[i - 1]) std::swap(joining, largest[i - 1]);
          left[i] += joining;
        }
      }
    }
    const double inside = left[0];
    const double r = masses.outside[k];
    double upper_value;
    if (drafted < drafts) {  // Q = 0 exactly
      masses.lower[k] = upper_value = masses.target[k];
    } else if (r == 0.0) {   // Q = 1 exactly
      masses.lower[k] = upper_value = masses.target[k] - 1.0;
    } else {
      if (drafts == 1) {  // Q(H) = q(H)
        masses.lower[k] = masses.target[k] - all_inside_power(inside, r, 1);
        upper_value = masses.target[k] - inside / (r + inside);
      } else {
        double two_inside = inside * first_sum - second_sum;  // Q2(H) T
        if (heaviest_inside) two_inside += masses.draft[heaviest] * (others_inside / others_of_heaviest);
        two_inside = std::max(0.0, two_inside / total);
        masses.lower[k] = masses.target[k] - two_inside * all_inside_power(inside, r, drafts - 2);
        // Only a value below the best so far can lower it.
        if (masses.lower[k] < masses.best_known) {
          double draft_lower = two_inside;
          for (std::size_t i = 2; i < left.size(); ++i) {
            draft_lower *= left[i] > 0.0 ? left[i] / (r + left[i]) : 0.0;  // (q(H) - M_i) / (T - M_i)
          }
          upper_value = masses.target[k] - draft_lower;
        } else {
          upper_value = masses.best_known;
        }
      }
    }
    masses.best_known = std::min(masses.best_known, upper_value);
  }
  // At k = V, left[l] = T - M_l; raised by 1e-12 for the rounding.
  for (const double rest : left) masses.growth += rest > 0.0 ? 1.0 / rest : std::numeric_limits<double>::infinity();
  masses.growth *= 1.0 + 1e-12;
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
  // From H_{k0}, k0 the first token with p >= c q (the order sorts by p / q,
  // so all after it have one too), adding tokens J raises the value by at
  // least p(J) - c q(J) >= 0: a prefix for which that exceeds kPruneSlack
  // cannot win.
  const auto grows = [&](std::size_t i) { return problem.target[order[i]] >= masses.growth * problem.draft[order[i]]; };
  std::size_t from = 0, to = vocabulary;  // binary search for k0
  while (from < to) {
    const std::size_t middle = from + (to - from) / 2;
    if (grows(middle)) to = middle;
    else from = middle + 1;
  }
  const std::size_t growing_from = from;
  std::vector<std::size_t> candidates;
  int drafted = 0;
  for (std::size_t k = 0; k <= vocabulary; ++k) {
    if (k > 0 && masses.draft[k - 1] > 0.0) ++drafted;
    const bool integral = drafted >= drafts && masses.outside[k] > 0.0;
    if (!options.evaluate_every_prefix && k > growing_from) {
      const double growth = (masses.target[k] - masses.target[growing_from]) -
                            masses.growth * (masses.outside[growing_from] - masses.outside[k]);
      if (growth > kPruneSlack) break;
    }
    if (integral && (options.evaluate_every_prefix || masses.lower[k] <= masses.best_known + kPruneSlack)) {
      candidates.push_back(k);
    }
  }
  const bool any_candidate = !candidates.empty();
  const std::size_t last_candidate = any_candidate ? candidates.back() : 0;

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
    if (k > 0 && masses.draft[k - 1] > 0.0) ++drafted;
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
    // Token k - 1 of the order joins to make H_k. Every prefix evaluated is
    // a candidate; the weights of the next few candidates are prepared at once.
    drafted = 0;
    std::size_t next_candidate = 0, prepared_end = 0;  // indices into candidates
    std::vector<unsigned char> is_candidate(last_candidate + 1, 0);
    for (const std::size_t k : candidates) is_candidate[k] = 1;
    const auto watched = [&](std::size_t token) { return is_candidate[token + 1] != 0; };
    laws.add_each(masses.draft.data(), last_candidate, scale, watched, [&](std::size_t token) {
      const std::size_t k = token + 1;
      if (masses.draft[token] > 0.0) ++drafted;
      if (drafted < drafts || masses.outside[k] == 0.0) return;
      // best_known is an achieved value too: what cannot beat it cannot win.
      if (options.evaluate_every_prefix || masses.lower[k] < std::min(best_value, masses.best_known) + kPruneSlack) {
        while (next_candidate + 1 < candidates.size() && candidates[next_candidate] < k) ++next_candidate;
        if (next_candidate >= prepared_end) {
          double rates[CountLaws::kBatch];
          prepared_end = std::min(candidates.size(), next_candidate + CountLaws::kBatch);
          for (std::size_t i = next_candidate; i < prepared_end; ++i) {
            rates[i - next_candidate] = masses.outside[candidates[i]] * scale;
          }
          laws.prepare_draft_law_masses(rates, prepared_end - next_candidate);
        }
        consider(k, std::clamp(laws.draft_law_mass(masses.outside[k] * scale), 0.0, 1.0));
      }
    });
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
  // The n largest q, descending (ties: lower token id first), in one pass:
  // a token enters when it beats the smallest kept one.
  std::vector<std::int32_t> largest;
  largest.reserve(static_cast<std::size_t>(drafts) + 1);
  for (Eigen::Index i = 0; i < vocabulary; ++i) {
    const double q = problem.draft[i];
    if (largest.size() == static_cast<std::size_t>(drafts) && !(q > problem.draft[largest.back()])) continue;
    std::size_t at = largest.size();
    while (at > 0 && q > problem.draft[largest[at - 1]]) --at;
    largest.insert(largest.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::int32_t>(i));
    if (largest.size() > static_cast<std::size_t>(drafts)) largest.pop_back();
  }
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
  // H' may hold tokens of T already (zeroed above, they sit among the
  // massless tokens of the reduced order): H is the union, each id once.
  std::vector<std::int32_t> certificate = std::move(inner.certificate);
  certificate.insert(certificate.end(), fixed.begin(), fixed.end());
  std::sort(certificate.begin(), certificate.end());
  certificate.erase(std::unique(certificate.begin(), certificate.end()), certificate.end());
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
