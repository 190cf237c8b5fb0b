// api/result_writer: the result text written straight from the Result is,
// byte for byte, nlohmann's dump of the to_json document (api/result.hpp),
// the reference, over results of real requests (every method, verifier, LP,
// Monte Carlo estimates and simulation, partial lists, draft_joint, errors
// and warnings) and over results built by hand with edge doubles and strings
// (escapes, UTF-8, bytes that are not UTF-8).
#include "api/result_writer.hpp"

#include "api/request.hpp"
#include "api/result.hpp"
#include "core/synthetic.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace mdsd::test {
namespace {

using nlohmann::json;

std::string reference_text(const Result& result) {
  return to_json(result).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// The result text both ways (whole, and in pieces to a sink) against the
// reference; the pieces stay near their 64 KB.
// Where two texts first differ, with some of each from there ("" if equal):
// a message of a few lines even for megabytes of text.
std::string first_difference(const std::string& a, const std::string& b) {
  if (a == b) return "";
  std::size_t at = 0;
  while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
  const std::size_t from = at < 40 ? 0 : at - 40;
  return "at byte " + std::to_string(at) + ": " + a.substr(from, 80) + " | reference: " + b.substr(from, 80);
}

void check_same_text(const Result& result) {
  const std::string expected = reference_text(result);
  CHECK(first_difference(result_text(result), expected) == "");
  std::string joined;
  std::size_t pieces = 0, largest = 0;
  write_result_text(result, [&](std::string_view piece) {
    CHECK_FALSE(piece.empty());
    joined += piece;
    ++pieces;
    largest = std::max(largest, piece.size());
  });
  CHECK(first_difference(joined, expected) == "");
  CHECK(largest <= (std::size_t{1} << 16) + 64 * 1024);
  if (expected.size() > 200 * 1024) CHECK(pieces > 2);
  // Each method's entry written beforehand (as mdsd solve writes them on a
  // second thread), in room of method_result_text_bound that is not
  // outgrown, and the rest written around them.
  std::vector<std::string> texts;
  for (const MethodResult& entry : result.optimal) {
    std::string& text = texts.emplace_back();
    text.reserve(method_result_text_bound(entry));
    const char* const room = text.data();
    write_method_result_text(entry, text);
    CHECK(text.data() == room);
  }
  std::string around;
  write_result_text(result, [&](std::string_view piece) { around += piece; }, texts);
  CHECK(first_difference(around, expected) == "");
}

Result result_of(const std::string& request_text) {
  CAPTURE(request_text);
  auto document = parse_json_text(request_text);
  REQUIRE_MESSAGE(document.ok(), document.error());
  auto request = parse_request(document.value());
  REQUIRE_MESSAGE(request.ok(), request.error());
  return calculate(request.value());
}

std::string numbers_text(const std::vector<double>& values) {
  return json(values).dump();
}

}  // namespace

TEST_CASE("result writer: the text of real requests is nlohmann's dump of to_json") {
  const std::vector<std::string> requests = {
      // Defaults: every method and verifier but the LP plan's.
      R"({"target": [0.5, 0.3, 0.2], "draft": [0.2, 0.3, 0.5], "drafts": 2})",
      // The LP, its GLPK cross-check, and a GLPK failure.
      R"({"target": [0.5, 0.3, 0.2], "draft": [0.2, 0.3, 0.5], "drafts": 2, "lp": true})",
      R"({"target": [0.4, 0.3, 0.2, 0.1], "draft": [0.1, 0.2, 0.3, 0.4], "drafts": 2, "lp": {"glpk": true}})",
      R"({"target": [0.4, 0.3, 0.2, 0.1], "draft": [0.1, 0.2, 0.3, 0.4], "drafts": 2, "lp": {"inject_glpk_error": true}})",
      R"({"target": [0.4, 0.3, 0.2, 0.1], "draft": [0.1, 0.2, 0.3, 0.4], "drafts": 3, "lp": {"max_columns": 2}})",
      // Monte Carlo estimates and the simulation of every verifier.
      R"({"target": [0.5, 0.3, 0.2], "draft": [0.2, 0.3, 0.5], "drafts": 2, "simulate": {"samples": 3000, "seed": 7}})",
      R"({"target": [0.5, 0.3, 0.2], "draft": [0.2, 0.3, 0.5], "drafts": 2, "lp": true, "simulate": {"samples": 500}})",
      // Warnings (weights that do not sum to 1) and methods that do not apply.
      R"({"target": [1, 2, 3], "draft": [3, 2, 1], "drafts": 1})",
      R"({"target": [0.5, 0.5, 0], "draft": [1, 0, 0], "drafts": 3, "lp": true})",
      R"({"target": [0.5, 0.5], "draft": [0.5, 0.5], "drafts": 1, "methods": ["top_n", "greedy"], "verifiers": []})",
      // Logits with sampling settings, and a masked token.
      R"({"target": {"logits": [1.5, 0.2, -1, "-Infinity"], "temperature": 0.7, "top_k": 3},
          "draft": {"logits": [0.1, 0.9, 0.3, 0.2], "top_p": 0.9}, "drafts": 2})",
      // draft_joint: the LP alone.
      R"({"target": [0.5, 0.3, 0.2], "draft_joint": [{"drafts": [0, 1], "prob": 0.5}, {"drafts": [2], "prob": 0.25},
          {"drafts": [1, 2], "prob": 0.5}]})",
      // Partial lists: bounds, with and without a vocabulary, and all tokens listed.
      R"({"target": {"ids": [0, 1], "logprobs": [-0.5, -1.5], "unlisted": "any"},
          "draft": {"ids": [1, 2], "probs": [0.5, 0.3], "unlisted": "top_k"}, "drafts": 2, "vocab": 10})",
      R"({"target": {"ids": [0, 1, 4], "logprobs": [-0.5, -1.5, -2.5], "unlisted": {"at_most_logprob": -3}},
          "draft": {"ids": [1, 2], "probs": [0.5, 0.3]}, "drafts": 2, "vocab": 6})",
      R"({"target": {"ids": [0, 1, 2], "probs": [0.5, 0.3, 0.2]}, "draft": {"ids": [0, 1, 2], "probs": [0.2, 0.3, 0.5]},
          "drafts": 2, "vocab": 3})",
      R"({"target": {"ids": [0, 1, 2], "probs": [0.5, 0.3, 0.2]}, "draft": {"ids": [0, 1, 2], "probs": [0.2, 0.3, 0.5]},
          "drafts": 2, "vocab": 3, "verifiers": ["rrs_without_replacement", "kseq", "spechub", "greedy"]})",
  };
  for (const std::string& request : requests) {
    CAPTURE(request);
    check_same_text(result_of(request));
  }
}

