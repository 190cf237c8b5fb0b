// K-SEQ (SpecTr) for i.i.d. drafts (THEORY.md §4): accept each draft in turn
// with probability min(1, p(x) / (rho q(x))); if none is accepted, output from
// p - c min(q, p / rho), c = (1 - (1 - beta)^n) / beta. The output is exactly p
// iff rho beta(rho) >= 1 - (1 - beta(rho))^n; rho is the smallest such value in
// [1, n], found by bisection (the difference is increasing in rho).
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
