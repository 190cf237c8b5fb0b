// A draft tree and what it is worth (README.md "Draft trees"). The root is the
// last accepted token; at an accepted node, its b-th child (sibling rank b) is
// the accepted one with probability p[b], exclusive across siblings and the
// same vector at every node (Sequoia's model). Expected tokens per target call
// = 1 + sum over draft nodes of the product of p[rank] along the path.
#pragma once

#include "core/expected.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mdsd {

namespace tree_limits {
// Siblings per node: the widest acceptance vector (p[1..16]).
inline constexpr int kMaxWidth = 16;
// Draft nodes per tree and levels below the root. The dynamic programme
// costs about depth * width * budget^2 / 2 steps: at the limits 0.63 s of CPU
// natively (README "Draft trees").
inline constexpr int kMaxBudget = 1024;
inline constexpr int kMaxDepth = 64;
}  // namespace tree_limits

// Mutually exclusive acceptances sum to at most 1; this much rounding is let
// through (a vector of differences of rounded alphas).
inline constexpr double kSiblingSumTolerance = 1e-12;

// Draft node i (0-based) hangs under parents[i] (an earlier node, or -1 for
// the root) as its ranks[i]-th child (1-based). Parents come before their
// children, and a node's children have ranks 1..k.
struct DraftTree {
  std::vector<int> parents;
  std::vector<int> ranks;
};

// p[0] is the acceptance of the first sibling: finite, in [0, 1], summing to
// at most 1 (+ kSiblingSumTolerance), 1 to kMaxWidth entries. Errors name
// `field` and the entry: "--acceptance[3]: ...".
std::optional<Error> check_sibling_acceptance(const std::vector<double>& p, const std::string& field);

// Whether `tree` is well formed for a vector of `width` siblings: parents
// earlier, ranks 1..k among each node's children, at most `width` children.
std::optional<Error> check_tree_shape(const DraftTree& tree, int width);

// 1 + sum over nodes of the product of p[rank - 1] along the path, computed
// node by node from the parent list (independent of how a tree was found).
double expected_tokens(const std::vector<double>& p, const DraftTree& tree);

// Levels below the root (0 for no draft node).
int tree_depth(const DraftTree& tree);

// A chain of `length` nodes (each the first child of the one before).
DraftTree chain_tree(int length);
// `chains` chains of `length` nodes from the root: the root's children have
// ranks 1..chains, every deeper node is its parent's only child.
DraftTree independent_chains_tree(int chains, int length);

}  // namespace mdsd
