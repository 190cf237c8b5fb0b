#include "api/tree_json.hpp"

#include "core/message_text.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace mdsd {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::optional<Error> unknown_key(const json& object, const std::string& field, std::initializer_list<const char*> known) {
  for (const auto& item : object.items()) {
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return item.key() == k; })) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return Error{(field.empty() ? "" : field + ".") + excerpt(item.key()) + ": unknown key (expected one of: " + list + ")"};
    }
  }
  return std::nullopt;
}

Expected<double> number_field(const json& value, const std::string& field) {
  if (!value.is_number()) return Error{field + ": must be a number, got " + std::string(value.type_name())};
  return value.get<double>();
}

Expected<std::vector<double>> number_list(const json& value, const std::string& field) {
  if (!value.is_array()) return Error{field + ": must be an array of numbers, got " + std::string(value.type_name())};
  std::vector<double> numbers;
  for (std::size_t k = 0; k < value.size(); ++k) {
    auto number = number_field(value[k], field + "[" + std::to_string(k) + "]");
    if (!number.ok()) return Error{number.error()};
    numbers.push_back(number.value());
  }
  return numbers;
}

ordered_json number_or_null(double value) { return std::isnan(value) ? ordered_json(nullptr) : ordered_json(value); }

ordered_json timed_json(const TimedShape& shape) {
  return {{"nodes", shape.nodes},
          {"depth", shape.depth},
          {"expected_tokens", shape.expected_tokens},
          {"call_time", shape.call_time},
          {"tokens_per_time", shape.tokens_per_time},
          {"speedup", shape.speedup}};
}

Expected<CostModel> parse_cost(const json& value) {
  if (!value.is_object()) return Error{"cost: must be an object {\"draft_time\", \"target_time\" | \"target_times\"}"};
  if (auto error = unknown_key(value, "cost", {"draft_time", "target_time", "target_times"})) return *error;
  CostModel cost;
  if (!value.contains("draft_time")) return Error{"cost.draft_time: is missing; give the time of one draft step"};
  auto draft = number_field(value["draft_time"], "cost.draft_time");
  if (!draft.ok()) return Error{draft.error()};
  cost.draft_time = draft.value();
  if (value.contains("target_time") == value.contains("target_times")) {
    return Error{"cost: give either target_time (one time for every tree) or target_times ([[tokens, time], ...])"};
  }
  if (value.contains("target_time")) {
    auto time = number_field(value["target_time"], "cost.target_time");
    if (!time.ok()) return Error{time.error()};
    cost.target_times.push_back({1, time.value()});
    if (auto error = check_cost_model(cost, "cost.draft_time", "cost.target_time")) return *error;
    return cost;
  }
  const json& points = value["target_times"];
  if (!points.is_array()) return Error{"cost.target_times: must be an array of [tokens, time] pairs"};
  for (std::size_t k = 0; k < points.size(); ++k) {
    const std::string field = "cost.target_times[" + std::to_string(k) + "]";
    if (!points[k].is_array() || points[k].size() != 2) return Error{field + ": must be a pair [tokens, time]"};
    auto tokens = integer_field(points[k][0], field + "[0]", 1, tree_limits::kMaxBudget + 1);
    if (!tokens.ok()) return Error{tokens.error()};
    auto time = number_field(points[k][1], field + "[1]");
    if (!time.ok()) return Error{time.error()};
    cost.target_times.push_back({static_cast<int>(tokens.value()), time.value()});
  }
  if (auto error = check_cost_model(cost, "cost.draft_time", "cost.target_times")) return *error;
  return cost;
}

