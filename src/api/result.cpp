#include "api/result.hpp"

#include <cmath>

namespace mdsd {
namespace {

// An empty object with room for `members`: ordered_json keeps its members in
// a vector of pairs whose key is const, which grows by copying them (such a
// pair cannot be moved without the risk of throwing), so an object that
// grows past a long certificate copies it (it took a third of `mdsd solve` at
// V = 152,064; README "Benchmark").
nlohmann::ordered_json object_with_room(std::size_t members) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json.get_ref<nlohmann::ordered_json::object_t&>().reserve(members);
  return json;
}

nlohmann::ordered_json rate_json(const OptimalRate& rate) {
  nlohmann::ordered_json json = object_with_room(5);
  json["alpha"] = rate.alpha;
  json["certificate"] = rate.certificate;
  json["certificate_size"] = rate.certificate.size();
  json["certificate_target_mass"] = rate.certificate_target_mass;
  json["certificate_draft_mass"] = rate.certificate_draft_mass;
  return json;
}

nlohmann::ordered_json lp_json(const LpSolution& solution) {
  return {{"solver", solution.solver},
          {"alpha", solution.alpha},
          {"status", solution.status},
          {"columns", solution.columns},
          {"certificate", solution.certificate},
          {"certificate_alpha", solution.certificate_alpha}};
}

// An lp entry: the max-flow's solution (or error), and with lp.glpk GLPK's
// solution of the same LP with its alpha minus the max-flow's.
nlohmann::ordered_json lp_entry_json(const LpResult& entry) {
  if (!entry.solution.ok()) return {{"solver", "max_flow"}, {"error", entry.solution.error()}};
  nlohmann::ordered_json json = lp_json(entry.solution.value());
  if (entry.glpk) {
    if (entry.glpk->ok()) {
      nlohmann::ordered_json& glpk = json["glpk"] = lp_json(entry.glpk->value());
      glpk["alpha_difference"] = entry.glpk->value().alpha - entry.solution.value().alpha;
    } else {
      json["glpk"] = {{"solver", "glpk"}, {"error", entry.glpk->error()}};
    }
  }
  return json;
}

nlohmann::ordered_json interval_json(const std::array<double, 2>& interval) {
  return nlohmann::ordered_json::array({interval[0], interval[1]});
}

nlohmann::ordered_json acceptance_json(const VerifierAcceptance& acceptance) {
  nlohmann::ordered_json json = {{"alpha", acceptance.alpha},
                                 {"exact", acceptance.exact},
                                 {"draft_method", method_name(acceptance.draft_method)},
                                 {"gap", acceptance.gap}};
  if (!acceptance.exact) {
    json["ci95"] = interval_json(acceptance.ci95);
    json["samples"] = acceptance.samples;
  }
  if (acceptance.rho) json["rho"] = *acceptance.rho;
  return json;
}

nlohmann::ordered_json simulation_json(const SimulationSummary& summary) {
  const auto& counts = summary.counts;
  const auto samples = static_cast<double>(counts.samples);
  return {{"samples", counts.samples},
          {"acceptance", static_cast<double>(counts.accepted) / samples},
          {"acceptance_ci95", interval_json(summary.acceptance_ci95)},
          {"hit_rate", static_cast<double>(counts.hits) / samples},
          {"hit_rate_ci95", interval_json(summary.hit_rate_ci95)},
          {"output_counts", counts.output_counts},
          {"chi2_statistic", summary.fit.statistic},
          {"chi2_degrees_of_freedom", summary.fit.degrees_of_freedom},
          {"chi2_p_value", summary.fit.p_value}};
}


// "alpha" only once the interval has closed (the data determines the value).
nlohmann::ordered_json bounds_json(const AlphaInterval& interval) {
  nlohmann::ordered_json json = {{"interval", interval_json({interval.low, interval.high})}};
  if (interval.low == interval.high) json["alpha"] = interval.low;
  return json;
}

// Partial lists: every alpha is an interval over the completions of the data.
nlohmann::ordered_json partial_json(const Result& result) {
  nlohmann::ordered_json json = {{"vocab", result.vocab > 0 ? nlohmann::ordered_json(result.vocab) : nlohmann::ordered_json()},
                                 {"drafts", result.drafts},
                                 {"warnings", result.warnings},
                                 {"unlisted_mass", {{"target", interval_json(result.unlisted_mass->target)},
                                                    {"draft", interval_json(result.unlisted_mass->draft)}}}};
  nlohmann::ordered_json& optimal = json["optimal"] = nlohmann::ordered_json::object();
  for (const MethodInterval& entry : result.intervals) {
    optimal[std::string(method_name(entry.method))] =
        entry.interval.ok() ? bounds_json(entry.interval.value()) : nlohmann::ordered_json{{"error", entry.interval.error()}};
  }
  if (!result.verifier_intervals.empty()) {
    nlohmann::ordered_json& verifiers = json["verifiers"] = nlohmann::ordered_json::object();
    for (const VerifierInterval& entry : result.verifier_intervals) {
      nlohmann::ordered_json item = entry.interval.ok() ? bounds_json(entry.interval.value())
                                                        : nlohmann::ordered_json{{"error", entry.interval.error()}};
      if (entry.interval.ok()) item["draft_method"] = method_name(draft_method_of(entry.kind));
      if (entry.on_decoded_values) {
        // A value, not a bound: drop the interval, keep the alpha.
        item.erase("interval");
        item["on_decoded_values"] = true;
        item["exact"] = entry.exact;
      }
      verifiers[std::string(verifier_name(entry.kind))] = std::move(item);
    }
  }
  return json;
}

}  // namespace

nlohmann::ordered_json to_json(const Result& result) {
  if (result.unlisted_mass) return partial_json(result);
  nlohmann::ordered_json json = object_with_room(8);  // vocab ... simulation: 7
  json["vocab"] = result.vocab;
  json["drafts"] = result.drafts;
  json["warnings"] = result.warnings;
  if (!result.optimal.empty()) {
    nlohmann::ordered_json& optimal = json["optimal"] = object_with_room(result.optimal.size());
    for (const MethodResult& entry : result.optimal) {
      optimal[std::string(method_name(entry.method))] =
          entry.rate.ok() ? rate_json(entry.rate.value())
                          : nlohmann::ordered_json{{"error", entry.rate.error()}};
    }
  }
  if (!result.lp.empty()) {
    nlohmann::ordered_json& lp = json["lp"] = nlohmann::ordered_json::object();
    for (const LpResult& entry : result.lp) {
      lp[entry.label] = lp_entry_json(entry);
    }
  }
  if (!result.verifiers.empty()) {
    nlohmann::ordered_json& verifiers = json["verifiers"] = nlohmann::ordered_json::object();
    for (const VerifierReport& report : result.verifiers) {
      verifiers[std::string(verifier_name(report.kind))] =
          report.acceptance.ok() ? acceptance_json(report.acceptance.value())
                                 : nlohmann::ordered_json{{"error", report.acceptance.error()}};
    }
    if (result.verifiers.front().simulation) {
      nlohmann::ordered_json& simulation = json["simulation"] = nlohmann::ordered_json::object();
      for (const VerifierReport& report : result.verifiers) {
        const auto& summary = *report.simulation;
        simulation[std::string(verifier_name(report.kind))] =
            summary.ok() ? simulation_json(summary.value())
                         : nlohmann::ordered_json{{"error", summary.error()}};
      }
    }
  }
  return json;
}

}  // namespace mdsd
