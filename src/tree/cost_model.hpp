// Tokens per unit time of a draft tree (README.md "Draft trees"): one target
// call verifies the root and the tree's m draft nodes (m + 1 tokens) in
// target_time(m + 1); the draft model runs one step per level of the tree (a
// level's nodes in one batch) in draft_time each. A call yields
// expected_tokens(tree) tokens on average, so
//   tokens per unit time = expected_tokens / (depth * draft_time + target_time(m + 1))
// and plain decoding makes 1 token per target_time(1).
#pragma once

#include "tree/best_tree.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mdsd {

struct TargetTimePoint {
  int tokens = 1;  // tokens verified in one target call (draft nodes + 1)
  double time = 0.0;
};

struct CostModel {
  double draft_time = 0.0;
  // One point {1, t}: the same time for every tree size. Several: measured
  // times, the first at 1 token, tokens increasing; linear between points,
  // and no tree larger than the last point is considered.
  std::vector<TargetTimePoint> target_times;
};

// Errors name draft_field or times_field ("--target-times[2]: ...").
std::optional<Error> check_cost_model(const CostModel& cost, const std::string& draft_field,
                                      const std::string& times_field);

// The time of one target call verifying `tokens` tokens (1 <= tokens <=
// largest_tokens(cost)).
double target_time(const CostModel& cost, int tokens);
// The most tokens a call may verify under this model (no limit for one point).
int largest_tokens(const CostModel& cost);

struct TimedShape {
  int nodes = 0, depth = 0;  // of the shape found
  double expected_tokens = 1.0;
  double call_time = 0.0;  // depth * draft_time + target_time(nodes + 1)
  double tokens_per_time = 0.0;
  double speedup = 1.0;  // tokens_per_time * target_time(1)
};

struct TimedBest {
  TimedShape tree;    // the best tree over budgets 0..budget and depths 0..depth
  DraftTree shape;    // that tree
  TimedShape chain;   // the best single chain (length 0..min(budget, depth))
  double plain_tokens_per_time = 0.0;  // 1 / target_time(1)
};

// Over every tree the table covers (table.budget(), table.depth()), capped
// at largest_tokens(cost) - 1 nodes. Ties keep fewer nodes, then fewer levels.
TimedBest best_for_time(const TreeTable& table, const CostModel& cost);

}  // namespace mdsd