// A series: "alpha" per width (null where it does not apply), and what the
// entries carry: "exact", "ci95", bounds ("interval"), "positions", "errors".
ordered_json series_json(const AcceptanceSeries& series, bool verifier) {
  ordered_json alpha = ordered_json::array(), exact = ordered_json::array(), ci95 = ordered_json::array(),
               interval = ordered_json::array(), positions = ordered_json::array(), errors = ordered_json::array();
  bool any_ci = false, any_bound = false, any_positions = false;
  for (std::size_t b = 0; b < series.widths.size(); ++b) {
    const WidthAcceptance& entry = series.widths[b];
    if (entry.error) {
      errors.push_back({{"width", b + 1}, {"error", *entry.error}});
      for (auto* list : {&alpha, &exact, &ci95, &interval, &positions}) list->push_back(nullptr);
      continue;
    }
    alpha.push_back(entry.bounded ? ordered_json(nullptr) : number_or_null(entry.alpha));
    exact.push_back(entry.exact);
    interval.push_back(entry.bounded ? ordered_json::array({entry.alpha, entry.high}) : ordered_json(nullptr));
    ci95.push_back(entry.ci95 ? ordered_json::array({number_or_null((*entry.ci95)[0]), number_or_null((*entry.ci95)[1])})
                              : ordered_json(nullptr));
    positions.push_back(entry.positions);
    any_ci = any_ci || entry.ci95.has_value();
    any_bound = any_bound || entry.bounded;
    any_positions = any_positions || entry.positions > 0;
  }
  ordered_json json = {{"alpha", std::move(alpha)}};
  if (any_bound) json["interval"] = std::move(interval);
  if (verifier) json["exact"] = std::move(exact);
  if (any_ci) json["ci95"] = std::move(ci95);
  if (any_positions) json["positions"] = std::move(positions);
  if (!errors.empty()) json["errors"] = std::move(errors);
  return json;
}

ordered_json sibling_json(const SiblingVector& sibling) {
  if (sibling.error) return {{"error", *sibling.error}};
  ordered_json json = {{"p", sibling.p}, {"exact", sibling.exact}};
  if (!sibling.ci95.empty()) {
    ordered_json intervals = ordered_json::array();
    for (const auto& interval : sibling.ci95) intervals.push_back({interval[0], interval[1]});
    json["ci95"] = std::move(intervals);
  }
  if (sibling.note) json["note"] = *sibling.note;
  return json;
}

// A summary's mean entry for one method or verifier at one width.
WidthAcceptance width_from_summary(const json& entry) {
  WidthAcceptance width;
  if (!entry.is_object()) {
    width.error = "not in the summary";
    return width;
  }
  width.positions = entry.contains("positions") && entry["positions"].is_number_integer() ? entry["positions"].get<std::int64_t>() : 0;
  const auto pair = [](const json& value, std::array<double, 2>& out) {
    if (!value.is_array() || value.size() != 2 || !value[0].is_number() || !value[1].is_number()) return false;
    out = {value[0].get<double>(), value[1].get<double>()};
    return true;
  };
  std::array<double, 2> values;
  if (entry.contains("interval") && pair(entry["interval"], values)) {
    width.alpha = values[0];
    width.high = values[1];
    width.bounded = values[0] != values[1];
    if (entry.contains("interval_ci95") && pair(entry["interval_ci95"], values)) width.ci95 = values;
  } else if (entry.contains("alpha") && entry["alpha"].is_number()) {
    width.alpha = width.high = entry["alpha"].get<double>();
    if (entry.contains("ci95") && pair(entry["ci95"], values)) width.ci95 = values;
  } else {
    width.error = "applies at no position";
    return width;
  }
  if (entry.contains("exact") && entry["exact"].is_boolean()) width.exact = entry["exact"].get<bool>();
  return width;
}

// Estimates may fall below 0 (a difference of two noisy means): read as 0.
std::vector<double> clamped(std::vector<double> p, bool exact, const std::string& field, std::vector<std::string>& warnings) {
  for (std::size_t b = 0; b < p.size(); ++b) {
    if (!exact && p[b] < 0.0) {
      warnings.push_back(field + ": p[" + std::to_string(b + 1) + "] is estimated at " + format_number(p[b]) +
                         " (a Monte Carlo estimate, or a difference of means), read as 0");
      p[b] = 0.0;
    }
  }
  return p;
}

}  // namespace

