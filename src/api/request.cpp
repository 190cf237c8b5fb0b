#include "api/request.hpp"
#include "api/json_reader.hpp"
#include "core/message_text.hpp"

#include "core/distribution.hpp"
#include "core/limits.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

namespace mdsd {
namespace {

using nlohmann::json;

// What a JSON value is, with its article: "a number", "an object", "null".
std::string type_name(const json& value) {
  if (value.is_number()) return "a number";
  if (value.is_null()) return "null";
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  return std::string("a ") + value.type_name();
}

Expected<double> number_field(const json& value, const std::string& field) {
  if (!value.is_number()) return Error{field + ": must be a number, got " + type_name(value)};
  return value.get<double>();
}

Expected<bool> boolean_field(const json& value, const std::string& field) {
  if (!value.is_boolean()) return Error{field + ": must be true or false, got " + type_name(value)};
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
      return Error{(field.empty() ? "" : field + ".") + excerpt(key) + ": unknown key (expected one of: " +
                   list + ")"};
    }
  }
  return std::nullopt;
}

// A number array of the request text that parse_json_text read straight into
// doubles, so that a 100 MB request never becomes a document of 16-byte JSON
// values: a binary value without subtype (a subtype marks a buffer reference,
// request.hpp) holding this header, then the doubles. Beyond the vocabulary
// limit or after an element that is not a number only the count goes on, so
// that the errors stay those of the array read whole.
struct StreamedHeader {
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};
  std::uint64_t elements = 0;       // in the JSON array, stored or not
  std::uint64_t first_bad = kNone;  // the first element that is not a number
  std::uint64_t bad_type = 0;       // its type, an index into kTypeNames
  static constexpr const char* kTypeNames[] = {"null", "a boolean", "a string", "an array", "an object", "a binary"};
};

Expected<Eigen::VectorXd> streamed_array(const json::binary_t& bytes, const std::string& field) {
  StreamedHeader header;
  std::memcpy(&header, bytes.data(), sizeof header);
  if (header.elements > static_cast<std::uint64_t>(limits::kMaxVocabulary)) {
    return Error{field + ": " + std::to_string(header.elements) +
                 " tokens is more than the limit of " + std::to_string(limits::kMaxVocabulary)};
  }
  if (header.first_bad != StreamedHeader::kNone) {
    return Error{field + "[" + std::to_string(header.first_bad) + "]: expected a number, got " +
                 StreamedHeader::kTypeNames[header.bad_type]};
  }
  Eigen::VectorXd numbers(static_cast<Eigen::Index>(header.elements));
  if (header.elements > 0) {
    std::memcpy(numbers.data(), bytes.data() + sizeof header, header.elements * sizeof(double));
  }
  return numbers;
}

