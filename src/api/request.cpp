#include "api/request.hpp"

#include "core/distribution.hpp"
#include "core/limits.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace mdsd {
namespace {

using nlohmann::json;

std::string type_name(const json& value) {
  if (value.is_number()) return "number";
  return value.type_name();
}

Expected<double> number_field(const json& value, const std::string& field) {
  if (!value.is_number()) return Error{field + ": must be a number, got a " + type_name(value)};
  return value.get<double>();
}

Expected<bool> boolean_field(const json& value, const std::string& field) {
  if (!value.is_boolean()) return Error{field + ": must be true or false, got a " + type_name(value)};
  return value.get<bool>();
}

// Rejects keys the contract does not know, so a typo is not silently ignored.
std::optional<Error> unknown_key(const json& object, const std::string& field,
                                 std::initializer_list<const char*> known) {
  for (const auto& item : object.items()) {
    const std::string& key = item.key();
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return Error{(field.empty() ? "" : field + ".") + key + ": unknown key (expected one of: " +
                   list + ")"};
    }
  }
  return std::nullopt;
}

// A number array: JSON numbers, or {"$buffer": k}. In logits "-Infinity" (a
// string, JSON has no infinities) marks a masked token.
Expected<Eigen::VectorXd> number_array(const json& value, const std::string& field,
                                       std::span<const NumberArray> buffers,
                                       bool allow_minus_infinity) {
  if (value.is_object() && value.contains("$buffer")) {
    auto index = integer_field(value["$buffer"], field + ".$buffer", 0,
                               static_cast<std::int64_t>(buffers.size()) - 1);
    if (!index.ok()) return Error{index.error()};
    const NumberArray& buffer = buffers[static_cast<std::size_t>(index.value())];
    if (buffer.size > static_cast<std::size_t>(limits::kMaxVocabulary)) {
      return Error{field + ": " + std::to_string(buffer.size) +
                   " tokens is more than the limit of " + std::to_string(limits::kMaxVocabulary)};
    }
    return Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(
        buffer.data, static_cast<Eigen::Index>(buffer.size)));
  }
  if (!value.is_array()) return Error{field + ": must be an array of numbers, got a " + type_name(value)};
  if (value.size() > static_cast<std::size_t>(limits::kMaxVocabulary)) {
    return Error{field + ": " + std::to_string(value.size()) +
                 " tokens is more than the limit of " + std::to_string(limits::kMaxVocabulary)};
  }
  Eigen::VectorXd numbers(static_cast<Eigen::Index>(value.size()));
  for (std::size_t i = 0; i < value.size(); ++i) {
    const json& element = value[i];
    if (element.is_number()) {
      numbers[static_cast<Eigen::Index>(i)] = element.get<double>();
    } else if (allow_minus_infinity && element.is_string() &&
               element.get_ref<const std::string&>() == "-Infinity") {
      numbers[static_cast<Eigen::Index>(i)] = -INFINITY;
    } else {
      return Error{field + "[" + std::to_string(i) + "]: expected a number, got a " +
                   type_name(element)};
    }
  }
  return numbers;
}

Expected<Eigen::VectorXd> distribution(const json& value, const std::string& field,
                                       std::span<const NumberArray> buffers,
                                       std::vector<std::string>& warnings) {
  auto spec = distribution_spec(value, field, buffers);
  if (!spec.ok()) return Error{spec.error()};
  return to_probabilities(spec.value(), field, warnings);
}