Expected<TreeRequest> parse_tree_request(const json& value) {
  if (!value.is_object()) return Error{"request: must be a JSON object, got " + std::string(value.type_name())};
  if (auto error = unknown_key(value, "", {"acceptance", "budget", "depth", "cost", "by_budget"})) return *error;
  TreeRequest request;
  for (const char* key : {"acceptance", "budget", "depth"}) {
    if (!value.contains(key)) return Error{std::string(key) + ": is missing"};
  }
  auto acceptance = number_list(value["acceptance"], "acceptance");
  if (!acceptance.ok()) return Error{acceptance.error()};
  if (auto error = check_sibling_acceptance(acceptance.value(), "acceptance")) return *error;
  request.acceptance = std::move(acceptance).value();
  auto budget = integer_field(value["budget"], "budget", 0, tree_limits::kMaxBudget);
  if (!budget.ok()) return Error{budget.error()};
  auto depth = integer_field(value["depth"], "depth", 0, tree_limits::kMaxDepth);
  if (!depth.ok()) return Error{depth.error()};
  request.budget = static_cast<int>(budget.value());
  request.depth = static_cast<int>(depth.value());
  if (value.contains("cost")) {
    auto cost = parse_cost(value["cost"]);
    if (!cost.ok()) return Error{cost.error()};
    request.cost = std::move(cost).value();
  }
  if (value.contains("by_budget")) {
    if (!value["by_budget"].is_boolean()) return Error{"by_budget: must be true or false, got " + std::string(value["by_budget"].type_name())};
    request.by_budget = value["by_budget"].get<bool>();
  }
  return request;
}

ordered_json tree_result_json(const TreeRequest& request) {
  const TreeTable table(request.acceptance, request.budget, request.depth);
  const BestTree best = best_tree(table, request.budget, request.depth);
  const ChainShape chain = best_chain(request.acceptance, request.budget, request.depth);
  const ChainShape chains = best_independent_chains(request.acceptance, request.budget, request.depth);
  ordered_json json = {{"expected_tokens", best.expected_tokens},
                       {"budget", request.budget},
                       {"depth", request.depth},
                       {"nodes", best.tree.parents.size()},
                       {"tree_depth", tree_depth(best.tree)},
                       {"parents", best.tree.parents},
                       {"ranks", best.tree.ranks},
                       {"acceptance", request.acceptance},
                       {"warnings", request.warnings},
                       {"chain", {{"nodes", chain.length}, {"depth", chain.length}, {"expected_tokens", chain.expected_tokens}}},
                       {"independent_chains",
                        {{"chains", chains.chains},
                         {"depth", chains.length},
                         {"nodes", chains.chains * chains.length},
                         {"expected_tokens", chains.expected_tokens}}}};
  if (request.cost) {
    const TimedBest timed = best_for_time(table, *request.cost);
    ordered_json points = ordered_json::array();
    for (const TargetTimePoint& point : request.cost->target_times) points.push_back({point.tokens, point.time});
    ordered_json best_json = timed_json(timed.tree);
    best_json["parents"] = timed.shape.parents;
    best_json["ranks"] = timed.shape.ranks;
    json["time"] = {{"draft_time", request.cost->draft_time},
                    {"target_times", std::move(points)},
                    {"plain_tokens_per_time", timed.plain_tokens_per_time},
                    {"best", std::move(best_json)},
                    {"chain", timed_json(timed.chain)}};
  }
  if (request.by_budget) {
    // At most m nodes: the running best over exactly 0..m nodes (the table's).
    ordered_json best = ordered_json::array(), chain = ordered_json::array(), chains = ordered_json::array();
    double running = 1.0;
    for (int m = 0; m <= request.budget; ++m) {
      if (m > 0) running = std::max(running, table.expected_tokens_exactly(m, request.depth));
      best.push_back(running);
      chain.push_back(best_chain(request.acceptance, m, request.depth).expected_tokens);
      chains.push_back(best_independent_chains(request.acceptance, m, request.depth).expected_tokens);
    }
    json["by_budget"] = {{"best", std::move(best)}, {"chain", std::move(chain)}, {"independent_chains", std::move(chains)}};
  }
  return json;
}

SolveOutput solve_tree(std::string_view request_json) {
  auto json = parse_json_text(request_json);
  if (!json.ok()) return {false, printable(json.error())};
  auto request = parse_tree_request(json.value());
  if (!request.ok()) return {false, printable(request.error())};
  return {true, tree_result_json(request.value()).dump(-1, ' ', false, ordered_json::error_handler_t::replace)};
}

