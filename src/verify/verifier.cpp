#include "verify/verifier.hpp"

namespace mdsd {

std::string_view verifier_name(VerifierKind kind) {
  switch (kind) {
    case VerifierKind::rrs_with_replacement: return "rrs_with_replacement";
    case VerifierKind::rrs_without_replacement: return "rrs_without_replacement";
    case VerifierKind::kseq: return "kseq";
    case VerifierKind::greedy: return "greedy";
    case VerifierKind::spechub: return "spechub";
    case VerifierKind::optimal_lp: return "optimal_lp";
    case VerifierKind::exact_match: return "exact_match";
    case VerifierKind::optimal_with_replacement: return "optimal_with_replacement";
  }
  return "unknown";
}

std::optional<VerifierKind> verifier_from_name(std::string_view name) {
  for (VerifierKind kind : kAllVerifiers) {
    if (verifier_name(kind) == name) return kind;
  }
  return std::nullopt;
}

DraftMethod draft_method_of(VerifierKind kind) {
  switch (kind) {
    case VerifierKind::rrs_with_replacement:
    case VerifierKind::kseq:
    case VerifierKind::optimal_with_replacement: return DraftMethod::with_replacement;
    case VerifierKind::rrs_without_replacement:
    case VerifierKind::optimal_lp: return DraftMethod::without_replacement;
    case VerifierKind::greedy:
    case VerifierKind::spechub: return DraftMethod::greedy;
    case VerifierKind::exact_match: return DraftMethod::top_n;
  }
  return DraftMethod::with_replacement;
}

DraftScheme draft_scheme_of(VerifierKind kind) {
  switch (draft_method_of(kind)) {
    case DraftMethod::with_replacement: return DraftScheme::with_replacement;
    case DraftMethod::without_replacement: return DraftScheme::without_replacement;
    case DraftMethod::greedy:
      return kind == VerifierKind::spechub ? DraftScheme::spechub : DraftScheme::greedy;
    case DraftMethod::top_n: return DraftScheme::top_n;
  }
  return DraftScheme::with_replacement;
}

}  // namespace mdsd
