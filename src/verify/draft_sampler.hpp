// Draws the n drafts of one decoding step for a draft sampling method
// (README mathematics §1), and SpecHub's pair. Same seed, same drafts, natively and in
// WebAssembly.
#pragma once

#include "core/problem.hpp"
#include "core/random.hpp"
#include "verify/alias_table.hpp"
#include "verify/undrafted_mass.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <optional>
#include <vector>

namespace mdsd {

enum class DraftScheme { with_replacement, without_replacement, greedy, spechub, top_n };

class DraftSampler {
 public:
  // Preconditions: the scheme applies (at least n tokens with q > 0 unless
  // with replacement; n = 2 for SpecHub).
  DraftSampler(const Eigen::VectorXd& draft, int drafts, DraftScheme scheme);

  // Fills `drafts` (resized to n) in draw order. Greedy: the n - 1 fixed
  // drafts first, the random one last. SpecHub: the two drafts (x1, then the
  // hub or a second draw).
  void sample(Random& random, std::vector<std::int32_t>& drafts) const;

  const std::vector<std::int32_t>& fixed() const { return fixed_; }  // greedy's T; top_n's drafts
  std::int32_t hub() const { return hub_; }                          // SpecHub's argmax q

 private:
  // A token from q restricted to the tokens not in `excluded`: one of the n
  // largest (scanned) or one of the rest (rejection from the rest's alias
  // table, whose excluded tokens hold at most half its mass, then a scan),
  // with their masses from UndraftedMass: O(n) per draw even when the
  // excluded tokens hold all but 1e-300 of q.
  std::int32_t sample_excluding(Random& random, const std::vector<std::int32_t>& excluded,
                                std::size_t count) const;

  const Eigen::VectorXd& draft_;
  int drafts_;
  DraftScheme scheme_;
  AliasTable alias_;
  UndraftedMass undrafted_;
  std::optional<AliasTable> rest_alias_;  // over the rest, when it has mass
  std::vector<std::int32_t> fixed_;
  std::int32_t hub_ = 0;
};

}  // namespace mdsd
