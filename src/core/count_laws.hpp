// The s-grid of README mathematics §3 and the truncated count laws
// P[N_H(t_j) = 0..n-1] at its nodes, updated as tokens join H; shared by the
// exact alpha* without replacement and the bounds for partial lists.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace mdsd {

// Below s_low the integrand r t e^{-rt} P[N >= n] is at most t^{n+1} / n!
// (r <= 1, P[N >= n] <= (q(H) t)^n / n!), whose integral up to s_low is
// e^{(n+1) s_low} / (n+1)!. Above r t = kLargestRate the weight's tail
// e^{-r t} is below e^{-40}. Both cuts cost less than 1e-16.
inline constexpr double kNegligible = 1e-17;
inline constexpr double kLargestRate = 40.0;
// P[N < n] below this at a node stays below it: the node is frozen at 0.
inline constexpr double kSaturated = 1e-30;
// Clock probabilities 1 - e^{-q t} below this are q t (see CountLaws::add).
inline constexpr double kChainStart = 1e-200;

// Nodes per doubling of t: P[N >= n] rises over a width ~ 1/sqrt(n) in s.
inline int default_chains(int drafts) {
  return std::max(3, static_cast<int>(std::ceil(std::sqrt(drafts))));
}

// The lowest s of the grid for n drafts and clock rates summing to <= 1.
inline double grid_low(int drafts) {
  return (std::log(kNegligible) + std::lgamma(drafts + 2.0)) / (drafts + 1.0);
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
    // Below q t = kChainStart the clock probability is q t to full precision;
    // the chains start above it, so that a head near the subnormal range
    // (a tiny q at the bottom of the grid) does not carry its lost digits up
    // the chain.
    const std::size_t start = std::min<std::size_t>(
        active_, static_cast<std::size_t>(
                     std::lower_bound(times_.begin(), times_.end(), kChainStart / q) - times_.begin()));
    double* rung = rung_.data();
    for (std::size_t j = 0; j < start; ++j) rung[j] = q * times_[j];
    for (std::size_t j = start; j < start + chains && j < active_; ++j) rung[j] = -std::expm1(-q * times_[j]);
    for (std::size_t j = start + chains; j < active_; ++j) rung[j] = rung[j - chains] * (2.0 - rung[j - chains]);
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
    freeze_saturated();
  }

  // A Poisson process of the given rate joins H: the limit of many tokens
  // whose rates sum to it (each ringing at most once). The law becomes its
  // convolution with Poisson(rate t_j), truncated below n.
  void add_poisson(double rate) {
    std::vector<double> poisson(static_cast<std::size_t>(drafts_));
    for (std::size_t j = 0; j < active_; ++j) {
      const double mean = rate * times_[j];
      poisson[0] = std::exp(-mean);
      for (int m = 1; m < drafts_; ++m) poisson[static_cast<std::size_t>(m)] = poisson[static_cast<std::size_t>(m - 1)] * mean / m;
      for (int m = drafts_ - 1; m >= 0; --m) {
        double convolved = 0.0;
        for (int i = 0; i <= m; ++i) {
          convolved += law_[static_cast<std::size_t>(i) * nodes_ + j] * poisson[static_cast<std::size_t>(m - i)];
        }
        law_[static_cast<std::size_t>(m) * nodes_ + j] = convolved;
      }
    }
    freeze_saturated();
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

  // P[N < n] falls with t: freeze the saturated nodes at the top.
  void freeze_saturated() {
    while (active_ > 1 && below_drafts(active_ - 1) < kSaturated) {
      --active_;
      for (int m = 0; m < drafts_; ++m) law_[static_cast<std::size_t>(m) * nodes_ + active_] = 0.0;
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

}  // namespace mdsd
