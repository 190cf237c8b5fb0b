#include "core/synthetic.hpp"

#include "core/random.hpp"

#include <cmath>
#include <numeric>
#include <vector>

namespace mdsd {
namespace {

// Standard normal by Box-Muller (one of the pair is enough here).
double normal(Random& random) {
  const double u = 1.0 - random.uniform();  // (0, 1]
  const double v = random.uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v);
}

Eigen::VectorXd softmax(const Eigen::VectorXd& logits, double temperature) {
  Eigen::VectorXd weights = ((logits.array() - logits.maxCoeff()) / temperature).exp().matrix();
  return weights / weights.sum();
}

}  // namespace

DistributionPair synthetic_logits(Eigen::Index vocabulary, std::uint64_t seed,
                                  const SyntheticOptions& options) {
  Random random(seed);
  std::vector<Eigen::Index> rank(static_cast<std::size_t>(vocabulary));
  std::iota(rank.begin(), rank.end(), Eigen::Index{1});
  for (std::size_t i = rank.size(); i > 1; --i) std::swap(rank[i - 1], rank[random.below(i)]);

  Eigen::VectorXd target_logits(vocabulary), draft_logits(vocabulary);
  for (Eigen::Index i = 0; i < vocabulary; ++i) {
    target_logits[i] = -options.zipf_exponent * std::log(static_cast<double>(rank[i])) +
                       options.target_noise * normal(random);
    draft_logits[i] = target_logits[i] + options.draft_noise * normal(random);
  }
  return {std::move(target_logits), std::move(draft_logits)};
}

DistributionPair synthetic_pair(Eigen::Index vocabulary, std::uint64_t seed,
                                const SyntheticOptions& options) {
  const auto logits = synthetic_logits(vocabulary, seed, options);
  return {softmax(logits.target, options.temperature), softmax(logits.draft, options.temperature)};
}

}  // namespace mdsd
