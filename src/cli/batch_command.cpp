// mdsd batch: dataset mode from the command line (README.md "Dataset mode").
// Positions are streamed (JSON Lines, or a pair of files row by row: .npy,
// llama.cpp logits, engine responses; recognised by content, --format
// overrides), computed in parallel chunks, and added in order; any bad row
// stops the run with a message naming the file and row: a partial run is
// never summarised.
#include "api/batch_json.hpp"
#include "core/message_text.hpp"
#include "api/request.hpp"
#include "api/tree_json.hpp"
#include "cli/commands.hpp"
#include "cli/whole_number_argument.hpp"
#include "core/distribution.hpp"
#include "core/limits.hpp"
#include "dataset/engine_responses.hpp"
#include "dataset/json_lines.hpp"
#include "dataset/llama_logits_file.hpp"
#include "dataset/npy_file.hpp"
#include "dataset/output_file.hpp"
#include "dataset/parallel_for.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string_view>
#include <thread>

namespace mdsd::cli {
namespace {

struct PositionSource {
  DistributionSpec target, draft;
  std::string where;  // "data.jsonl:17", "target.npy row 17"
};

// What the files hold (README.md "Dataset mode", "Engine files").
enum class Format { jsonl, npy, llama, responses };

struct Options {
  BatchSettings settings;
  std::vector<std::string> files;
  std::optional<Format> format;                    // --format, else recognised by content
  std::optional<DistributionSpec::Kind> npy_kind;  // --logits / --probabilities
  std::int64_t vocab = 0;                          // --vocab, for engine responses
  bool progress = false;                           // --progress (always on a terminal)
  std::string per_position;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
};

// "3", "1,2,4" or "1-8"; each number written whole ("3x" is refused) and
// without a leading zero ("01", whole_number_argument.hpp).
Expected<std::vector<int>> draft_list(const std::string& text) {
  const Error wrong{"--drafts: give N, a list N,M,... or a range A-B, each from 1 to " + std::to_string(limits::kMaxDrafts)};
  std::vector<int> drafts;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const auto dash = item.find('-', 1);
    const std::string_view first_text = std::string_view(item).substr(0, dash);
    const std::string_view last_text = dash == std::string::npos ? first_text : std::string_view(item).substr(dash + 1);
    for (const std::string_view number : {first_text, last_text}) {
      if (auto zero = leading_zero(number)) return Error{"--drafts: " + *zero};
    }
    const auto first = whole_number(first_text, 1, limits::kMaxDrafts);
    const auto last = whole_number(last_text, 1, limits::kMaxDrafts);
    if (!first || !last || *first > *last) return wrong;
    for (auto n = *first; n <= *last; ++n) drafts.push_back(static_cast<int>(n));
  }
  if (drafts.empty()) return wrong;
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
      auto drafts = draft_list(text.value_or(""));
      if (!drafts.ok()) return drafts.error();
      options.settings.drafts = std::move(drafts).value();
      drafts_given = true;
    } else if (argument == "--temperature") {
      const auto text = value();
      if (!text) return std::string("--temperature: give T or T1,T2,...");
      std::stringstream stream(*text);
      std::string item;
      while (std::getline(stream, item, ',')) {
        // Written as JSON writes a number (no "0x1p-1", " 1", "+1", "1."), as mdsd tree's.
        const auto t = number_from_text(item);
        if (!t || !(*t > 0.0 && *t < 1e300)) return "--temperature: \"" + excerpt(item) + "\" is not a number > 0";
        options.settings.temperatures.push_back(*t);
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
                 "rrs_without_replacement, kseq, greedy, spechub or exact_match)";
        }
        if (*kind == VerifierKind::optimal_lp) return std::string("--verifiers: optimal_lp is not offered in batch mode (an LP per position)");
        if (std::find(verifiers.begin(), verifiers.end(), *kind) == verifiers.end()) verifiers.push_back(*kind);
      }
      options.settings.verifiers = verifiers;
    } else if (argument == "--measured") {
      // Rates per draft position "0.71,0.52", or the JSON of settings.measured
      // entries (README "The measured acceptance beside the bound").
      const auto text = value();
      if (!text) return std::string("--measured: give rates per draft position (0.71,0.52) or a JSON object");
      const std::string spec = text->find_first_of("{[") == std::string::npos ? "[" + *text + "]" : *text;
      auto json = parse_json_text(spec);
      if (!json.ok()) return "--measured: \"" + excerpt(*text) + "\" is neither rates like 0.71,0.52 nor JSON";
      auto measured = parse_measured(json.value(), "--measured");
      if (!measured.ok()) return measured.error();
      options.settings.measured.push_back(std::move(measured).value());
    } else if (argument == "--per-position") {
      const auto text = value();
      if (!text || !(text->ends_with(".csv") || text->ends_with(".json"))) return std::string("--per-position: give a FILE.csv or FILE.json");
      options.per_position = *text;
    } else if (argument == "--threads") {
      const auto text = value();
      if (auto zero = leading_zero(text.value_or(""))) return "--threads: " + *zero;
      const auto threads = text ? whole_number(*text, 1, 256) : std::nullopt;
      if (!threads) return "--threads: give an integer from 1 to 256" + given(text);
      options.threads = static_cast<unsigned>(*threads);
    } else if (argument == "--seed") {
      // The range of the JS settings' seed (api/batch_json.cpp).
      constexpr std::int64_t kMaxSeed = std::int64_t{1} << 53;
      const auto text = value();
      if (auto zero = leading_zero(text.value_or(""))) return "--seed: " + *zero;
      const auto seed = text ? whole_number(*text, 0, kMaxSeed) : std::nullopt;
      if (!seed) return "--seed: give an integer from 0 to " + std::to_string(kMaxSeed) + given(text);
      options.settings.seed = static_cast<std::uint64_t>(*seed);
    } else if (argument == "--format") {
      const auto text = value();
      const std::map<std::string, Format> names = {
          {"jsonl", Format::jsonl}, {"npy", Format::npy}, {"llama", Format::llama}, {"responses", Format::responses}};
      if (!text || !names.contains(*text)) return "--format: give npy, jsonl, llama or responses" + given(text);
      options.format = names.at(*text);
    } else if (argument == "--vocab") {
      const auto text = value();
      if (auto zero = leading_zero(text.value_or(""))) return "--vocab: " + *zero;
      const auto vocab = text ? whole_number(*text, 1, limits::kMaxVocabulary) : std::nullopt;
      if (!vocab) return "--vocab: give the vocabulary size, an integer from 1 to " + std::to_string(limits::kMaxVocabulary) + given(text);
      options.vocab = *vocab;
    } else if (argument == "--progress") {
      options.progress = true;
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
  if (auto error = check_measured_settings(options.settings)) return "--" + error->message;
  if (options.files.size() != 1 && options.files.size() != 2) {
    return std::string("give one DATA.jsonl, or the target's and the draft's file: two .npy, two llama.cpp logits "
                       "files or two JSON Lines of engine responses");
  }
  // The per-position file replaces whatever is at its name: never an input.
  for (const std::string& file : options.files) {
    if (!options.per_position.empty() && same_file(options.per_position, file)) {
      return "--per-position: " + options.per_position + " is the input file " + file + "; give another name";
    }
  }
  return std::nullopt;
}

