// The request parser on arbitrary bytes: parse_json_text, then parse_request.
// Input: JSON text, optionally followed by a NUL byte and the in-memory number
// buffers: one byte B, then raw little-endian doubles split into 1 + B % 3
// buffers. With buffers, this harness (like src/wasm/module.cpp) puts a
// buffer reference, a JSON binary value of subtype k (api/request.hpp), where
// target, draft or their logits are {"$buffer": k}; parse_request itself never
// reads "$buffer". The whole input (NULs included) is also given to
// parse_json_text. Nothing is solved here (fuzz_solve does that). First, the
// JSON reader alone against nlohmann's parser (check_against_nlohmann).
#include "api/json_reader.hpp"
#include "api/request.hpp"
#include "fuzz_common.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace {

void check_distribution(const Eigen::VectorXd& values, const char* name) {
  double sum = 0.0;
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    FUZZ_CHECK(std::isfinite(values[i]) && values[i] >= 0.0 && values[i] <= 1.0,
               "%s[%ld] = %g", name, static_cast<long>(i), values[i]);
    sum += values[i];
  }
  FUZZ_CHECK(std::abs(sum - 1.0) <= 1e-9, "%s sums to %.17g", name, sum);
}

// The harness's own spelling of a buffer reference, {"$buffer": k}, becomes
// the real one at the places the JS wrapper puts arrays.
void place_buffers(nlohmann::json& request) {
  const auto place = [](nlohmann::json& slot) {
    if (slot.is_object() && slot.size() == 1 && slot.contains("$buffer") && slot["$buffer"].is_number_unsigned()) {
      slot = nlohmann::json::binary({}, slot["$buffer"].get<std::uint64_t>());
    }
  };
  if (!request.is_object()) return;
  for (const char* field : {"target", "draft"}) {
    if (!request.contains(field)) continue;
    nlohmann::json& distribution = request[field];
    place(distribution);
    if (distribution.is_object() && distribution.contains("logits")) place(distribution["logits"]);
  }
}

// The project's reader (api/json_reader.hpp) against nlohmann's parser on
// the same bytes: valid text gives the same document, and what one refuses
// the other refuses, except where they differ by design: a NUL byte (nlohmann
// stops reading there), a key given twice (nlohmann keeps the last), nesting
// past kMaxJsonDepth (nlohmann has no limit).
void check_against_nlohmann(std::string_view text) {
  auto ours = mdsd::parse_json_document(text);
  auto ordered = mdsd::parse_ordered_json_document(text);
  FUZZ_CHECK(ours.ok() == ordered.ok(), "json and ordered_json disagree: %s / %s", ours.error().c_str(), ordered.error().c_str());
  if (!ours.ok()) {
    FUZZ_CHECK(ours.error() == ordered.error(), "messages differ: %s / %s", ours.error().c_str(), ordered.error().c_str());
  }
  // Whatever the plain reader takes, the request reader takes too.
  if (ours.ok()) FUZZ_CHECK(mdsd::parse_json_text(text).ok(), "parse_json_text refuses what parse_json_document reads");
  if (text.find('\0') != std::string_view::npos) return;
  if (!ours.ok() && (ours.error().find("given twice") != std::string::npos ||
                     ours.error().find("nest deeper than") != std::string::npos)) {
    return;
  }
  const auto theirs = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(ours.ok() == !theirs.is_discarded(), "nlohmann %s, ours: %s", theirs.is_discarded() ? "refuses" : "reads",
             ours.ok() ? "reads" : ours.error().c_str());
  if (ours.ok()) FUZZ_CHECK(ours.value() == theirs, "documents differ: %s", theirs.dump().c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view whole(reinterpret_cast<const char*>(data), size);
  check_against_nlohmann(whole);
  (void)mdsd::parse_json_text(whole);

  const std::size_t nul = whole.find('\0');
  const std::string_view text = whole.substr(0, nul);
  std::vector<double> numbers;
  std::vector<mdsd::NumberArray> buffers;
  if (nul != std::string_view::npos && nul + 1 < size) {
    const std::size_t count = 1 + data[nul + 1] % 3;
    const std::size_t doubles = (size - nul - 2) / sizeof(double);
    numbers.resize(doubles);
    if (doubles) std::memcpy(numbers.data(), data + nul + 2, doubles * sizeof(double));
    const std::size_t each = doubles / count;
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t length = k + 1 == count ? doubles - each * k : each;
      buffers.push_back({numbers.data() + each * k, length});
    }
  }
  auto json = mdsd::parse_json_text(text);
  if (!json.ok()) {
    FUZZ_CHECK(!json.error().empty(), "empty JSON error");
    return 0;
  }
  if (!buffers.empty()) place_buffers(json.value());
  auto request = mdsd::parse_request(json.value(), buffers);
  if (!request.ok()) {
    FUZZ_CHECK(!request.error().empty(), "empty request error");
    return 0;
  }
  const mdsd::Request& r = request.value();
  if (r.partial) {
    // Lists of some tokens: scales positive and finite, the unlisted mass a
    // probability range; the values' invariants are the bounds' (fuzz_solve).
    for (const auto* side : {&r.partial->target, &r.partial->draft}) {
      FUZZ_CHECK(side->scale_low > 0.0 && side->scale_low <= side->scale_high && std::isfinite(side->scale_high),
                 "scale [%g, %g]", side->scale_low, side->scale_high);
      FUZZ_CHECK(side->unlisted_mass_low() >= 0.0 && side->unlisted_mass_low() <= side->unlisted_mass_high() * (1 + 1e-12) &&
                     side->unlisted_mass_high() <= 1.0 + 1e-12,
                 "unlisted mass [%g, %g]", side->unlisted_mass_low(), side->unlisted_mass_high());
    }
    return 0;
  }
  check_distribution(r.problem.target, "target");
  FUZZ_CHECK((r.problem.drafts >= 1 && r.problem.drafts <= 64) || r.draft_joint, "drafts = %d", r.problem.drafts);
  if (r.has_draft) {
    check_distribution(r.problem.draft, "draft");
    FUZZ_CHECK(r.problem.draft.size() == r.problem.target.size(), "sizes differ");
    FUZZ_CHECK(!r.methods.empty(), "no method");
  }
  if (r.draft_joint) {
    double mass = 0.0;
    for (const auto& set : *r.draft_joint) {
      FUZZ_CHECK(!set.tokens.empty(), "empty draft set");
      for (auto token : set.tokens) {
        FUZZ_CHECK(token >= 0 && token < r.problem.target.size(), "token %d out of range", token);
      }
      mass += set.mass;
    }
    FUZZ_CHECK(std::abs(mass - 1.0) <= 1e-9, "joint law sums to %.17g", mass);
  }
  return 0;
}
