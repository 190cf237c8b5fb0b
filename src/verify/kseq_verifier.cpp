#include "verify/kseq_verifier.hpp"

#include "core/subset.hpp"

#include <algorithm>
#include <cmath>

namespace mdsd {
namespace {

// x - y z and x - y / z to within about an ulp of the result: near the root
// D^n and E are tiny differences of O(1) sums, where plain arithmetic loses
// their digits (std::fma is exact in both builds: hardware natively,
// software in WebAssembly).
double minus_product(double x, double y, double z) {
  const double product = y * z;
  return (x - product) - std::fma(y, z, -product);
}
double minus_quotient(double x, double y, double z) {
  const double quotient = y / z;
  return (x - quotient) - std::fma(-quotient, z, y) / z;
}

// g(rho) = D^n - E on the piece where L is the first `split` positions, from
// the sums of p and q over L and U. Each distribution is taken relative to its
// own total (so that D and E are exactly 1, not 1 - ulp, when L or U holds a
// whole distribution) by the ratio of the totals, exactly 1 when they agree.
struct Piece {
  double target_low, draft_low, target_high, draft_high, target_total, draft_total;
  int drafts;
  double shortfall(double rho) const {  // D = sum_L (q - p / rho)
    return std::max(minus_quotient(draft_low, target_low * (draft_total / target_total), rho), 0.0) / draft_total;
  }
  double excess(double rho) const {  // E = sum_U (p - rho q)
    return std::max(minus_product(target_high, rho, draft_high * (target_total / draft_total)), 0.0) / target_total;
  }
  double beta(double rho) const {  // sum_L p / rho + sum_U q = 1 - D
    return target_low / target_total / rho + draft_high / draft_total;
  }
  // D^n as exp(n log1p(-beta)) when D is near 1 (beta summed directly): the
  // root can sit where D^n and E are both near 1 and g is flat, and the n ulps
  // of a repeated product would move it by 1e-11.
  double accepted_none(double rho) const {
    const double complement = beta(rho);
    if (complement < 0.5) return std::exp(drafts * std::log1p(-complement));
    return integer_power(shortfall(rho), drafts);
  }
  double condition(double rho) const { return accepted_none(rho) - excess(rho); }
};

Piece piece_of(const RatioTable& table, std::size_t split, int drafts) {
  const std::size_t end = table.ratios().size();
  return {table.target_between(0, split), table.draft_between(0, split),
          table.target_between(split, end), table.draft_between(split, end),
          table.target_between(0, end), table.draft_between(0, end), drafts};
}

// The smallest valid rho in [1, n] (n is always valid: 1 - (1 - b)^n <= n b).
double smallest_valid_rho(const RatioTable& table, int drafts) {
  // n = 1: D(1) = E(1) = the total variation distance, so rho = 1 exactly.
  if (drafts == 1) return 1.0;
  const double largest = static_cast<double>(drafts);
  auto condition_at = [&](double rho) {
    return piece_of(table, table.first_at_least(rho), drafts).condition(rho);
  };
  if (condition_at(1.0) >= 0.0) return 1.0;
  // The first breakpoint in (1, n) where the condition holds, by binary search.
  const std::vector<double>& ratios = table.ratios();
  std::size_t low = static_cast<std::size_t>(
      std::upper_bound(ratios.begin(), ratios.end(), 1.0) - ratios.begin());
  std::size_t high = table.first_at_least(largest);
  const std::size_t first_candidate = low;
  while (low < high) {
    const std::size_t middle = low + (high - low) / 2;
    if (condition_at(ratios[middle]) >= 0.0) high = middle;
    else low = middle + 1;
  }
  const bool at_breakpoint = low < table.first_at_least(largest);
  double valid = at_breakpoint ? ratios[low] : largest;
  double invalid = low > first_candidate ? ratios[low - 1] : 1.0;
  // On (invalid, valid] the sets L and U do not change.
  const Piece piece = piece_of(table, table.first_at_least(valid), drafts);
  for (int iteration = 0; iteration < 200; ++iteration) {
    const double middle = invalid + 0.5 * (valid - invalid);
    if (!(middle > invalid && middle < valid)) break;  // adjacent doubles
    (piece.condition(middle) >= 0.0 ? valid : invalid) = middle;
  }
  return valid;
}

}  // namespace

KSeq::KSeq(const Problem& problem, const RatioTable& table) : problem_(problem), table_(table) {
  const int n = problem.drafts;
  rho_ = smallest_valid_rho(table, n);
  const Piece piece = piece_of(table, table.first_at_least(rho_), n);
  beta_ = piece.beta(rho_);
  acceptance_ = 1.0 - piece.accepted_none(rho_);
  residual_scale_ = beta_ > 0.0 ? acceptance_ / beta_ : 0.0;
}

Verdict KSeq::verify(const std::vector<std::int32_t>& drafts, Random& random) const {
  for (const std::int32_t x : drafts) {
    const double p = problem_.target[x], q = problem_.draft[x];
    if (random.uniform() * rho_ * q < p) return {x, true};
  }
  return {table_.sample_capped_residual(rho_, residual_scale_, random.uniform()), false};
}

}  // namespace mdsd
