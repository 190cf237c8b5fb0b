// mdsd batch: dataset mode from the command line (README.md "Dataset mode").
// Positions are streamed (JSON Lines, or two [N, V] .npy files row by row),
// computed in parallel chunks, and added in order; any bad row stops the run
// with a message naming the file and row: a partial run is never summarised.
#include "api/batch_json.hpp"
#include "core/message_text.hpp"
#include "api/request.hpp"
#include "cli/commands.hpp"
#include "core/distribution.hpp"
#include "core/limits.hpp"
#include "dataset/npy_file.hpp"
#include "dataset/output_file.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

namespace mdsd::cli {
namespace {

struct PositionSource {
  DistributionSpec target, draft;
  std::string where;  // "data.jsonl:17", "target.npy row 17"
};

struct Options {
  BatchSettings settings;
  std::vector<std::string> files;
  std::optional<DistributionSpec::Kind> npy_kind;  // --logits / --probabilities
  std::string per_position;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
};

// "3", "1,2,4" or "1-8"; each number written whole ("3x" is refused).
std::optional<std::vector<int>> draft_list(const std::string& text) {
  std::vector<int> drafts;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const auto dash = item.find('-', 1);
    const auto first = whole_number(std::string_view(item).substr(0, dash), 1, limits::kMaxDrafts);
    const auto last = dash == std::string::npos ? first : whole_number(std::string_view(item).substr(dash + 1), 1, limits::kMaxDrafts);
    if (!first || !last || *first > *last) return std::nullopt;
    for (auto n = *first; n <= *last; ++n) drafts.push_back(static_cast<int>(n));
  }
  if (drafts.empty()) return std::nullopt;
  return drafts;
}

// ", got "text"" for a message about an option's value, when one was given.
std::string given(const std::optional<std::string>& text) {
  return text ? ", got \"" + excerpt(*text) + "\"" : std::string();
}

std::optional<std::string> parse_options(int argc, char** argv, Options& options) {
  bool drafts_given = false;
  for (int i = 2; i < argc; ++i) {
    const std::string argument = argv[i];
    const auto value = [&]() -> std::optional<std::string> {
      return i + 1 < argc ? std::optional<std::string>(argv[++i]) : std::nullopt;
    };
    if (argument == "--drafts") {
      const auto text = value();
      const auto drafts = text ? draft_list(*text) : std::nullopt;
      if (!drafts) return "--drafts: give N, a list N,M,... or a range A-B, each from 1 to " + std::to_string(limits::kMaxDrafts);
      options.settings.drafts = *drafts;
      drafts_given = true;
    } else if (argument == "--temperature") {
      const auto text = value();
      if (!text) return std::string("--temperature: give T or T1,T2,...");
      std::stringstream stream(*text);
      std::string item;
      while (std::getline(stream, item, ',')) {
        char* end = nullptr;
        const double t = std::strtod(item.c_str(), &end);
        if (item.empty() || *end != '\0' || !(t > 0.0 && t < 1e300)) return "--temperature: \"" + excerpt(item) + "\" is not a number > 0";
        options.settings.temperatures.push_back(t);
      }
    } else if (argument == "--verifiers") {
      // Names separated by commas; "" for none.
      const auto text = value();
      if (!text) return std::string("--verifiers: give V,... (or \"\" for none)");
      std::vector<VerifierKind> verifiers;
      std::stringstream stream(*text);
      std::string item;
      while (std::getline(stream, item, ',')) {
        const auto kind = verifier_from_name(item);
        if (!kind) {
          return "--verifiers: \"" + excerpt(item) + "\" is not a verifier (expected rrs_with_replacement, "
                 "rrs_without_replacement, kseq, greedy or spechub)";
        }
        if (*kind == VerifierKind::optimal_lp) return std::string("--verifiers: optimal_lp is not offered in batch mode (an LP per position)");
        if (std::find(verifiers.begin(), verifiers.end(), *kind) == verifiers.end()) verifiers.push_back(*kind);
      }
      options.settings.verifiers = verifiers;
    } else if (argument == "--per-position") {
      const auto text = value();
      if (!text || !(text->ends_with(".csv") || text->ends_with(".json"))) return std::string("--per-position: give a FILE.csv or FILE.json");
      options.per_position = *text;
    } else if (argument == "--threads") {
      const auto text = value();
      const auto threads = text ? whole_number(*text, 1, 256) : std::nullopt;
      if (!threads) return "--threads: give an integer from 1 to 256" + given(text);
      options.threads = static_cast<unsigned>(*threads);
    } else if (argument == "--seed") {
      // The range of the JS settings' seed (api/batch_json.cpp).
      constexpr std::int64_t kMaxSeed = std::int64_t{1} << 53;
      const auto text = value();
      const auto seed = text ? whole_number(*text, 0, kMaxSeed) : std::nullopt;
      if (!seed) return "--seed: give an integer from 0 to " + std::to_string(kMaxSeed) + given(text);
      options.settings.seed = static_cast<std::uint64_t>(*seed);
    } else if (argument == "--logits") {
      options.npy_kind = DistributionSpec::Kind::logits;
    } else if (argument == "--probabilities") {
      options.npy_kind = DistributionSpec::Kind::weights;
    } else if (argument.starts_with("--")) {
      return excerpt(argument) + ": unknown option (see mdsd --help)";
    } else {
      options.files.push_back(argument);
    }
  }
  if (!drafts_given) return std::string("--drafts: is missing; give the number of drafts");
  const bool npy = options.files.size() == 2;
  if (options.files.size() != 1 && !npy) return std::string("give one DATA.jsonl, or TARGET.npy and DRAFT.npy");
  if (npy && !options.npy_kind) return std::string("--logits or --probabilities: say what the .npy rows hold");
  if (!npy && options.npy_kind) return std::string("--logits/--probabilities: apply to .npy files; JSON Lines say it per line");
  // The per-position file replaces whatever is at its name: never an input.
  for (const std::string& file : options.files) {
    if (!options.per_position.empty() && same_file(options.per_position, file)) {
      return "--per-position: " + options.per_position + " is the input file " + file + "; give another name";
    }
  }
  return std::nullopt;
}

// Reads positions one at a time from JSON Lines or from a pair of .npy files.
class PositionReader {
 public:
  static Expected<std::unique_ptr<PositionReader>> open(const Options& options) {
    std::unique_ptr<PositionReader> reader(new PositionReader());
    if (options.files.size() == 1) {
      reader->jsonl_.open(options.files[0]);
      if (!reader->jsonl_) return Error{options.files[0] + ": cannot be opened"};
      reader->jsonl_name_ = options.files[0];
      return reader;
    }
    auto target = NpyRowReader::open(options.files[0]);
    if (!target.ok()) return Error{target.error()};
    auto draft = NpyRowReader::open(options.files[1]);
    if (!draft.ok()) return Error{draft.error()};
    if (target.value()->rows() != draft.value()->rows() || target.value()->columns() != draft.value()->columns()) {
      return Error{options.files[1] + ": shape [" + std::to_string(draft.value()->rows()) + ", " +
                   std::to_string(draft.value()->columns()) + "] does not match " + options.files[0] + "'s [" +
                   std::to_string(target.value()->rows()) + ", " + std::to_string(target.value()->columns()) + "]"};
    }
    if (target.value()->columns() > limits::kMaxVocabulary) {
      return Error{options.files[0] + ": " + std::to_string(target.value()->columns()) + " tokens is more than the limit of " +
                   std::to_string(limits::kMaxVocabulary)};
    }
    reader->target_ = std::move(target).value();
    reader->draft_ = std::move(draft).value();
    reader->npy_kind_ = *options.npy_kind;
    reader->target_name_ = options.files[0];
    reader->draft_name_ = options.files[1];
    return reader;
  }

