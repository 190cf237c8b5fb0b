// The C interface of the mdsd-first module (README "JavaScript API"): alpha*,
// |H| and H of each method for two full distributions, and nothing else, so
// that the page's first numbers need a small module (no JSON, no verifiers,
// no LP). Arrays arrive as (pointer, length) in the heap, numbers as
// arguments; the outputs go into the caller's buffers. Each step calls the
// functions the full solve calls (api/request.cpp parse_request, then
// calculation/calculate.cpp calculate), in their order, so the numbers are
// the full solve's `optimal.<method>` bit for bit
// (tests/js/first-numbers.test.mjs checks it).
#include "core/distribution.hpp"
#include "core/limits.hpp"
#include "core/message_text.hpp"
#include "core/optimal_rate.hpp"
#include "core/problem.hpp"
#include "core/ratio_order.hpp"
#include "core/synthetic.hpp"
#include "verify/verifier.hpp"

#include <emscripten/emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace {

std::string last_output;  // owned here until the next call

// kind 0: weights (an array of probabilities or weights); 1: logits with
// temperature, top_k (0: none) and top_p (NaN: none), as
// api/request.cpp distribution_spec builds the DistributionSpec.
mdsd::DistributionSpec spec_of(const double* values, std::uint32_t size, int kind, double temperature,
                               double top_k, double top_p) {
  mdsd::DistributionSpec spec;
  spec.values = Eigen::Map<const Eigen::VectorXd>(values, static_cast<Eigen::Index>(size));
  if (kind == 1) {
    spec.kind = mdsd::DistributionSpec::Kind::logits;
    spec.temperature = temperature;
    if (top_k > 0) spec.top_k = static_cast<std::int64_t>(top_k);
    if (!std::isnan(top_p)) spec.top_p = top_p;
  }
  return spec;
}

// Lines of text back to JavaScript: "error\t<message>" alone, or any of
// "warning\t<text>" and "method_error\t<k>\t<message>".
const char* output(std::string text) {
  last_output = std::move(text);
  return last_output.c_str();
}

const char* error(const std::string& message) { return output("error\t" + mdsd::printable(message)); }

}  // namespace

