// The request contract (README.md "Request"): JSON in, a validated Request
// (calculation/request.hpp) out, or one message naming the bad field. Only
// this layer knows JSON.
#pragma once

#include "api/json_reader.hpp"
#include "calculation/request.hpp"
#include "core/distribution.hpp"
#include "core/draft_law.hpp"
#include "core/expected.hpp"
#include "core/problem.hpp"
#include "lp/transport_lp.hpp"
#include "verify/verifier.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mdsd {

// A number array handed over in memory (the JavaScript wrapper passes large
// arrays this way). The request refers to buffers[k] by a JSON binary value
// of subtype k in place of the array: JSON text cannot spell a binary value,
// so only the caller of parse_request (src/wasm/module.cpp) can place one, and
// nothing a user writes (e.g. {"$buffer": 0}) is ever read as a reference.
struct NumberArray {
  const double* data = nullptr;
  std::size_t size = 0;
};

// DIST: an array of probabilities or weights (or a buffer reference), or
// {"logits": [...], "temperature", "top_k", "top_p"}; validated only in shape
// here, in values by to_probabilities().
Expected<DistributionSpec> distribution_spec(const nlohmann::json& value, const std::string& field,
                                             std::span<const NumberArray> buffers = {});

// One dataset position {"target": DIST, "draft": DIST, "vocab": V}: vocab
// (optional) is the vocabulary of the position's token lists.
struct PositionSpec {
  DistributionSpec target, draft;
};
Expected<PositionSpec> position_spec(const nlohmann::json& value, std::span<const NumberArray> buffers = {});

Expected<Request> parse_request(const nlohmann::json& request,
                                std::span<const NumberArray> buffers = {});
// The same on a document that is not needed afterwards (mdsd solve): each
// number array's doubles are freed as soon as they are in the request, so
// that the next vectors take memory already in use instead of fresh pages.
// `request` is left holding null where those arrays were.
Expected<Request> parse_request_consuming(nlohmann::json&& request);

// An integer-valued JSON number in [lowest, highest]; the error names `field`.
Expected<std::int64_t> integer_field(const nlohmann::json& value, const std::string& field,
                                     std::int64_t lowest, std::int64_t highest);

// Parses JSON text without exceptions; the error says where the syntax broke
// (a NUL byte included). The number arrays of target, draft and their logits
// are read straight into doubles as they are parsed, so that a large request
// never becomes a document of JSON values: each is a binary value without a
// subtype (a subtype marks a buffer reference, above), which only
// parse_request reads.
Expected<nlohmann::json> parse_json_text(std::string_view text, ReadOptions options = {});

}  // namespace mdsd