  // False at the end.
  Expected<bool> next(PositionSource& source) {
    if (target_) {
      source.target.kind = source.draft.kind = npy_kind_;
      source.where = target_name_ + ", " + draft_name_ + " row " + std::to_string(row_++);
      auto has_target = target_->next(source.target.values);
      if (!has_target.ok()) return Error{has_target.error()};
      if (!has_target.value()) return false;
      auto has_draft = draft_->next(source.draft.values);
      if (!has_draft.ok()) return Error{has_draft.error()};
      return true;
    }
    std::string line;
    while (std::getline(jsonl_, line)) {
      ++row_;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      source.where = jsonl_name_ + ":" + std::to_string(row_);
      if (static_cast<std::int64_t>(line.size()) > limits::kMaxRequestBytes) {
        return Error{source.where + ": the line is longer than the limit of " +
                     std::to_string(limits::kMaxRequestBytes) + " bytes (1 GiB)"};
      }
      auto json = parse_json_text(line);
      if (!json.ok()) return Error{source.where + ": " + json.error()};
      const auto& value = json.value();
      if (!value.is_object()) return Error{source.where + ": a line must be an object {\"target\": ..., \"draft\": ...}"};
      for (const auto& item : value.items()) {
        if (item.key() != "target" && item.key() != "draft") {
          return Error{source.where + ": " + excerpt(item.key()) + ": unknown key (a line gives target and draft; the shared settings are options)"};
        }
      }
      for (const char* key : {"target", "draft"}) {
        if (!value.contains(key)) return Error{source.where + ": " + key + ": is missing"};
      }
      auto target = distribution_spec(value["target"], "target");
      if (!target.ok()) return Error{source.where + ": " + target.error()};
      auto draft = distribution_spec(value["draft"], "draft");
      if (!draft.ok()) return Error{source.where + ": " + draft.error()};
      source.target = std::move(target).value();
      source.draft = std::move(draft).value();
      return true;
    }
    if (jsonl_.bad()) return Error{jsonl_name_ + ": read failed after line " + std::to_string(row_)};
    return false;
  }

