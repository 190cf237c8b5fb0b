#include "lp/transport_lp.hpp"

// The WebAssembly core module is built without GLPK (MDSD_WITHOUT_GLPK); the
// JS package loads a second module with it for the cross-check.
#ifdef MDSD_WITHOUT_GLPK

namespace mdsd {

Expected<LpSolution> solve_transport_lp(const Eigen::VectorXd&, const std::vector<DraftSet>&,
                                        const LpOptions&) {
  return Error{"lp.glpk: GLPK is not in this build (the WebAssembly core module); the JS package loads the "
               "GLPK module for it"};
}

}  // namespace mdsd

#else

#include <glpk.h>

#include <algorithm>
#include <csetjmp>
#include <unordered_map>

namespace mdsd {
namespace {

// Everything the GLPK calls read and write, allocated before they run: after
// a GLPK error we longjmp over them, so they must own nothing themselves.
struct LpWorkspace {
  int token_rows = 0, set_rows = 0, columns = 0;
  std::vector<double> row_upper;           // p_y, then Q_s; 1-based like GLPK
  std::vector<int> matrix_row, matrix_column;  // 1-based triplets
  std::vector<double> matrix_value;
  bool inject_glpk_error = false;
  // Outputs.
  int simplex_return = 0, model_status = 0;
  double objective = 0.0;
  std::vector<double> row_dual, column_value;
};

struct GlpkGuard {
  std::jmp_buf jump;
  std::string printed;  // what GLPK printed, for the error message
};

int capture_terminal(void* info, const char* text) {
  static_cast<GlpkGuard*>(info)->printed += text;
  return 1;  // swallowed: the library prints nothing on its own
}

void on_glpk_error(void* info) { std::longjmp(static_cast<GlpkGuard*>(info)->jump, 1); }

// Only GLPK calls and writes into pre-sized vectors: nothing here has a
// destructor that the longjmp could skip.
void run_simplex(LpWorkspace& work) {
  glp_prob* lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MAX);
  const int rows = work.token_rows + work.set_rows;
  glp_add_rows(lp, rows);
  for (int i = 1; i <= rows; ++i) glp_set_row_bnds(lp, i, GLP_UP, 0.0, work.row_upper[i]);
  glp_add_cols(lp, work.columns);
  for (int j = 1; j <= work.columns; ++j) {
    glp_set_col_bnds(lp, j, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(lp, j, 1.0);
  }
  if (work.inject_glpk_error) glp_set_obj_coef(lp, work.columns + 1, 1.0);
  glp_load_matrix(lp, static_cast<int>(work.matrix_value.size()) - 1, work.matrix_row.data(),
                  work.matrix_column.data(), work.matrix_value.data());
  glp_smcp parameters;
  glp_init_smcp(&parameters);
  parameters.msg_lev = GLP_MSG_OFF;
  // GLPK's default tolerances (1e-7) let a token of target mass 3e-9 fall
  // on the wrong side of the certificate; the bounds here are probabilities,
  // so tighter absolute tolerances are safe.
  parameters.tol_bnd = 1e-12;
  parameters.tol_dj = 1e-12;
  // A crash basis instead of all slacks: about 1.4x fewer iterations here.
  glp_adv_basis(lp, 0);
  work.simplex_return = glp_simplex(lp, &parameters);
  if (work.simplex_return == 0) {
    work.model_status = glp_get_status(lp);
    work.objective = glp_get_obj_val(lp);
    for (int i = 1; i <= rows; ++i) work.row_dual[i] = glp_get_row_dual(lp, i);
    for (int j = 1; j <= work.columns; ++j) work.column_value[j] = glp_get_col_prim(lp, j);
  }
  glp_delete_prob(lp);
}

// Runs GLPK with its error hook installed. False (and GLPK's message) when
// GLPK reported an internal error; its environment is then freed, so the
// next call starts clean.
bool run_guarded(LpWorkspace& work, std::string& glpk_message) {
  GlpkGuard guard;
  glp_term_hook(capture_terminal, &guard);
  glp_error_hook(on_glpk_error, &guard);
  if (setjmp(guard.jump) == 0) {
    run_simplex(work);
    glp_error_hook(nullptr, nullptr);
    glp_term_hook(nullptr, nullptr);
    return true;
  }
  glp_free_env();
  glpk_message = guard.printed;
  while (!glpk_message.empty() && glpk_message.back() == '\n') glpk_message.pop_back();
  for (std::size_t at; (at = glpk_message.find('\n')) != std::string::npos;) {
    glpk_message.replace(at, 1, "; ");
  }
  return false;
}

std::string model_status_name(int status) {
  switch (status) {
    case GLP_OPT: return "optimal";
    case GLP_FEAS: return "feasible";
    case GLP_INFEAS: return "infeasible";
    case GLP_NOFEAS: return "no_feasible";
    case GLP_UNBND: return "unbounded";
    default: return "undefined";
  }
}

}  // namespace

Expected<LpSolution> solve_transport_lp(const Eigen::VectorXd& target,
                                        const std::vector<DraftSet>& law,
                                        const LpOptions& options) {
  const std::int64_t columns = column_count(law);
  if (columns > options.glpk_max_columns) {
    return Error{"the LP has " + std::to_string(columns) + " columns, more than GLPK's limit of " +
                 std::to_string(options.glpk_max_columns) + " (lp.glpk_max_columns)"};
  }
  LpWorkspace work;
  work.inject_glpk_error = options.inject_glpk_error;
  work.columns = static_cast<int>(columns);
  std::unordered_map<std::int32_t, int> token_row;
  std::vector<std::int32_t> row_token;
  for (const DraftSet& set : law) {
    for (std::int32_t token : set.tokens) {
      if (token_row.emplace(token, static_cast<int>(row_token.size()) + 1).second) {
        row_token.push_back(token);
      }
    }
  }
  work.token_rows = static_cast<int>(row_token.size());
  work.set_rows = static_cast<int>(law.size());
  const int rows = work.token_rows + work.set_rows;
  work.row_upper.assign(static_cast<std::size_t>(rows) + 1, 0.0);
  for (int i = 0; i < work.token_rows; ++i) work.row_upper[i + 1] = target[row_token[i]];
  for (int s = 0; s < work.set_rows; ++s) work.row_upper[work.token_rows + s + 1] = law[s].mass;

  // Column for each (token y, set s) pair: a 1 in y's row and in s's row.
  struct Pair { std::int32_t token, set; };
  std::vector<Pair> column_pair(static_cast<std::size_t>(columns) + 1);
  work.matrix_row.assign(1, 0);
  work.matrix_column.assign(1, 0);
  work.matrix_value.assign(1, 0.0);
  int column = 0;
  for (int s = 0; s < work.set_rows; ++s) {
    for (std::int32_t token : law[s].tokens) {
      ++column;
      column_pair[column] = {token, s};
      for (int row : {token_row[token], work.token_rows + s + 1}) {
        work.matrix_row.push_back(row);
        work.matrix_column.push_back(column);
        work.matrix_value.push_back(1.0);
      }
    }
  }
  work.row_dual.assign(static_cast<std::size_t>(rows) + 1, 0.0);
  work.column_value.assign(static_cast<std::size_t>(columns) + 1, 0.0);

  std::string glpk_message;
  if (!run_guarded(work, glpk_message)) {
    return Error{"GLPK reported an internal error: " + glpk_message};
  }
  if (work.simplex_return != 0) {
    return Error{"GLPK's simplex stopped with code " + std::to_string(work.simplex_return)};
  }

  LpSolution solution;
  solution.solver = "glpk";
  solution.status = model_status_name(work.model_status);
  // The simplex's objective carries its rounding; an acceptance is in [0, 1].
  solution.alpha = std::clamp(work.objective, 0.0, 1.0);
  solution.columns = columns;
  std::vector<bool> in_certificate(static_cast<std::size_t>(target.size()), false);
  double certificate_target = 0.0;
  for (int i = 0; i < work.token_rows; ++i) {
    if (work.row_dual[i + 1] > 0.5) {
      solution.certificate.push_back(row_token[i]);
      in_certificate[row_token[i]] = true;
      certificate_target += target[row_token[i]];
    }
  }
  std::sort(solution.certificate.begin(), solution.certificate.end());
  solution.certificate_alpha = std::clamp(1.0 + certificate_target - mass_inside(law, in_certificate), 0.0, 1.0);
  for (int j = 1; j <= work.columns; ++j) {
    if (work.column_value[j] > 0.0) {
      solution.plan.push_back({column_pair[j].token, column_pair[j].set, work.column_value[j]});
    }
  }
  return solution;
}

}  // namespace mdsd

#endif  // MDSD_WITHOUT_GLPK