Expected<AcceptanceVectorRequest> parse_acceptance_vector_request(const json& value, std::span<const NumberArray> buffers) {
  if (!value.is_object()) return Error{"request: must be a JSON object, got " + std::string(value.type_name())};
  if (!value.contains("max_width")) {
    return Error{"max_width: is missing; give the widest n (1 to " + std::to_string(tree_limits::kMaxWidth) + ")"};
  }
  auto width = integer_field(value["max_width"], "max_width", 1, tree_limits::kMaxWidth);
  if (!width.ok()) return Error{width.error()};
  if (value.contains("drafts")) return Error{"drafts: not used here: the acceptance vector covers n = 1..max_width"};
  for (const char* key : {"simulate", "draft_joint"}) {
    if (value.contains(key)) return Error{std::string(key) + ": does not apply to an acceptance vector"};
  }
  if (value.contains("lp") && !(value["lp"].is_boolean() && !value["lp"].get<bool>())) {
    return Error{"lp: does not apply to an acceptance vector (an LP per width)"};
  }
  if (value.contains("verifiers") && value["verifiers"].is_array()) {
    for (std::size_t k = 0; k < value["verifiers"].size(); ++k) {
      if (value["verifiers"][k] == "optimal_lp") {
        return Error{"verifiers[" + std::to_string(k) + "]: optimal_lp is not offered in an acceptance vector (an LP per width)"};
      }
    }
  }
  json single = value;
  single.erase("max_width");
  single["drafts"] = 1;
  auto request = parse_request(single, buffers);
  if (!request.ok()) return Error{request.error()};
  return AcceptanceVectorRequest{std::move(request).value(), static_cast<int>(width.value())};
}

Expected<AcceptanceVector> acceptance_vector_from_summary(const json& summary) {
  if (!summary.is_object() || !summary.contains("positions")) return Error{"summary: not a dataset summary (no \"positions\")"};
  std::vector<const json*> settings;
  if (summary.contains("sweep") && summary["sweep"].is_array()) {
    for (const json& setting : summary["sweep"]) settings.push_back(&setting);
  } else if (summary.contains("mean")) {
    settings.push_back(&summary);
  }
  std::set<std::string> temperatures;
  std::map<int, const json*> by_drafts;
  for (const json* setting : settings) {
    if (!setting->is_object() || !(*setting).contains("drafts") || !(*setting)["drafts"].is_number_integer() ||
        !(*setting).contains("mean") || !(*setting)["mean"].is_object()) {
      return Error{"summary: a setting without drafts and mean"};
    }
    temperatures.insert((*setting).contains("temperature") ? (*setting)["temperature"].dump() : "null");
    by_drafts[(*setting)["drafts"].get<int>()] = setting;
  }
  if (temperatures.size() > 1) {
    return Error{"summary: sweeps over " + std::to_string(temperatures.size()) +
                 " temperatures; an acceptance vector is for one (run mdsd batch with one --temperature)"};
  }
  if (!by_drafts.count(1)) return Error{"summary: has no setting with drafts = 1; run mdsd batch --drafts 1-B"};
  int widest = 1;
  while (widest < tree_limits::kMaxWidth && by_drafts.count(widest + 1)) ++widest;
  AcceptanceVector vector;
  vector.max_width = widest;
  if (summary.contains("vocab") && summary["vocab"].is_number_integer()) vector.vocab = summary["vocab"].get<std::int64_t>();
  if (summary.contains("warnings") && summary["warnings"].is_array()) {
    for (const json& warning : summary["warnings"]) {
      if (warning.is_string()) vector.warnings.push_back(warning.get<std::string>());
    }
  }
  const json& first = (*by_drafts[1])["mean"];
  for (const char* group : {"optimal", "verifiers"}) {
    if (!first.contains(group) || !first[group].is_object()) continue;
    for (const auto& item : first[group].items()) {
      AcceptanceSeries series{item.key(), {}};
      for (int b = 1; b <= widest; ++b) {
        const json& mean = (*by_drafts[b])["mean"];
        series.widths.push_back(width_from_summary(mean.contains(group) && mean[group].contains(item.key())
                                                       ? mean[group][item.key()] : json()));
      }
      if (std::string_view(group) == "optimal") {
        vector.optimal.push_back(std::move(series));
      } else if (auto kind = verifier_from_name(item.key())) {
        vector.verifiers.push_back(std::move(series));
        vector.verifier_kinds.push_back(*kind);
      }
    }
  }
  add_sibling_vectors(vector);
  return vector;
}

