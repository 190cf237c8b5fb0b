// api/request: the request contract, and a message naming the field for every
// way a request can be wrong.
#include "api/request.hpp"
#include "core/message_text.hpp"

#include "api/solve.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace mdsd::test {
namespace {

using nlohmann::json;

Expected<Request> parse(const std::string& text, std::span<const NumberArray> buffers = {}) {
  return parse_request(json::parse(text), buffers);
}

// The message parse_request gives for `text`, which must be rejected.
std::string error_of(const std::string& text, std::span<const NumberArray> buffers = {}) {
  CAPTURE(text);
  const auto request = parse(text, buffers);
  REQUIRE_FALSE(request.ok());
  return request.error();
}

// A valid request body after `target`, for the error tests that vary one field.
const std::string kValidDraft = R"("draft": [0.6, 0.3, 0.1], "drafts": 2)";

}  // namespace

TEST_CASE("a valid request is parsed into the problem it states") {
  const auto request = parse(R"({"target": [3, 4, 3], "draft": [0.6, 0.3, 0.1], "drafts": 2,
                                 "methods": ["greedy", "with_replacement", "greedy"]})");
  REQUIRE_MESSAGE(request.ok(), request.error());
  const Request& value = request.value();
  CHECK(value.problem.drafts == 2);
  REQUIRE(value.problem.target.size() == 3);
  CHECK(std::abs(value.problem.target[1] - 0.4) <= kRounding);  // 4 / 10, normalised
  CHECK(std::abs(value.problem.draft[2] - 0.1) <= kRounding);
  CHECK(value.has_draft);
  CHECK(value.methods == std::vector<DraftMethod>{DraftMethod::greedy,
                                                   DraftMethod::with_replacement});
  CHECK_FALSE(value.lp);
  REQUIRE(value.warnings.size() == 1);  // the target summed to 10
  CHECK(starts_with(value.warnings[0], "target: "));

  const auto defaults = parse(R"({"target": [0.3, 0.4, 0.3], )" + kValidDraft + "}");
  REQUIRE(defaults.ok());
  CHECK(defaults.value().methods.size() == 4);
  CHECK(defaults.value().warnings.empty());
  CHECK(defaults.value().lp_options.max_columns == limits::kDefaultLpColumns);

  const auto with_lp = parse(R"({"target": [0.3, 0.4, 0.3], )" + kValidDraft +
                             R"(, "lp": {"max_columns": 12}})");
  REQUIRE(with_lp.ok());
  CHECK(with_lp.value().lp);
  CHECK(with_lp.value().lp_options.max_columns == 12);
}

TEST_CASE("target errors name the field") {
  CHECK(starts_with(error_of(R"({)" + kValidDraft + "}"), "target: "));
  CHECK(starts_with(error_of(R"({"target": "0.5", )" + kValidDraft + "}"), "target: "));
  CHECK(starts_with(error_of(R"({"target": 0.5, )" + kValidDraft + "}"), "target: "));
  CHECK(starts_with(error_of(R"({"target": [0.5, "0.2", 0.3], )" + kValidDraft + "}"),
                    "target[1]: "));
  CHECK(starts_with(error_of(R"({"target": [0.5, null, 0.3], )" + kValidDraft + "}"),
                    "target[1]: "));
  // "-Infinity" is for logits only.
  CHECK(starts_with(error_of(R"({"target": [0.5, "-Infinity", 0.5], )" + kValidDraft + "}"),
                    "target[1]: "));
  CHECK(starts_with(error_of(R"({"target": [0.5, -0.5, 1], )" + kValidDraft + "}"),
                    "target[1]: "));
  CHECK(starts_with(error_of(R"({"target": [], )" + kValidDraft + "}"), "target: "));
  CHECK(starts_with(error_of(R"({"target": [0, 0, 0], )" + kValidDraft + "}"), "target: "));
}