TEST_CASE("result writer: random requests, every verifier, and a certificate of thousands of ids") {
  std::mt19937_64 random(20261201);
  for (int trial = 0; trial < 60; ++trial) {
    const int vocab = 2 + static_cast<int>(random() % 30);
    std::vector<double> target(vocab), draft(vocab);
    for (int i = 0; i < vocab; ++i) {
      // Some zeros, some ties, magnitudes far apart.
      target[i] = random() % 5 == 0 ? 0.0 : std::ldexp(1.0 + static_cast<double>(random() % 7), -static_cast<int>(random() % 40));
      draft[i] = random() % 5 == 0 ? 0.0 : std::ldexp(1.0 + static_cast<double>(random() % 7), -static_cast<int>(random() % 40));
    }
    target[random() % vocab] = 1.0;
    draft[random() % vocab] = 1.0;
    std::string request = "{\"target\": " + numbers_text(target) + ", \"draft\": " + numbers_text(draft) +
                          ", \"drafts\": " + std::to_string(1 + random() % 4);
    if (trial % 3 == 0) request += ", \"lp\": true";
    if (trial % 4 == 1) request += ", \"simulate\": {\"samples\": 400, \"seed\": " + std::to_string(trial) + "}";
    request += "}";
    CAPTURE(request);
    check_same_text(result_of(request));
  }
  // Long certificates: the text goes out in several pieces.
  const auto pair = synthetic_pair(30000, 3);
  const std::vector<double> target(pair.target.data(), pair.target.data() + pair.target.size());
  const std::vector<double> draft(pair.draft.data(), pair.draft.data() + pair.draft.size());
  const Result large = result_of("{\"target\": " + numbers_text(target) + ", \"draft\": " + numbers_text(draft) +
                                 ", \"drafts\": 4, \"verifiers\": [\"greedy\", \"kseq\"]}");
  REQUIRE(large.optimal.size() == 4);
  REQUIRE(large.optimal.front().rate.ok());
  CHECK(large.optimal.front().rate.value().certificate.size() > 10000);
  check_same_text(large);
}

