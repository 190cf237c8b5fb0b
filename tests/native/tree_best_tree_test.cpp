// tree/best_tree, tree/draft_tree: the dynamic programme against brute force
// over every tree, closed forms, and the shapes it is compared with.
#include "support.hpp"
#include "tree/best_tree.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace mdsd::test {
namespace {

// Every forest (the children of one accepted node, ranks first..) with exactly
// `nodes` nodes and at most `depth` levels, as its value: the sum over its
// nodes of the products of p[rank] along the paths. Written from the model's
// definition, one forest at a time: nothing is maximised until the caller.
std::vector<double> forest_values(const std::vector<double>& p, int nodes, int depth, int first_rank) {
  if (nodes == 0) return {0.0};
  if (depth == 0 || first_rank > static_cast<int>(p.size())) return {};
  std::vector<double> values;
  const double pr = p[static_cast<std::size_t>(first_rank - 1)];
  for (int size = 1; size <= nodes; ++size) {
    const std::vector<double> below = forest_values(p, size - 1, depth - 1, 1);
    const std::vector<double> rest = forest_values(p, nodes - size, depth, first_rank + 1);
    for (double child : below) {
      for (double others : rest) values.push_back(pr * (1.0 + child) + others);
    }
  }
  return values;
}

// The best expected tokens over every tree with at most `budget` nodes.
double brute_best(const std::vector<double>& p, int budget, int depth) {
  double best = 1.0;
  for (int nodes = 0; nodes <= budget; ++nodes) {
    for (double value : forest_values(p, nodes, depth, 1)) best = std::max(best, 1.0 + value);
  }
  return best;
}

// A tree's value from its parent list by recursion over children (not the
// node-by-node pass of expected_tokens), with its shape checked on the way.
struct Checked {
  bool well_formed = true;
  int depth = 0;
  double expected = 1.0;
};
Checked check_tree(const std::vector<double>& p, const DraftTree& tree) {
  Checked result;
  const int count = static_cast<int>(tree.parents.size());
  if (static_cast<int>(tree.ranks.size()) != count) return {false, 0, 0.0};
  std::vector<std::vector<int>> children(static_cast<std::size_t>(count) + 1);
  for (int i = 0; i < count; ++i) {
    if (tree.parents[i] < -1 || tree.parents[i] >= count) return {false, 0, 0.0};
    children[static_cast<std::size_t>(tree.parents[i] + 1)].push_back(i);
  }
  for (const auto& list : children) {
    for (std::size_t k = 0; k < list.size(); ++k) {
      if (tree.ranks[list[k]] != static_cast<int>(k) + 1 || k >= p.size()) result.well_formed = false;
    }
  }
  std::function<double(int, double, int)> walk = [&](int node, double reach, int level) {
    double sum = 0.0;
    result.depth = std::max(result.depth, level);
    for (int child : children[static_cast<std::size_t>(node + 1)]) {
      const double child_reach = reach * p[static_cast<std::size_t>(tree.ranks[child] - 1)];
      sum += child_reach + walk(child, child_reach, level + 1);
    }
    return sum;
  };
  result.expected = 1.0 + walk(-1, 1.0, 0);
  return result;
}

std::vector<double> random_acceptance(std::mt19937_64& rng, int width) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> p(static_cast<std::size_t>(width));
  double sum = 0.0;
  for (double& value : p) {
    value = unit(rng) < 0.2 ? 0.0 : unit(rng);
    sum += value;
  }
  const double total = unit(rng);  // the chance that some sibling is accepted
  for (double& value : p) value = sum > 0.0 ? value / sum * total : 0.0;
  switch (rng() % 3) {
    case 0: std::sort(p.begin(), p.end(), std::greater<>()); break;  // decreasing, as RRS gives
    case 1: std::sort(p.begin(), p.end()); break;                     // increasing
    default: break;                                                   // any order
  }
  return p;
}

}  // namespace

