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

// Where positions gave intervals: the mean of the lower ends and of the upper
// ends, each with its own 95% interval, the outer ends of which bound the mean.
ordered_json bounded_json(const MeanWithInterval& low, const MeanWithInterval& high) {
  return {{"interval", ordered_json::array({number_or_null(low.mean), number_or_null(high.mean)})},
          {"interval_ci95", ordered_json::array({number_or_null(low.ci95[0]), number_or_null(high.ci95[1])})},
          {"positions", low.positions}};
}

ordered_json setting_json(const BatchSummary::Setting& setting, const BatchSettings& settings) {
  ordered_json optimal = ordered_json::object(), verifiers = ordered_json::object();
  for (std::size_t m = 0; m < settings.methods.size(); ++m) {
    if (setting.optimal_bounded[m]) {
      optimal[std::string(method_name(settings.methods[m]))] = bounded_json(setting.optimal[m], setting.optimal_high[m]);
      continue;
    }
    ordered_json entry = mean_json(setting.optimal[m]);
    entry["histogram"] = {{"bins", kHistogramBins}, {"range", {0.0, 1.0}}, {"counts", setting.optimal_histogram[m]}};
    optimal[std::string(method_name(settings.methods[m]))] = std::move(entry);
  }
  for (std::size_t v = 0; v < settings.verifiers.size(); ++v) {
    if (setting.verifier_bounded[v]) {
      ordered_json entry = bounded_json(setting.verifier_alpha[v], setting.verifier_high[v]);
      entry["exact"] = true;
      verifiers[std::string(verifier_name(settings.verifiers[v]))] = std::move(entry);
      continue;
    }
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

std::string type_name_of(const json& value) { return value.type_name(); }

// One measurement beside every setting it applies to: the measured rate of
// the first draft position against alpha* of each method and the exact
// acceptance of the verifiers on the same data, with the gaps (computed
// minus measured: what a better scheme or the model would add).
ordered_json measured_json(const MeasuredAcceptance& measured, const BatchSummary& summary,
                           const BatchSettings& settings) {
  ordered_json conditional = ordered_json::array();
  for (std::size_t i = 0; i < measured.per_position.size(); ++i) {
    const double before = i == 0 ? 1.0 : measured.per_position[i - 1];
    conditional.push_back(before > 0.0 ? ordered_json(measured.per_position[i] / before) : ordered_json(nullptr));
  }
  ordered_json json = {{"per_position", measured.per_position}, {"conditional", std::move(conditional)}};
  if (measured.drafts) json["drafts"] = *measured.drafts;
  if (measured.temperature) json["temperature"] = *measured.temperature;
  if (measured.verifier) json["verifier"] = verifier_name(*measured.verifier);
  const double rate = measured.per_position.front();
  const auto beside = [&](const MeanWithInterval& low, const MeanWithInterval& high, bool bounded) {
    // positions: where it applied (a verifier that needs full distributions
    // skips the partial ones), so that a mean over fewer positions says so.
    if (bounded) {
      return ordered_json{{"interval", {number_or_null(low.mean), number_or_null(high.mean)}},
                          {"gap", {number_or_null(low.mean - rate), number_or_null(high.mean - rate)}},
                          {"positions", low.positions}};
    }
    return ordered_json{{"alpha", number_or_null(low.mean)}, {"gap", number_or_null(low.mean - rate)},
                        {"positions", low.positions}};
  };
  ordered_json comparisons = ordered_json::array();
  for (const auto& setting : summary.settings) {
    if (measured.drafts && setting.setting.drafts != *measured.drafts) continue;
    if (measured.temperature && setting.setting.temperature != measured.temperature) continue;
    ordered_json optimal = ordered_json::object(), verifiers = ordered_json::object();
    for (std::size_t m = 0; m < settings.methods.size(); ++m) {
      optimal[std::string(method_name(settings.methods[m]))] =
          beside(setting.optimal[m], setting.optimal_high[m], setting.optimal_bounded[m]);
    }
    for (std::size_t v = 0; v < settings.verifiers.size(); ++v) {
      if (measured.verifier && settings.verifiers[v] != *measured.verifier) continue;
      verifiers[std::string(verifier_name(settings.verifiers[v]))] =
          beside(setting.verifier_alpha[v], setting.verifier_high[v], setting.verifier_bounded[v]);
    }
    comparisons.push_back({{"drafts", setting.setting.drafts}, {"temperature", temperature_json(setting.setting)},
                           {"measured", rate}, {"optimal", std::move(optimal)}, {"verifiers", std::move(verifiers)}});
  }
  json["comparisons"] = std::move(comparisons);
  return json;
}

}  // namespace

Expected<MeasuredAcceptance> parse_measured(const json& value, const std::string& field);

std::optional<Error> check_measured_settings(const BatchSettings& settings) {
  for (const MeasuredAcceptance& measured : settings.measured) {
    if (measured.drafts && std::find(settings.drafts.begin(), settings.drafts.end(), *measured.drafts) == settings.drafts.end()) {
      return Error{"measured: drafts = " + std::to_string(*measured.drafts) + " is not a setting of the sweep"};
    }
    if (measured.temperature &&
        std::find(settings.temperatures.begin(), settings.temperatures.end(), *measured.temperature) == settings.temperatures.end()) {
      return Error{"measured: temperature = " + format_number(*measured.temperature) + " is not a setting of the sweep"};
    }
    if (measured.verifier &&
        std::find(settings.verifiers.begin(), settings.verifiers.end(), *measured.verifier) == settings.verifiers.end()) {
      return Error{"measured: verifier " + std::string(verifier_name(*measured.verifier)) + " is not among the verifiers computed"};
    }
  }
  return std::nullopt;
}

Expected<BatchSettings> parse_batch_settings(const json& value) {
  if (!value.is_object()) return Error{"settings: must be an object"};
  static const char* known[] = {"drafts", "temperatures", "methods", "verifiers", "estimate_samples", "seed", "measured"};
  for (const auto& item : value.items()) {
    if (std::none_of(std::begin(known), std::end(known), [&](const char* key) { return item.key() == key; })) {
      return Error{"settings." + excerpt(item.key()) + ": unknown key (expected drafts, temperatures, methods, verifiers, estimate_samples, seed or measured)"};
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
  if (value.contains("measured")) {
    const json& measured = value["measured"];
    // A number or an array of numbers is one measurement for the dataset.
    const bool shorthand = measured.is_number() || (measured.is_array() && !measured.empty() && measured[0].is_number());
    const json list = shorthand ? json::array({measured}) : measured;
    if (!list.is_array() || list.empty()) return Error{"settings.measured: give rates per draft position, or a list of {\"per_position\": [...], ...}"};
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto entry = parse_measured(list[i], shorthand ? "settings.measured" : "settings.measured[" + std::to_string(i) + "]");
      if (!entry.ok()) return Error{entry.error()};
      settings.measured.push_back(std::move(entry).value());
    }
  }
  if (auto error = check_measured_settings(settings)) return *error;
  return settings;
}

Expected<MeasuredAcceptance> parse_measured(const json& value, const std::string& field) {
  MeasuredAcceptance measured;
  const auto rates = [&](const json& list, const std::string& where) -> std::optional<Error> {
    const json items = list.is_number() ? json::array({list}) : list;
    if (!items.is_array() || items.empty() || items.size() > static_cast<std::size_t>(limits::kMaxDrafts) * 64) {
      return Error{where + ": give the acceptance rate of each draft position, numbers from 0 to 1"};
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string at = where + (items.size() > 1 || list.is_array() ? "[" + std::to_string(i) + "]" : "");
      if (!items[i].is_number()) return Error{at + ": must be a number from 0 to 1, got " + type_name_of(items[i])};
      const double rate = items[i].get<double>();
      if (!(rate >= 0.0 && rate <= 1.0)) return Error{at + ": must be a number from 0 to 1, got " + format_number(rate)};
      if (i > 0 && rate > measured.per_position.back()) {
        return Error{at + ": " + format_number(rate) + " is above the rate of position " + std::to_string(i) +
                     " (" + format_number(measured.per_position.back()) + "); a draft is accepted only after the ones before it"};
      }
      measured.per_position.push_back(rate);
    }
    return std::nullopt;
  };
  if (!value.is_object()) {
    if (auto error = rates(value, field)) return *error;
    return measured;
  }
  for (const auto& item : value.items()) {
    static const char* keys[] = {"per_position", "steps", "accepted", "drafts", "temperature", "verifier"};
    if (std::none_of(std::begin(keys), std::end(keys), [&](const char* key) { return item.key() == key; })) {
      return Error{field + "." + excerpt(item.key()) + ": unknown key (expected per_position, or steps and accepted; drafts, temperature, verifier)"};
    }
  }
  if (value.contains("per_position") == (value.contains("steps") || value.contains("accepted"))) {
    return Error{field + ": give per_position (rates), or steps and accepted (an engine's counters), not both"};
  }
  if (value.contains("per_position")) {
    if (auto error = rates(value["per_position"], field + ".per_position")) return *error;
  } else {
    // vLLM's counters: the number of drafting steps, and per position how
    // many of them had that position's draft accepted.
    if (!value.contains("steps") || !value.contains("accepted")) return Error{field + ": give both steps and accepted"};
    auto steps = integer_field(value["steps"], field + ".steps", 1, std::int64_t{1} << 53);
    if (!steps.ok()) return Error{steps.error()};
    const json& accepted = value["accepted"];
    if (!accepted.is_array() || accepted.empty()) return Error{field + ".accepted: give the accepted count of each draft position"};
    json fractions = json::array();
    for (std::size_t i = 0; i < accepted.size(); ++i) {
      auto count = integer_field(accepted[i], field + ".accepted[" + std::to_string(i) + "]", 0, steps.value());
      if (!count.ok()) return Error{count.error() + " (the number of steps)"};
      fractions.push_back(static_cast<double>(count.value()) / static_cast<double>(steps.value()));
    }
    if (auto error = rates(fractions, field + ".accepted")) return *error;
  }
  if (value.contains("drafts")) {
    auto n = integer_field(value["drafts"], field + ".drafts", 1, limits::kMaxDrafts);
    if (!n.ok()) return Error{n.error()};
    measured.drafts = static_cast<int>(n.value());
  }
  if (value.contains("temperature")) {
    const json& t = value["temperature"];
    if (!t.is_number() || !(t.get<double>() > 0.0) || !std::isfinite(t.get<double>())) {
      return Error{field + ".temperature: must be a finite number > 0"};
    }
    measured.temperature = t.get<double>();
  }
  if (value.contains("verifier")) {
    const json& name = value["verifier"];
    const auto kind = name.is_string() ? verifier_from_name(name.get<std::string>()) : std::nullopt;
    if (!kind) return Error{field + ".verifier: unknown verifier"};
    measured.verifier = *kind;
  }
  return measured;
}

ordered_json batch_summary_json(const BatchSummary& summary, const BatchSettings& settings) {
  ordered_json json = {{"positions", summary.positions},
                       {"vocab", summary.vocab > 0 ? ordered_json(summary.vocab) : ordered_json(nullptr)},
                       {"complete", true}, {"warnings", summary.warnings}};
  // Positions of different vocabularies (each its own problem): their range.
  if (summary.vocab == 0 && summary.vocab_max > 0) json["vocab_range"] = {summary.vocab_min, summary.vocab_max};
  if (!settings.measured.empty()) {
    ordered_json measured = ordered_json::array();
    for (const MeasuredAcceptance& entry : settings.measured) measured.push_back(measured_json(entry, summary, settings));
    json["measured"] = std::move(measured);
  }
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
      // A number, or [low, high] where the position gave an interval.
      const auto value = [](double low, double high) {
        return low == high || std::isnan(low) ? number_or_null(low) : ordered_json::array({low, high});
      };
      for (std::size_t m = 0; m < settings.methods.size(); ++m) {
        optimal[std::string(method_name(settings.methods[m]))] = value(position.optimal[s][m], position.optimal_high[s][m]);
      }
      for (std::size_t v = 0; v < settings.verifiers.size(); ++v) {
        verifiers[std::string(verifier_name(settings.verifiers[v]))] =
            value(position.verifier_alpha[s][v], position.verifier_high[s][v]);
      }
      rows.push_back({{"position", i}, {"drafts", sweep[s].drafts}, {"temperature", temperature_json(sweep[s])},
                      {"optimal", std::move(optimal)}, {"verifiers", std::move(verifiers)}});
    }
  }
  return rows;
}

}  // namespace mdsd