TEST_CASE("logits objects") {
  const auto request = parse(R"({"target": {"logits": [0, "-Infinity", 1.0986122886681098]},
                                 "draft": {"logits": [1, 1, 1], "temperature": 0.5, "top_k": 2},
                                 "drafts": 1})");
  REQUIRE_MESSAGE(request.ok(), request.error());
  // softmax(0, -inf, ln 3) = 1/4, 0, 3/4; top_k 2 of a uniform law keeps 0 and 1.
  CHECK(std::abs(request.value().problem.target[0] - 0.25) <= kRounding);
  CHECK(request.value().problem.target[1] == 0.0);
  CHECK(std::abs(request.value().problem.draft[0] - 0.5) <= kRounding);
  CHECK(request.value().problem.draft[2] == 0.0);

  CHECK(starts_with(error_of(R"({"target": {"logits": [0, "Infinity"]}, "draft": [1, 1], "drafts": 1})"),
                    "target.logits[1]: "));
  CHECK(starts_with(error_of(R"({"target": {"temperature": 1}, "draft": [1, 1], "drafts": 1})"),
                    "target: "));
  CHECK(starts_with(error_of(R"({"target": {"logits": [0, 1], "top": 1}, "draft": [1, 1], "drafts": 1})"),
                    "target.top: "));
  CHECK(starts_with(error_of(R"({"target": [1, 1], "draft": {"logits": [0, 1], "top_k": 0}, "drafts": 1})"),
                    "draft.top_k: "));
  CHECK(starts_with(error_of(R"({"target": [1, 1], "draft": {"logits": [0, 1], "top_p": 2}, "drafts": 1})"),
                    "draft.top_p: "));
  CHECK(starts_with(error_of(R"({"target": [1, 1], "draft": {"logits": [0, 1], "temperature": "hot"}, "drafts": 1})"),
                    "draft.temperature: "));
  CHECK(starts_with(error_of(R"({"target": [1, 1], "draft": {"logits": [0, 1], "temperature": 0}, "drafts": 1})"),
                    "draft.temperature: "));
}

TEST_CASE("draft and drafts errors name the field") {
  const std::string target = R"("target": [0.3, 0.4, 0.3])";
  CHECK(error_of("{" + target + R"(, "draft": [0.25, 0.25, 0.25, 0.25], "drafts": 1})") ==
        "draft: has 4 tokens but target has 3");
  CHECK(starts_with(error_of("{" + target + R"(, "drafts": 1})"), "draft: "));
  CHECK(starts_with(error_of("{" + target + R"(, "draft": [0.6, 0.3, 0.1]})"), "drafts: "));
  for (const char* drafts : {"0", "2.5", "65", "-1", "\"2\"", "null", "true"}) {
    CAPTURE(drafts);
    CHECK(starts_with(
        error_of("{" + target + R"(, "draft": [0.6, 0.3, 0.1], "drafts": )" + drafts + "}"),
        "drafts: "));
  }
  CHECK(parse("{" + target + R"(, "draft": [0.6, 0.3, 0.1], "drafts": 64})").ok());
  CHECK(parse("{" + target + R"(, "draft": [0.6, 0.3, 0.1], "drafts": 2.0})").ok());
}

TEST_CASE("methods errors name the field") {
  const std::string head = R"({"target": [0.3, 0.4, 0.3], )" + kValidDraft + R"(, "methods": )";
  CHECK(starts_with(error_of(head + R"(["with_replacement", "sideways"]})"), "methods[1]: "));
  CHECK(contains(error_of(head + R"(["sideways"]})"), "sideways"));
  CHECK(starts_with(error_of(head + "[]}"), "methods: "));
  CHECK(starts_with(error_of(head + "[1]}"), "methods[0]: "));
  CHECK(starts_with(error_of(head + R"("greedy"})"), "methods: "));
}

TEST_CASE("unknown keys are rejected, not ignored") {
  const std::string message =
      error_of(R"({"target": [0.3, 0.4, 0.3], )" + kValidDraft + R"(, "method": ["greedy"]})");
  CHECK(starts_with(message, "method: "));
  CHECK(contains(message, "unknown key"));
  CHECK(starts_with(error_of("[1, 2]"), "request: "));
  CHECK(starts_with(error_of("3"), "request: "));
}

