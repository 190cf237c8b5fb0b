// core/count_laws: the batched paths (add_each, prepare_draft_law_masses)
// against one token at a time, bit for bit, and the chained grid against a
// direct evaluation of the same sum (an expm1 and an exp at every node).
#include "core/count_laws.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace mdsd::test {
namespace {

// Rates of a token list: mostly spread over many decades, with zeros (never
// ring), a few heavy ones (which saturate the top nodes, so that nodes
// freeze in the middle of a batch) and, when asked, some below 1e-200 (whose
// chains cannot start at the first node).
std::vector<double> random_rates(std::mt19937_64& rng, std::size_t count, bool tiny) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> rates(count);
  for (double& rate : rates) {
    const double kind = uniform(rng);
    if (kind < 0.1) rate = 0.0;
    else if (kind < 0.15) rate = 0.2 + 0.3 * uniform(rng);
    else if (tiny && kind < 0.2) rate = 1e-250 * uniform(rng) + 1e-300;
    else rate = std::pow(10.0, -12.0 * uniform(rng)) * 1e-2;
  }
  return rates;
}

// Q(H) for the rates of H at the grid's nodes, every clock probability and
// weight from expm1 and exp, the laws P[N = m] node by node.
double direct_draft_law_mass(const std::vector<double>& inside, double outside, int drafts, int chains,
                             double s_low, double s_high) {
  const double step = std::log(2.0) / chains;
  const auto nodes = std::max<std::size_t>(
      static_cast<std::size_t>(std::max(0.0, std::ceil((s_high - s_low) / step))) + 1,
      static_cast<std::size_t>(chains));
  double mass = 0.0;
  for (std::size_t j = 0; j < nodes; ++j) {
    const double t = std::exp(s_low + step * j);
    if (outside * t > kLargestRate * 1.0000001) break;
    std::vector<double> law(static_cast<std::size_t>(drafts), 0.0);
    law[0] = 1.0;
    for (const double q : inside) {
      if (q == 0.0) continue;
      const double a = -std::expm1(-q * t);
      for (int m = drafts - 1; m > 0; --m) law[m] += a * (law[m - 1] - law[m]);
      law[0] -= a * law[0];
    }
    double below = 0.0;
    for (const double value : law) below += value;
    mass += t * std::exp(-outside * t) * (1.0 - below);
  }
  return mass * outside * step;
}

}  // namespace

TEST_CASE("add_each joins tokens exactly as add does, one at a time") {
  std::mt19937_64 rng(83);
  int frozen = 0;  // trials where nodes froze
  for (int trial = 0; trial < 120; ++trial) {
    const int drafts = std::vector<int>{1, 2, 3, 4, 5, 8, 9, 12}[trial % 8];
    const int chains = trial < 60 ? default_chains(drafts) : 1 + trial % 5;
    const std::size_t count = std::uniform_int_distribution<std::size_t>(1, 300)(rng);
    const std::vector<double> rates = random_rates(rng, count, trial % 3 == 0);
    const double scale = trial % 4 == 0 ? 8.0 : 1.0;
    // Watched tokens: none, all, or one in `gap` on average.
    const int gap = std::vector<int>{0, 1, 2, 7, 50}[trial % 5];
    std::vector<bool> watched(count, false);
    for (std::size_t i = 0; i < count; ++i) {
      watched[i] = gap == 1 || (gap > 1 && std::uniform_int_distribution<int>(0, gap - 1)(rng) == 0);
    }
    watched[count - 1] = true;
    const double s_low = grid_low(drafts), s_high = std::log(kLargestRate / 1e-9);
    CAPTURE(trial);
    CAPTURE(drafts);
    CAPTURE(chains);
    CountLaws one_by_one(drafts, chains, s_low, s_high), batched(drafts, chains, s_low, s_high);
    const std::vector<double> outside_rates = {1e-9, 3e-5, 0.2, 1.0};
    std::size_t next = 0, checked = 0;
    batched.add_each(rates.data(), count, scale, [&](std::size_t i) { return bool(watched[i]); },
                     [&](std::size_t i) {
                       CHECK(i == next);  // each token once, in order
                       for (; next <= i; ++next) {
                         if (rates[next] > 0.0) one_by_one.add(rates[next] * scale);
                       }
                       if (!watched[i]) return;
                       CHECK(batched.active_nodes() == one_by_one.active_nodes());
                       for (const double outside : outside_rates) {
                         CHECK(batched.draft_law_mass(outside) == one_by_one.draft_law_mass(outside));
                       }
                       ++checked;
                     });
    CHECK(next == count);
    frozen += batched.active_nodes() < CountLaws(drafts, chains, s_low, s_high).active_nodes() ? 1 : 0;
    CHECK(checked == static_cast<std::size_t>(std::count(watched.begin(), watched.end(), true)));
  }
  CHECK(frozen >= 60);
}

TEST_CASE("prepared weights give the same draft_law_mass as unprepared ones") {
  std::mt19937_64 rng(84);
  for (int drafts : {1, 4, 9}) {
    for (int chains : {1, 3, 4}) {
      CountLaws laws(drafts, chains, grid_low(drafts), std::log(kLargestRate / 1e-12));
      for (const double rate : random_rates(rng, 200, false)) {
        if (rate > 0.0) laws.add(rate);
      }
      CountLaws same = laws;
      // Rates whose top nodes differ, one that is prepared twice, one below every node.
      for (const std::vector<double>& rates :
           {std::vector<double>{1e-12, 1e-6, 0.5, 1.0}, {3e-3, 3e-3}, {1e5, 0.1}, {2e-12}}) {
        laws.prepare_draft_law_masses(rates.data(), rates.size());
        for (const double rate : rates) {
          CAPTURE(rate);
          CHECK(laws.draft_law_mass(rate) == same.draft_law_mass(rate));
        }
      }
    }
  }
}

TEST_CASE("the chained grid agrees with an expm1 and an exp at every node") {
  std::mt19937_64 rng(85);
  for (int drafts : {1, 2, 4, 7, 10}) {
    const int chains = default_chains(drafts);
    const double s_low = grid_low(drafts), s_high = std::log(kLargestRate / 1e-7);
    CountLaws laws(drafts, chains, s_low, s_high);
    std::vector<double> inside;
    const std::vector<double> rates = random_rates(rng, 400, false);
    const auto watched = [](std::size_t i) { return i % 97 == 96; };
    laws.add_each(rates.data(), rates.size(), 1.0, watched, [&](std::size_t i) {
      inside.push_back(rates[i]);
      if (!watched(i)) return;
      for (const double outside : {1e-7, 1e-3, 0.3}) {
        CAPTURE(drafts);
        CAPTURE(i);
        CAPTURE(outside);
        const double direct = direct_draft_law_mass(inside, outside, drafts, chains, s_low, s_high);
        CHECK(std::abs(laws.draft_law_mass(outside) - direct) <= 1e-13 + 1e-12 * direct);
      }
    });
  }
}

}  // namespace mdsd::test
