// Bounds on alpha* that hold for every pair of distributions consistent with
// partial lists (core/partial_distribution.hpp), for each draft sampling
// method. README "Sparse distributions" proves each bound.
#pragma once

#include "core/expected.hpp"
#include "core/partial_distribution.hpp"
#include "core/problem.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace mdsd {

struct AlphaInterval {
  double low = 0.0, high = 1.0;
};

struct JoinedLists;  // the union of the two lists' tokens (partial_bounds.cpp)

// The bounds of one pair of lists, for any n and method; the union of their
// tokens is built once.
class PartialBounds {
 public:
  PartialBounds(const PartialDistribution& target, const PartialDistribution& draft);
  ~PartialBounds();
  // Fails, with a message, where the method does not apply or the data does
  // not determine what it needs (greedy's and top_n's fixed drafts).
  Expected<AlphaInterval> interval(int drafts, DraftMethod method) const;

 private:
  // The bounds for the listed values taken as exact (before the tolerance).
  Expected<AlphaInterval> exact_values_interval(int drafts, DraftMethod method) const;
  const PartialDistribution& target_;
  const PartialDistribution& draft_;
  std::unique_ptr<const JoinedLists> joined_;
};

// PartialBounds(target, draft).interval(drafts, method).
Expected<AlphaInterval> optimal_interval(const PartialDistribution& target, const PartialDistribution& draft,
                                         int drafts, DraftMethod method);

// When both lists are closed (nothing unknown): the problem over the union
// of their tokens, and the token id of each of its indices.
struct UnionProblem {
  Problem problem;
  std::vector<std::int64_t> ids;
};
UnionProblem union_problem(const PartialDistribution& target, const PartialDistribution& draft, int drafts);

}  // namespace mdsd