const char* format_description(Format format) {
  switch (format) {
    case Format::npy: return "a .npy file";
    case Format::llama: return "a llama.cpp logits file";
    case Format::responses: return "JSON (engine responses)";
    default: return "JSON Lines";
  }
}

// Whether a file can be read twice: a pipe (/dev/stdin) cannot, so its
// first bytes are not looked at.
bool regular_file(const std::string& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(path, error);
}

// What a file's first bytes say it holds: .npy, llama.cpp logits, JSON text
// ('{' first, after white space and a byte order mark; one file of it is JSON Lines of positions, two are engine
// responses), or nothing known.
std::optional<Format> sniff(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  char start[8] = {};
  file.read(start, sizeof start);
  const std::string_view bytes(start, static_cast<std::size_t>(file.gcount()));
  if (bytes.starts_with("\x93NUMPY")) return Format::npy;
  if (bytes == "_logits_") return Format::llama;
  file.clear();
  // JSON text may open with a UTF-8 byte order mark (json_lines.hpp).
  file.seekg(bytes.starts_with("\xef\xbb\xbf") ? 3 : 0);
  for (char c; file.get(c);) {
    if (c == '{') return Format::responses;
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return std::nullopt;
  }
  return std::nullopt;
}

// The format (given, else recognised) and the options that go with it.
std::optional<std::string> resolve_format(Options& options) {
  const auto& files = options.files;
  if (!options.format) {
    if (files.size() == 1) {
      const auto single = regular_file(files[0]) ? sniff(files[0]) : std::nullopt;
      if (single == Format::npy || single == Format::llama) {
        return files[0] + ": " + format_description(*single) + " comes in a pair: give the target's and the draft's file";
      }
      options.format = Format::jsonl;
    } else {
      for (const std::string& file : files) {
        if (!regular_file(file)) {
          return file + ": not a regular file (a pipe?), whose format cannot be recognised without reading it: "
                 "give --format npy, llama or responses";
        }
      }
      const auto target = sniff(files[0]), draft = sniff(files[1]);
      for (std::size_t i = 0; i < 2; ++i) {
        if (!(i == 0 ? target : draft)) {
          return files[i] + ": not a format mdsd batch reads: expected a .npy file, a llama.cpp logits file "
                 "(llama-perplexity --kl-divergence-base) or JSON Lines of engine responses (or give --format)";
        }
      }
      if (*target != *draft) {
        return files[0] + " is " + format_description(*target) + " but " + files[1] + " is " + format_description(*draft) +
               ": give two files of one format";
      }
      options.format = *target;
    }
  }
  const Format format = *options.format;
  if ((format == Format::jsonl) != (files.size() == 1)) {
    return format == Format::jsonl ? std::string("--format jsonl: give one DATA.jsonl")
                                   : std::string("give the target's and the draft's file");
  }
  if (format == Format::npy && !options.npy_kind) return std::string("--logits or --probabilities: say what the .npy rows hold");
  if (format != Format::npy && options.npy_kind) {
    return std::string("--logits/--probabilities: apply to .npy files; ") +
           (format == Format::jsonl ? "JSON Lines say it per line" : "these files hold log-probabilities");
  }
  if (format != Format::responses && options.vocab > 0) {
    return std::string("--vocab: applies to engine responses (the other formats give the vocabulary)");
  }
  return std::nullopt;
}