Expected<AcceptanceVector> acceptance_vector_from_positions(const json& positions) {
  if (!positions.is_array() || positions.empty()) return Error{"positions: must be a non-empty array of per-position rows"};
  std::set<std::string> temperatures;
  std::map<std::int64_t, std::map<int, const json*>> rows;  // position -> drafts -> row
  for (std::size_t i = 0; i < positions.size(); ++i) {
    const json& row = positions[i];
    if (!row.is_object() || !row.contains("position") || !row["position"].is_number_integer() || !row.contains("drafts") ||
        !row["drafts"].is_number_integer()) {
      return Error{"positions[" + std::to_string(i) + "]: not a per-position row (position, drafts, optimal, verifiers)"};
    }
    temperatures.insert(row.contains("temperature") ? row["temperature"].dump() : "null");
    rows[row["position"].get<std::int64_t>()][row["drafts"].get<int>()] = &row;
  }
  if (temperatures.size() > 1) {
    return Error{"positions: " + std::to_string(temperatures.size()) +
                 " temperatures; an acceptance vector is for one (run mdsd batch with one --temperature)"};
  }
  const auto& first = rows.begin()->second;
  if (!first.count(1)) return Error{"positions: no row with drafts = 1; run mdsd batch --drafts 1-B"};
  int widest = 1;
  while (widest < tree_limits::kMaxWidth && first.count(widest + 1)) ++widest;
  std::vector<PositionSeries> series;
  for (const char* group : {"optimal", "verifiers"}) {
    const json& names = *first.at(1);
    if (!names.contains(group) || !names[group].is_object()) continue;
    for (const auto& item : names[group].items()) {
      PositionSeries one{item.key(), std::nullopt, {}, {}};
      if (std::string_view(group) == "verifiers") {
        one.verifier = verifier_from_name(item.key());
        if (!one.verifier) continue;
      }
      for (const auto& [position, by_drafts] : rows) {
        std::vector<double> low(static_cast<std::size_t>(widest), NAN), high = low;
        for (int b = 1; b <= widest; ++b) {
          const auto found = by_drafts.find(b);
          if (found == by_drafts.end()) continue;
          const json& row = *found->second;
          if (!row.contains(group) || !row[group].is_object() || !row[group].contains(item.key())) continue;
          const json& value = row[group][item.key()];
          if (value.is_number()) {
            low[static_cast<std::size_t>(b - 1)] = high[static_cast<std::size_t>(b - 1)] = value.get<double>();
          } else if (value.is_array() && value.size() == 2 && value[0].is_number() && value[1].is_number()) {
            low[static_cast<std::size_t>(b - 1)] = value[0].get<double>();
            high[static_cast<std::size_t>(b - 1)] = value[1].get<double>();
          }
        }
        one.low.push_back(std::move(low));
        one.high.push_back(std::move(high));
      }
      series.push_back(std::move(one));
    }
  }
  return acceptance_vector_of_positions(series, widest);
}

ordered_json acceptance_vector_json(const AcceptanceVector& vector) {
  ordered_json widths = ordered_json::array();
  for (int b = 1; b <= vector.max_width; ++b) widths.push_back(b);
  ordered_json optimal = ordered_json::object(), verifiers = ordered_json::object(), sibling = ordered_json::object();
  for (const AcceptanceSeries& series : vector.optimal) optimal[series.name] = series_json(series, false);
  for (const AcceptanceSeries& series : vector.verifiers) verifiers[series.name] = series_json(series, true);
  for (const SiblingVector& entry : vector.sibling) sibling[std::string(verifier_name(entry.kind))] = sibling_json(entry);
  return {{"max_width", vector.max_width},
          {"widths", std::move(widths)},
          {"vocab", vector.vocab > 0 ? ordered_json(vector.vocab) : ordered_json(nullptr)},
          {"warnings", vector.warnings},
          {"optimal", std::move(optimal)},
          {"verifiers", std::move(verifiers)},
          {"sibling", std::move(sibling)}};
}