TEST_CASE("lp errors name the field") {
  const std::string head = R"({"target": [0.3, 0.4, 0.3], )" + kValidDraft + R"(, "lp": )";
  const std::string over_flow = std::to_string(limits::kMaxLpColumns + 1);
  const std::string over_glpk = std::to_string(limits::kMaxGlpkColumns + 1);
  for (const std::string columns : {std::string("0"), over_flow, std::string("1.5"), std::string("\"10\"")}) {
    CAPTURE(columns);
    CHECK(starts_with(error_of(head + R"({"max_columns": )" + columns + "}}"), "lp.max_columns: "));
  }
  for (const std::string columns : {std::string("0"), over_glpk, std::string("1.5")}) {
    CAPTURE(columns);
    CHECK(starts_with(error_of(head + R"({"glpk_max_columns": )" + columns + "}}"), "lp.glpk_max_columns: "));
  }
  CHECK(parse(head + R"({"max_columns": )" + std::to_string(limits::kMaxLpColumns) + "}}").ok());
  CHECK(parse(head + R"({"max_columns": 1}})").ok());
  CHECK(starts_with(error_of(head + R"("yes"})"), "lp: "));
  CHECK(starts_with(error_of(head + R"({"columns": 5}})"), "lp.columns: "));
  CHECK(starts_with(error_of(head + R"({"inject_glpk_error": 1}})"), "lp.inject_glpk_error: "));
  CHECK(starts_with(error_of(head + R"({"glpk": "yes"}})"), "lp.glpk: "));
  // The GLPK cross-check: off by default, its own limit; the error hook asks for it.
  const auto plain = parse(head + "true}");
  REQUIRE(plain.ok());
  CHECK_FALSE(plain.value().lp_options.glpk);
  CHECK(plain.value().lp_options.glpk_max_columns == limits::kDefaultGlpkColumns);
  const auto checked = parse(head + R"({"glpk": true, "glpk_max_columns": 500}})");
  REQUIRE(checked.ok());
  CHECK(checked.value().lp);
  CHECK(checked.value().lp_options.glpk);
  CHECK(checked.value().lp_options.glpk_max_columns == 500);
  CHECK(checked.value().lp_options.max_columns == limits::kDefaultLpColumns);
  const auto injected = parse(head + R"({"inject_glpk_error": true}})");
  REQUIRE(injected.ok());
  CHECK(injected.value().lp_options.glpk);
}

TEST_CASE("draft_joint is parsed into a law of sets") {
  const auto request = parse(R"({"target": [0.3, 0.4, 0.3], "draft_joint": [
      {"drafts": [2, 0], "prob": 1}, {"drafts": [0, 2], "prob": 1},
      {"drafts": [1, 1, 1], "prob": 2}]})");
  REQUIRE_MESSAGE(request.ok(), request.error());
  const Request& value = request.value();
  CHECK(value.lp);
  CHECK_FALSE(value.has_draft);
  REQUIRE(value.draft_joint.has_value());
  REQUIRE(value.draft_joint->size() == 2);
  // std::map order: {0, 2} before {1}.
  CHECK((*value.draft_joint)[0].tokens == std::vector<std::int32_t>{0, 2});
  CHECK(std::abs((*value.draft_joint)[0].mass - 0.5) <= kRounding);
  CHECK((*value.draft_joint)[1].tokens == std::vector<std::int32_t>{1});
  CHECK(std::abs((*value.draft_joint)[1].mass - 0.5) <= kRounding);
  REQUIRE(value.warnings.size() == 1);  // probs summed to 4
  CHECK(starts_with(value.warnings[0], "draft_joint: "));
}

