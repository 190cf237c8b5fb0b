// The verifiers' acceptance, their gap to the bound, and the simulations a
// request asks for (README.md "Verifiers").
#pragma once

#include "calculation/request.hpp"
#include "core/optimal_rate.hpp"
#include "verify/simulation.hpp"
#include "verify/statistics.hpp"

#include <array>
#include <functional>
#include <optional>

namespace mdsd {

struct VerifierAcceptance {
  double alpha = 0.0;
  bool exact = true;
  DraftMethod draft_method = DraftMethod::with_replacement;
  double gap = 0.0;  // alpha* of draft_method minus alpha
  // Monte Carlo estimates only: 95% interval and the number of samples.
  std::array<double, 2> ci95 = {0.0, 0.0};
  std::int64_t samples = 0;
  std::optional<double> rho;  // K-SEQ
};

struct SimulationSummary {
  SimulationCounts counts;
  std::array<double, 2> acceptance_ci95, hit_rate_ci95;
  ChiSquareTest fit;  // output counts against the target
};

struct VerifierReport {
  VerifierKind kind;
  Expected<VerifierAcceptance> acceptance;
  std::optional<Expected<SimulationSummary>> simulation;  // when requested
};

// `order` = order_by_ratio(target, draft); `optimal_rate_of` gives alpha* of a
// method (computed once by the caller).
std::vector<VerifierReport> report_verifiers(
    const Request& request, const std::vector<std::int32_t>& order,
    const std::function<Expected<OptimalRate>(DraftMethod)>& optimal_rate_of);

}  // namespace mdsd
