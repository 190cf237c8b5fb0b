// Everything one request asks for, computed: alpha* of each method with its
// certificate, the LPs, the verifiers. A method that does not apply, or an LP
// that is too large, is an outcome in the result, not a failure of the call.
#pragma once

#include "calculation/request.hpp"
#include "calculation/verifier_report.hpp"
#include "core/optimal_rate.hpp"
#include "lp/transport_lp.hpp"

#include <string>
#include <vector>

namespace mdsd {

struct MethodResult {
  DraftMethod method;
  Expected<OptimalRate> rate;
};

struct LpResult {
  std::string label;  // a method name, or "joint" for draft_joint
  Expected<LpSolution> solution;
};

struct Result {
  Eigen::Index vocab = 0;
  int drafts = 0;
  std::vector<std::string> warnings;
  std::vector<MethodResult> optimal;
  std::vector<LpResult> lp;
  std::vector<VerifierReport> verifiers;
};

Result calculate(const Request& request);

}  // namespace mdsd