TEST_CASE("draft_joint errors name the field") {
  const std::string target = R"({"target": [0.3, 0.4, 0.3], )";
  CHECK(starts_with(error_of(target + R"("draft": [0.6, 0.3, 0.1], "drafts": 2,
                                         "draft_joint": [{"drafts": [0], "prob": 1}]})"),
                    "draft_joint: "));
  CHECK(starts_with(error_of(target + R"("draft_joint": [{"drafts": [0, 3], "prob": 1}]})"),
                    "draft_joint[0].drafts[1]: "));
  CHECK(starts_with(error_of(target + R"("draft_joint": [{"drafts": [0], "prob": 0.5},
                                                          {"drafts": [-1], "prob": 0.5}]})"),
                    "draft_joint[1].drafts[0]: "));
  CHECK(starts_with(error_of(target + R"("draft_joint": [{"drafts": [0], "prob": -0.1}]})"),
                    "draft_joint[0].prob: "));
  CHECK(starts_with(error_of(target + R"("draft_joint": [{"drafts": [], "prob": 1}]})"),
                    "draft_joint[0].drafts: "));
  CHECK(starts_with(error_of(target + R"("draft_joint": [{"prob": 1}]})"),
                    "draft_joint[0].drafts: "));
  CHECK(starts_with(error_of(target + R"("draft_joint": [{"drafts": [1]}]})"),
                    "draft_joint[0].prob: "));
  CHECK(starts_with(error_of(target + R"("draft_joint": []})"), "draft_joint: "));
  CHECK(starts_with(error_of(target + R"("draft_joint": [{"drafts": [1], "prob": 0}]})"),
                    "draft_joint: "));
  CHECK(starts_with(error_of(target + R"("draft_joint": [{"drafts": [1], "prob": 1}],
                                         "methods": ["greedy"]})"),
                    "methods: "));
  CHECK(starts_with(error_of(target + R"("draft_joint": [{"drafts": [1], "prob": 1}], "lp": false})"),
                    "lp: "));
}