// Builds the document of parse_json_text as JsonDocumentBuilder does (a key
// given twice in one object is an error), except for the number arrays of
// target, draft, target.logits and draft.logits at the top of an object,
// which the reader hands over as doubles and which become streamed arrays
// (above).
class DocumentBuilder : public JsonDocumentBuilder {
 public:
  ArrayMode start_array() override {
    if (const auto logits = streamed_here()) {
      streaming_ = true;
      streaming_logits_ = *logits;
      header_ = StreamedHeader{};
      bytes_.assign(sizeof header_, 0);
      return ArrayMode::numbers;
    }
    return JsonDocumentBuilder::start_array();
  }
  bool end_array() override {
    if (!streaming_) return JsonDocumentBuilder::end_array();
    streaming_ = false;
    std::memcpy(bytes_.data(), &header_, sizeof header_);
    return insert(json::binary(std::move(bytes_)));
  }
  // Room for the doubles at once, so that they are not copied as the array
  // grows: one per 16 bytes of the text left (a shortest round-trip
  // probability takes about 20, and the text holds the draft as well), up
  // to the limit. Room is address space: only what the numbers fill is
  // touched, but each huge page the heap's next block starts in is zeroed
  // whole (process_memory.hpp), so the room is not made larger than that.
  // Shorter numbers grow the array as before.
  void expect_bytes(std::size_t bytes) override {
    const auto elements = std::min<std::size_t>(bytes / 16 + 1, static_cast<std::size_t>(limits::kMaxVocabulary));
    bytes_.reserve(sizeof header_ + elements * sizeof(double));
  }
  bool number_element(double value) override { return number_elements(&value, 1); }
  bool number_elements(const double* values, std::size_t count) override {
    const std::uint64_t first = header_.elements;
    header_.elements += count;
    const auto limit = static_cast<std::uint64_t>(limits::kMaxVocabulary);
    if (header_.first_bad != StreamedHeader::kNone || first > limit) return true;
    // Elements 0 to limit - 1 are kept; past them the count alone makes the error.
    const std::size_t kept = static_cast<std::size_t>(std::min<std::uint64_t>(count, limit > first ? limit - first : 0));
    if (kept > 0) {  // appended, not zeroed first as resize() would
      const auto* first = reinterpret_cast<const std::uint8_t*>(values);
      bytes_.insert(bytes_.end(), first, first + kept * sizeof(double));
    }
    if (header_.elements > limit) release();
    return true;
  }
  bool other_element(JsonKind kind, std::string_view text) override {
    if (streaming_logits_ && kind == JsonKind::string && text == "-Infinity") return number_element(-INFINITY);
    const std::uint64_t index = header_.elements++;
    if (header_.first_bad == StreamedHeader::kNone) {
      header_.first_bad = index;
      header_.bad_type = static_cast<std::uint64_t>(kind);  // JsonKind's order is kTypeNames'
      release();
    }
    return true;
  }
  std::string path_being_read() const override {
    if (!streaming_) return JsonDocumentBuilder::path_being_read();
    return path_to(true) + "[" + std::to_string(header_.elements) + "]";
  }

 private:
  // Whether an array starting now is streamed: nothing when not, else whether
  // it holds logits (where "-Infinity" is a number).
  std::optional<bool> streamed_here() const {
    const auto distribution = [](const std::string* key) { return key && (*key == "target" || *key == "draft"); };
    if (open_.size() == 1 && open_[0]->is_object() && distribution(pending_key_)) return false;
    if (open_.size() == 2 && open_[0]->is_object() && open_[1]->is_object() && distribution(keys_[1]) &&
        pending_key_ && *pending_key_ == "logits") {
      return true;
    }
    return std::nullopt;
  }
  void release() {
    bytes_.resize(sizeof header_);
    bytes_.shrink_to_fit();
  }

  bool streaming_ = false, streaming_logits_ = false;
  StreamedHeader header_;
  std::vector<std::uint8_t> bytes_;
};

