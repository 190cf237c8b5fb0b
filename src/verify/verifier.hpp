// A verifier sees the drafts of one step and outputs a token whose law must be
// exactly the target p (README mathematics §4). Each verifier is one unit with one job.
#pragma once

#include "core/problem.hpp"
#include "core/random.hpp"
#include "verify/draft_sampler.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace mdsd {

enum class VerifierKind {
  rrs_with_replacement,
  rrs_without_replacement,
  kseq,
  greedy,
  spechub,
  optimal_lp,
  exact_match,  // of top_n drafts
  optimal_with_replacement,  // reaches alpha* of i.i.d. drafts (README "The optimal verifier")
};

inline constexpr std::array<VerifierKind, 8> kAllVerifiers = {
    VerifierKind::rrs_with_replacement, VerifierKind::rrs_without_replacement,
    VerifierKind::kseq, VerifierKind::greedy, VerifierKind::spechub, VerifierKind::optimal_lp,
    VerifierKind::exact_match, VerifierKind::optimal_with_replacement};

std::string_view verifier_name(VerifierKind kind);
std::optional<VerifierKind> verifier_from_name(std::string_view name);
// How the verifier's drafts are drawn; its gap is to that method's alpha*.
DraftMethod draft_method_of(VerifierKind kind);
DraftScheme draft_scheme_of(VerifierKind kind);

struct Verdict {
  std::int32_t token;  // the output, distributed as p
  bool accepted;       // returned through an accept test (acceptance (A))
};

class Verifier {
 public:
  virtual ~Verifier() = default;
  // drafts: as DraftSampler::sample fills them.
  virtual Verdict verify(const std::vector<std::int32_t>& drafts, Random& random) const = 0;
};

}  // namespace mdsd
