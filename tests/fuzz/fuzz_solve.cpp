// The whole calculator, mdsd::solve, on arbitrary JSON text.
// Cost cap (the library is not changed for it): when the text parses, an LP
// request is rewritten to "max_columns" at most 2000, and a vocabulary above
// 4096 tokens is skipped, and "simulate.samples" is cut to 2000, so that one
// run stays well under a second.
// Checks: an error is one non-empty line; a result is valid JSON whose alphas
// (and intervals, 0 <= low <= high <= 1)
// are finite and in [0, 1] (up to rounding), LP ones included.
#include "api/request.hpp"
#include "api/solve.hpp"
#include "fuzz_common.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

constexpr std::int64_t kFuzzMaxColumns = 2000;
constexpr std::size_t kFuzzMaxVocabulary = 4096;
constexpr std::int64_t kFuzzMaxSamples = 2000;

void check_alphas(const nlohmann::json& section, const char* name) {
  if (!section.is_object()) return;
  for (const auto& [key, value] : section.items()) {
    FUZZ_CHECK(value.is_object(), "%s.%s is not an object", name, key.c_str());
    if (value.contains("error")) continue;
    if (value.contains("interval")) {  // partial lists: 0 <= low <= high <= 1
      const auto& interval = value["interval"];
      FUZZ_CHECK(interval.is_array() && interval.size() == 2 && interval[0].is_number() && interval[1].is_number(),
                 "%s.%s.interval is not [low, high]: %s", name, key.c_str(), interval.dump().c_str());
      const double low = interval[0].get<double>(), high = interval[1].get<double>();
      FUZZ_CHECK(low >= 0.0 && low <= high && high <= 1.0, "%s.%s.interval = [%.17g, %.17g]", name, key.c_str(), low, high);
    }
    for (const char* field : {"alpha", "certificate_alpha"}) {
      if (!value.contains(field)) continue;
      FUZZ_CHECK(value[field].is_number(), "%s.%s.%s is not a number: %s", name, key.c_str(), field,
                 value[field].dump().c_str());
      const double alpha = value[field].get<double>();
      FUZZ_CHECK(alpha >= -1e-9 && alpha <= 1.0 + 1e-9, "%s.%s.%s = %.17g", name, key.c_str(), field, alpha);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // nlohmann's own DOM for the rewrite: parse_json_text keeps number arrays
  // as doubles (binary values), which would not dump back to the same text.
  if (auto request = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      !request.is_discarded() && request.is_object()) {
    for (const char* field : {"target", "draft"}) {
      if (request.contains(field) && request[field].is_array() && request[field].size() > kFuzzMaxVocabulary) return 0;
      if (request.contains(field) && request[field].is_object() && request[field].contains("logits") &&
          request[field]["logits"].is_array() && request[field]["logits"].size() > kFuzzMaxVocabulary) {
        return 0;
      }
    }
    if (request.contains("lp")) {
      nlohmann::json& lp = request["lp"];
      if (lp.is_boolean() && lp.get<bool>()) lp = {{"max_columns", kFuzzMaxColumns}};
      if (lp.is_object()) {
        if (!lp.contains("max_columns")) lp["max_columns"] = kFuzzMaxColumns;
        if (lp["max_columns"].is_number() && lp["max_columns"].get<double>() > kFuzzMaxColumns) {
          lp["max_columns"] = kFuzzMaxColumns;
        }
      }
    }
    if (request.contains("simulate") && request["simulate"].is_object()) {
      nlohmann::json& simulate = request["simulate"];
      if (simulate.contains("samples") && simulate["samples"].is_number() &&
          simulate["samples"].get<double>() > kFuzzMaxSamples) {
        simulate["samples"] = kFuzzMaxSamples;
      }
    }
    if (request.contains("draft_joint") && !request.contains("lp")) {
      request["lp"] = {{"max_columns", kFuzzMaxColumns}};
    }
    text = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  const mdsd::SolveOutput output = mdsd::solve(text);
  if (!output.ok) {
    FUZZ_CHECK(!output.text.empty(), "empty error");
    FUZZ_CHECK(output.text.find('\n') == std::string::npos, "error of several lines: %s", output.text.c_str());
    return 0;
  }
  auto result = nlohmann::json::parse(output.text, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(!result.is_discarded(), "the result is not JSON: %s", output.text.c_str());
  check_alphas(result["optimal"], "optimal");
  if (result.contains("lp")) check_alphas(result["lp"], "lp");
  if (result.contains("verifiers")) check_alphas(result["verifiers"], "verifiers");
  return 0;
}
