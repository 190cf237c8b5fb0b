#include "core/without_replacement.hpp"

#include "core/subset.hpp"

#include <algorithm>
#include <cmath>

namespace mdsd {
namespace {

// Below s_low the integrand r t e^{-rt} P[N >= n] is at most t^{n+1} / n!
// (r <= 1, P[N >= n] <= (q(H) t)^n / n!), whose integral up to s_low is
// e^{(n+1) s_low} / (n+1)!. Above r t = kLargestRate the weight's tail
// e^{-r t} is below e^{-40}. Both cuts cost less than 1e-16.
constexpr double kNegligible = 1e-17;
constexpr double kLargestRate = 40.0;
// P[N < n] below this at a node stays below it: the node is frozen at 0.
constexpr double kSaturated = 1e-30;
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
  for (std::size_t k = vocabulary; k-- > 0;) {
    masses.outside[k] = masses.outside[k + 1] + problem.draft[order[k]];
  }
  std::vector<double> largest;  // the n - 1 largest q in H, descending
  double inside = 0.0;
  int drafted = 0;
  for (std::size_t k = 0; k <= vocabulary; ++k) {
    if (k > 0) {
      const double q = problem.draft[order[k - 1]];
      masses.target[k] = masses.target[k - 1] + problem.target[order[k - 1]];
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
      masses.lower[k] = masses.target[k] - integer_power(std::min(inside, 1.0), drafts);
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

// The s-grid and the truncated count laws at its nodes, structure of arrays
// (law[m * nodes + j] = P[N_H(t_j) = m]) so that the updates vectorise.
class CountLaws {
 public:
  CountLaws(int drafts, int chains, double s_low, double s_high)
      : drafts_(drafts), chains_(chains), step_(std::log(2.0) / chains) {
    nodes_ = static_cast<std::size_t>(std::max(0.0, std::ceil((s_high - s_low) / step_))) + 1;
    nodes_ = std::max<std::size_t>(nodes_, static_cast<std::size_t>(chains));
    times_.resize(nodes_);
    for (std::size_t j = 0; j < nodes_; ++j) times_[j] = std::exp(s_low + step_ * j);
    law_.assign(nodes_ * static_cast<std::size_t>(drafts), 0.0);
    std::fill(law_.begin(), law_.begin() + static_cast<std::ptrdiff_t>(nodes_), 1.0);
    rung_.resize(nodes_);
    weight_.resize(nodes_);
    active_ = nodes_;
  }

  // Token with clock rate q > 0 joins H.
  void add(double q) {
    const std::size_t chains = static_cast<std::size_t>(chains_);
    for (std::size_t j = 0; j < chains && j < active_; ++j) rung_[j] = -std::expm1(-q * times_[j]);
    double* rung = rung_.data();
    for (std::size_t j = chains; j < active_; ++j) rung[j] = rung[j - chains] * (2.0 - rung[j - chains]);
    switch (drafts_) {
      case 1: update<1>(); break;
      case 2: update<2>(); break;
      case 3: update<3>(); break;
      case 4: update<4>(); break;
      case 5: update<5>(); break;
      case 6: update<6>(); break;
      case 7: update<7>(); break;
      case 8: update<8>(); break;
      default: update_any(); break;
    }
    // P[N < n] falls with t: freeze the saturated nodes at the top.
    while (active_ > 1 && below_drafts(active_ - 1) < kSaturated) {
      --active_;
      for (int m = 0; m < drafts_; ++m) law_[static_cast<std::size_t>(m) * nodes_ + active_] = 0.0;
    }
  }

  // Q(H) = h sum_j r t_j e^{-r t_j} P[N_H(t_j) >= n] for the current H.
  double draft_law_mass(double rate) {
    // Top node: r t <= kLargestRate; above it the weights are negligible.
    const double top_s = std::log(kLargestRate / rate);
    const double from_first = (top_s - std::log(times_[0])) / step_;
    if (from_first < 0.0) return 0.0;  // unreachable: the grid covers every candidate
    const std::size_t top = std::min(nodes_ - 1, static_cast<std::size_t>(from_first));
    const std::size_t chains = static_cast<std::size_t>(chains_);
    double* weight = weight_.data();
    // Chain heads by exp, then down each chain: e^{-x/2} = sqrt(e^{-x}).
    for (std::size_t c = 0; c < chains && c <= top; ++c) weight[top - c] = std::exp(-rate * times_[top - c]);
    for (std::size_t j = top + 1 - std::min(top + 1, chains); j-- > 0;) weight[j] = std::sqrt(weight[j + chains]);
    double mass = 0.0;
    for (std::size_t j = 0; j <= top; ++j) {
      const double reached = j < active_ ? 1.0 - below_drafts(j) : 1.0;
      mass += times_[j] * weight[j] * reached;
    }
    return mass * rate * step_;
  }

 private:
  // One pass over the nodes with the n laws in registers: P[N = m] gains the
  // chance that the new clock rang when N was m - 1 and loses it for m.
  template <int kDrafts>
  void update() {
    const double* rung = rung_.data();
    double* law = law_.data();
    const std::size_t stride = nodes_;
    for (std::size_t j = 0; j < active_; ++j) {
      const double a = rung[j];
      double before = law[j];
      law[j] = before - a * before;
      for (int m = 1; m < kDrafts; ++m) {
        const double current = law[m * stride + j];
        law[m * stride + j] = current + a * (before - current);
        before = current;
      }
    }
  }

  void update_any() {
    const double* rung = rung_.data();
    for (int m = drafts_ - 1; m >= 0; --m) {
      double* law = &law_[static_cast<std::size_t>(m) * nodes_];
      if (m > 0) {
        const double* below = law - nodes_;
        for (std::size_t j = 0; j < active_; ++j) law[j] += rung[j] * (below[j] - law[j]);
      } else {
        for (std::size_t j = 0; j < active_; ++j) law[j] -= rung[j] * law[j];
      }
    }
  }

  double below_drafts(std::size_t j) const {
    double below = 0.0;
    for (int m = 0; m < drafts_; ++m) below += law_[static_cast<std::size_t>(m) * nodes_ + j];
    return below;
  }

  int drafts_, chains_;
  double step_;
  std::size_t nodes_, active_;
  std::vector<double> times_, law_, rung_, weight_;
};

}  // namespace

OptimalRate optimal_rate_without_replacement(const Problem& problem,
                                             const std::vector<std::int32_t>& order,
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
    const double s_low = (std::log(kNegligible) + std::lgamma(drafts + 2.0)) / (drafts + 1.0);
    const double s_high = std::log(kLargestRate / masses.outside[last_candidate]);
    const int chains = options.chains > 0
                           ? options.chains
                           : std::max(3, static_cast<int>(std::ceil(std::sqrt(drafts))));
    CountLaws laws(drafts, chains, s_low, std::max(s_high, s_low));
    drafted = 0;
    for (std::size_t k = 0; k <= last_candidate; ++k) {
      if (k > 0) {
        const double q = problem.draft[order[k - 1]];
        if (q > 0.0) {
          laws.add(q);
          ++drafted;
        }
      }
      if (drafted < drafts || masses.outside[k] == 0.0) continue;
      if (options.evaluate_every_prefix || masses.lower[k] < best_value + kPruneSlack) {
        consider(k, std::clamp(laws.draft_law_mass(masses.outside[k]), 0.0, 1.0));
      }
    }
  }

  return {std::clamp(1.0 + best_value, 0.0, 1.0), sorted_prefix(order, best_size),
          masses.target[best_size], best_draft};
}

}  // namespace mdsd