// draft_joint: [{"drafts": [token ids], "prob": x}, ...] collapsed to sets.
Expected<std::vector<DraftSet>> joint_law(const json& value, Eigen::Index vocabulary,
                                          std::vector<std::string>& warnings) {
  const std::string field = "draft_joint";
  if (!value.is_array()) return Error{field + ": must be an array of {\"drafts\": [...], \"prob\": x}"};
  if (value.empty()) return Error{field + ": is empty"};
  if (value.size() > static_cast<std::size_t>(limits::kMaxJointEntries)) {
    return Error{field + ": " + std::to_string(value.size()) + " entries is more than the limit of " +
                 std::to_string(limits::kMaxJointEntries)};
  }
  std::map<std::vector<std::int32_t>, double> mass_of_set;
  double total = 0.0;
  for (std::size_t e = 0; e < value.size(); ++e) {
    const std::string entry_field = field + "[" + std::to_string(e) + "]";
    const json& entry = value[e];
    if (!entry.is_object()) return Error{entry_field + ": must be an object {\"drafts\": [...], \"prob\": x}"};
    if (auto error = unknown_key(entry, entry_field, {"drafts", "prob"})) return *error;
    if (!entry.contains("drafts") || !entry["drafts"].is_array() || entry["drafts"].empty()) {
      return Error{entry_field + ".drafts: must be a non-empty array of token ids"};
    }
    if (!entry.contains("prob")) return Error{entry_field + ".prob: is missing"};
    auto prob = number_field(entry["prob"], entry_field + ".prob");
    if (!prob.ok()) return Error{prob.error()};
    if (!std::isfinite(prob.value()) || prob.value() < 0.0) {
      return Error{entry_field + ".prob: must be a finite number >= 0, got " + format_number(prob.value())};
    }
    std::vector<std::int32_t> tokens;
    const json& drafts = entry["drafts"];
    for (std::size_t k = 0; k < drafts.size(); ++k) {
      auto token = integer_field(drafts[k], entry_field + ".drafts[" + std::to_string(k) + "]", 0,
                                 vocabulary - 1);
      if (!token.ok()) return Error{token.error()};
      tokens.push_back(static_cast<std::int32_t>(token.value()));
    }
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    mass_of_set[tokens] += prob.value();
    total += prob.value();
  }
  if (!(total > 0.0)) return Error{field + ": every prob is zero; some mass must be positive"};
  if (std::abs(total - 1.0) > 1e-6) {
    warnings.push_back(field + ": probs sum to " + format_number(total) + ", not 1; normalised");
  }
  std::vector<DraftSet> law;
  for (auto& [tokens, mass] : mass_of_set) {
    if (mass > 0.0) law.push_back({tokens, mass / total});
  }
  return law;
}

std::optional<Error> parse_lp(const json& value, Request& request) {
  if (value.is_boolean()) {
    request.lp = value.get<bool>();
    return std::nullopt;
  }
  if (!value.is_object()) return Error{"lp: must be true, false or {\"max_columns\": c}"};
  if (auto error = unknown_key(value, "lp", {"max_columns", "inject_glpk_error"})) return error;
  request.lp = true;
  if (value.contains("max_columns")) {
    auto columns = integer_field(value["max_columns"], "lp.max_columns", 1, limits::kMaxLpColumns);
    if (!columns.ok()) return Error{columns.error()};
    request.lp_options.max_columns = columns.value();
  }
  if (value.contains("inject_glpk_error")) {
    auto inject = boolean_field(value["inject_glpk_error"], "lp.inject_glpk_error");
    if (!inject.ok()) return Error{inject.error()};
    request.lp_options.inject_glpk_error = inject.value();
  }
  return std::nullopt;
}

std::optional<Error> parse_methods(const json& value, Request& request) {
  if (!value.is_array()) return Error{"methods: must be an array of method names"};
  if (value.empty()) return Error{"methods: is empty; name at least one method"};
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string field = "methods[" + std::to_string(i) + "]";
    if (!value[i].is_string()) return Error{field + ": must be a string, got a " + type_name(value[i])};
    const auto& name = value[i].get_ref<const std::string&>();
    const auto method = method_from_name(name);
    if (!method) {
      return Error{field + ": unknown method \"" + name +
                   "\" (expected with_replacement, without_replacement or greedy)"};
    }
    if (std::find(request.methods.begin(), request.methods.end(), *method) == request.methods.end()) {
      request.methods.push_back(*method);
    }
  }
  return std::nullopt;
}