 private:
  PositionReader() = default;
  std::ifstream jsonl_;
  std::string jsonl_name_, target_name_, draft_name_;
  std::unique_ptr<NpyRowReader> target_, draft_;
  DistributionSpec::Kind npy_kind_ = DistributionSpec::Kind::weights;
  std::int64_t row_ = 0;
};

// Runs work(i) for i in [0, count) on `threads` threads.
void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next++) < count;) work(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
}

std::optional<std::string> write_per_position(const std::string& path, const BatchAccumulator& batch) {
  auto output = OutputFile::create(path);
  if (!output.ok()) return output.error();
  std::ostream& file = output.value()->stream();
  const auto rows = batch_positions_json(batch);
  if (path.ends_with(".json")) {
    file << rows.dump() << "\n";
  } else {
    const BatchSettings& settings = batch.settings();
    file << "position,drafts,temperature";
    for (DraftMethod method : settings.methods) file << ",optimal." << method_name(method);
    for (VerifierKind kind : settings.verifiers) file << ",verifiers." << verifier_name(kind);
    file << "\n";
    auto cell = [](const nlohmann::ordered_json& value) { return value.is_null() ? std::string() : value.dump(); };
    for (const auto& row : rows) {
      file << row["position"].dump() << "," << row["drafts"].dump() << "," << cell(row["temperature"]);
      for (const auto& item : row["optimal"].items()) file << "," << cell(item.value());
      for (const auto& item : row["verifiers"].items()) file << "," << cell(item.value());
      file << "\n";
    }
  }
  // Checked through close: a small file is only written out on the flush.
  if (auto committed = output.value()->commit(); !committed.ok()) return committed.error();
  return std::nullopt;
}

}  // namespace

int batch_command(int argc, char** argv) {
  Options options;
  if (auto error = parse_options(argc, argv, options)) return fail(*error, 2);
  if (standard_output_closed()) return finish_standard_output();
  for (const std::string& file : options.files) {
    if (!std::ifstream(file)) return fail(file + ": cannot be opened", 1);
  }
  auto reader = PositionReader::open(options);
  if (!reader.ok()) return fail(reader.error(), 2);
  BatchAccumulator batch(options.settings);
  std::vector<PositionSource> chunk;
  for (bool more = true; more;) {
    // A chunk holds about 16M numbers, and at least two positions per thread.
    const std::size_t vocabulary = chunk.empty() ? 1 : static_cast<std::size_t>(chunk.front().target.values.size());
    const std::size_t chunk_size = std::clamp<std::size_t>((std::size_t{1} << 24) / std::max<std::size_t>(vocabulary, 1),
                                                           2 * options.threads, 1024);
    chunk.clear();
    while (chunk.size() < chunk_size) {
      PositionSource source;
      auto read = reader.value()->next(source);
      if (!read.ok()) return fail(read.error(), 2);
      if (!read.value()) {
        more = false;
        break;
      }
      chunk.push_back(std::move(source));
    }
    std::vector<std::optional<Expected<PositionValues>>> values(chunk.size());
    parallel_for(chunk.size(), options.threads, [&](std::size_t i) {
      values[i] = compute_position(options.settings, chunk[i].target, chunk[i].draft, chunk[i].where);
    });
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      if (!values[i]->ok()) return fail(values[i]->error(), 2);
      if (auto error = batch.add(std::move(*values[i]).value(), chunk[i].target.values.size(), chunk[i].where)) {
        return fail(error->message, 2);
      }
    }
  }
  if (batch.positions().empty()) return fail(options.files[0] + ": holds no positions", 2);
  if (!options.per_position.empty()) {
    if (auto error = write_per_position(options.per_position, batch)) return fail(*error, 1);
  }
  std::cout << batch_summary_json(batch.summary(), options.settings).dump() << "\n";
  return finish_standard_output();
}

}  // namespace mdsd::cli
