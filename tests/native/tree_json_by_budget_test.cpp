// The tree request's "by_budget" lists (the page's chart of expected tokens
// against the budget): each entry is checked against a separate request at
// that budget, and the chains against their closed forms computed here.
#include "api/tree_json.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

namespace mdsd::test {
namespace {

nlohmann::json solved(const nlohmann::json& request) {
  const SolveOutput output = solve_tree(request.dump());
  REQUIRE_MESSAGE(output.ok, output.text);
  return nlohmann::json::parse(output.text);
}

// 1 + p1 + ... + p1^length
double chain_value(double p1, int length) {
  double total = 1.0, reach = 1.0;
  for (int k = 0; k < length; ++k) total += (reach *= p1);
  return total;
}

}  // namespace

TEST_CASE("by_budget: the best tree, one chain and independent chains at every budget") {
  const std::vector<double> p = {0.5, 0.3, 0.1};
  const int depth = 3;
  const nlohmann::json result = solved({{"acceptance", p}, {"budget", 9}, {"depth", depth}, {"by_budget", true}});
  const auto& lists = result["by_budget"];
  REQUIRE(lists["best"].size() == 10);
  REQUIRE(lists["chain"].size() == 10);
  REQUIRE(lists["independent_chains"].size() == 10);
  for (int m = 0; m <= 9; ++m) {
    CAPTURE(m);
    const nlohmann::json alone = solved({{"acceptance", p}, {"budget", m}, {"depth", depth}});
    CHECK(lists["best"][m].get<double>() == doctest::Approx(alone["expected_tokens"].get<double>()).epsilon(1e-15));
    CHECK(lists["chain"][m].get<double>() == doctest::Approx(chain_value(p[0], std::min(m, depth))).epsilon(1e-15));
    double chains = 1.0;
    for (int n = 1; n <= std::min<int>(3, m); ++n) {
      double first = 0.0;
      for (int b = 0; b < n; ++b) first += p[static_cast<std::size_t>(b)];
      const int length = std::min(depth, m / n);
      chains = std::max(chains, 1.0 + first * (chain_value(p[0], length - 1)));
    }
    CHECK(lists["independent_chains"][m].get<double>() == doctest::Approx(chains).epsilon(1e-15));
  }
  // The last entry is the result itself.
  CHECK(lists["best"][9].get<double>() == result["expected_tokens"].get<double>());
}

TEST_CASE("by_budget: absent unless asked, and a boolean") {
  CHECK_FALSE(solved({{"acceptance", {0.5}}, {"budget", 2}, {"depth", 2}}).contains("by_budget"));
  CHECK_FALSE(solved({{"acceptance", {0.5}}, {"budget", 2}, {"depth", 2}, {"by_budget", false}}).contains("by_budget"));
  const SolveOutput output = solve_tree(R"({"acceptance": [0.5], "budget": 2, "depth": 2, "by_budget": 1})");
  CHECK_FALSE(output.ok);
  CHECK(output.text.rfind("by_budget: must be true or false", 0) == 0);
}

}  // namespace mdsd::test