TEST_CASE("result writer: edge doubles, integers and strings as nlohmann prints them") {
  // Doubles: zeros, integer values ("1.0"), the shortest round trips
  // (0.1 + 0.2), the ends of the range and subnormals, the switch to an
  // exponent (1e21), and what JSON cannot spell (null).
  std::vector<double> doubles = {0.0,     -0.0,    1.0,      -1.0,   3.0,    100.0,  0.1 + 0.2, 1e-300, 5e-324,
                                 -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
                                 -1.7976931348623157e308, 1e21, 1e22, 1e20, 123456789012345680000.0, 1e-7, 1e-5,
                                 0.001, 1e15, 1e16, 1e17, 9007199254740993.0, 0.5, 2.5e-8, 1.0 / 3.0,
                                 std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::infinity()};
  std::mt19937_64 random(8259);
  for (int i = 0; i < 3000; ++i) {
    const std::uint64_t raw = random();
    double value;
    std::memcpy(&value, &raw, sizeof value);
    doubles.push_back(value);
  }
  const std::vector<std::string> strings = {
      "", "plain text", "quote \" and backslash \\ and slash /", "tab\t newline\n return\r \b \f",
      std::string("controls \x01 \x1f \x7f and a NUL ") + '\0' + " inside", "unicode \u2211 \u00fc \U0001F600",
      "not UTF-8: \xff\xfe", "cut short: \xe2\x82", "overlong: \xc0\xaf", "lone surrogate: \xed\xa0\x80"};

  Result result;
  result.vocab = 7;
  result.drafts = 3;
  result.warnings = strings;
  for (std::size_t i = 0; i + 2 < doubles.size(); i += 3) {
    OptimalRate rate{doubles[i], {0, 3, 6, std::numeric_limits<std::int32_t>::max(), -1}, doubles[i + 1], doubles[i + 2]};
    result.optimal = {{DraftMethod::with_replacement, rate},
                      {DraftMethod::without_replacement, Error{strings[i % strings.size()]}},
                      {DraftMethod::greedy, rate}};
    LpSolution solution{"max_flow", doubles[i + 1], "optimal", std::numeric_limits<std::int64_t>::max(), {1, 2}, doubles[i], {}};
    LpSolution glpk{"glpk", doubles[i + 2], strings[(i + 1) % strings.size()], std::numeric_limits<std::int64_t>::min(), {}, doubles[i + 1], {}};
    result.lp = {{"with_replacement", solution, glpk},
                 {strings[(i + 2) % strings.size()], solution, Expected<LpSolution>(Error{"GLPK failed: \u00e9"})},
                 {"joint", Error{strings[(i + 3) % strings.size()]}, std::nullopt},
                 {"greedy", solution, std::nullopt}};
    VerifierAcceptance exact{doubles[i], true, DraftMethod::greedy, doubles[i + 1], {0.0, 0.0}, 0, std::nullopt};
    VerifierAcceptance estimate{doubles[i + 2], false, DraftMethod::without_replacement, doubles[i],
                                {doubles[i + 1], doubles[i + 2]}, std::numeric_limits<std::int64_t>::max(), doubles[i + 1]};
    SimulationSummary summary{{static_cast<std::int64_t>(random() % 3), 1, 2, {0, -5, std::numeric_limits<std::int64_t>::min()}},
                              {doubles[i], doubles[i + 1]}, {doubles[i + 2], doubles[i]},
                              {doubles[i + 1], static_cast<int>(random() % 100), doubles[i + 2]}};
    result.verifiers = {{VerifierKind::kseq, estimate, Expected<SimulationSummary>(summary)},
                        {VerifierKind::greedy, exact, Expected<SimulationSummary>(Error{strings[i % strings.size()]})},
                        {VerifierKind::spechub, Error{strings[(i + 4) % strings.size()]}, Expected<SimulationSummary>(summary)}};
    CAPTURE(i);
    check_same_text(result);
  }
  // Without simulations, and with nothing but the header.
  result.verifiers = {{VerifierKind::optimal_lp, Error{"too large"}, std::nullopt}};
  check_same_text(result);
  Result empty;
  check_same_text(empty);
}

TEST_CASE("result writer: partial results built by hand") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const Eigen::Index vocab : {Eigen::Index{0}, Eigen::Index{12}}) {
    Result result;
    result.vocab = vocab;
    result.drafts = 2;
    result.warnings = {"target: \u201csome\u201d tokens listed"};
    result.unlisted_mass = UnlistedMass{{0.0, 0.25}, {1e-300, nan}};
    result.intervals = {{DraftMethod::with_replacement, AlphaInterval{0.25, 0.75}},
                        {DraftMethod::without_replacement, AlphaInterval{0.5, 0.5}},
                        {DraftMethod::greedy, Error{"greedy: no bound \"here\""}}};
    check_same_text(result);  // no verifiers
    result.verifier_intervals = {{VerifierKind::kseq, AlphaInterval{0.1, 0.2}, false, true},
                                 {VerifierKind::greedy, AlphaInterval{0.3, 0.3}, true, true},
                                 {VerifierKind::spechub, AlphaInterval{0.3, 0.4}, true, false},
                                 {VerifierKind::rrs_with_replacement, Error{"no interval"}, false, true},
                                 {VerifierKind::exact_match, Error{"no value"}, true, false}};
    check_same_text(result);
  }
}

}  // namespace mdsd::test