namespace {

std::string csv_number(double value) { return std::isnan(value) ? std::string() : format_number(value); }

void csv_row(std::string& out, const char* quantity, const std::string& name, std::size_t width, const WidthAcceptance& entry) {
  out += std::string(quantity) + "," + name + "," + std::to_string(width) + "," + (entry.bounded ? "" : csv_number(entry.alpha)) +
         "," + (entry.ci95 ? csv_number((*entry.ci95)[0]) + "," + csv_number((*entry.ci95)[1]) : std::string(",")) + "," +
         (entry.bounded ? csv_number(entry.alpha) + "," + csv_number(entry.high) : std::string(",")) + "," +
         (entry.exact ? "true" : "false") + "," + (entry.positions > 0 ? std::to_string(entry.positions) : "") + "\n";
}

}  // namespace

std::string acceptance_vector_csv(const AcceptanceVector& vector) {
  std::string out = "quantity,name,width,value,ci95_low,ci95_high,lower_bound,upper_bound,exact,positions\n";
  for (const AcceptanceSeries& series : vector.optimal) {
    for (std::size_t b = 0; b < series.widths.size(); ++b) {
      if (!series.widths[b].error) csv_row(out, "optimal", series.name, b + 1, series.widths[b]);
    }
  }
  for (const AcceptanceSeries& series : vector.verifiers) {
    for (std::size_t b = 0; b < series.widths.size(); ++b) {
      if (!series.widths[b].error) csv_row(out, "verifier", series.name, b + 1, series.widths[b]);
    }
  }
  for (const SiblingVector& sibling : vector.sibling) {
    if (sibling.error) continue;
    for (std::size_t b = 0; b < sibling.p.size(); ++b) {
      WidthAcceptance entry;
      entry.alpha = sibling.p[b];
      entry.exact = sibling.exact;
      if (!sibling.ci95.empty()) entry.ci95 = sibling.ci95[b];
      csv_row(out, "sibling", std::string(verifier_name(sibling.kind)), b + 1, entry);
    }
  }
  return out;
}

SolveOutput solve_acceptance_vector_parsed(const json& value, std::span<const NumberArray> buffers, bool csv) {
  const auto written = [csv](const AcceptanceVector& vector) -> SolveOutput {
    if (csv) return {true, acceptance_vector_csv(vector)};
    return {true, acceptance_vector_json(vector).dump(-1, ' ', false, ordered_json::error_handler_t::replace)};
  };
  if (value.is_array()) {
    auto vector = acceptance_vector_from_positions(value);
    if (!vector.ok()) return {false, printable(vector.error())};
    return written(vector.value());
  }
  if (value.is_object() && value.contains("positions") && !value.contains("target")) {
    auto vector = acceptance_vector_from_summary(value);
    if (!vector.ok()) return {false, printable(vector.error())};
    return written(vector.value());
  }
  auto request = parse_acceptance_vector_request(value, buffers);
  if (!request.ok()) return {false, printable(request.error())};
  return written(acceptance_vector(request.value().request, request.value().max_width));
}

SolveOutput solve_acceptance_vector(std::string_view json_text) {
  auto json = parse_json_text(json_text);
  if (!json.ok()) return {false, printable(json.error())};
  return solve_acceptance_vector_parsed(json.value(), {});
}

Expected<std::vector<double>> sibling_vector_from_json(const json& document, VerifierKind verifier,
                                                       const std::string& field, std::vector<std::string>& warnings) {
  const std::string name(verifier_name(verifier));
  if (document.is_array() || (document.is_object() && document.contains("positions") && !document.contains("sibling"))) {
    auto vector = document.is_array() ? acceptance_vector_from_positions(document) : acceptance_vector_from_summary(document);
    if (!vector.ok()) return Error{field + ": " + vector.error()};
    for (const SiblingVector& sibling : vector.value().sibling) {
      if (sibling.kind != verifier) continue;
      if (sibling.error) return Error{field + ": " + *sibling.error};
      if (sibling.note) warnings.push_back(field + ": " + *sibling.note);
      return clamped(sibling.p, false, field, warnings);
    }
    return Error{field + ": has no " + name + " (a verifier whose drafts nest: rrs_with_replacement, "
                 "rrs_without_replacement or exact_match)"};
  }
  if (!document.is_object() || !document.contains("sibling") || !document["sibling"].is_object()) {
    return Error{field + ": neither an acceptance vector (no \"sibling\") nor a dataset summary (no \"positions\")"};
  }
  const json& siblings = document["sibling"];
  if (!siblings.contains(name)) return Error{field + ": sibling." + name + ": not in the acceptance vector"};
  const json& entry = siblings[name];
  if (!entry.is_object()) return Error{field + ": sibling." + name + ": must be an object {\"p\": [...], \"exact\"}"};
  if (entry.contains("error")) {
    return Error{field + ": sibling." + name + ": " + (entry["error"].is_string() ? entry["error"].get<std::string>() : entry["error"].dump())};
  }
  if (!entry.contains("p")) return Error{field + ": sibling." + name + ".p: is missing"};
  auto p = number_list(entry["p"], field + ": sibling." + name + ".p");
  if (!p.ok()) return Error{p.error()};
  const bool exact = entry.contains("exact") && entry["exact"].is_boolean() && entry["exact"].get<bool>();
  return clamped(std::move(p).value(), exact, field, warnings);
}