TEST_CASE("the best tree matches brute force over every tree for small budgets") {
  std::mt19937_64 rng(20261201);
  int cases = 0;
  for (int trial = 0; trial < 120; ++trial) {
    const int width = 1 + static_cast<int>(rng() % 4);
    const int budget = static_cast<int>(rng() % 8);  // 0..7
    const int depth = static_cast<int>(rng() % 6);   // 0..5
    const std::vector<double> p = random_acceptance(rng, width);
    CAPTURE(trial);
    CAPTURE(budget);
    CAPTURE(depth);
    const BestTree best = best_tree(p, budget, depth);
    const double brute = brute_best(p, budget, depth);
    CHECK(std::abs(best.expected_tokens - brute) <= kRounding);
    const Checked checked = check_tree(p, best.tree);
    CHECK(checked.well_formed);
    CHECK(static_cast<int>(best.tree.parents.size()) <= budget);
    CHECK(checked.depth <= depth);
    CHECK(std::abs(checked.expected - best.expected_tokens) <= kRounding);
    CHECK(std::abs(expected_tokens(p, best.tree) - checked.expected) <= kRounding);
    CHECK(!check_tree_shape(best.tree, width));
    CHECK(tree_depth(best.tree) == checked.depth);
    ++cases;
  }
  CHECK(cases == 120);
}

TEST_CASE("the best tree at budget 8 against brute force, edge vectors included") {
  const std::vector<std::vector<double>> vectors = {
      {1.0},                       // p1 = 1: every chain node is accepted
      {1.0, 0.0, 0.0},             // the same, with siblings that never win
      {0.0, 0.0},                  // nothing is ever accepted
      {0.1, 0.2, 0.6},             // increasing: rank 3 needs ranks 1 and 2 first
      {0.5, 0.3, 0.15, 0.05},      // sums to 1
      {0.7, 0.0, 0.2},             // a zero between
  };
  for (const auto& p : vectors) {
    for (int depth : {1, 2, 3, 8}) {
      CAPTURE(p.size());
      CAPTURE(depth);
      const BestTree best = best_tree(p, 8, depth);
      CHECK(std::abs(best.expected_tokens - brute_best(p, 8, depth)) <= kRounding);
      CHECK(std::abs(check_tree(p, best.tree).expected - best.expected_tokens) <= kRounding);
    }
  }
}

TEST_CASE("README's worked example, by brute force") {
  // p = (0.5, 0.3, 0.1), at most 6 nodes, depth 3 (README "Draft trees").
  const std::vector<double> p = {0.5, 0.3, 0.1};
  CHECK(std::abs(brute_best(p, 6, 3) - 2.475) <= kRounding);
  CHECK(std::abs(best_tree(p, 6, 3).expected_tokens - 2.475) <= kRounding);
  // The chain (3 nodes) and 2 chains of 3: 1.875 and 2.4.
  CHECK(std::abs(check_tree(p, chain_tree(3)).expected - 1.875) <= kRounding);
  CHECK(std::abs(check_tree(p, independent_chains_tree(2, 3)).expected - 2.4) <= kRounding);
}

TEST_CASE("closed forms: a chain when only the first sibling can win; n drafts at depth 1") {
  for (double a : {0.0, 0.3, 0.8, 1.0}) {
    for (int depth : {1, 4, 10}) {
      const std::vector<double> p = {a, 0.0, 0.0};
      double expected = 1.0, power = 1.0;
      for (int k = 1; k <= depth; ++k) expected += (power *= a);
      const BestTree best = best_tree(p, 32, depth);
      CHECK(std::abs(best.expected_tokens - expected) <= kRounding);
      if (a > 0.0) {
        CHECK(best.tree.parents.size() == static_cast<std::size_t>(depth));  // the chain, and nothing that adds 0
        for (std::size_t i = 0; i < best.tree.ranks.size(); ++i) CHECK(best.tree.ranks[i] == 1);
      } else {
        CHECK(best.tree.parents.empty());  // ties keep the fewest nodes
      }
    }
  }
  const std::vector<double> p = {0.4, 0.25, 0.15, 0.1};
  for (int budget = 0; budget <= 4; ++budget) {
    double expected = 1.0;
    for (int b = 0; b < budget; ++b) expected += p[static_cast<std::size_t>(b)];
    const BestTree best = best_tree(p, budget, 1);
    CHECK(std::abs(best.expected_tokens - expected) <= kRounding);
    CHECK(best.tree.parents == std::vector<int>(static_cast<std::size_t>(budget), -1));
  }
  // Budget 0 or depth 0: the target's own token only.
  CHECK(best_tree(p, 0, 5).expected_tokens == 1.0);
  CHECK(best_tree(p, 5, 0).expected_tokens == 1.0);
  CHECK(best_tree(p, 5, 0).tree.parents.empty());
}

