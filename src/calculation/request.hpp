// What one calculation is asked to compute, validated: the problem and the
// options. The JSON boundary (api/request.hpp) builds it; dataset mode builds
// it for each position directly.
#pragma once

#include "calculation/prepared_pair.hpp"
#include "core/draft_law.hpp"
#include "core/problem.hpp"
#include "lp/transport_lp.hpp"
#include "verify/verifier.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mdsd {

struct Request {
  // target is always set; draft and drafts unless draft_joint was given.
  Problem problem;
  bool has_draft = false;
  // Set instead of problem.target and problem.draft when a distribution lists
  // only some tokens and something stays unknown: the result is intervals.
  std::optional<PartialProblem> partial;
  // An explicit joint law of the drafts, collapsed to sets (LP only).
  std::optional<std::vector<DraftSet>> draft_joint;
  std::vector<DraftMethod> methods;  // the optimal rates to compute
  bool lp = false;                   // also solve the LP of each method
  LpOptions lp_options;
  std::vector<VerifierKind> verifiers;  // whose acceptance to report (draft only)
  struct Simulation {
    std::int64_t samples = 0;
    std::uint64_t seed = 1;
  };
  std::optional<Simulation> simulate;  // run sampler and verifier this many times
  // Steps and seed of the Monte Carlo estimate for verifiers without an exact
  // formula (the seed is simulate.seed when given).
  std::int64_t estimate_samples = 200'000;
  std::uint64_t estimate_seed = 1;
  std::vector<std::string> warnings;  // e.g. weights normalised
};

}  // namespace mdsd
