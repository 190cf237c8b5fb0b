// Draft trees at the boundary (README.md "Draft trees"): the tree request and
// the acceptance-vector request as JSON in, JSON (or CSV) out; one contract for
// the CLI (mdsd tree, mdsd acceptance-vector) and the WebAssembly module. The
// computation is in src/tree/, which knows no JSON.
#pragma once

#include "api/request.hpp"
#include "api/solve.hpp"
#include "tree/acceptance_vector.hpp"
#include "tree/best_tree.hpp"
#include "tree/cost_model.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mdsd {

struct TreeRequest {
  std::vector<double> acceptance;  // p[b - 1], checked
  int budget = 0, depth = 0;
  std::optional<CostModel> cost;
  // Also the expected tokens at every budget 0..M (the page's chart): the
  // best tree, one chain and independent chains, each with at most m nodes.
  bool by_budget = false;
  std::vector<std::string> warnings;  // e.g. an estimate below 0 read as 0
};

// {"acceptance": [p1, ...], "budget": M, "depth": D,
//  "cost": {"draft_time": t, "target_time": t | "target_times": [[tokens, time], ...]},
//  "by_budget": true | false}
Expected<TreeRequest> parse_tree_request(const nlohmann::json& value);

// {"expected_tokens", "budget", "depth", "nodes", "tree_depth", "parents",
//  "ranks", "acceptance", "warnings", "chain", "independent_chains", "time",
//  "by_budget": {"best", "chain", "independent_chains"} (lists over budgets 0..M)}.
nlohmann::ordered_json tree_result_json(const TreeRequest& request);

// JSON text in, JSON text out (the future mdsd_tree of the WebAssembly module).
SolveOutput solve_tree(std::string_view request_json);

// A solve request with "max_width": B (1 to 16) in place of "drafts"; no
// lp, simulate or draft_joint.
struct AcceptanceVectorRequest {
  Request request;
  int max_width = 1;
};
Expected<AcceptanceVectorRequest> parse_acceptance_vector_request(const nlohmann::json& value,
                                                                  std::span<const NumberArray> buffers = {});

// The acceptance vector of a dataset, from a summary of mdsd batch (or
// createBatch) with a sweep over drafts 1..B at one temperature: the means
// with their 95% intervals across positions, p[b] as differences of means.
Expected<AcceptanceVector> acceptance_vector_from_summary(const nlohmann::json& summary);

// The same from the per-position output of mdsd batch (--per-position
// out.json: [{"position", "drafts", "temperature", "optimal", "verifiers"}, ...]),
// with p[b] paired position by position and its 95% interval across positions.
Expected<AcceptanceVector> acceptance_vector_from_positions(const nlohmann::json& positions);

nlohmann::ordered_json acceptance_vector_json(const AcceptanceVector& vector);
// quantity,name,width,value,ci95_low,ci95_high,lower_bound,upper_bound,exact,positions
// one row per entry that applies (quantity: optimal, verifier or sibling).
std::string acceptance_vector_csv(const AcceptanceVector& vector);

// An acceptance vector request (JSON in, JSON out), or a dataset summary;
// with csv, the text of acceptance_vector_csv instead (the page's export).
SolveOutput solve_acceptance_vector(std::string_view json_text);
SolveOutput solve_acceptance_vector_parsed(const nlohmann::json& value, std::span<const NumberArray> buffers = {},
                                           bool csv = false);

// The sibling vector of `verifier` read back from an acceptance vector (JSON
// as acceptance_vector_json writes it) or a dataset summary; estimates below
// 0 are read as 0 with a warning. `field` names the source in errors.
Expected<std::vector<double>> sibling_vector_from_json(const nlohmann::json& document, VerifierKind verifier,
                                                       const std::string& field, std::vector<std::string>& warnings);
// The same from the CSV of acceptance_vector_csv: every row has the
// header's cells.
Expected<std::vector<double>> sibling_vector_from_csv(std::string_view csv, VerifierKind verifier,
                                                      const std::string& field, std::vector<std::string>& warnings);

// One number written as JSON writes it ("0.5", "1e-3", "1e-320"), read by the
// strict JSON reader: no hex floats, inf, nan, '+' sign, white space or
// overflow (1e999). The CLI's numbers and the CSV cells follow the JSON rules.
std::optional<double> number_from_text(std::string_view text);

}  // namespace mdsd