// A number array: JSON numbers, or a reference to buffers[k] (request.hpp:
// a binary value, which JSON text cannot spell). In logits "-Infinity" (a
// string, JSON has no infinities) marks a masked token.
Expected<Eigen::VectorXd> number_array(const json& value, const std::string& field,
                                       std::span<const NumberArray> buffers,
                                       bool allow_minus_infinity) {
  if (value.is_binary() && !value.get_binary().has_subtype()) return streamed_array(value.get_binary(), field);
  if (value.is_binary()) {
    const auto& reference = value.get_binary();
    if (!reference.has_subtype() || reference.subtype() >= buffers.size()) {
      return Error{field + ": internal error: a reference to a buffer that was not passed"};
    }
    const NumberArray& buffer = buffers[static_cast<std::size_t>(reference.subtype())];
    if (buffer.size > static_cast<std::size_t>(limits::kMaxVocabulary)) {
      return Error{field + ": " + std::to_string(buffer.size) +
                   " tokens is more than the limit of " + std::to_string(limits::kMaxVocabulary)};
    }
    return Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(
        buffer.data, static_cast<Eigen::Index>(buffer.size)));
  }
  if (!value.is_array()) return Error{field + ": must be an array of numbers, got " + type_name(value)};
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
      return Error{field + "[" + std::to_string(i) + "]: expected a number, got " +
                   type_name(element)};
    }
  }
  return numbers;
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
  std::vector<std::pair<std::vector<std::int32_t>, double>> entries;
  entries.reserve(value.size());
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
    entries.emplace_back(std::move(tokens), prob.value());
  }
  // Summed after an exact power-of-two scaling by the largest prob, so that
  // finite probs whose sum overflows are normalised, not turned into 0.
  double largest = 0.0;
  for (const auto& entry : entries) largest = std::max(largest, entry.second);
  if (!(largest > 0.0)) return Error{field + ": every prob is zero; some mass must be positive"};
  const int exponent = std::ilogb(largest);
  std::map<std::vector<std::int32_t>, double> mass_of_set;
  double total = 0.0;
  for (const auto& [tokens, prob] : entries) {
    const double scaled = std::ldexp(prob, -exponent);
    mass_of_set[tokens] += scaled;
    total += scaled;
  }
  const double unscaled_total = std::ldexp(total, exponent);
  if (!(std::abs(unscaled_total - 1.0) <= 1e-6)) {
    warnings.push_back(field + ": probs sum to " +
                       (std::isfinite(unscaled_total) ? format_number(unscaled_total)
                                                      : std::string("more than the largest double")) +
                       ", not 1; normalised");
  }
  std::vector<DraftSet> law;
  for (auto& [tokens, mass] : mass_of_set) {
    if (mass > 0.0) law.push_back({tokens, mass / total});
  }
  return law;
}

// lp: true, or {"max_columns": c, "glpk": b, "glpk_max_columns": g,
// "inject_glpk_error": b}; the last asks for the GLPK cross-check and makes
// it fail (a test of the recovery).
std::optional<Error> parse_lp(const json& value, Request& request) {
  if (value.is_boolean()) {
    request.lp = value.get<bool>();
    return std::nullopt;
  }
  if (!value.is_object()) {
    return Error{"lp: must be true, false or an object with max_columns, glpk, glpk_max_columns"};
  }
  if (auto error = unknown_key(value, "lp", {"max_columns", "glpk", "glpk_max_columns", "inject_glpk_error"})) {
    return error;
  }
  request.lp = true;
  LpOptions& options = request.lp_options;
  if (value.contains("max_columns")) {
    auto columns = integer_field(value["max_columns"], "lp.max_columns", 1, limits::kMaxLpColumns);
    if (!columns.ok()) return Error{columns.error()};
    options.max_columns = columns.value();
  }
  if (value.contains("glpk")) {
    auto glpk = boolean_field(value["glpk"], "lp.glpk");
    if (!glpk.ok()) return Error{glpk.error()};
    options.glpk = glpk.value();
  }
  if (value.contains("glpk_max_columns")) {
    auto columns = integer_field(value["glpk_max_columns"], "lp.glpk_max_columns", 1, limits::kMaxGlpkColumns);
    if (!columns.ok()) return Error{columns.error()};
    options.glpk_max_columns = columns.value();
  }
  if (value.contains("inject_glpk_error")) {
    auto inject = boolean_field(value["inject_glpk_error"], "lp.inject_glpk_error");
    if (!inject.ok()) return Error{inject.error()};
    options.inject_glpk_error = inject.value();
    if (options.inject_glpk_error) options.glpk = true;
  }
  return std::nullopt;
}

