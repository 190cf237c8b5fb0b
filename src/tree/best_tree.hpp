// The draft tree that maximises the expected tokens per target call for a
// sibling acceptance vector p, a budget of draft nodes and a depth (README.md
// "Draft trees"): an exact dynamic programme over trees whose nodes have
// children of ranks 1..k, k <= p.size().
#pragma once

#include "tree/draft_tree.hpp"

#include <cstdint>
#include <vector>

namespace mdsd {

// best(m, d): the largest sum, over trees with exactly m draft nodes and at
// most d levels, of the products of p[rank] along the paths. Below an accepted
// node, the children of ranks b, b+1, ... with m nodes in all are worth
//   G_b(m) = max over j < m of  p[b] (1 + best(j, d - 1)) + G_(b+1)(m - 1 - j),
// G_b(0) = 0, G_(B+1)(m > 0) impossible, and best(m, d) = G_1(m): a knapsack
// over the ranks, O(depth * width * budget^2 / 2). Ties keep the smaller
// subtree under the lower rank, so the choice is deterministic.
class TreeTable {
 public:
  // p checked with check_sibling_acceptance; 0 <= budget <= kMaxBudget,
  // 0 <= depth <= kMaxDepth (check_tree_limits).
  TreeTable(std::vector<double> p, int budget, int depth);

  int budget() const { return budget_; }
  int depth() const { return depth_; }
  const std::vector<double>& acceptance() const { return p_; }

  // 1 + best(nodes, depth): the expected tokens per target call of the best
  // tree with exactly `nodes` draft nodes and at most `depth` levels, or
  // -infinity when there is none (nodes > 0 at depth 0).
  double expected_tokens_exactly(int nodes, int depth) const;
  // That tree, breadth first (siblings in rank order).
  DraftTree tree_exactly(int nodes, int depth) const;

 private:
  std::size_t choice_index(int depth, int rank, int nodes) const;

  std::vector<double> p_;
  int budget_, depth_, levels_;  // levels_: depths computed (beyond the budget more cannot help)
  std::vector<double> best_;     // [d][m], (levels_ + 1) x (budget_ + 1)
  // [d - 1][b - 1][m]: the nodes under the rank-b child in G_b(m) at depth d.
  std::vector<std::int32_t> choice_;
};

// The budget and depth arguments of mdsd tree and the JSON contract; errors
// name the fields given.
std::optional<Error> check_tree_limits(int budget, int depth, const std::string& budget_field,
                                       const std::string& depth_field);

struct BestTree {
  double expected_tokens = 1.0;
  int budget = 0, depth = 0;  // as asked
  DraftTree tree;             // at most `budget` nodes, at most `depth` levels
};

// The best tree with at most `budget` nodes (the fewest nodes among equals).
BestTree best_tree(const TreeTable& table, int budget, int depth);
BestTree best_tree(const std::vector<double>& p, int budget, int depth);

// The shapes a tree is compared with, from the same p, budget and depth.
struct ChainShape {
  int chains = 0, length = 0;  // nodes = chains * length
  double expected_tokens = 1.0;
};
// One chain (n = 1): min(budget, depth) nodes, 1 + p1 + p1^2 + ... + p1^length.
ChainShape best_chain(const std::vector<double>& p, int budget, int depth);
// n independent chains from the root (n = 1..min(width, budget), each
// min(depth, budget / n) long): 1 + (p1 + ... + pn)(1 + p1 + ... + p1^(length-1));
// the best n (the smallest among equals).
ChainShape best_independent_chains(const std::vector<double>& p, int budget, int depth);

}  // namespace mdsd
