// The optimal-transport LP of README mathematics §2 for an explicit draft-set law,
// solved with GLPK's simplex, the cross-check of the max-flow solver
// (transport_flow.hpp) that answers every LP use:
//
//   maximise   sum pi[y,s] over pairs with y in s,  pi >= 0,
//   subject to sum_s pi[y,s] <= p_y  (dual u_y)   and   sum_y pi[y,s] <= Q_s  (dual v_s).
//
// The matrix is totally unimodular, so GLPK's basic dual is 0/1 and
// H = {y : u_y = 1} certifies the optimum: alpha = 1 + p(H) - Q(H).
#pragma once

#include "core/draft_law.hpp"
#include "core/expected.hpp"
#include "core/limits.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace mdsd {

struct LpOptions {
  std::int64_t max_columns = limits::kDefaultLpColumns;  // the max-flow's limit
  // Also solve with GLPK and compare (lp.glpk), up to its own, lower limit.
  bool glpk = false;
  std::int64_t glpk_max_columns = limits::kDefaultGlpkColumns;
  // Makes GLPK hit an internal error mid-solve, to test that the process (or
  // WebAssembly instance) survives it and the next solve works.
  bool inject_glpk_error = false;
};

struct TransportEntry {
  std::int32_t token;
  std::int32_t set;  // index into the law
  double mass;       // pi[token, set] > 0
};

struct LpSolution {
  std::string solver;          // "max_flow" or "glpk"
  double alpha = 0.0;          // the LP optimum
  std::string status;          // "optimal" (the max-flow), or GLPK's model status
  std::int64_t columns = 0;
  std::vector<std::int32_t> certificate;  // {y : u_y = 1}, ascending
  double certificate_alpha = 0.0;         // 1 + p(H) - Q(H), recomputed from the law
  std::vector<TransportEntry> plan;       // the optimal transport plan
};

// Errors: the law has more than options.glpk_max_columns columns; GLPK failed
// (its own message is included); the build has no GLPK (MDSD_WITHOUT_GLPK,
// the WebAssembly core module). The process is never aborted.
Expected<LpSolution> solve_transport_lp(const Eigen::VectorXd& target,
                                        const std::vector<DraftSet>& law,
                                        const LpOptions& options);

}  // namespace mdsd
