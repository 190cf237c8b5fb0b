#include "core/without_replacement.hpp"

#include "core/ratio_order.hpp"

#include <algorithm>
#include <cmath>

namespace mdsd {
namespace {

// Below s_lo the integrand r t e^{-rt} P[N >= n] is at most t^{n+1} / n!
// (r <= 1, P[N >= n] <= (q(H) t)^n / n!), whose integral up to s_lo is
// e^{(n+1) s_lo} / (n+1)!; above s_hi = log(40 / r) the weight's tail
// e^{-r e^s} is below e^{-40}. Both cuts cost less than 1e-16.
constexpr double kNegligible = 1e-17;
constexpr double kUpperTailRate = 40.0;

}  // namespace

OptimalRate optimal_rate_without_replacement(const Problem& problem,
                                             const WithoutReplacementOptions& options) {
  const Eigen::VectorXd& target = problem.target;
  const Eigen::VectorXd& draft = problem.draft;
  const int drafts = problem.drafts;
  const auto order = order_by_ratio(target, draft);
  const std::size_t vocabulary = order.size();

  // outside[k] = r for the prefix of size k, summed from the tail so that it
  // is exactly 0 once every token with q > 0 is inside H.
  std::vector<double> outside(vocabulary + 1, 0.0);
  for (std::size_t k = vocabulary; k-- > 0;) outside[k] = outside[k + 1] + draft[order[k]];
  const double smallest_outside = [&] {
    double smallest = 1.0;
    for (double r : outside) {
      if (r > 0.0) smallest = std::min(smallest, r);
    }
    return smallest;
  }();

  const double s_low = (std::log(kNegligible) + std::lgamma(drafts + 2.0)) / (drafts + 1.0);
  const double s_high = std::log(kUpperTailRate / smallest_outside);
  const auto nodes = static_cast<std::size_t>(std::floor((s_high - s_low) / options.step)) + 1;
  std::vector<double> times(nodes);
  for (std::size_t j = 0; j < nodes; ++j) times[j] = std::exp(s_low + options.step * j);

  // count_law[j * n + m] = P[N_H(t_j) = m] for m < n.
  const auto width = static_cast<std::size_t>(drafts);
  std::vector<double> count_law(nodes * width, 0.0);
  for (std::size_t j = 0; j < nodes; ++j) count_law[j * width] = 1.0;

  double target_mass = 0.0;
  Eigen::Index drafted_tokens = 0;  // tokens of H with q > 0
  double best_value = 0.0, best_target = 0.0, best_draft = 0.0;
  std::size_t best_size = 0;
  for (std::size_t k = 0;; ++k) {
    double draft_law_mass = 0.0;  // Q(H_k)
    if (drafted_tokens >= drafts) {
      const double rate = outside[k];
      if (rate == 0.0) {
        draft_law_mass = 1.0;
      } else {
        for (std::size_t j = 0; j < nodes; ++j) {
          double below = 0.0;
          for (std::size_t m = 0; m < width; ++m) below += count_law[j * width + m];
          const double rt = rate * times[j];
          draft_law_mass += rt * std::exp(-rt) * (1.0 - below);
        }
        draft_law_mass *= options.step;
      }
    }
    if (target_mass - draft_law_mass < best_value) {
      best_value = target_mass - draft_law_mass;
      best_size = k;
      best_target = target_mass;
      best_draft = draft_law_mass;
    }
    if (k == vocabulary) break;

    const std::int32_t token = order[k];
    target_mass += target[token];
    const double q = draft[token];
    if (q == 0.0) continue;
    ++drafted_tokens;
    for (std::size_t j = 0; j < nodes; ++j) {
      const double stay = std::exp(-q * times[j]);  // clock not yet rung
      const double rung = -std::expm1(-q * times[j]);
      double* law = &count_law[j * width];
      for (std::size_t m = width - 1; m > 0; --m) law[m] = law[m] * stay + law[m - 1] * rung;
      law[0] *= stay;
    }
  }

  std::vector<std::int32_t> certificate(order.begin(),
                                        order.begin() + static_cast<std::ptrdiff_t>(best_size));
  std::sort(certificate.begin(), certificate.end());
  return {std::clamp(1.0 + best_value, 0.0, 1.0), std::move(certificate), best_target,
          best_draft};
}

}  // namespace mdsd
