// The s-grid of README mathematics §3 and the truncated count laws
// P[N_H(t_j) = 0..n-1] at its nodes, updated as tokens join H; shared by the
// exact alpha* without replacement and the bounds for partial lists.
#pragma once

#include "core/log_gamma.hpp"

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
  return (std::log(kNegligible) + log_gamma(drafts + 2.0)) / (drafts + 1.0);
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
    term_.resize(nodes_);
    active_ = nodes_;
  }

  // Token with clock rate q > 0 joins H.
  void add(double q) {
    fill_rung(q, rung_.data());
    update(rung_.data());
    freeze_saturated();
  }

  // Tokens with clock rates scale * rates[i], i < count, join H one after
  // the other, with the same results as add() for each (rates of 0 are
  // skipped: such a clock never rings). after_each(i) runs once token i has
  // joined when watched(i); otherwise it may run later, once more tokens
  // have joined.
  // - Each node's clock probability waits on the one a doubling below (a
  //   chain of `chains` nodes), so one token at a time is bound by that
  //   latency; kBatch tokens side by side, one vector lane each, are not.
  // - kBatch tokens between watched ones join in one pass over the nodes,
  //   the laws staying in registers (add_batch).
  template <class Watched, class AfterEach>
  void add_each(const double* rates, std::size_t count, double scale, Watched&& watched,
                AfterEach&& after_each) {
    if (batch_rows_.empty()) batch_rows_.resize(nodes_ * kBatch);
    double batch[kBatch];
    for (std::size_t first = 0; first < count;) {
      // The next kBatch positive rates, and the end of the range holding
      // them, which stops after a watched token.
      std::size_t size = 0, end = first;
      while (end < count && size < kBatch) {
        if (rates[end] > 0.0) batch[size++] = rates[end] * scale;
        if (watched(end++)) break;
      }
      const bool together = size > 0 && fill_batch_rung(batch, size);
      if (together && size > 1) {
        add_batch(size);
        for (std::size_t i = first; i < end; ++i) after_each(i);
      } else {
        std::size_t lane = 0;
        for (std::size_t i = first; i < end; ++i) {
          if (rates[i] > 0.0) {
            if (together) {
              update(batch_rows_.data() + lane * nodes_);
              freeze_saturated();
            } else {
              add(batch[lane]);
            }
            ++lane;
          }
          after_each(i);
        }
      }
      first = end;
    }
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
    for (std::size_t lane = 0; lane < prepared_; ++lane) {
      if (prepared_rates_[lane] == rate) return mass_with<kBatch>(rate, prepared_tops_[lane], batch_weight_.data() + lane);
    }
    const std::ptrdiff_t top = top_node(rate);
    if (top < 0) return 0.0;  // unreachable: the grid covers every candidate
    const std::size_t chains = static_cast<std::size_t>(chains_);
    const auto last = static_cast<std::size_t>(top);
    double* weight = weight_.data();
    // Chain heads by exp, then down each chain: e^{-x/2} = sqrt(e^{-x}).
    for (std::size_t c = 0; c < chains && c <= last; ++c) weight[last - c] = std::exp(-rate * times_[last - c]);
    for (std::size_t j = last + 1 - std::min(last + 1, chains); j-- > 0;) weight[j] = std::sqrt(weight[j + chains]);
    return mass_with<1>(rate, last, weight);
  }

  // The weights e^{-r t_j} of draft_law_mass for up to kBatch rates that it
  // will be asked for (the same operations, so the same values), side by
  // side: like the clock probabilities, each waits on the one a doubling
  // above, and the square roots of one rate alone would wait in line.
  void prepare_draft_law_masses(const double* rates, std::size_t count) {
    if (batch_weight_.empty()) batch_weight_.resize(nodes_ * kBatch);
    const std::size_t chains = static_cast<std::size_t>(chains_);
    prepared_ = 0;
    std::size_t chain_end[kBatch] = {};  // the lane's square roots fill nodes below this
    std::size_t deepest = 0;
    double* weight = batch_weight_.data();
    for (std::size_t i = 0; i < count && prepared_ < kBatch; ++i) {
      const std::ptrdiff_t top = top_node(rates[i]);
      if (top < 0) continue;
      const std::size_t lane = prepared_++;
      const auto last = static_cast<std::size_t>(top);
      prepared_rates_[lane] = rates[i];
      prepared_tops_[lane] = last;
      for (std::size_t c = 0; c < chains && c <= last; ++c) {
        weight[(last - c) * kBatch + lane] = std::exp(-rates[i] * times_[last - c]);
      }
      chain_end[lane] = last + 1 - std::min(last + 1, chains);
      deepest = std::max(deepest, chain_end[lane]);
    }
    for (std::size_t j = deepest; j-- > 0;) {
      const double* above = weight + (j + chains) * kBatch;
      double* here = weight + j * kBatch;
      for (std::size_t lane = 0; lane < kBatch; ++lane) {
        const double root = std::sqrt(above[lane]);
        here[lane] = j < chain_end[lane] ? root : here[lane];
      }
    }
  }

  // Nodes still updated: above them P[N < n] fell below kSaturated.
  std::size_t active_nodes() const { return active_; }

  // Tokens, and rates, computed side by side.
  static constexpr std::size_t kBatch = 4;

 private:
  // The top node for a rate r: r t <= kLargestRate, above it the weights are
  // negligible; -1 when even t_0 is above.
  std::ptrdiff_t top_node(double rate) const {
    const double top_s = std::log(kLargestRate / rate);
    const double from_first = (top_s - std::log(times_[0])) / step_;
    if (from_first < 0.0) return -1;
    return static_cast<std::ptrdiff_t>(std::min(nodes_ - 1, static_cast<std::size_t>(from_first)));
  }

  // The terms first, in vectors, then their sum in node order.
  template <std::size_t kStride>
  double mass_with(double rate, std::size_t top, const double* weight) {
    double* term = term_.data();
    const std::size_t live = std::min(top + 1, active_);
    for (std::size_t j = 0; j < live; ++j) {
      double below = 0.0;
      for (int m = 0; m < drafts_; ++m) below += law_[static_cast<std::size_t>(m) * nodes_ + j];
      term[j] = times_[j] * weight[j * kStride] * (1.0 - below);
    }
    for (std::size_t j = live; j <= top; ++j) term[j] = times_[j] * weight[j * kStride];  // P[N >= n] = 1
    double mass = 0.0;
    for (std::size_t j = 0; j <= top; ++j) mass += term[j];
    return mass * rate * step_;
  }

  // The clock probabilities a_j = 1 - e^{-q t_j} of one token at rung[j],
  // j < active_.
  void fill_rung(double q, double* rung) const {
    const std::size_t chains = static_cast<std::size_t>(chains_);
    // Below q t = kChainStart the clock probability is q t to full precision;
    // the chains start above it, so that a head near the subnormal range
    // (a tiny q at the bottom of the grid) does not carry its lost digits up
    // the chain.
    const std::size_t start = std::min<std::size_t>(
        active_, static_cast<std::size_t>(
                     std::lower_bound(times_.begin(), times_.end(), kChainStart / q) - times_.begin()));
    for (std::size_t j = 0; j < start; ++j) rung[j] = q * times_[j];
    for (std::size_t j = start; j < start + chains && j < active_; ++j) rung[j] = -std::expm1(-q * times_[j]);
    for (std::size_t j = start + chains; j < active_; ++j) rung[j] = rung[j - chains] * (2.0 - rung[j - chains]);
  }

  // fill_rung for `batch` <= kBatch tokens at once, token i's at
  // batch_rows_[i * nodes_ + j] (the same operations, so the same values).
  // False, with nothing done, when a chain would not start at the first node
  // (some q t_0 below kChainStart): add() handles those.
  bool fill_batch_rung(const double* rates, std::size_t batch) {
    for (std::size_t lane = 0; lane < batch; ++lane) {
      if (times_[0] < kChainStart / rates[lane]) return false;
    }
    const std::size_t chains = static_cast<std::size_t>(chains_);
    const std::size_t heads = std::min(chains, active_);
    const std::size_t row = nodes_;  // token i's clock probabilities at rows[i * row + j]
    double* rows = batch_rows_.data();
    double q[kBatch];
    // Unused lanes repeat the last rate: computed, never read.
    for (std::size_t lane = 0; lane < kBatch; ++lane) q[lane] = rates[std::min(lane, batch - 1)];
    for (std::size_t j = 0; j < heads; ++j) {
      for (std::size_t lane = 0; lane < kBatch; ++lane) rows[lane * row + j] = -std::expm1(-q[lane] * times_[j]);
    }
    std::size_t j = heads;
    if (chains == 3) {
      // The default: the three chains' last nodes stay in registers (through
      // memory, each step would also wait for the store to come back).
      double last[3][kBatch];
      for (std::size_t c = 0; c < 3; ++c) {
        for (std::size_t lane = 0; lane < kBatch; ++lane) last[c][lane] = rows[lane * row + c];
      }
      for (; j + 3 <= active_; j += 3) {
        for (std::size_t c = 0; c < 3; ++c) {
          for (std::size_t lane = 0; lane < kBatch; ++lane) {
            last[c][lane] = last[c][lane] * (2.0 - last[c][lane]);
            rows[lane * row + j + c] = last[c][lane];
          }
        }
      }
    }
    for (; j < active_; ++j) {
      for (std::size_t lane = 0; lane < kBatch; ++lane) {
        const double below = rows[lane * row + j - chains];
        rows[lane * row + j] = below * (2.0 - below);
      }
    }
    return true;
  }

  // One token joins, its clock probabilities at rung[j].
  void update(const double* rung) {
    switch (drafts_) {
      case 1: update<1>(rung); break;
      case 2: update<2>(rung); break;
      case 3: update<3>(rung); break;
      case 4: update<4>(rung); break;
      case 5: update<5>(rung); break;
      case 6: update<6>(rung); break;
      case 7: update<7>(rung); break;
      case 8: update<8>(rung); break;
      default: update_any(rung); break;
    }
  }

  // One clock that rang with chance a joins the law P[N = 0..n-1] of one
  // node, held in registers (the update below, for one node).
  template <int kDrafts>
  static void join_clock(double (&value)[kDrafts], double a) {
    double before = value[0];
    value[0] = before - a * before;
    for (int m = 1; m < kDrafts; ++m) {
      const double current = value[m];
      value[m] = current + a * (before - current);
      before = current;
    }
  }

  // One pass over the nodes with the n laws in registers: P[N = m] gains the
  // chance that the new clock rang when N was m - 1 and loses it for m.
  template <int kDrafts>
  void update(const double* rung) {
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

  // The first `size` (2 to kBatch) tokens of batch_rows_ join one after the
  // other, with the results of update + freeze_saturated for each. From the top node down,
  // node j freezes after token b when every node above it froze by then and
  // P[N < n] < kSaturated there, as freeze_saturated would find; below the
  // first node that stays live in the batch, none can freeze, and the rest
  // is plain updates, all kBatch tokens per pass with the laws in registers.
  void add_batch(std::size_t size) {
#if defined(__EMSCRIPTEN__)
    // WebAssembly keeps the kernels of a full batch only: with those for 2
    // and 3 tokens too, alpha* without replacement at V = 152,064 took 43
    // instead of 34 ms (n = 4; 49 instead of 36 at n = 8) and the module was
    // larger. Fewer tokens join one at a time, with the same results.
    if (size != kBatch) {
      for (std::size_t lane = 0; lane < size; ++lane) {
        update_any(batch_rows_.data() + lane * nodes_);
        freeze_saturated();
      }
      return;
    }
    add_batch<kBatch>();
#else
    switch (size) {
      case 2: add_batch<2>(); break;
      case 3: add_batch<3>(); break;
      default: add_batch<kBatch>(); break;
    }
#endif
  }

  template <std::size_t kSize>
  void add_batch() {
    switch (drafts_) {
      case 1: add_batch<1, kSize>(); break;
      case 2: add_batch<2, kSize>(); break;
      case 3: add_batch<3, kSize>(); break;
      case 4: add_batch<4, kSize>(); break;
#if !defined(MDSD_SMALL_KERNELS)  // the page's first module: n > 4 token by token (its size)
      case 5: add_batch<5, kSize>(); break;
      case 6: add_batch<6, kSize>(); break;
      case 7: add_batch<7, kSize>(); break;
      case 8: add_batch<8, kSize>(); break;
#endif
      default:
        for (std::size_t lane = 0; lane < kSize; ++lane) {
          update_any(batch_rows_.data() + lane * nodes_);
          freeze_saturated();
        }
        break;
    }
  }

  template <int kDrafts, std::size_t kSize>
  void add_batch() {
    const double* rows = batch_rows_.data();
    double* law = law_.data();
    const std::size_t stride = nodes_;
    // Nodes that freeze during the batch, from the top.
    std::size_t live = active_;   // nodes below this are not frozen
    std::size_t frozen_by = 0;    // tokens after which every node above has frozen
    while (live > 0) {
      const std::size_t j = live - 1;
      double value[kDrafts];
      for (int m = 0; m < kDrafts; ++m) value[m] = law[m * stride + j];
      std::size_t froze_after = kSize + 1;  // tokens after which node j froze: none
      for (std::size_t lane = 0; lane < kSize; ++lane) {
        join_clock<kDrafts>(value, rows[lane * stride + j]);
        if (lane + 1 >= frozen_by && j > 0) {
          double below = 0.0;
          for (int m = 0; m < kDrafts; ++m) below += value[m];
          if (below < kSaturated) {
            froze_after = lane + 1;
            break;
          }
        }
      }
      if (froze_after > kSize) {
        // Live through the batch: so are all nodes below.
        for (int m = 0; m < kDrafts; ++m) law[m * stride + j] = value[m];
        break;
      }
      for (int m = 0; m < kDrafts; ++m) law[m * stride + j] = 0.0;
      frozen_by = std::max(frozen_by, froze_after);
      --live;
    }
    active_ = live;
    // The nodes below the first live one (which is done): plain updates.
    const std::size_t plain = live > 0 ? live - 1 : 0;
    constexpr std::size_t kWidth = 4;  // nodes per step: one vector
    std::size_t j = 0;
    for (; j + kWidth <= plain; j += kWidth) {
      double value[kDrafts][kWidth];
      for (int m = 0; m < kDrafts; ++m) {
        for (std::size_t w = 0; w < kWidth; ++w) value[m][w] = law[m * stride + j + w];
      }
      for (std::size_t lane = 0; lane < kSize; ++lane) {
        double a[kWidth], before[kWidth];
        for (std::size_t w = 0; w < kWidth; ++w) {
          a[w] = rows[lane * stride + j + w];
          before[w] = value[0][w];
          value[0][w] = before[w] - a[w] * before[w];
        }
        for (int m = 1; m < kDrafts; ++m) {
          for (std::size_t w = 0; w < kWidth; ++w) {
            const double current = value[m][w];
            value[m][w] = current + a[w] * (before[w] - current);
            before[w] = current;
          }
        }
      }
      for (int m = 0; m < kDrafts; ++m) {
        for (std::size_t w = 0; w < kWidth; ++w) law[m * stride + j + w] = value[m][w];
      }
    }
    for (; j < plain; ++j) {
      double value[kDrafts];
      for (int m = 0; m < kDrafts; ++m) value[m] = law[m * stride + j];
      for (std::size_t lane = 0; lane < kSize; ++lane) {
        join_clock<kDrafts>(value, rows[lane * stride + j]);
      }
      for (int m = 0; m < kDrafts; ++m) law[m * stride + j] = value[m];
    }
  }

  void update_any(const double* rung) {
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
  std::vector<double> times_, law_, rung_, weight_, batch_rows_, batch_weight_, term_;
  // The rates prepare_draft_law_masses computed weights for, and their top nodes.
  std::size_t prepared_ = 0;
  double prepared_rates_[kBatch] = {};
  std::size_t prepared_tops_[kBatch] = {};
};

}  // namespace mdsd
