// cli/optimal_text_thread: the method texts written on the second thread,
// posted from calculate() as each method is done, are the entries' texts, and
// the result text written around them is result_text's (itself checked
// against nlohmann's dump in api_result_writer_test).
#include "cli/optimal_text_thread.hpp"

#include "api/request.hpp"
#include "api/result_writer.hpp"
#include "core/synthetic.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mdsd::test {
namespace {

using cli::OptimalTextThread;

Request request_of(const nlohmann::json& document) {
  auto request = parse_request(document);
  REQUIRE_MESSAGE(request.ok(), request.error());
  return request.value();
}

std::string text_of(const MethodResult& entry) {
  std::string text;
  write_method_result_text(entry, text);
  return text;
}

}  // namespace

TEST_CASE("optimal text thread: each method's text as calculate finishes it, the result text around them") {
  const auto pair = synthetic_pair(20000, 3);
  const std::vector<double> target(pair.target.data(), pair.target.data() + pair.target.size());
  const std::vector<double> draft(pair.draft.data(), pair.draft.data() + pair.draft.size());
  // Every method (greedy does not apply with fewer positive draft tokens
  // than drafts: an error entry), then verifiers after the methods.
  for (const nlohmann::json& document :
       {nlohmann::json{{"target", target}, {"draft", draft}, {"drafts", 3}, {"verifiers", nlohmann::json::array()}},
        nlohmann::json{{"target", {0.5, 0.5, 0.0}}, {"draft", {1.0, 0.0, 0.0}}, {"drafts", 2}},
        nlohmann::json{{"target", {0.4, 0.3, 0.2, 0.1}}, {"draft", {0.1, 0.2, 0.3, 0.4}}, {"drafts", 2},
                       {"methods", {"greedy", "with_replacement"}}}}) {
    CAPTURE(document.dump().substr(0, 80));
    const Request request = request_of(document);
    Result result;
    std::vector<const MethodResult*> posted;
    OptimalTextThread thread(true);
    calculate(request, result, [&](const MethodResult& entry) {
      posted.push_back(&entry);
      thread.post(entry);
    });
    const std::vector<std::string> texts = thread.texts();
    // Every entry posted once, in order, where it stays.
    REQUIRE(posted.size() == result.optimal.size());
    for (std::size_t i = 0; i < posted.size(); ++i) CHECK(posted[i] == &result.optimal[i]);
    CHECK(result_text(result) == result_text(calculate(request)));
    REQUIRE(texts.size() == result.optimal.size());
    for (std::size_t i = 0; i < texts.size(); ++i) CHECK(texts[i] == text_of(result.optimal[i]));
    std::string around;
    write_result_text(result, [&](std::string_view piece) { around += piece; }, texts);
    CHECK(around == result_text(result));
    CHECK(thread.texts().empty());  // once only
  }
}

TEST_CASE("optimal text thread: none when not wanted; texts that do not match the entries are not used") {
  const Request request = request_of({{"target", {0.5, 0.3, 0.2}}, {"draft", {0.2, 0.3, 0.5}}, {"drafts", 2}});
  Result result;
  OptimalTextThread thread(false);
  calculate(request, result, [&](const MethodResult& entry) { thread.post(entry); });
  CHECK(thread.texts().empty());
  const std::string expected = result_text(result);
  REQUIRE(result.optimal.size() >= 2);
  // One text fewer than the entries (a thread that failed part way).
  const std::vector<std::string> fewer = {text_of(result.optimal[0])};
  std::string written;
  write_result_text(result, [&](std::string_view piece) { written += piece; }, fewer);
  CHECK(written == expected);
}

}  // namespace mdsd::test
