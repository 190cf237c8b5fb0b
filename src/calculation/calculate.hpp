// Everything one request asks for, computed: alpha* of each method with its
// certificate, the LPs, the verifiers. A method that does not apply, or an LP
// that is too large, is an outcome in the result, not a failure of the call.
#pragma once

#include "calculation/request.hpp"
#include "calculation/verifier_report.hpp"
#include "core/optimal_rate.hpp"
#include "core/partial_bounds.hpp"
#include "lp/transport_lp.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mdsd {

struct MethodResult {
  DraftMethod method;
  Expected<OptimalRate> rate;
};

struct LpResult {
  std::string label;  // a method name, or "joint" for draft_joint
  Expected<LpSolution> solution;  // the max-flow's (lp/transport_flow.hpp)
  std::optional<Expected<LpSolution>> glpk;  // lp.glpk: GLPK's, as a cross-check
};

// For partial lists (Request::partial): bounds instead of values.
struct MethodInterval {
  DraftMethod method;
  Expected<AlphaInterval> interval;
};
struct VerifierInterval {
  VerifierKind kind;
  Expected<AlphaInterval> interval;
  // The acceptance of the decoded values (all tokens listed, known to a
  // tolerance): not a bound; how far the quantisation moves it is not bounded.
  bool on_decoded_values = false;
  bool exact = true;  // false: a Monte Carlo estimate (of the decoded values)
};
struct UnlistedMass {
  std::array<double, 2> target, draft;  // [least, most] probability mass not listed
};

struct Result {
  Eigen::Index vocab = 0;  // 0 for partial lists of an unknown vocabulary
  int drafts = 0;
  std::vector<std::string> warnings;
  std::vector<MethodResult> optimal;
  std::vector<LpResult> lp;
  std::vector<VerifierReport> verifiers;
  std::vector<MethodInterval> intervals;               // partial lists only
  std::vector<VerifierInterval> verifier_intervals;    // partial lists only
  std::optional<UnlistedMass> unlisted_mass;           // partial lists only
};

Result calculate(const Request& request);

// The same into `result` (a fresh Result), with `method_done` called with
// each entry of result.optimal as soon as it is final, in order, on the
// calling thread. The entry stays where it is and unchanged from then on,
// so another thread may read it meanwhile (mdsd solve writes its text so);
// `result` being the caller's, that holds until the caller destroys it,
// even when calculate throws.
using MethodDone = std::function<void(const MethodResult&)>;
void calculate(const Request& request, Result& result, const MethodDone& method_done);

}  // namespace mdsd
