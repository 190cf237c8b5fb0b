#include "core/draft_law.hpp"

#include <algorithm>
#include <numeric>

namespace mdsd {
namespace {

std::vector<std::int32_t> support_of(const Eigen::VectorXd& draft) {
  std::vector<std::int32_t> support;
  for (Eigen::Index i = 0; i < draft.size(); ++i) {
    if (draft[i] > 0.0) support.push_back(static_cast<std::int32_t>(i));
  }
  return support;
}

double binomial(double n, double k) {
  if (k < 0 || k > n) return 0.0;
  double result = 1.0;
  for (double i = 1; i <= k; ++i) result = result * (n - k + i) / i;
  return result;
}

// Calls visit(tokens) for every k-subset of `pool`, tokens ascending.
template <class Visit>
void for_each_subset(const std::vector<std::int32_t>& pool, int k, Visit visit) {
  const int size = static_cast<int>(pool.size());
  if (k > size || k <= 0) return;
  std::vector<int> index(static_cast<std::size_t>(k));
  std::iota(index.begin(), index.end(), 0);
  std::vector<std::int32_t> tokens(static_cast<std::size_t>(k));
  while (true) {
    for (int j = 0; j < k; ++j) tokens[j] = pool[index[j]];
    visit(tokens);
    int j = k - 1;
    while (j >= 0 && index[j] == size - k + j) --j;
    if (j < 0) return;
    ++index[j];
    for (int l = j + 1; l < k; ++l) index[l] = index[l - 1] + 1;
  }
}

// P(the set of n i.i.d. draws is exactly `tokens`): n! [x^n] prod_i (e^{q_i x} - 1),
// expanded as a product of positive series so that nothing cancels.
double with_replacement_set_mass(const Eigen::VectorXd& draft, int drafts,
                                 const std::vector<std::int32_t>& tokens) {
  std::vector<double> coefficients(static_cast<std::size_t>(drafts) + 1, 0.0);
  coefficients[0] = 1.0;
  for (std::int32_t token : tokens) {
    std::vector<double> next(coefficients.size(), 0.0);
    const double q = draft[token];
    for (int total = 1; total <= drafts; ++total) {
      double term = 1.0;  // q^k / k!
      for (int k = 1; k <= total; ++k) {
        term *= q / k;
        next[total] += coefficients[total - k] * term;
      }
    }
    coefficients = std::move(next);
  }
  double factorial = 1.0;
  for (int k = 2; k <= drafts; ++k) factorial *= k;
  return coefficients[drafts] * factorial;
}

// P(successive sampling draws exactly `tokens`, in some order), by dynamic
// programming over the subsets drawn so far: O(n 2^n). The denominators
// 1 - q(drawn) are summed as q(outside the set) + q(set, not yet drawn), so
// they keep full precision when the set holds almost all the mass; each
// draw's chance q / remaining is formed before it multiplies the path's mass,
// which would underflow first when q and remaining are both subnormal.
double without_replacement_set_mass(const Eigen::VectorXd& draft,
                                    const std::vector<std::int32_t>& tokens,
                                    double outside) {
  const int size = static_cast<int>(tokens.size());
  const std::uint32_t full = (1u << size) - 1;
  std::vector<double> reach(full + 1, 0.0), subset_mass(full + 1, 0.0);
  for (std::uint32_t subset = 1; subset <= full; ++subset) {
    subset_mass[subset] = subset_mass[subset & (subset - 1)] + draft[tokens[__builtin_ctz(subset)]];
  }
  reach[0] = 1.0;
  for (std::uint32_t subset = 1; subset <= full; ++subset) {
    for (int j = 0; j < size; ++j) {
      if (!(subset >> j & 1u)) continue;
      const std::uint32_t before = subset & ~(1u << j);
      const double remaining = outside + subset_mass[full & ~before];
      reach[subset] += reach[before] * (draft[tokens[j]] / remaining);
    }
  }
  return reach[full];
}

// q(support \ tokens): 1 - q(tokens) when that loses nothing, else summed.
double outside_mass(const Eigen::VectorXd& draft, const std::vector<std::int32_t>& support,
                    const std::vector<std::int32_t>& tokens) {
  double inside = 0.0;
  for (std::int32_t token : tokens) inside += draft[token];
  if (inside < 0.5) return 1.0 - inside;
  double outside = 0.0;
  auto next = tokens.begin();
  for (std::int32_t token : support) {
    while (next != tokens.end() && *next < token) ++next;
    if (next == tokens.end() || *next != token) outside += draft[token];
  }
  return outside;
}

}  // namespace

std::vector<std::int32_t> greedy_fixed_drafts(const Eigen::VectorXd& draft, int drafts) {
  std::vector<std::int32_t> tokens(static_cast<std::size_t>(draft.size()));
  std::iota(tokens.begin(), tokens.end(), 0);
  const auto fixed = static_cast<std::size_t>(drafts - 1);
  std::partial_sort(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(fixed),
                    tokens.end(), [&](std::int32_t a, std::int32_t b) {
                      return draft[a] > draft[b] || (draft[a] == draft[b] && a < b);
                    });
  tokens.resize(fixed);
  std::sort(tokens.begin(), tokens.end());
  return tokens;
}

double mass_outside(const Eigen::VectorXd& draft, const std::vector<std::int32_t>& fixed) {
  std::vector<bool> is_fixed(static_cast<std::size_t>(draft.size()), false);
  for (std::int32_t token : fixed) is_fixed[token] = true;
  double outside = 0.0;
  for (Eigen::Index i = 0; i < draft.size(); ++i) {
    if (!is_fixed[static_cast<std::size_t>(i)]) outside += draft[i];
  }
  return outside;
}

double lp_column_count(const Eigen::VectorXd& draft, int drafts, DraftMethod method) {
  const double support = static_cast<double>(positive_count(draft));
  switch (method) {
    case DraftMethod::with_replacement: {
      double columns = 0.0;
      for (int k = 1; k <= drafts && k <= support; ++k) columns += k * binomial(support, k);
      return columns;
    }
    case DraftMethod::without_replacement:
      return drafts * binomial(support, drafts);
    case DraftMethod::greedy:
      return drafts * std::max(0.0, support - (drafts - 1));
    case DraftMethod::top_n:
      return drafts;
  }
  return 0.0;
}

std::vector<DraftSet> draft_set_law(const Eigen::VectorXd& draft, int drafts,
                                    DraftMethod method) {
  std::vector<DraftSet> law;
  switch (method) {
    case DraftMethod::with_replacement: {
      const auto support = support_of(draft);
      for (int k = 1; k <= drafts; ++k) {
        for_each_subset(support, k, [&](const std::vector<std::int32_t>& tokens) {
          law.push_back({tokens, with_replacement_set_mass(draft, drafts, tokens)});
        });
      }
      break;
    }
    case DraftMethod::without_replacement: {
      const auto support = support_of(draft);
      for_each_subset(support, drafts, [&](const std::vector<std::int32_t>& tokens) {
        law.push_back({tokens, without_replacement_set_mass(draft, tokens,
                                                            outside_mass(draft, support, tokens))});
      });
      break;
    }
    case DraftMethod::greedy: {
      const auto fixed = greedy_fixed_drafts(draft, drafts);
      const double outside = mass_outside(draft, fixed);
      std::vector<bool> is_fixed(static_cast<std::size_t>(draft.size()), false);
      for (std::int32_t token : fixed) is_fixed[token] = true;
      for (std::int32_t token : support_of(draft)) {
        if (is_fixed[token]) continue;
        std::vector<std::int32_t> tokens = fixed;
        tokens.insert(std::upper_bound(tokens.begin(), tokens.end(), token), token);
        law.push_back({std::move(tokens), draft[token] / outside});
      }
      break;
    }
    case DraftMethod::top_n:
      law.push_back({greedy_fixed_drafts(draft, drafts + 1), 1.0});
      break;
  }
  std::erase_if(law, [](const DraftSet& set) { return !(set.mass > 0.0); });
  return law;
}

double mass_inside(const std::vector<DraftSet>& law, const std::vector<bool>& in_subset) {
  double inside = 0.0;
  for (const DraftSet& set : law) {
    if (std::all_of(set.tokens.begin(), set.tokens.end(),
                    [&](std::int32_t token) { return in_subset[token]; })) {
      inside += set.mass;
    }
  }
  return inside;
}

std::int64_t column_count(const std::vector<DraftSet>& law) {
  std::int64_t columns = 0;
  for (const DraftSet& set : law) columns += static_cast<std::int64_t>(set.tokens.size());
  return columns;
}

}  // namespace mdsd
