// Exact-match verification of deterministic drafts (top_n): draw the target's
// own token y ~ p and accept when y is one of the drafts. The output is p by
// construction, and the acceptance p(T) equals alpha*_top_n: no verifier of
// these drafts does better (README mathematics §1, top_n).
#pragma once

#include "verify/alias_table.hpp"
#include "verify/verifier.hpp"

#include <vector>

namespace mdsd {

class ExactMatchVerifier : public Verifier {
 public:
  // drafts: the n most likely draft tokens (T).
  ExactMatchVerifier(const Problem& problem, const std::vector<std::int32_t>& drafts);
  Verdict verify(const std::vector<std::int32_t>& drafts, Random& random) const override;
  double acceptance() const { return acceptance_; }  // p(T)

 private:
  AliasTable target_;
  std::vector<bool> is_draft_;
  double acceptance_ = 0.0;
};

}  // namespace mdsd
