// tree/cost_model: the budget and depth with the most tokens per unit time,
// against brute force over every tree; target times interpolated.
#include "support.hpp"
#include "tree/cost_model.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

namespace mdsd::test {
namespace {

// Every tree's (nodes, depth <= d) value, enumerated as in tree_best_tree_test.
std::vector<double> forests(const std::vector<double>& p, int nodes, int depth, int first_rank) {
  if (nodes == 0) return {0.0};
  if (depth == 0 || first_rank > static_cast<int>(p.size())) return {};
  std::vector<double> values;
  for (int size = 1; size <= nodes; ++size) {
    for (double child : forests(p, size - 1, depth - 1, 1)) {
      for (double others : forests(p, nodes - size, depth, first_rank + 1)) {
        values.push_back(p[static_cast<std::size_t>(first_rank - 1)] * (1.0 + child) + others);
      }
    }
  }
  return values;
}

// Written from the stated model: linear between measured points.
double time_at(const std::vector<std::pair<int, double>>& points, int tokens) {
  for (std::size_t k = 0; k + 1 < points.size(); ++k) {
    if (tokens >= points[k].first && tokens <= points[k + 1].first) {
      const double share = double(tokens - points[k].first) / double(points[k + 1].first - points[k].first);
      return points[k].second + share * (points[k + 1].second - points[k].second);
    }
  }
  return points.size() == 1 ? points[0].second : NAN;
}

}  // namespace

TEST_CASE("target times: one time for every size, or linear between measured points") {
  CostModel flat{0.1, {{1, 2.0}}};
  CHECK(target_time(flat, 1) == 2.0);
  CHECK(target_time(flat, 500) == 2.0);
  CostModel measured{0.1, {{1, 1.0}, {5, 2.0}, {9, 4.0}}};
  CHECK(target_time(measured, 1) == 1.0);
  CHECK(std::abs(target_time(measured, 3) - 1.5) <= kRounding);
  CHECK(target_time(measured, 5) == 2.0);
  CHECK(std::abs(target_time(measured, 8) - 3.5) <= kRounding);
  CHECK(largest_tokens(measured) == 9);
  CHECK(check_cost_model({0.1, {{2, 1.0}, {3, 1.0}}}, "d", "t")->message.starts_with("t[0]: the first point must be at 1 token"));
  CHECK(check_cost_model({0.1, {{1, 1.0}, {1, 2.0}}}, "d", "t")->message.starts_with("t[1]: tokens must increase"));
  CHECK(check_cost_model({-1.0, {{1, 1.0}}}, "d", "t")->message.starts_with("d: must be a time from 0 to 1e300"));
  CHECK(check_cost_model({0.1, {{1, 0.0}}}, "d", "t")->message.starts_with("t: the time must be from 1e-300 to 1e300"));
  CHECK(check_cost_model({0.1, {{1, 1.0}, {2, NAN}}}, "d", "t")->message.starts_with("t[1]: the time must be from 1e-300 to 1e300"));
  // Subnormal or huge times would make tokens per time overflow: refused.
  CHECK(check_cost_model({0.1, {{1, 5e-324}}}, "d", "t")->message == "t: the time must be from 1e-300 to 1e300 (any unit), got 5e-324");
  CHECK(check_cost_model({1e301, {{1, 1.0}}}, "d", "t")->message.starts_with("d: must be a time from 0 to 1e300"));
  CHECK(!check_cost_model({5e-324, {{1, 1e-300}}}, "d", "t"));
  CHECK(!check_cost_model({1e300, {{1, 1e300}}}, "d", "t"));
}

TEST_CASE("the best budget and depth for time match brute force over every tree") {
  const std::vector<std::vector<double>> vectors = {{0.6, 0.2, 0.1}, {0.3, 0.3, 0.3}, {0.9}, {0.1, 0.05}};
  const std::vector<std::pair<int, double>> points = {{1, 1.0}, {3, 1.05}, {5, 1.3}, {7, 2.0}};
  for (const auto& p : vectors) {
    for (double draft_time : {0.0, 0.05, 0.3}) {
      CostModel cost{draft_time, {}};
      for (const auto& [tokens, time] : points) cost.target_times.push_back({tokens, time});
      const int budget = 6, depth = 4;
      // Brute force: every tree of n <= 6 nodes and depth <= d, at the cost of depth d.
      double best_rate = 1.0 / time_at(points, 1);
      for (int n = 1; n <= budget; ++n) {
        for (int d = 1; d <= depth; ++d) {
          double best = -1.0;
          for (double value : forests(p, n, d, 1)) best = std::max(best, 1.0 + value);
          if (best > 0.0) best_rate = std::max(best_rate, best / (d * draft_time + time_at(points, n + 1)));
        }
      }
      const TimedBest timed = best_for_time(TreeTable(p, budget, depth), cost);
      CAPTURE(p[0]);
      CAPTURE(draft_time);
      CHECK(std::abs(timed.tree.tokens_per_time - best_rate) <= kRounding);
      CHECK(std::abs(timed.tree.speedup - best_rate * time_at(points, 1)) <= kRounding);
      // The tree reported is worth what is claimed, at its own size and depth.
      CHECK(std::abs(expected_tokens(p, timed.shape) - timed.tree.expected_tokens) <= kRounding);
      CHECK(timed.tree.nodes == static_cast<int>(timed.shape.parents.size()));
      CHECK(timed.tree.depth == tree_depth(timed.shape));
      CHECK(std::abs(timed.tree.call_time - (timed.tree.depth * draft_time + time_at(points, timed.tree.nodes + 1))) <= kRounding);
      // The best chain, by enumeration of its length.
      double chain_rate = 1.0 / time_at(points, 1), expected = 1.0, reach = 1.0;
      for (int length = 1; length <= 4; ++length) {
        expected += (reach *= p[0]);
        chain_rate = std::max(chain_rate, expected / (length * draft_time + time_at(points, length + 1)));
      }
      CHECK(std::abs(timed.chain.tokens_per_time - chain_rate) <= kRounding);
      CHECK(timed.tree.tokens_per_time >= timed.chain.tokens_per_time - kRounding);
      CHECK(timed.plain_tokens_per_time == 1.0);
    }
  }
}

TEST_CASE("README's cost example, by brute force") {
  // p = (0.5, 0.3, 0.1), budget 6, depth 3, draft step 0.1, target calls
  // 1 at 1 token, 1.1 at 4, 1.3 at 8 (README "Draft trees").
  const std::vector<double> p = {0.5, 0.3, 0.1};
  const std::vector<std::pair<int, double>> points = {{1, 1.0}, {4, 1.1}, {8, 1.3}};
  double best_rate = 1.0, best_expected = 1.0;
  for (int n = 1; n <= 6; ++n) {
    for (int d = 1; d <= 3; ++d) {
      double best = -1.0;
      for (double value : forests(p, n, d, 1)) best = std::max(best, 1.0 + value);
      const double rate = best / (d * 0.1 + time_at(points, n + 1));
      if (best > 0.0 && rate > best_rate) {
        best_rate = rate;
        best_expected = best;
      }
    }
  }
  CHECK(std::abs(best_expected - 2.45) <= kRounding);
  CHECK(std::abs(best_rate - 2.45 / 1.45) <= kRounding);
  const TimedBest timed = best_for_time(TreeTable(p, 6, 3), CostModel{0.1, {{1, 1.0}, {4, 1.1}, {8, 1.3}}});
  CHECK(std::abs(timed.tree.tokens_per_time - best_rate) <= kRounding);
  CHECK(timed.tree.nodes == 6);
  CHECK(timed.tree.depth == 2);
}

TEST_CASE("no tree beyond the last measured size is considered") {
  // Target calls are free to 3 tokens: the best tree uses 2 draft nodes even with budget 10.
  CostModel cost{0.0, {{1, 1.0}, {3, 1.0}}};
  const TimedBest timed = best_for_time(TreeTable({0.5, 0.3}, 10, 5), cost);
  CHECK(timed.tree.nodes == 2);
  // p1 = 0.5 beats p2 = 0.3 and then p1 * p1 = 0.25: two siblings at the root.
  CHECK(std::abs(timed.tree.expected_tokens - 1.8) <= kRounding);
}

}  // namespace mdsd::test
