#include "api/batch_json.hpp"
#include "core/message_text.hpp"

#include "api/request.hpp"
#include "core/limits.hpp"

#include <algorithm>
#include <cmath>

namespace mdsd {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

ordered_json number_or_null(double value) { return std::isnan(value) ? ordered_json(nullptr) : ordered_json(value); }

ordered_json mean_json(const MeanWithInterval& mean) {
  return {{"alpha", number_or_null(mean.mean)},
          {"ci95", ordered_json::array({number_or_null(mean.ci95[0]), number_or_null(mean.ci95[1])})},
          {"positions", mean.positions}};
}

ordered_json setting_json(const BatchSummary::Setting& setting, const BatchSettings& settings) {
  ordered_json optimal = ordered_json::object(), verifiers = ordered_json::object();
  for (std::size_t m = 0; m < settings.methods.size(); ++m) {
    ordered_json entry = mean_json(setting.optimal[m]);
    entry["histogram"] = {{"bins", kHistogramBins}, {"range", {0.0, 1.0}}, {"counts", setting.optimal_histogram[m]}};
    optimal[std::string(method_name(settings.methods[m]))] = std::move(entry);
  }
  for (std::size_t v = 0; v < settings.verifiers.size(); ++v) {
    ordered_json entry = mean_json(setting.verifier_alpha[v]);
    const MeanWithInterval& gap = setting.verifier_gap[v];
    entry["gap"] = number_or_null(gap.mean);
    entry["gap_ci95"] = ordered_json::array({number_or_null(gap.ci95[0]), number_or_null(gap.ci95[1])});
    entry["exact"] = static_cast<bool>(setting.verifier_exact[v]);
    verifiers[std::string(verifier_name(settings.verifiers[v]))] = std::move(entry);
  }
  return {{"optimal", std::move(optimal)}, {"verifiers", std::move(verifiers)}};
}

ordered_json temperature_json(const BatchSetting& setting) {
  return setting.temperature ? ordered_json(*setting.temperature) : ordered_json(nullptr);
}

}  // namespace

Expected<BatchSettings> parse_batch_settings(const json& value) {
  if (!value.is_object()) return Error{"settings: must be an object"};
  static const char* known[] = {"drafts", "temperatures", "methods", "verifiers", "estimate_samples", "seed"};
  for (const auto& item : value.items()) {
    if (std::none_of(std::begin(known), std::end(known), [&](const char* key) { return item.key() == key; })) {
      return Error{"settings." + excerpt(item.key()) + ": unknown key (expected drafts, temperatures, methods, verifiers, estimate_samples or seed)"};
    }
  }
  BatchSettings settings;
  if (value.contains("drafts")) {
    const json& drafts = value["drafts"];
    settings.drafts.clear();
    const json list = drafts.is_array() ? drafts : json::array({drafts});
    if (list.empty()) return Error{"settings.drafts: is empty"};
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto n = integer_field(list[i], "settings.drafts" + (drafts.is_array() ? "[" + std::to_string(i) + "]" : std::string()), 1, limits::kMaxDrafts);
      if (!n.ok()) return Error{n.error()};
      settings.drafts.push_back(static_cast<int>(n.value()));
    }
  }
  if (value.contains("temperatures")) {
    const json& temperatures = value["temperatures"];
    if (!temperatures.is_array() || temperatures.empty()) return Error{"settings.temperatures: must be a non-empty array of numbers > 0"};
    for (std::size_t i = 0; i < temperatures.size(); ++i) {
      if (!temperatures[i].is_number() || !(temperatures[i].get<double>() > 0.0) || !std::isfinite(temperatures[i].get<double>())) {
        return Error{"settings.temperatures[" + std::to_string(i) + "]: must be a finite number > 0"};
      }
      settings.temperatures.push_back(temperatures[i].get<double>());
    }
  }
  if (value.contains("methods")) {
    const json& methods = value["methods"];
    if (!methods.is_array() || methods.empty()) return Error{"settings.methods: must be a non-empty array of method names"};
    settings.methods.clear();
    for (std::size_t i = 0; i < methods.size(); ++i) {
      const auto method = methods[i].is_string() ? method_from_name(methods[i].get<std::string>()) : std::nullopt;
      if (!method) return Error{"settings.methods[" + std::to_string(i) + "]: unknown method"};
      settings.methods.push_back(*method);
    }
  }
  if (value.contains("verifiers")) {
    const json& verifiers = value["verifiers"];
    if (!verifiers.is_array()) return Error{"settings.verifiers: must be an array of verifier names"};
    settings.verifiers.clear();
    for (std::size_t i = 0; i < verifiers.size(); ++i) {
      const auto kind = verifiers[i].is_string() ? verifier_from_name(verifiers[i].get<std::string>()) : std::nullopt;
      if (!kind) return Error{"settings.verifiers[" + std::to_string(i) + "]: unknown verifier"};
      if (*kind == VerifierKind::optimal_lp) return Error{"settings.verifiers[" + std::to_string(i) + "]: optimal_lp is not offered in batch mode (an LP per position)"};
      settings.verifiers.push_back(*kind);
    }
  }
  if (value.contains("estimate_samples")) {
    auto samples = integer_field(value["estimate_samples"], "settings.estimate_samples", 1, limits::kMaxSimulationSamples);
    if (!samples.ok()) return Error{samples.error()};
    settings.estimate_samples = samples.value();
  }
  if (value.contains("seed")) {
    auto seed = integer_field(value["seed"], "settings.seed", 0, std::int64_t{1} << 53);
    if (!seed.ok()) return Error{seed.error()};
    settings.seed = static_cast<std::uint64_t>(seed.value());
  }
  return settings;
}

ordered_json batch_summary_json(const BatchSummary& summary, const BatchSettings& settings) {
  ordered_json json = {{"positions", summary.positions}, {"vocab", summary.vocab}, {"complete", true},
                       {"warnings", summary.warnings}};
  if (summary.settings.size() == 1) {
    json["drafts"] = summary.settings[0].setting.drafts;
    json["temperature"] = temperature_json(summary.settings[0].setting);
    json["mean"] = setting_json(summary.settings[0], settings);
    return json;
  }
  ordered_json sweep = ordered_json::array();
  for (const auto& setting : summary.settings) {
    sweep.push_back({{"drafts", setting.setting.drafts}, {"temperature", temperature_json(setting.setting)},
                     {"mean", setting_json(setting, settings)}});
  }
  json["sweep"] = std::move(sweep);
  return json;
}

ordered_json batch_positions_json(const BatchAccumulator& batch) {
  const BatchSettings& settings = batch.settings();
  const auto sweep = sweep_of(settings);
  ordered_json rows = ordered_json::array();
  for (std::size_t i = 0; i < batch.positions().size(); ++i) {
    const PositionValues& position = batch.positions()[i];
    for (std::size_t s = 0; s < sweep.size(); ++s) {
      ordered_json optimal = ordered_json::object(), verifiers = ordered_json::object();
      for (std::size_t m = 0; m < settings.methods.size(); ++m) {
        optimal[std::string(method_name(settings.methods[m]))] = number_or_null(position.optimal[s][m]);
      }
      for (std::size_t v = 0; v < settings.verifiers.size(); ++v) {
        verifiers[std::string(verifier_name(settings.verifiers[v]))] = number_or_null(position.verifier_alpha[s][v]);
      }
      rows.push_back({{"position", i}, {"drafts", sweep[s].drafts}, {"temperature", temperature_json(sweep[s])},
                      {"optimal", std::move(optimal)}, {"verifiers", std::move(verifiers)}});
    }
  }
  return rows;
}

}  // namespace mdsd
