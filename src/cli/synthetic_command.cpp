// mdsd synthetic VOCAB [SEED [DRAFTS [TEMPERATURE]]] and
// mdsd synthetic-dataset POSITIONS VOCAB SEED TARGET.npy DRAFT.npy
#include "cli/commands.hpp"
#include "core/message_text.hpp"
#include "core/distribution.hpp"
#include "core/limits.hpp"
#include "core/synthetic.hpp"
#include "dataset/npy_file.hpp"
#include "dataset/output_file.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>

namespace mdsd::cli {
namespace {

constexpr std::int64_t kMaxSeed = std::int64_t{1} << 53;  // as simulate.seed

// "NAME: must be an integer from A to B, got "text"".
std::string range_error(const std::string& name, std::int64_t lowest, std::int64_t highest, const char* text) {
  return name + ": must be an integer from " + std::to_string(lowest) + " to " + std::to_string(highest) +
         ", got \"" + excerpt(text) + "\"";
}

}  // namespace

std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t lowest, std::int64_t highest) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  // from_chars takes no sign but '-', no spaces, and reports overflow.
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < lowest || value > highest) return std::nullopt;
  return value;
}

int synthetic_command(int argc, char** argv) {
  if (argc < 3 || argc > 6) return fail("usage: mdsd synthetic VOCAB [SEED [DRAFTS [TEMPERATURE]]]", 2);
  if (standard_output_closed()) return finish_standard_output();
  const auto vocabulary = whole_number(argv[2], 1, limits::kMaxVocabulary);
  if (!vocabulary) return fail(range_error("VOCAB", 1, limits::kMaxVocabulary, argv[2]), 2);
  const auto seed = argc > 3 ? whole_number(argv[3], 0, kMaxSeed) : std::optional<std::int64_t>(1);
  if (!seed) return fail(range_error("SEED", 0, kMaxSeed, argv[3]), 2);
  const auto drafts = argc > 4 ? whole_number(argv[4], 1, limits::kMaxDrafts) : std::optional<std::int64_t>(4);
  if (!drafts) return fail(range_error("DRAFTS", 1, limits::kMaxDrafts, argv[4]), 2);
  SyntheticOptions options;
  if (argc > 5) {
    char* end = nullptr;
    options.temperature = std::strtod(argv[5], &end);
    if (*argv[5] == '\0' || *end != '\0' || !(options.temperature > 0.0 && options.temperature < 1e300)) {
      return fail("TEMPERATURE: must be a number > 0, got \"" + excerpt(argv[5]) + "\"", 2);
    }
  }
  const auto pair = synthetic_pair(*vocabulary, static_cast<std::uint64_t>(*seed), options);
  const nlohmann::json request = {
      {"target", std::vector<double>(pair.target.data(), pair.target.data() + pair.target.size())},
      {"draft", std::vector<double>(pair.draft.data(), pair.draft.data() + pair.draft.size())},
      {"drafts", *drafts}};
  std::cout << request.dump() << "\n";
  return finish_standard_output();
}

int synthetic_dataset_command(int argc, char** argv) {
  if (argc != 7) return fail("usage: mdsd synthetic-dataset POSITIONS VOCAB SEED TARGET.npy DRAFT.npy", 2);
  const auto positions = whole_number(argv[2], 1, std::int64_t{1} << 31);
  if (!positions) return fail(range_error("POSITIONS", 1, std::int64_t{1} << 31, argv[2]), 2);
  const auto vocabulary = whole_number(argv[3], 1, limits::kMaxVocabulary);
  if (!vocabulary) return fail(range_error("VOCAB", 1, limits::kMaxVocabulary, argv[3]), 2);
  const auto seed = whole_number(argv[4], 0, kMaxSeed);
  if (!seed) return fail(range_error("SEED", 0, kMaxSeed, argv[4]), 2);
  // Both written under temporary names and renamed: the same name twice
  // would leave only the draft.
  if (same_file(argv[5], argv[6])) {
    return fail(std::string(argv[6]) + ": is the same file as TARGET.npy " + argv[5] + "; give two names", 2);
  }
  auto target = NpyWriter::create(argv[5], *positions, *vocabulary);
  if (!target.ok()) return fail(target.error(), 1);
  auto draft = NpyWriter::create(argv[6], *positions, *vocabulary);
  if (!draft.ok()) return fail(draft.error(), 1);
  // Position i is the synthetic pair of seed SEED + i, as logits.
  for (std::int64_t i = 0; i < *positions; ++i) {
    const auto logits = synthetic_logits(*vocabulary, static_cast<std::uint64_t>(*seed + i));
    if (auto written = target.value()->write(logits.target); !written.ok()) return fail(written.error(), 1);
    if (auto written = draft.value()->write(logits.draft); !written.ok()) return fail(written.error(), 1);
  }
  if (auto finished = target.value()->finish(); !finished.ok()) return fail(finished.error(), 1);
  if (auto finished = draft.value()->finish(); !finished.ok()) return fail(finished.error(), 1);
  return 0;
}

}  // namespace mdsd::cli