TEST_CASE("a chain and independent chains: their closed forms and the trees they stand for") {
  const std::vector<double> p = {0.5, 0.3, 0.1};
  const ChainShape chain = best_chain(p, 10, 4);
  CHECK(chain.length == 4);
  CHECK(std::abs(chain.expected_tokens - (1 + 0.5 + 0.25 + 0.125 + 0.0625)) <= kRounding);
  CHECK(std::abs(check_tree(p, chain_tree(4)).expected - chain.expected_tokens) <= kRounding);
  // Budget 9, depth 4: n = 1 (4 long), n = 2 (4 long), n = 3 (3 long).
  double best = 0.0;
  int best_n = 0;
  for (int n = 1; n <= 3; ++n) {
    const int length = std::min(4, 9 / n);
    const double value = check_tree(p, independent_chains_tree(n, length)).expected;
    CHECK(check_tree(p, independent_chains_tree(n, length)).well_formed);
    if (value > best) {
      best = value;
      best_n = n;
    }
  }
  const ChainShape chains = best_independent_chains(p, 9, 4);
  CHECK(chains.chains == best_n);
  CHECK(std::abs(chains.expected_tokens - best) <= kRounding);
  // The tree is at least as good as both, with the same budget and depth.
  CHECK(best_tree(p, 9, 4).expected_tokens >= chains.expected_tokens - kRounding);
  CHECK(chains.expected_tokens >= chain.expected_tokens - kRounding);
}

TEST_CASE("the sibling vector is checked, with the entry named") {
  CHECK(check_sibling_acceptance({}, "--acceptance")->message.starts_with("--acceptance: is empty"));
  CHECK(check_sibling_acceptance({0.5, -0.1}, "--acceptance")->message == "--acceptance[1]: must be from 0 to 1, got -0.1");
  CHECK(check_sibling_acceptance({0.5, 0.2, 0.1, NAN}, "--acceptance")->message.starts_with("--acceptance[3]: not a finite number"));
  CHECK(check_sibling_acceptance({0.7, 0.4}, "acceptance")->message.starts_with("acceptance: the entries sum to 1.1"));
  CHECK(check_sibling_acceptance(std::vector<double>(17, 0.01), "acceptance")->message.starts_with("acceptance: 17 entries"));
  CHECK(!check_sibling_acceptance({0.5, 0.5}, "acceptance"));
  CHECK(check_tree_limits(1025, 3, "--budget", "--depth")->message.starts_with("--budget: must be an integer from 0 to 1024"));
  CHECK(check_tree_limits(3, 65, "--budget", "--depth")->message.starts_with("--depth: must be an integer from 0 to 64"));
}

TEST_CASE("the largest table stays within its time and is consistent at its corners") {
  const std::vector<double> p = {0.45, 0.2, 0.1, 0.06, 0.04, 0.03, 0.02, 0.02, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.005, 0.005};
  const TreeTable table(p, tree_limits::kMaxBudget, tree_limits::kMaxDepth);
  const BestTree best = best_tree(table, tree_limits::kMaxBudget, tree_limits::kMaxDepth);
  const Checked checked = check_tree(p, best.tree);
  CHECK(checked.well_formed);
  CHECK(std::abs(checked.expected - best.expected_tokens) <= 1e-9);
  // More budget never hurts: the best at 1024 is at least the best at 64.
  CHECK(best.expected_tokens >= best_tree(p, 64, 64).expected_tokens);
  // With every sibling's chance summing to s < 1, no tree passes 1 / (1 - s).
  double s = 0.0;
  for (double value : p) s += value;
  CHECK(best.expected_tokens < 1.0 / (1.0 - s));
}

}  // namespace mdsd::test