std::optional<Error> parse_verifiers(const json& value, Request& request) {
  if (!value.is_array()) return Error{"verifiers: must be an array of verifier names"};
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string field = "verifiers[" + std::to_string(i) + "]";
    if (!value[i].is_string()) return Error{field + ": must be a string, got a " + type_name(value[i])};
    const auto& name = value[i].get_ref<const std::string&>();
    const auto kind = verifier_from_name(name);
    if (!kind) {
      return Error{field + ": unknown verifier \"" + name +
                   "\" (expected rrs_with_replacement, rrs_without_replacement, kseq, greedy, "
                   "spechub or optimal_lp)"};
    }
    if (std::find(request.verifiers.begin(), request.verifiers.end(), *kind) == request.verifiers.end()) {
      request.verifiers.push_back(*kind);
    }
  }
  return std::nullopt;
}

std::optional<Error> parse_simulate(const json& value, Request& request) {
  if (!value.is_object()) return Error{"simulate: must be {\"samples\": N, \"seed\": s}"};
  if (auto error = unknown_key(value, "simulate", {"samples", "seed"})) return error;
  if (!value.contains("samples")) return Error{"simulate.samples: is missing"};
  auto samples = integer_field(value["samples"], "simulate.samples", 1, limits::kMaxSimulationSamples);
  if (!samples.ok()) return Error{samples.error()};
  Request::Simulation simulation{samples.value(), 1};
  if (value.contains("seed")) {
    auto seed = integer_field(value["seed"], "simulate.seed", 0, std::int64_t{1} << 53);
    if (!seed.ok()) return Error{seed.error()};
    simulation.seed = static_cast<std::uint64_t>(seed.value());
  }
  request.simulate = simulation;
  request.estimate_seed = simulation.seed;
  return std::nullopt;
}

}  // namespace

Expected<std::int64_t> integer_field(const json& value, const std::string& field,
                                     std::int64_t lowest, std::int64_t highest) {
  const std::string range =
      "must be an integer from " + std::to_string(lowest) + " to " + std::to_string(highest);
  if (!value.is_number()) return Error{field + ": " + range + ", got a " + type_name(value)};
  const double number = value.get<double>();
  if (!(number >= static_cast<double>(lowest) && number <= static_cast<double>(highest)) ||
      number != std::floor(number)) {
    return Error{field + ": " + range + ", got " + format_number(number)};
  }
  return static_cast<std::int64_t>(number);
}

// DIST: an array of probabilities or weights, or {"logits": [...], "temperature",
// "top_k", "top_p"}.
Expected<DistributionSpec> distribution_spec(const nlohmann::json& value, const std::string& field,
                                             std::span<const NumberArray> buffers) {
  DistributionSpec spec;
  if (value.is_object() && !value.contains("$buffer")) {
    if (auto error = unknown_key(value, field, {"logits", "temperature", "top_k", "top_p"})) {
      return *error;
    }
    if (!value.contains("logits")) {
      return Error{field + ": an object must have \"logits\"; give probabilities as an array"};
    }
    spec.kind = DistributionSpec::Kind::logits;
    auto logits = number_array(value["logits"], field + ".logits", buffers, true);
    if (!logits.ok()) return Error{logits.error()};
    spec.values = std::move(logits).value();
    if (value.contains("temperature")) {
      auto temperature = number_field(value["temperature"], field + ".temperature");
      if (!temperature.ok()) return Error{temperature.error()};
      spec.temperature = temperature.value();
    }
    if (value.contains("top_k")) {
      auto top_k = integer_field(value["top_k"], field + ".top_k", 1, limits::kMaxVocabulary);
      if (!top_k.ok()) return Error{top_k.error()};
      spec.top_k = top_k.value();
    }
    if (value.contains("top_p")) {
      auto top_p = number_field(value["top_p"], field + ".top_p");
      if (!top_p.ok()) return Error{top_p.error()};
      spec.top_p = top_p.value();
    }
  } else {
    auto weights = number_array(value, field, buffers, false);
    if (!weights.ok()) return Error{weights.error()};
    spec.values = std::move(weights).value();
  }
  return spec;
}