std::optional<Error> parse_methods(const json& value, Request& request) {
  if (!value.is_array()) return Error{"methods: must be an array of method names"};
  if (value.empty()) return Error{"methods: is empty; name at least one method"};
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string field = "methods[" + std::to_string(i) + "]";
    if (!value[i].is_string()) return Error{field + ": must be a string, got " + type_name(value[i])};
    const auto& name = value[i].get_ref<const std::string&>();
    const auto method = method_from_name(name);
    if (!method) {
      return Error{field + ": unknown method \"" + excerpt(name) +
                   "\" (expected with_replacement, without_replacement, greedy or top_n)"};
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
    if (!value[i].is_string()) return Error{field + ": must be a string, got " + type_name(value[i])};
    const auto& name = value[i].get_ref<const std::string&>();
    const auto kind = verifier_from_name(name);
    if (!kind) {
      return Error{field + ": unknown verifier \"" + excerpt(name) +
                   "\" (expected rrs_with_replacement, rrs_without_replacement, kseq, greedy, "
                   "spechub, optimal_lp, exact_match or optimal_with_replacement)"};
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
  if (!value.is_number()) return Error{field + ": " + range + ", got " + type_name(value)};
  // An integer literal is compared exactly: as a double, 2^53 + 1 would pass
  // for 2^53.
  if (value.is_number_unsigned()) {
    const auto exact = value.get<std::uint64_t>();
    if (exact > static_cast<std::uint64_t>(std::max<std::int64_t>(highest, 0)) ||
        static_cast<std::int64_t>(exact) < lowest) {
      return Error{field + ": " + range + ", got " + std::to_string(exact)};
    }
    return static_cast<std::int64_t>(exact);
  }
  if (value.is_number_integer()) {
    const auto exact = value.get<std::int64_t>();
    if (exact < lowest || exact > highest) return Error{field + ": " + range + ", got " + std::to_string(exact)};
    return exact;
  }
  const double number = value.get<double>();
  if (!(number >= static_cast<double>(lowest) && number <= static_cast<double>(highest)) ||
      number != std::floor(number)) {
    return Error{field + ": " + range + ", got " + format_number(number)};
  }
  return static_cast<std::int64_t>(number);
}

namespace {

// {"ids": [...], "logprobs" or "probs": [...], "unlisted": ...} into spec.sparse.
std::optional<Error> sparse_list(const json& value, const std::string& field, std::span<const NumberArray> buffers,
                                 DistributionSpec& spec) {
  spec.kind = DistributionSpec::Kind::sparse;
  SparseListSpec& list = spec.sparse;
  const json& ids = value["ids"];
  if (!ids.is_array()) return Error{field + ".ids: must be an array of token ids, got " + type_name(ids)};
  if (ids.size() > static_cast<std::size_t>(limits::kMaxVocabulary)) {
    return Error{field + ".ids: " + std::to_string(ids.size()) + " tokens is more than the limit of " +
                 std::to_string(limits::kMaxVocabulary)};
  }
  list.ids.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto id = integer_field(ids[i], field + ".ids[" + std::to_string(i) + "]", 0, limits::kMaxVocabulary - 1);
    if (!id.ok()) return Error{id.error()};
    list.ids.push_back(id.value());
  }
  const bool log = value.contains("logprobs");
  if (log == value.contains("probs")) {
    return Error{field + ": a list of ids needs exactly one of \"logprobs\" and \"probs\""};
  }
  list.log = log;
  auto values = number_array(value[log ? "logprobs" : "probs"], field + (log ? ".logprobs" : ".probs"), buffers, log);
  if (!values.ok()) return Error{values.error()};
  list.values.assign(values.value().data(), values.value().data() + values.value().size());
  if (value.contains("unlisted")) {
    const json& unlisted = value["unlisted"];
    const std::string where = field + ".unlisted";
    if (unlisted.is_string() && unlisted.get_ref<const std::string&>() == "top_k") {
      list.unlisted = SparseListSpec::Unlisted::top_k;
    } else if (unlisted.is_string() && unlisted.get_ref<const std::string&>() == "any") {
      list.unlisted = SparseListSpec::Unlisted::any;
    } else if (unlisted.is_object()) {
      if (auto error = unknown_key(unlisted, where, {"at_most_logprob"})) return error;
      if (!unlisted.contains("at_most_logprob")) return Error{where + ".at_most_logprob: is missing"};
      auto floor = number_field(unlisted["at_most_logprob"], where + ".at_most_logprob");
      if (!floor.ok()) return Error{floor.error()};
      list.unlisted = SparseListSpec::Unlisted::floor;
      list.floor_logprob = floor.value();
    } else {
      return Error{where + ": must be \"top_k\", \"any\" or {\"at_most_logprob\": x}, got " + excerpt(unlisted.dump())};
    }
  }
  return std::nullopt;
}

}  // namespace

// DIST: an array of probabilities or weights, {"logits": [...], ...}, or a
// list of some tokens {"ids": [...], "logprobs"/"probs": [...], ...}; each
// object may have "temperature", "top_k", "top_p".
Expected<DistributionSpec> distribution_spec(const nlohmann::json& value, const std::string& field,
                                             std::span<const NumberArray> buffers) {
  DistributionSpec spec;
  if (value.is_object()) {
    if (auto error = unknown_key(value, field, {"logits", "ids", "logprobs", "probs", "unlisted", "temperature", "top_k", "top_p", "log_tolerance"})) {
      return *error;
    }
    if (value.contains("ids")) {
      if (value.contains("logits")) return Error{field + ": give \"logits\" or \"ids\", not both"};
      if (auto error = sparse_list(value, field, buffers, spec)) return *error;
    } else if (!value.contains("logits")) {
      return Error{field + ": an object must have \"logits\" or \"ids\"; give probabilities as an array"};
    } else {
      for (const char* key : {"logprobs", "probs", "unlisted"}) {
        if (value.contains(key)) return Error{field + "." + key + ": goes with \"ids\" (a list of some tokens), not with \"logits\""};
      }
      spec.kind = DistributionSpec::Kind::logits;
      auto logits = number_array(value["logits"], field + ".logits", buffers, true);
      if (!logits.ok()) return Error{logits.error()};
      spec.values = std::move(logits).value();
    }
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
    if (value.contains("log_tolerance")) {
      auto tolerance = number_field(value["log_tolerance"], field + ".log_tolerance");
      if (!tolerance.ok()) return Error{tolerance.error()};
      spec.log_tolerance = tolerance.value();
    }
  } else {
    auto weights = number_array(value, field, buffers, false);
    if (!weights.ok()) return Error{weights.error()};
    spec.values = std::move(weights).value();
  }
  return spec;
}

Expected<PositionSpec> position_spec(const json& value, std::span<const NumberArray> buffers) {
  if (!value.is_object()) return Error{"a position must be an object {\"target\": ..., \"draft\": ...}"};
  for (const auto& item : value.items()) {
    if (item.key() != "target" && item.key() != "draft" && item.key() != "vocab") {
      return Error{excerpt(item.key()) + ": unknown key (a position gives target, draft and vocab; the shared settings are options)"};
    }
  }
  for (const char* key : {"target", "draft"}) {
    if (!value.contains(key)) return Error{std::string(key) + ": is missing"};
  }
  PositionSpec position;
  for (const auto& [spec, name] : {std::pair{&position.target, "target"}, std::pair{&position.draft, "draft"}}) {
    auto parsed = distribution_spec(value[name], name, buffers);
    if (!parsed.ok()) return Error{parsed.error()};
    *spec = std::move(parsed).value();
  }
  if (value.contains("vocab")) {
    auto vocab = integer_field(value["vocab"], "vocab", 1, limits::kMaxVocabulary);
    if (!vocab.ok()) return Error{vocab.error()};
    for (const auto& [spec, name] : {std::pair{&position.target, "target"}, std::pair{&position.draft, "draft"}}) {
      if (spec->kind == DistributionSpec::Kind::sparse) {
        spec->sparse.vocab = vocab.value();
      } else if (spec->values.size() != vocab.value()) {
        return Error{std::string(name) + ": has " + std::to_string(spec->values.size()) + " tokens but vocab = " +
                     std::to_string(vocab.value())};
      }
    }
  }
  return position;
}

namespace {

// A distribution's number array in `consumed` (the request's document),
// freed: the whole value when it is the array, else its logits.
void release_numbers(json* consumed, const char* key) {
  if (!consumed || !consumed->is_object()) return;
  const auto found = consumed->find(key);
  if (found == consumed->end()) return;
  if (found->is_binary()) {
    *found = nullptr;
  } else if (found->is_object()) {
    const auto logits = found->find("logits");
    if (logits != found->end() && logits->is_binary()) *logits = nullptr;
  }
}

// parse_request, and when `consumed` is the document itself, its number
// arrays freed once read.
Expected<Request> read_request(const json& value, std::span<const NumberArray> buffers, json* consumed) {
  if (!value.is_object()) return Error{"request: must be a JSON object, got " + type_name(value)};
  if (auto error = unknown_key(value, "",
                               {"target", "draft", "drafts", "draft_joint", "methods", "lp", "verifiers", "simulate", "vocab"})) {
    return *error;
  }
  Request request;
  if (!value.contains("target")) return Error{"target: is missing"};
  std::int64_t vocab = 0;
  if (value.contains("vocab")) {
    auto stated = integer_field(value["vocab"], "vocab", 1, limits::kMaxVocabulary);
    if (!stated.ok()) return Error{stated.error()};
    vocab = stated.value();
  }
  auto target_spec = distribution_spec(value["target"], "target", buffers);
  if (!target_spec.ok()) return Error{target_spec.error()};
  release_numbers(consumed, "target");

  if (value.contains("draft_joint")) {
    if (target_spec.value().kind == DistributionSpec::Kind::sparse) {
      return Error{"target: draft_joint needs the full target distribution, not a list of some tokens"};
    }
    auto target = to_probabilities(std::move(target_spec).value(), "target", request.warnings);
    if (!target.ok()) return Error{target.error()};
    request.problem.target = std::move(target).value();
    if (vocab > 0 && request.problem.target.size() != vocab) {
      return Error{"target: has " + std::to_string(request.problem.target.size()) + " tokens but vocab = " +
                   std::to_string(vocab)};
    }
    const Eigen::Index vocabulary = request.problem.target.size();
    if (value.contains("draft") || value.contains("drafts")) {
      return Error{"draft_joint: give either draft with drafts, or draft_joint, not both"};
    }
    for (const char* key : {"methods", "verifiers", "simulate"}) {
      // "verifiers": [] asks for none, which is what draft_joint gives.
      if (!value.contains(key)) continue;
      const bool none = std::string_view(key) == "verifiers" && value[key].is_array() && value[key].empty();
      if (!none) {
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
    auto draft_spec = distribution_spec(value["draft"], "draft", buffers);
    if (!draft_spec.ok()) return Error{draft_spec.error()};
    release_numbers(consumed, "draft");
    auto pair = prepare_pair(std::move(target_spec).value(), std::move(draft_spec).value(), vocab, request.warnings);
    if (!pair.ok()) return Error{pair.error()};
    request.problem.target = std::move(pair.value().target);
    request.problem.draft = std::move(pair.value().draft);
    request.partial = std::move(pair.value().partial);
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
  if (request.partial) {
    for (const char* key : {"lp", "simulate"}) {
      if (value.contains(key) && !(std::string_view(key) == "lp" && value[key].is_boolean() && !value[key].get<bool>())) {
        return Error{std::string(key) + ": needs the full distributions; a list of some tokens gives bounds only"};
      }
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

}  // namespace

Expected<Request> parse_request(const json& value, std::span<const NumberArray> buffers) {
  return read_request(value, buffers, nullptr);
}

Expected<Request> parse_request_consuming(json&& value) { return read_request(value, {}, &value); }

Expected<nlohmann::json> parse_json_text(std::string_view text, ReadOptions options) {
  DocumentBuilder builder;
  if (const auto error = read_json(text, builder, options)) {
    std::string message = json_error_message(*error, builder);
    // A key given twice names itself; a syntax error is the request's.
    return Error{builder.duplicate.empty() ? "request: " + message : message};
  }
  return std::move(builder.root);
}

}  // namespace mdsd