Expected<std::vector<double>> sibling_vector_from_csv(std::string_view csv, VerifierKind verifier,
                                                      const std::string& field, std::vector<std::string>& warnings) {
  const std::string name(verifier_name(verifier));
  std::map<int, double> by_width;
  bool exact = true;
  std::size_t line_number = 0, columns = 0;
  for (std::size_t start = 0; start < csv.size();) {
    std::size_t end = csv.find('\n', start);
    if (end == std::string_view::npos) end = csv.size();
    std::string_view line = csv.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = end + 1;
    ++line_number;
    std::vector<std::string> cells;
    for (std::size_t from = 0;;) {
      const std::size_t comma = line.find(',', from);
      cells.emplace_back(line.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from));
      if (comma == std::string_view::npos) break;
      from = comma + 1;
    }
    if (line_number == 1) {
      if (!line.starts_with("quantity,name,width,value,") || cells.size() < 9) {
        return Error{field + ": not an acceptance vector CSV (header)"};
      }
      columns = cells.size();
      continue;
    }
    const std::string where = field + ":" + std::to_string(line_number);
    if (line.empty()) continue;
    // A cut or merged row is an error, not a row to skip: skipping it could
    // drop a width and shift the vector.
    if (cells.size() != columns) {
      return Error{where + ": " + std::to_string(cells.size()) + " cells, the header has " + std::to_string(columns)};
    }
    if (cells[0] != "sibling" || cells[1] != name) continue;
    // A width counts drafts: digits as --csv writes them ("2", not "2.0" or
    // "2e0"), without a leading zero.
    const std::string& width_text = cells[2];
    const bool digits = !width_text.empty() && width_text.size() <= 2 && width_text[0] != '0' &&
                        width_text.find_first_not_of("0123456789") == std::string::npos;
    const int width = digits ? std::stoi(width_text) : 0;
    if (width < 1 || width > tree_limits::kMaxWidth) {
      return Error{where + ": width " + excerpt(width_text) + " is not a whole number from 1 to " +
                   std::to_string(tree_limits::kMaxWidth) + " (widths count drafts)"};
    }
    if (by_width.count(width)) return Error{where + ": width " + width_text + " is given twice"};
    const auto value = number_from_text(cells[3]);
    if (!value) return Error{where + ": value " + excerpt(cells[3]) + " is not a number"};
    by_width[width] = *value;
    exact = exact && cells[8] == "true";
  }
  std::vector<double> p;
  for (const auto& [width, value] : by_width) {
    if (width != static_cast<int>(p.size()) + 1) {
      return Error{field + ": sibling " + name + " has no row for width " + std::to_string(p.size() + 1)};
    }
    p.push_back(value);
  }
  if (p.empty()) return Error{field + ": no sibling rows for " + name};
  return clamped(std::move(p), exact, field, warnings);
}

std::optional<double> number_from_text(std::string_view text) {
  // Nothing around the number: no white space, and no byte order mark (which
  // parse_json_text skips at the start of a text).
  if (text.empty() || text.find_first_of(" \t\r\n\xef") != std::string_view::npos) return std::nullopt;
  auto document = parse_json_text(text);
  if (!document.ok() || !document.value().is_number()) return std::nullopt;
  return document.value().get<double>();
}

}  // namespace mdsd
