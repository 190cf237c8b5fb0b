#include "tree/draft_tree.hpp"

#include "core/message_text.hpp"

#include <cmath>

namespace mdsd {

std::optional<Error> check_sibling_acceptance(const std::vector<double>& p, const std::string& field) {
  if (p.empty()) return Error{field + ": is empty; give the acceptance of sibling 1, 2, ..."};
  if (p.size() > static_cast<std::size_t>(tree_limits::kMaxWidth)) {
    return Error{field + ": " + std::to_string(p.size()) + " entries is more than the limit of " +
                 std::to_string(tree_limits::kMaxWidth) + " siblings"};
  }
  double sum = 0.0;
  for (std::size_t b = 0; b < p.size(); ++b) {
    const std::string entry = field + "[" + std::to_string(b) + "]";
    if (!std::isfinite(p[b])) return Error{entry + ": not a finite number (" + format_number(p[b]) + ")"};
    if (p[b] < 0.0 || p[b] > 1.0) return Error{entry + ": must be from 0 to 1, got " + format_number(p[b])};
    sum += p[b];
  }
  if (sum > 1.0 + kSiblingSumTolerance) {
    return Error{field + ": the entries sum to " + format_number(sum) +
                 ", more than 1; they are the chances that sibling 1, 2, ... is the accepted one, "
                 "which exclude each other (give p[b] = alpha_b - alpha_(b-1), not alpha_b)"};
  }
  return std::nullopt;
}

std::optional<Error> check_tree_shape(const DraftTree& tree, int width) {
  if (tree.parents.size() != tree.ranks.size()) return Error{"tree: parents and ranks differ in length"};
  // children[v + 1]: how many children node v (-1: the root) has so far.
  std::vector<int> children(tree.parents.size() + 1, 0);
  for (std::size_t i = 0; i < tree.parents.size(); ++i) {
    const int parent = tree.parents[i];
    if (parent < -1 || parent >= static_cast<int>(i)) {
      return Error{"tree: node " + std::to_string(i) + " has parent " + std::to_string(parent) + ", not an earlier node"};
    }
    int& count = children[static_cast<std::size_t>(parent + 1)];
    if (tree.ranks[i] != count + 1 || tree.ranks[i] > width) {
      return Error{"tree: node " + std::to_string(i) + " has rank " + std::to_string(tree.ranks[i]) +
                   "; its parent's children must have ranks 1.." + std::to_string(width) + " in order"};
    }
    ++count;
  }
  return std::nullopt;
}

double expected_tokens(const std::vector<double>& p, const DraftTree& tree) {
  // reach[i]: the chance that node i is on the accepted path.
  std::vector<double> reach(tree.parents.size());
  double total = 1.0;
  for (std::size_t i = 0; i < tree.parents.size(); ++i) {
    const double above = tree.parents[i] < 0 ? 1.0 : reach[static_cast<std::size_t>(tree.parents[i])];
    reach[i] = above * p[static_cast<std::size_t>(tree.ranks[i] - 1)];
    total += reach[i];
  }
  return total;
}

int tree_depth(const DraftTree& tree) {
  std::vector<int> level(tree.parents.size());
  int deepest = 0;
  for (std::size_t i = 0; i < tree.parents.size(); ++i) {
    level[i] = 1 + (tree.parents[i] < 0 ? 0 : level[static_cast<std::size_t>(tree.parents[i])]);
    deepest = std::max(deepest, level[i]);
  }
  return deepest;
}

DraftTree chain_tree(int length) { return independent_chains_tree(length > 0 ? 1 : 0, length); }

DraftTree independent_chains_tree(int chains, int length) {
  DraftTree tree;
  if (length <= 0) return tree;
  // Breadth first, as every tree here: the root's children, then each level.
  for (int c = 0; c < chains; ++c) {
    tree.parents.push_back(-1);
    tree.ranks.push_back(c + 1);
  }
  for (int level = 1; level < length; ++level) {
    for (int c = 0; c < chains; ++c) {
      tree.parents.push_back((level - 1) * chains + c);
      tree.ranks.push_back(1);
    }
  }
  return tree;
}

}  // namespace mdsd