TEST_CASE("invalid JSON text is reported, with where it broke") {
  for (const char* text : {R"({"target": [0.5, 0.5)", "", "{} x", "{'target': 1}"}) {
    CAPTURE(text);
    const auto parsed = parse_json_text(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(starts_with(parsed.error(), "request: not valid JSON"));
    CHECK(parsed.error().size() > std::string("request: not valid JSON: ").size());
  }
  // A number beyond the double range is refused, not thrown.
  const auto overflow = parse_json_text(R"({"target": [1e400, 1]})");
  REQUIRE_FALSE(overflow.ok());
  CHECK(starts_with(overflow.error(), "request: not valid JSON"));

  const auto good = parse_json_text(R"({"a": [1, 2]})");
  REQUIRE(good.ok());
  CHECK(good.value()["a"][1] == 2);
}

namespace {
// A buffer reference as src/wasm/module.cpp places it: a binary value of
// subtype k, which no JSON text can spell.
json buffer_reference(std::uint64_t k) { return json::binary({}, k); }
}  // namespace

TEST_CASE("buffer references are read from memory") {
  const std::vector<double> target = {0.3, 0.4, 0.3}, draft = {0.6, 0.3, 0.1};
  const std::vector<NumberArray> buffers = {{target.data(), target.size()},
                                            {draft.data(), draft.size()}};
  json request = json::parse(R"({"drafts": 2})");
  request["target"] = buffer_reference(0);
  request["draft"] = buffer_reference(1);
  const auto from_buffers = solve_parsed(request, buffers);
  const auto inline_arrays =
      solve(R"({"target": [0.3, 0.4, 0.3], "draft": [0.6, 0.3, 0.1], "drafts": 2})");
  REQUIRE_MESSAGE(from_buffers.ok, from_buffers.text);
  REQUIRE(inline_arrays.ok);
  CHECK(from_buffers.text == inline_arrays.text);
  // And the value is README mathematics §6's first row.
  const json result = json::parse(from_buffers.text);
  CHECK(std::abs(result["optimal"]["without_replacement"]["alpha"].get<double>() - 0.9928571429) <=
        kExact);

  // Logits from a buffer.
  json logits_request = json::parse(R"({"draft": [1, 1, 1], "drafts": 1})");
  logits_request["target"] = {{"logits", buffer_reference(1)}};
  const auto logits = parse_request(logits_request, buffers);
  REQUIRE_MESSAGE(logits.ok(), logits.error());
  const double total = std::exp(0.6) + std::exp(0.3) + std::exp(0.1);
  CHECK(std::abs(logits.value().problem.target[0] - std::exp(0.6) / total) <= kRounding);

  // A reference past the buffers passed is the caller's bug, named as such.
  request["target"] = buffer_reference(2);
  CHECK(starts_with(parse_request(request, buffers).error(), "target: internal error: "));

  // Buffers can hold what JSON cannot: the same per-index messages apply.
  const std::vector<double> with_nan = {0.5, std::numeric_limits<double>::quiet_NaN(), 0.5};
  const std::vector<NumberArray> nan_buffer = {{with_nan.data(), with_nan.size()}};
  json nan_request = json::parse(R"({"draft": [1, 1, 1], "drafts": 1})");
  nan_request["target"] = buffer_reference(0);
  CHECK(starts_with(parse_request(nan_request, nan_buffer).error(), "target[1]: "));
}

TEST_CASE("a \"$buffer\" the request text spells is an ordinary unknown key, never a buffer") {
  // Whether or not buffers were passed, and whatever index it names.
  const std::vector<double> values = {0.6, 0.3, 0.1};
  const std::vector<NumberArray> buffers = {{values.data(), values.size()}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {std::string(R"({"target": {"$buffer": 0}, )") + kValidDraft + "}", "target.$buffer: unknown key"},
      {std::string(R"({"target": {"logits": {"$buffer": 0}}, )") + kValidDraft + "}",
       "target.logits: must be an array of numbers"},
      {R"({"target": [0.3, 0.4, 0.3], "draft": {"$buffer": -1}, "drafts": 2})", "draft.$buffer: unknown key"},
  };
  for (const auto& [text, expected] : cases) {
    for (const auto& passed : {std::span<const NumberArray>{}, std::span<const NumberArray>(buffers)}) {
      CHECK(starts_with(error_of(text, passed), expected));
    }
  }
}

namespace {

// parse_request on the document parse_json_text builds (number arrays read
// straight into doubles) and on nlohmann's own DOM of the same text: the
// error, or the probabilities and warnings, must be the same.
void check_same_as_dom(const std::string& text) {
  CAPTURE(text.substr(0, 200));
  const auto streamed = parse_json_text(text);
  const json dom = json::parse(text, nullptr, /*allow_exceptions=*/false);
  REQUIRE(streamed.ok() == !dom.is_discarded());
  if (!streamed.ok()) return;
  const auto from_streamed = parse_request(streamed.value());
  const auto from_dom = parse_request(dom);
  // The consuming parse (mdsd solve) frees the arrays as it goes: the same
  // request or error.
  json consumed = streamed.value();
  const auto from_consumed = parse_request_consuming(std::move(consumed));
  REQUIRE(from_streamed.ok() == from_dom.ok());
  REQUIRE(from_consumed.ok() == from_dom.ok());
  if (!from_dom.ok()) {
    CHECK(from_streamed.error() == from_dom.error());
    CHECK(from_consumed.error() == from_dom.error());
    return;
  }
  for (const Request* a : {&from_streamed.value(), &from_consumed.value()}) {
    const Request& b = from_dom.value();
    CHECK(a->problem.target == b.problem.target);
    CHECK(a->problem.draft == b.problem.draft);
    CHECK(a->problem.drafts == b.problem.drafts);
    CHECK(a->warnings == b.warnings);
    CHECK(a->methods == b.methods);
    CHECK(a->verifiers == b.verifiers);
  }
}

}  // namespace

// BUG (src/api/request.cpp, parse_json_text): the whole document was built
// as nlohmann::json values (16 bytes and more per number) before any limit
// was checked. The number arrays of target, draft and their logits are now
// read straight into doubles; every message and value must stay the same.
TEST_CASE("number arrays read straight from the text give the same request and the same errors") {
  const std::string draft = R"("draft": [0.6, 0.3, 0.1], "drafts": 2)";
  for (const std::string& text : {
           std::string(R"({"target": [0.3, 0.4, 0.3], )") + draft + "}",
           std::string(R"({"target": [3, 4, 3], )") + draft + "}",  // integers, normalised with a warning
           std::string(R"({"target": [18446744073709551615, 1, 1], )") + draft + "}",  // unsigned 64-bit
           std::string(R"({"target": [0.3, "0.4", 0.3], )") + draft + "}",
           std::string(R"({"target": [0.3, null, 0.3], )") + draft + "}",
           std::string(R"({"target": [0.3, true, 0.3], )") + draft + "}",
           std::string(R"({"target": [0.3, [0.4], {"a": [1, {"b": 2}]}], )") + draft + "}",
           std::string(R"({"target": [0.3, {"logits": [1]}, "x"], )") + draft + "}",
           std::string(R"({"target": [0.3, "-Infinity", 0.3], )") + draft + "}",  // not in weights
           std::string(R"({"target": [], )") + draft + "}",
           std::string(R"({"target": [-0.3, 0.4, 0.3], )") + draft + "}",
           std::string(R"({"target": {"logits": [1, "-Infinity", 2], "temperature": 0.5}, )") + draft + "}",
           std::string(R"({"target": {"logits": [1, "-Infinity", "Infinity"]}, )") + draft + "}",
           std::string(R"({"target": {"logits": [1, 2, [3]]}, )") + draft + "}",
           std::string(R"({"target": {"logits": ["-Infinity", "-Infinity", "-Infinity"]}, )") + draft + "}",
           std::string(R"({"target": {"logits": {"$buffer": 0}}, )") + draft + "}",
           std::string(R"({"target": {"probabilities": [1, 2, 3]}, )") + draft + "}",
           std::string(R"({"target": [0.3, 0.4, 0.3], "draft": {"logits": [0, 0, 0], "top_k": 2}, "drafts": 2})"),
           std::string(R"({"target": [0.3, 0.4, 0.3], "draft": [0.6, 0.3], "drafts": 2})"),
           std::string(R"({"target": [0.3, 0.4, 0.3], "draft_joint": [{"drafts": [0, 1], "prob": 1}]})"),
           std::string(R"({"methods": [[1, 2]], "target": [0.3, 0.4, 0.3], )") + draft + "}",
           std::string(R"({"x": {"target": [1, "a"]}, "target": [0.3, 0.4, 0.3], )") + draft + "}",  // not streamed
           std::string(R"([{"target": [1, 2]}])"),
           std::string(R"({"target": [0.3, 0.4, 0.3], )") + draft + ", \"verifiers\": [\"kseq\"]}",
       }) {
    check_same_as_dom(text);
  }
  // Random arrays with odd elements at random places, in either field.
  std::mt19937_64 random(20261201);
  const std::vector<std::string> odd = {"\"x\"", "\"-Infinity\"", "null", "false", "[]", "[1, [2]]", "{}",
                                        "{\"a\": [\"b\"]}", "-1", "0", "1e-320", "7"};
  for (int trial = 0; trial < 300; ++trial) {
    auto array = [&](std::size_t size) {
      std::string text = "[";
      for (std::size_t i = 0; i < size; ++i) {
        if (i) text += ", ";
        text += random() % 8 == 0 ? odd[random() % odd.size()] : std::to_string(static_cast<double>(random() % 1000) / 997.0);
      }
      return text + "]";
    };
    // Now and then past the reader's runs of 256 numbers.
    const std::size_t size = trial % 10 == 0 ? 250 + random() % 450 : 1 + random() % 6;
    const bool logits = random() % 2;
    const std::string target = logits ? "{\"logits\": " + array(size) + "}" : array(size);
    check_same_as_dom("{\"target\": " + target + ", \"draft\": " + array(size) + ", \"drafts\": " +
                      std::to_string(1 + random() % 3) + "}");
  }
}

TEST_CASE("the vocabulary limit of an array read straight from the text counts every element") {
  // 4,194,305 zeros: over the limit by one. The message gives the whole count
  // although the numbers past the limit are not kept.
  std::string zeros = "[0";
  for (int i = 1; i < 4'194'305; ++i) zeros += ",0";
  zeros += "]";
  const auto parsed = parse_json_text("{\"target\": " + zeros + ", \"draft\": [1], \"drafts\": 1}");
  REQUIRE(parsed.ok());
  const auto request = parse_request(parsed.value());
  REQUIRE_FALSE(request.ok());
  CHECK(request.error() == "target: 4194305 tokens is more than the limit of 4194304");
  // An odd element past the limit does not change which error comes first.
  const auto odd = parse_json_text("{\"target\": {\"logits\": " + zeros.substr(0, zeros.size() - 1) + ", \"x\"]}, \"draft\": [1], \"drafts\": 1}");
  REQUIRE(odd.ok());
  CHECK(parse_request(odd.value()).error() == "target.logits: 4194306 tokens is more than the limit of 4194304");
}

// BUG (src/api/request.cpp, parse_json_text): nlohmann's lexer takes a NUL
// byte for the end of the input, so whatever followed it was silently dropped.
TEST_CASE("a NUL byte anywhere in the text is an error naming its line and column") {
  const std::string valid = R"({"target": [1], "draft": [1], "drafts": 1})";
  const auto after = parse_json_text(valid + std::string(1, '\0') + "garbage");
  REQUIRE_FALSE(after.ok());
  CHECK(after.error() == "request: not valid JSON: parse error at line 1, column " + std::to_string(valid.size() + 1) +
                             ": a NUL byte (JSON text cannot hold one)");
  const auto inside = parse_json_text("{\n\"a\": \"x" + std::string(1, '\0') + "\"}");
  REQUIRE_FALSE(inside.ok());
  CHECK(contains(inside.error(), "line 2, column 8"));
}

// BUG (src/api/request.cpp): a draft_joint request with "verifiers": [] was
// refused, although README says [] means none, which is what draft_joint gives.
TEST_CASE("draft_joint accepts \"verifiers\": [] and still refuses any verifier") {
  const std::string head = R"({"target": [0.3, 0.4, 0.3], "draft_joint": [{"drafts": [0, 1], "prob": 1}], )";
  const auto none = parse(head + R"("verifiers": []})");
  REQUIRE_MESSAGE(none.ok(), none.error());
  CHECK(none.value().verifiers.empty());
  CHECK(starts_with(error_of(head + R"("verifiers": ["kseq"]})"), "verifiers: does not apply to draft_joint"));
  CHECK(starts_with(error_of(head + R"("verifiers": "none"})"), "verifiers: does not apply to draft_joint"));
  // Through solve: the LP's value, 1 + p(H) - Q(H) with H = {0, 1}: 1 + 0.7 - 1.
  const auto solved = solve(head + R"("verifiers": []})");
  REQUIRE_MESSAGE(solved.ok, solved.text);
  CHECK(std::abs(json::parse(solved.text)["lp"]["joint"]["alpha"].get<double>() - 0.7) <= 1e-9);
}

// BUG (src/api): messages echoed the user's input whole (a 10 MB key came back
// as a 10 MB message) and raw (bytes that are not UTF-8, C1 controls).
TEST_CASE("messages quote at most an excerpt of the input, escaped to valid one-line UTF-8") {
  const std::string key(10'000'000, 'k');
  const std::string message = error_of("{\"" + key + "\": 1, \"target\": [1], \"draft\": [1], \"drafts\": 1}");
  CHECK(message == std::string(80, 'k') + "\u2026: unknown key (expected one of: target, draft, drafts, draft_joint, "
                                           "methods, lp, verifiers, simulate, vocab)");
  const std::string method = error_of(std::string(R"({"target": [1], "draft": [1], "drafts": 1, "methods": [")") +
                                      std::string(1000, 'm') + "\"]}");
  CHECK(starts_with(method, "methods[0]: unknown method \"" + std::string(80, 'm') + "\u2026\""));
  // A string token of 10 MB with a bad byte at its end: the parser's "last
  // read" quote keeps only its end.
  const auto bad_string = parse_json_text("{\"target\": \"" + key + "\xff\"}");
  REQUIRE_FALSE(bad_string.ok());
  CHECK(bad_string.error().size() < 300);
  CHECK(contains(printable(bad_string.error()), "\\xff"));

  // printable(): what is not UTF-8 as \xHH, controls as \u00HH, the rest kept.
  CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(printable("a\xff" "b") == "a\\xffb");
  CHECK(printable("\xc3") == "\\xc3");                  // cut short
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");         // overlong '/'
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a UTF-16 surrogate
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  CHECK(printable("a\nb\x7f") == "a\\u000ab\\u007f");
  CHECK(printable("\xc2\x9b" "31m") == "\\u009b31m");  // C1 CSI, which terminals act on
  // excerpt(): counts characters, never cuts one in half.
  CHECK(excerpt("abc", 3) == "abc");
  CHECK(excerpt("abcd", 3) == "abc\u2026");
  CHECK(excerpt("\xc3\xa9\xc3\xa9\xc3\xa9", 2) == "\xc3\xa9\xc3\xa9\u2026");
  CHECK(excerpt("\xff\xff\xff", 2) == "\\xff\\xff\u2026");
}

}  // namespace mdsd::test

