#include "tree/best_tree.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

namespace mdsd {
namespace {

constexpr double kImpossible = -std::numeric_limits<double>::infinity();

}  // namespace

TreeTable::TreeTable(std::vector<double> p, int budget, int depth)
    : p_(std::move(p)), budget_(budget), depth_(depth), levels_(std::min(depth, budget)) {
  const int width = static_cast<int>(p_.size());
  const auto columns = static_cast<std::size_t>(budget_) + 1;
  best_.assign(static_cast<std::size_t>(levels_ + 1) * columns, kImpossible);
  best_[0] = 0.0;  // depth 0: only the empty tree
  choice_.assign(static_cast<std::size_t>(levels_) * static_cast<std::size_t>(width) * columns, -1);
  std::vector<double> next(columns), current(columns);
  for (int d = 1; d <= levels_; ++d) {
    const double* below = &best_[static_cast<std::size_t>(d - 1) * columns];
    // G_(B+1): no more siblings, so only the empty rest.
    std::fill(next.begin(), next.end(), kImpossible);
    next[0] = 0.0;
    for (int b = width; b >= 1; --b) {
      const double p = p_[static_cast<std::size_t>(b - 1)];
      std::int32_t* choice = &choice_[choice_index(d, b, 0)];
      current[0] = 0.0;
      for (int m = 1; m <= budget_; ++m) {
        double best = kImpossible;
        std::int32_t argument = -1;
        for (int j = 0; j < m; ++j) {
          const double rest = next[static_cast<std::size_t>(m - 1 - j)];
          if (below[j] == kImpossible || rest == kImpossible) continue;
          const double value = p * (1.0 + below[j]) + rest;
          if (value > best) {
            best = value;
            argument = j;
          }
        }
        current[static_cast<std::size_t>(m)] = best;
        choice[m] = argument;
      }
      std::swap(next, current);
    }
    std::copy(next.begin(), next.end(), best_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(d) * columns));
  }
}

std::size_t TreeTable::choice_index(int depth, int rank, int nodes) const {
  const auto columns = static_cast<std::size_t>(budget_) + 1;
  return (static_cast<std::size_t>(depth - 1) * p_.size() + static_cast<std::size_t>(rank - 1)) * columns +
         static_cast<std::size_t>(nodes);
}

double TreeTable::expected_tokens_exactly(int nodes, int depth) const {
  const int d = std::min(depth, levels_);
  const double best = best_[static_cast<std::size_t>(d) * (static_cast<std::size_t>(budget_) + 1) +
                            static_cast<std::size_t>(nodes)];
  return best == kImpossible ? kImpossible : 1.0 + best;
}

DraftTree TreeTable::tree_exactly(int nodes, int depth) const {
  DraftTree tree;
  struct Pending {
    int node, nodes, depth;  // node -1 is the root
  };
  std::deque<Pending> queue = {{-1, nodes, std::min(depth, levels_)}};
  while (!queue.empty()) {
    const Pending item = queue.front();
    queue.pop_front();
    int left = item.nodes;
    for (int rank = 1; left > 0; ++rank) {
      const int below = choice_[choice_index(item.depth, rank, left)];
      tree.parents.push_back(item.node);
      tree.ranks.push_back(rank);
      queue.push_back({static_cast<int>(tree.parents.size()) - 1, below, item.depth - 1});
      left -= 1 + below;
    }
  }
  return tree;
}

std::optional<Error> check_tree_limits(int budget, int depth, const std::string& budget_field,
                                       const std::string& depth_field) {
  if (budget < 0 || budget > tree_limits::kMaxBudget) {
    return Error{budget_field + ": must be an integer from 0 to " + std::to_string(tree_limits::kMaxBudget) +
                 " (draft nodes), got " + std::to_string(budget)};
  }
  if (depth < 0 || depth > tree_limits::kMaxDepth) {
    return Error{depth_field + ": must be an integer from 0 to " + std::to_string(tree_limits::kMaxDepth) +
                 " (levels below the root), got " + std::to_string(depth)};
  }
  return std::nullopt;
}

BestTree best_tree(const TreeTable& table, int budget, int depth) {
  BestTree result;
  result.budget = budget;
  result.depth = depth;
  int nodes = 0;
  for (int m = 1; m <= budget; ++m) {
    const double value = table.expected_tokens_exactly(m, depth);
    if (value > result.expected_tokens) {
      result.expected_tokens = value;
      nodes = m;
    }
  }
  result.tree = table.tree_exactly(nodes, depth);
  return result;
}

BestTree best_tree(const std::vector<double>& p, int budget, int depth) {
  return best_tree(TreeTable(p, budget, depth), budget, depth);
}

namespace {

// 1 + p1 + ... + p1^length... as the sum of a chain's reach, node by node
// (the same rounding as expected_tokens of the chain).
double chain_sum(double p1, int length) {
  double total = 0.0, reach = 1.0;
  for (int k = 0; k < length; ++k) {
    total += reach;
    reach *= p1;
  }
  return total;  // 1 + p1 + ... + p1^(length - 1)
}

}  // namespace

ChainShape best_chain(const std::vector<double>& p, int budget, int depth) {
  ChainShape chain;
  chain.length = std::min(budget, depth);
  chain.chains = chain.length > 0 ? 1 : 0;
  chain.expected_tokens = 1.0 + p[0] * chain_sum(p[0], chain.length);
  return chain;
}

ChainShape best_independent_chains(const std::vector<double>& p, int budget, int depth) {
  ChainShape best;
  double first_level = 0.0;
  const int widest = std::min(static_cast<int>(p.size()), budget);
  for (int n = 1; n <= widest; ++n) {
    first_level += p[static_cast<std::size_t>(n - 1)];
    const int length = std::min(depth, budget / n);
    const double value = 1.0 + first_level * chain_sum(p[0], length);
    if (length > 0 && (best.chains == 0 || value > best.expected_tokens)) {
      best = {n, length, value};
    }
  }
  return best;
}

}  // namespace mdsd
