// The joint law of the drafts, collapsed to draft *sets* (acceptance depends
// only on which tokens were drafted, README mathematics §2), for the LP and for
// brute-force checks. Sizes grow like V^n / n!: callers check
// lp_column_count() against a limit before enumerating.
#pragma once

#include "core/expected.hpp"
#include "core/problem.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace mdsd {

struct DraftSet {
  std::vector<std::int32_t> tokens;  // distinct, ascending
  double mass = 0.0;                 // probability that the drafts form exactly this set
};

// Greedy's n - 1 fixed drafts: the largest q, ties by lower token id.
// Requires n - 1 <= number of tokens.
std::vector<std::int32_t> greedy_fixed_drafts(const Eigen::VectorXd& draft, int drafts);

// 1 - q(fixed), summed over the other tokens so that it keeps full relative
// precision when q(fixed) is close to 1.
double mass_outside(const Eigen::VectorXd& draft, const std::vector<std::int32_t>& fixed);

// Number of LP columns, sum over sets of |s|, of the method's law; returned as
// a double because it can exceed any integer type (V^n).
double lp_column_count(const Eigen::VectorXd& draft, int drafts, DraftMethod method);

// Every draft set with positive mass. Preconditions: the method applies (for
// without replacement and greedy, at least n tokens with q > 0).
std::vector<DraftSet> draft_set_law(const Eigen::VectorXd& draft, int drafts,
                                    DraftMethod method);

// Q(H): total mass of the sets that lie inside H (`in_subset[token]`).
double mass_inside(const std::vector<DraftSet>& law, const std::vector<bool>& in_subset);

// Sum over sets of |s|.
std::int64_t column_count(const std::vector<DraftSet>& law);

}  // namespace mdsd