Expected<Request> parse_request(const json& value, std::span<const NumberArray> buffers) {
  if (!value.is_object()) return Error{"request: must be a JSON object, got a " + type_name(value)};
  if (auto error = unknown_key(value, "",
                               {"target", "draft", "drafts", "draft_joint", "methods", "lp", "verifiers", "simulate"})) {
    return *error;
  }
  Request request;
  if (!value.contains("target")) return Error{"target: is missing"};
  auto target = distribution(value["target"], "target", buffers, request.warnings);
  if (!target.ok()) return Error{target.error()};
  request.problem.target = std::move(target).value();
  const Eigen::Index vocabulary = request.problem.target.size();

  if (value.contains("draft_joint")) {
    if (value.contains("draft") || value.contains("drafts")) {
      return Error{"draft_joint: give either draft with drafts, or draft_joint, not both"};
    }
    for (const char* key : {"methods", "verifiers", "simulate"}) {
      if (value.contains(key)) {
        return Error{std::string(key) + ": does not apply to draft_joint, which only the LP solves"};
      }
    }
    auto law = joint_law(value["draft_joint"], vocabulary, request.warnings);
    if (!law.ok()) return Error{law.error()};
    request.draft_joint = std::move(law).value();
    request.lp = true;
    for (const DraftSet& set : *request.draft_joint) {
      request.problem.drafts = std::max(request.problem.drafts, static_cast<int>(set.tokens.size()));
    }
  } else {
    if (!value.contains("draft")) return Error{"draft: is missing (or give draft_joint)"};
    if (!value.contains("drafts")) return Error{"drafts: is missing; give the number of drafts n >= 1"};
    auto draft = distribution(value["draft"], "draft", buffers, request.warnings);
    if (!draft.ok()) return Error{draft.error()};
    if (draft.value().size() != vocabulary) {
      return Error{"draft: has " + std::to_string(draft.value().size()) + " tokens but target has " +
                   std::to_string(vocabulary)};
    }
    request.problem.draft = std::move(draft).value();
    request.has_draft = true;
    auto drafts = integer_field(value["drafts"], "drafts", 1, limits::kMaxDrafts);
    if (!drafts.ok()) return Error{drafts.error()};
    request.problem.drafts = static_cast<int>(drafts.value());
    if (value.contains("methods")) {
      if (auto error = parse_methods(value["methods"], request)) return *error;
    } else {
      request.methods.assign(kAllDraftMethods.begin(), kAllDraftMethods.end());
    }
    if (value.contains("verifiers")) {
      if (auto error = parse_verifiers(value["verifiers"], request)) return *error;
    }
    if (value.contains("simulate")) {
      if (auto error = parse_simulate(value["simulate"], request)) return *error;
    }
  }
  if (value.contains("lp")) {
    const bool joint = request.draft_joint.has_value();
    if (auto error = parse_lp(value["lp"], request)) return *error;
    if (joint && !request.lp) return Error{"lp: cannot be false with draft_joint, which only the LP solves"};
  }
  // Default verifiers: all, but the LP-plan verifier only with the LP (its
  // LP takes seconds where the rest takes milliseconds).
  if (request.has_draft && !value.contains("verifiers")) {
    for (VerifierKind kind : kAllVerifiers) {
      if (kind != VerifierKind::optimal_lp || request.lp) request.verifiers.push_back(kind);
    }
  }
  return request;
}

Expected<nlohmann::json> parse_json_text(std::string_view text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_discarded()) return value;
  // Parse again with a SAX handler that keeps the parser's message.
  struct ErrorCollector : nlohmann::json_sax<json> {
    std::string message;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
      message = error.what();
      return false;
    }
  } collector;
  json::sax_parse(text, &collector, nlohmann::detail::input_format_t::json, /*strict=*/true);
  std::string message = collector.message;
  if (const auto colon = message.find("] "); colon != std::string::npos) message = message.substr(colon + 2);
  return Error{"request: not valid JSON: " + message};
}

}  // namespace mdsd
