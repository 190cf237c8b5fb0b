#include "tree/cost_model.hpp"

#include "core/message_text.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mdsd {

// Times in any unit, within these bounds, keep every derived number finite
// and above 0: tokens per time is at most 1,025 / 1e-300, a call at most 65e300
// (a subnormal target time once gave tokens_per_time and speedup as null).
constexpr double kSmallestTime = 1e-300;
constexpr double kLargestTime = 1e300;

std::optional<Error> check_cost_model(const CostModel& cost, const std::string& draft_field,
                                      const std::string& times_field) {
  if (!(cost.draft_time >= 0.0 && cost.draft_time <= kLargestTime)) {
    return Error{draft_field + ": must be a time from 0 to 1e300 (any unit), got " + format_number(cost.draft_time)};
  }
  if (cost.target_times.empty()) return Error{times_field + ": is empty; give the time of a target call"};
  for (std::size_t k = 0; k < cost.target_times.size(); ++k) {
    const TargetTimePoint& point = cost.target_times[k];
    // One time for every size is one value, named without an index.
    const std::string entry = cost.target_times.size() == 1 ? times_field : times_field + "[" + std::to_string(k) + "]";
    if (!(point.time >= kSmallestTime && point.time <= kLargestTime)) {
      return Error{entry + ": the time must be from 1e-300 to 1e300 (any unit), got " + format_number(point.time)};
    }
    if (k == 0 && point.tokens != 1) {
      return Error{entry + ": the first point must be at 1 token (plain decoding), got " + std::to_string(point.tokens)};
    }
    if (k > 0 && point.tokens <= cost.target_times[k - 1].tokens) {
      return Error{entry + ": tokens must increase from point to point, got " + std::to_string(point.tokens) +
                   " after " + std::to_string(cost.target_times[k - 1].tokens)};
    }
  }
  return std::nullopt;
}

int largest_tokens(const CostModel& cost) {
  return cost.target_times.size() == 1 ? std::numeric_limits<int>::max() : cost.target_times.back().tokens;
}

double target_time(const CostModel& cost, int tokens) {
  const auto& points = cost.target_times;
  if (points.size() == 1) return points[0].time;
  const auto after = std::lower_bound(points.begin(), points.end(), tokens,
                                      [](const TargetTimePoint& point, int value) { return point.tokens < value; });
  if (after->tokens == tokens) return after->time;
  const auto before = after - 1;
  const double share = static_cast<double>(tokens - before->tokens) / static_cast<double>(after->tokens - before->tokens);
  return before->time + share * (after->time - before->time);
}

namespace {

TimedShape timed(const CostModel& cost, int nodes, int depth, double expected) {
  TimedShape shape;
  shape.nodes = nodes;
  shape.depth = depth;
  shape.expected_tokens = expected;
  shape.call_time = depth * cost.draft_time + target_time(cost, nodes + 1);
  shape.tokens_per_time = expected / shape.call_time;
  shape.speedup = shape.tokens_per_time * target_time(cost, 1);
  return shape;
}

}  // namespace

TimedBest best_for_time(const TreeTable& table, const CostModel& cost) {
  TimedBest result;
  result.plain_tokens_per_time = 1.0 / target_time(cost, 1);
  const int budget = static_cast<int>(std::min<std::int64_t>(table.budget(), std::int64_t{largest_tokens(cost)} - 1));
  result.tree = timed(cost, 0, 0, 1.0);
  int best_depth = 0;
  for (int m = 1; m <= budget; ++m) {
    for (int d = 1; d <= table.depth(); ++d) {
      const double expected = table.expected_tokens_exactly(m, d);
      if (expected == -std::numeric_limits<double>::infinity()) continue;
      const TimedShape candidate = timed(cost, m, d, expected);
      if (candidate.tokens_per_time > result.tree.tokens_per_time) {
        result.tree = candidate;
        best_depth = d;
      }
    }
  }
  result.shape = table.tree_exactly(result.tree.nodes, best_depth);
  // The tree found may use fewer levels than allowed (only when a level
  // costs nothing): report what it uses.
  result.tree = timed(cost, result.tree.nodes, tree_depth(result.shape), result.tree.expected_tokens);
  const double p1 = table.acceptance()[0];
  result.chain = timed(cost, 0, 0, 1.0);
  double expected = 1.0, reach = 1.0;
  for (int length = 1; length <= std::min(budget, table.depth()); ++length) {
    reach *= p1;
    expected += reach;
    const TimedShape candidate = timed(cost, length, length, expected);
    if (candidate.tokens_per_time > result.chain.tokens_per_time) result.chain = candidate;
  }
  return result;
}

}  // namespace mdsd
