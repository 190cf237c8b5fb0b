// api/request: the request contract, and a message naming the field for every
// way a request can be wrong.
#include "api/request.hpp"

#include "api/solve.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
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
  CHECK(defaults.value().methods.size() == 3);
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
  for (const char* columns : {"0", "200001", "1.5", "\"10\""}) {
    CAPTURE(columns);
    CHECK(starts_with(error_of(head + R"({"max_columns": )" + columns + "}}"), "lp.max_columns: "));
  }
  CHECK(parse(head + R"({"max_columns": 200000}})").ok());
  CHECK(parse(head + R"({"max_columns": 1}})").ok());
  CHECK(starts_with(error_of(head + R"("yes"})"), "lp: "));
  CHECK(starts_with(error_of(head + R"({"columns": 5}})"), "lp.columns: "));
  CHECK(starts_with(error_of(head + R"({"inject_glpk_error": 1}})"), "lp.inject_glpk_error: "));
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

TEST_CASE("$buffer arrays are read from memory") {
  const std::vector<double> target = {0.3, 0.4, 0.3}, draft = {0.6, 0.3, 0.1};
  const std::vector<NumberArray> buffers = {{target.data(), target.size()},
                                            {draft.data(), draft.size()}};
  const auto from_buffers =
      solve(R"({"target": {"$buffer": 0}, "draft": {"$buffer": 1}, "drafts": 2})", buffers);
  const auto inline_arrays =
      solve(R"({"target": [0.3, 0.4, 0.3], "draft": [0.6, 0.3, 0.1], "drafts": 2})");
  REQUIRE_MESSAGE(from_buffers.ok, from_buffers.text);
  REQUIRE(inline_arrays.ok);
  CHECK(from_buffers.text == inline_arrays.text);
  // And the value is THEORY.md §6's first row.
  const json result = json::parse(from_buffers.text);
  CHECK(std::abs(result["optimal"]["without_replacement"]["alpha"].get<double>() - 0.9928571429) <=
        kExact);

  // Logits from a buffer.
  const auto logits = parse(R"({"target": {"logits": {"$buffer": 1}}, "draft": [1, 1, 1], "drafts": 1})",
                            buffers);
  REQUIRE_MESSAGE(logits.ok(), logits.error());
  const double total = std::exp(0.6) + std::exp(0.3) + std::exp(0.1);
  CHECK(std::abs(logits.value().problem.target[0] - std::exp(0.6) / total) <= kRounding);

  CHECK(starts_with(error_of(R"({"target": {"$buffer": 2}, "draft": {"$buffer": 1}, "drafts": 2})",
                             buffers),
                    "target.$buffer: "));
  CHECK(starts_with(error_of(R"({"target": {"$buffer": -1}, "draft": {"$buffer": 1}, "drafts": 2})",
                             buffers),
                    "target.$buffer: "));
  CHECK(starts_with(error_of(R"({"target": [0.3, 0.4, 0.3], "draft": {"$buffer": 0}, "drafts": 2})"),
                    "draft.$buffer: "));

  // Buffers can hold what JSON cannot: the same per-index messages apply.
  const std::vector<double> with_nan = {0.5, std::numeric_limits<double>::quiet_NaN(), 0.5};
  const std::vector<NumberArray> nan_buffer = {{with_nan.data(), with_nan.size()}};
  CHECK(starts_with(error_of(R"({"target": {"$buffer": 0}, "draft": [1, 1, 1], "drafts": 1})",
                             nan_buffer),
                    "target[1]: "));
}

}  // namespace mdsd::test
