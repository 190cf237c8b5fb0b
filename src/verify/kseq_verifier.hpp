// K-SEQ (SpecTr) for i.i.d. drafts (README mathematics §4): accept each draft in turn
// with probability min(1, p(x) / (rho q(x))); if none is accepted, output from
// p - c min(q, p / rho), c = (1 - (1 - beta)^n) / beta. The output is exactly p
// iff rho beta(rho) >= 1 - (1 - beta(rho))^n; rho is the smallest such value in
// [1, n].
//
// With L the tokens whose p/q is below rho and U the rest, the condition is
// g(rho) = D^n - E >= 0 with D = 1 - beta = sum_L (q - p / rho) and
// E = 1 - rho beta = sum_U (p - rho q), both sums of non-negative terms, so
// nothing is computed as a difference with 1 (which made p = q, whose rho is
// exactly 1, come out as 2.4 at n = 64). g is increasing; between two
// consecutive breakpoints p_i/q_i it is smooth with constant sums, so a
// binary search over the sorted breakpoints brackets the smallest root and a
// bisection of that smooth piece finds it to the last bit.
#pragma once

#include "verify/ratio_table.hpp"
#include "verify/verifier.hpp"

namespace mdsd {

class KSeq : public Verifier {
 public:
  KSeq(const Problem& problem, const RatioTable& table);
  Verdict verify(const std::vector<std::int32_t>& drafts, Random& random) const override;
  double rho() const { return rho_; }
  double acceptance() const { return acceptance_; }  // 1 - (1 - beta(rho))^n, exact

 private:
  const Problem& problem_;
  const RatioTable& table_;
  double rho_ = 1.0, beta_ = 0.0, acceptance_ = 0.0, residual_scale_ = 0.0;
};

}  // namespace mdsd