namespace mdsd::test {

TEST_CASE("a key given twice is an error naming it, not a silent last-one-wins") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"target": [0.5, 0.5], "target": [0.1, 0.9], "draft": [0.5, 0.5], "drafts": 1})", "target: given twice"},
      {R"({"target": {"logits": [0, 1], "logits": [1, 0]}, "draft": [0.5, 0.5], "drafts": 1})",
       "target.logits: given twice"},
      {R"({"target": [0.5, 0.5], "draft": [0.5, 0.5], "drafts": 1, "simulate": {"samples": 10, "seed": 1, "seed": 2}})",
       "simulate.seed: given twice"},
  };
  for (const auto& [text, expected] : cases) {
    CAPTURE(text);
    const auto parsed = parse_json_text(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().rfind(expected, 0) == 0);
  }
}

TEST_CASE("integer fields compare integer literals exactly") {
  // 2^53 + 1 is not 2^53: as a double it would pass the seed's limit.
  const auto request = [](const std::string& seed) {
    return parse_json_text(R"({"target": [0.5, 0.5], "draft": [0.5, 0.5], "drafts": 1, "simulate": {"samples": 10, "seed": )" +
                           seed + "}}");
  };
  const auto at_limit = request("9007199254740992");
  REQUIRE(at_limit.ok());
  CHECK(parse_request(at_limit.value()).ok());
  for (const std::string seed : {"9007199254740993", "18446744073709551615", "-1"}) {
    CAPTURE(seed);
    const auto parsed = request(seed);
    REQUIRE(parsed.ok());
    const auto refused = parse_request(parsed.value());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error() == "simulate.seed: must be an integer from 0 to 9007199254740992, got " + seed);
  }
}

}  // namespace mdsd::test

namespace mdsd::test {

TEST_CASE("a number past the double range names the field it is in") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"target": [1e309, 1], "draft": [0.5, 0.5], "drafts": 1})", "(in target[0])"},
      {R"({"target": [0.5, 0.5], "draft": {"logits": [1, 2e400]}, "drafts": 1})", "(in draft.logits[1])"},
      {R"({"target": [0.5, 0.5], "draft_joint": [{"drafts": [0], "prob": 1e400}]})", "(in draft_joint[0].prob)"},
      {R"({"target": [0.5, 0.5], "draft": [0.5, 0.5], "drafts": 1, "simulate": {"samples": 1e999}})",
       "(in simulate.samples)"},
  };
  for (const auto& [text, where] : cases) {
    CAPTURE(text);
    const auto parsed = parse_json_text(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().rfind("request: not valid JSON: number overflow", 0) == 0);
    CHECK(parsed.error().ends_with(where));
  }
}

}  // namespace mdsd::test