extern "C" {

// The names the full core knows: the draft methods (the request's default
// list, in its order), a newline, the verifiers; comma-separated.
EMSCRIPTEN_KEEPALIVE const char* mdsd_first_names() {
  std::string text;
  for (mdsd::DraftMethod method : mdsd::kAllDraftMethods) {
    text += (text.empty() ? "" : ",") + std::string(mdsd::method_name(method));
  }
  text += "\n";
  bool first = true;
  for (mdsd::VerifierKind kind : mdsd::kAllVerifiers) {
    text += (first ? "" : ",") + std::string(mdsd::verifier_name(kind));
    first = false;
  }
  return output(std::move(text));
}

// The synthetic pair, as mdsd-core's mdsd_synthetic_pair fills it.
EMSCRIPTEN_KEEPALIVE void mdsd_first_synthetic_pair(std::uint32_t vocabulary, double seed, double zipf_exponent,
                                                    double target_noise, double draft_noise, double temperature,
                                                    double* target, double* draft) {
  const mdsd::SyntheticOptions options{zipf_exponent, target_noise, draft_noise, temperature};
  const auto pair = mdsd::synthetic_pair(vocabulary, static_cast<std::uint64_t>(seed), options);
  std::copy(pair.target.data(), pair.target.data() + vocabulary, target);
  std::copy(pair.draft.data(), pair.draft.data() + vocabulary, draft);
}

// alpha* of each method methods[0..method_count) (indices into
// kAllDraftMethods, no repeats) with n = drafts. For method k, numbers[4k..4k+4)
// gets alpha, |H|, p(H), Q(H); when certificates is not null,
// certificates[k * V ...] gets H's ids ascending (V: the vocabulary size).
// Returns the lines described at output() above.
EMSCRIPTEN_KEEPALIVE const char* mdsd_first_numbers(
    const double* target, std::uint32_t target_size, int target_kind, double target_temperature,
    double target_top_k, double target_top_p,
    const double* draft, std::uint32_t draft_size, int draft_kind, double draft_temperature,
    double draft_top_k, double draft_top_p,
    double drafts, const std::int32_t* methods, std::uint32_t method_count,
    double* numbers, std::int32_t* certificates) {
  // The checks of parse_request before it prepares the pair.
  for (const auto& [size, field] : {std::pair{target_size, "target"}, std::pair{draft_size, "draft"}}) {
    if (size > static_cast<std::uint64_t>(mdsd::limits::kMaxVocabulary)) {
      return error(std::string(field) + ": " + std::to_string(size) + " tokens is more than the limit of " +
                   std::to_string(mdsd::limits::kMaxVocabulary));
    }
  }
  if (!(drafts >= 1 && drafts <= mdsd::limits::kMaxDrafts && drafts == std::floor(drafts))) {
    return error("drafts: must be an integer from 1 to " + std::to_string(mdsd::limits::kMaxDrafts));
  }
  if (method_count == 0) return error("methods: is empty; name at least one method");
  for (std::uint32_t k = 0; k < method_count; ++k) {
    if (methods[k] < 0 || methods[k] >= static_cast<std::int32_t>(mdsd::kAllDraftMethods.size())) {
      return error("methods[" + std::to_string(k) + "]: unknown method");
    }
  }
  // calculation/prepared_pair.cpp prepare_pair for two full distributions
  // (its first branch; calling it would link the partial lists, a third of
  // this module).
  std::vector<std::string> warnings;
  auto p = mdsd::to_probabilities(
      spec_of(target, target_size, target_kind, target_temperature, target_top_k, target_top_p), "target", warnings);
  if (!p.ok()) return error(p.error());
  auto q = mdsd::to_probabilities(
      spec_of(draft, draft_size, draft_kind, draft_temperature, draft_top_k, draft_top_p), "draft", warnings);
  if (!q.ok()) return error(q.error());
  if (p.value().size() != q.value().size()) {
    return error("draft: has " + std::to_string(q.value().size()) + " tokens but target has " +
                 std::to_string(p.value().size()));
  }
  mdsd::Problem problem{std::move(p).value(), std::move(q).value(), static_cast<int>(drafts)};

  // calculate(): one sort serves with and without replacement.
  std::vector<mdsd::DraftMethod> asked(method_count);
  for (std::uint32_t k = 0; k < method_count; ++k) asked[k] = mdsd::kAllDraftMethods[methods[k]];
  std::vector<std::int32_t> order;
  if (std::any_of(asked.begin(), asked.end(), [](mdsd::DraftMethod method) {
        return method == mdsd::DraftMethod::with_replacement || method == mdsd::DraftMethod::without_replacement;
      })) {
    order = mdsd::order_by_ratio(problem.target, problem.draft);
  }
  std::string text;
  for (const std::string& warning : warnings) text += "warning\t" + warning + "\n";
  const Eigen::Index vocabulary = problem.target.size();
  for (std::uint32_t k = 0; k < method_count; ++k) {
    auto rate = mdsd::optimal_rate(problem, asked[k], order);
    if (!rate.ok()) {
      text += "method_error\t" + std::to_string(k) + "\t" + rate.error() + "\n";  // the result's text
      continue;
    }
    std::vector<std::int32_t>& certificate = rate.value().certificate;
    mdsd::drop_massless(problem, certificate);  // as calculate() does
    // The caller's buffer holds V ids per method: never write past it.
    if (certificate.size() > static_cast<std::size_t>(vocabulary)) {
      return error("internal error: a certificate of " + std::to_string(certificate.size()) + " tokens for V = " +
                   std::to_string(vocabulary));
    }
    numbers[4 * k] = rate.value().alpha;
    numbers[4 * k + 1] = static_cast<double>(certificate.size());
    numbers[4 * k + 2] = rate.value().certificate_target_mass;
    numbers[4 * k + 3] = rate.value().certificate_draft_mass;
    if (certificates != nullptr) {
      std::copy(certificate.begin(), certificate.end(), certificates + static_cast<std::size_t>(k) * vocabulary);
    }
  }
  return output(std::move(text));
}

}  // extern "C"