// Reads positions one at a time from JSON Lines or from a pair of files.
class PositionReader {
 public:
  static Expected<std::unique_ptr<PositionReader>> open(const Options& options) {
    std::unique_ptr<PositionReader> reader(new PositionReader());
    if (*options.format == Format::jsonl) {
      reader->jsonl_.open(options.files[0]);
      if (!reader->jsonl_) return Error{options.files[0] + ": cannot be opened"};
      reader->jsonl_name_ = options.files[0];
      return reader;
    }
    reader->target_name_ = options.files[0];
    reader->draft_name_ = options.files[1];
    if (*options.format == Format::llama) {
      auto target = LlamaLogitsReader::open(options.files[0]);
      if (!target.ok()) return Error{target.error()};
      auto draft = LlamaLogitsReader::open(options.files[1]);
      if (!draft.ok()) return Error{draft.error()};
      if (auto error = check_llama_pair(*target.value(), options.files[0], *draft.value(), options.files[1])) return *error;
      reader->llama_target_ = std::move(target).value();
      reader->llama_draft_ = std::move(draft).value();
      return reader;
    }
    if (*options.format == Format::responses) {
      auto responses = ResponsePairReader::open(options.files[0], options.files[1], options.vocab);
      if (!responses.ok()) return Error{responses.error()};
      reader->responses_ = std::move(responses).value();
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
    return reader;
  }

  // How many positions the files hold, when their headers say.
  std::optional<std::int64_t> total() const {
    if (target_) return target_->rows();
    if (llama_target_) return llama_target_->rows();
    return std::nullopt;
  }

  // False at the end.
  Expected<bool> next(PositionSource& source) {
    if (llama_target_) {
      source.where = target_name_ + ", " + draft_name_ + " row " + std::to_string(row_) + " (" +
                     llama_target_->position_of(row_) + ")";
      ++row_;
      auto has_target = llama_target_->next(source.target);
      if (!has_target.ok()) return Error{has_target.error()};
      if (!has_target.value()) return false;
      auto has_draft = llama_draft_->next(source.draft);
      if (!has_draft.ok()) return Error{has_draft.error()};
      return true;
    }
    if (responses_) return responses_->next(source.target, source.draft, source.where);
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
      source.where = jsonl_name_ + ":" + std::to_string(row_);
      if (auto stray = take_byte_order_mark(line, row_)) return Error{source.where + ": " + *stray};
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (static_cast<std::int64_t>(line.size()) > limits::kMaxRequestBytes) {
        return Error{source.where + ": the line is longer than the limit of " +
                     std::to_string(limits::kMaxRequestBytes) + " bytes (1 GiB)"};
      }
      auto json = parse_json_text(line);
      if (!json.ok()) return Error{source.where + ": " + json.error()};
      auto position = position_spec(json.value());
      if (!position.ok()) return Error{source.where + ": " + position.error()};
      source.target = std::move(position.value().target);
      source.draft = std::move(position.value().draft);
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
  std::unique_ptr<LlamaLogitsReader> llama_target_, llama_draft_;
  std::unique_ptr<ResponsePairReader> responses_;
  DistributionSpec::Kind npy_kind_ = DistributionSpec::Kind::weights;
  std::int64_t row_ = 0;
};

// How many numbers a position holds (a chunk of positions is sized by them).
std::size_t numbers_of(const PositionSource& source) {
  return static_cast<std::size_t>(source.target.values.size() + source.draft.values.size()) +
         2 * (source.target.sparse.ids.size() + source.draft.sparse.ids.size());
}

// Positions done, on stderr: on a terminal one line rewritten in place, with
// --progress elsewhere one line at most every second and one at the end.
class Progress {
 public:
  explicit Progress(bool asked) : terminal_(::isatty(STDERR_FILENO) == 1), shown_(asked || terminal_) {}
  void update(std::int64_t done, std::optional<std::int64_t> total, bool last) {
    if (!shown_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!last && now - printed_ < std::chrono::seconds(1)) return;
    printed_ = now;
    std::string text = "mdsd batch: " + std::to_string(done);
    if (total && *total > 0) {
      text += " / " + std::to_string(*total) + " positions (" + std::to_string(done * 100 / *total) + "%)";
    } else {
      text += " positions";
    }
    std::cerr << (terminal_ ? "\r" : "") << text << (terminal_ && !last ? "" : "\n") << std::flush;
    open_line_ = terminal_ && !last;
  }
  // Ends a line rewritten in place before a message is printed.
  void interrupt() {
    if (open_line_) std::cerr << "\n";
    open_line_ = false;
  }

 private:
  bool terminal_, shown_, open_line_ = false;
  std::chrono::steady_clock::time_point printed_ = std::chrono::steady_clock::now();
};

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
    // An interval [low, high] (a position given as partial lists) is one
    // quoted cell.
    auto cell = [](const nlohmann::ordered_json& value) {
      return value.is_null() ? std::string() : value.is_array() ? "\"" + value.dump() + "\"" : value.dump();
    };
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
  if (auto error = resolve_format(options)) return fail(*error, 2);
  auto reader = PositionReader::open(options);
  if (!reader.ok()) return fail(reader.error(), 2);
  BatchAccumulator batch(options.settings);
  Progress progress(options.progress);
  std::int64_t done = 0;
  auto failed = [&](const std::string& message, int status) {
    progress.interrupt();
    return fail(message, status);
  };
  std::vector<PositionSource> chunk;
  for (bool more = true; more;) {
    // A chunk holds about 16M numbers (both sides), and at least two
    // positions per thread.
    const std::size_t numbers = chunk.empty() ? 1 : numbers_of(chunk.front()) / 2;
    const std::size_t chunk_size = std::clamp<std::size_t>((std::size_t{1} << 24) / std::max<std::size_t>(numbers, 1),
                                                           2 * options.threads, 1024);
    chunk.clear();
    while (chunk.size() < chunk_size) {
      PositionSource source;
      auto read = reader.value()->next(source);
      if (!read.ok()) return failed(read.error(), 2);
      if (!read.value()) {
        more = false;
        break;
      }
      chunk.push_back(std::move(source));
    }
    std::vector<std::optional<Expected<PositionValues>>> values(chunk.size());
    parallel_for(
        chunk.size(), options.threads,
        [&](std::size_t i) { values[i] = compute_position(options.settings, chunk[i].target, chunk[i].draft, chunk[i].where); },
        [&](std::size_t finished) { progress.update(done + static_cast<std::int64_t>(finished), reader.value()->total(), false); });
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      if (!values[i]->ok()) return failed(values[i]->error(), 2);
      batch.add(std::move(*values[i]).value());
    }
    done += static_cast<std::int64_t>(chunk.size());
    progress.update(done, reader.value()->total(), !more);
  }
  if (batch.positions().empty()) return fail(options.files[0] + ": holds no positions", 2);
  if (!options.per_position.empty()) {
    if (auto error = write_per_position(options.per_position, batch)) return fail(*error, 1);
  }
  std::cout << batch_summary_json(batch.summary(), options.settings).dump() << "\n";
  return finish_standard_output();
}

}  // namespace mdsd::cli
