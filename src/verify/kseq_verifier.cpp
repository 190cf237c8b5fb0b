#include "verify/kseq_verifier.hpp"

#include "core/subset.hpp"

#include <cmath>

namespace mdsd {
namespace {

double accepted_any(double beta, int drafts) { return 1.0 - integer_power(1.0 - beta, drafts); }

}  // namespace

KSeq::KSeq(const Problem& problem, const RatioTable& table) : problem_(problem), table_(table) {
  const int n = problem.drafts;
  auto valid = [&](double rho) {
    const double beta = table.capped_draft_mass(rho);
    return rho * beta >= accepted_any(beta, n);
  };
  double low = 1.0, high = static_cast<double>(n);
  if (valid(low)) {
    high = low;
  } else {
    // high = n is always valid: 1 - (1 - b)^n <= n b.
    for (int iteration = 0; iteration < 200 && high - low > 1e-15 * high; ++iteration) {
      const double middle = 0.5 * (low + high);
      (valid(middle) ? high : low) = middle;
    }
  }
  rho_ = high;
  beta_ = table.capped_draft_mass(rho_);
  acceptance_ = accepted_any(beta_, n);
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
