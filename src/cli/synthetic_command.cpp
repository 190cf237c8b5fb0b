// mdsd synthetic VOCAB [SEED [DRAFTS [TEMPERATURE]]] and
// mdsd synthetic-dataset POSITIONS VOCAB SEED TARGET.npy DRAFT.npy
#include "api/tree_json.hpp"
#include "cli/commands.hpp"
#include "cli/whole_number_argument.hpp"
#include "core/message_text.hpp"
#include "core/distribution.hpp"
#include "core/limits.hpp"
#include "core/synthetic.hpp"
#include "dataset/npy_file.hpp"
#include "dataset/output_file.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
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

// VOCAB, SEED, ... as `name` in [lowest, highest], written without a leading
// zero (whole_number_argument.hpp); else the message naming it.
Expected<std::int64_t> argument(const std::string& name, const char* text, std::int64_t lowest, std::int64_t highest) {
  if (auto zero = leading_zero(text)) return Error{name + ": " + *zero};
  const auto value = whole_number(text, lowest, highest);
  if (!value) return Error{range_error(name, lowest, highest, text)};
  return *value;
}

}  // namespace

int synthetic_command(int argc, char** argv) {
  if (argc < 3 || argc > 6) return fail("usage: mdsd synthetic VOCAB [SEED [DRAFTS [TEMPERATURE]]]", 2);
  if (standard_output_closed()) return finish_standard_output();
  const auto vocabulary = argument("VOCAB", argv[2], 1, limits::kMaxVocabulary);
  if (!vocabulary.ok()) return fail(vocabulary.error(), 2);
  const auto seed = argc > 3 ? argument("SEED", argv[3], 0, kMaxSeed) : Expected<std::int64_t>(1);
  if (!seed.ok()) return fail(seed.error(), 2);
  const auto drafts = argc > 4 ? argument("DRAFTS", argv[4], 1, limits::kMaxDrafts) : Expected<std::int64_t>(4);
  if (!drafts.ok()) return fail(drafts.error(), 2);
  SyntheticOptions options;
  if (argc > 5) {
    // Written as JSON writes a number (no "0x1p-1", " 1", "+1", "1."), as
    // mdsd tree's and mdsd batch's.
    const auto temperature = number_from_text(argv[5]);
    if (!temperature || !(*temperature > 0.0 && *temperature < 1e300)) {
      return fail("TEMPERATURE: must be a number > 0, got \"" + excerpt(argv[5]) + "\"", 2);
    }
    options.temperature = *temperature;
  }
  const auto pair = synthetic_pair(vocabulary.value(), static_cast<std::uint64_t>(seed.value()), options);
  const nlohmann::json request = {
      {"target", std::vector<double>(pair.target.data(), pair.target.data() + pair.target.size())},
      {"draft", std::vector<double>(pair.draft.data(), pair.draft.data() + pair.draft.size())},
      {"drafts", drafts.value()}};
  std::cout << request.dump() << "\n";
  return finish_standard_output();
}

int synthetic_dataset_command(int argc, char** argv) {
  if (argc != 7) return fail("usage: mdsd synthetic-dataset POSITIONS VOCAB SEED TARGET.npy DRAFT.npy", 2);
  const auto positions_read = argument("POSITIONS", argv[2], 1, std::int64_t{1} << 31);
  if (!positions_read.ok()) return fail(positions_read.error(), 2);
  const auto vocabulary_read = argument("VOCAB", argv[3], 1, limits::kMaxVocabulary);
  if (!vocabulary_read.ok()) return fail(vocabulary_read.error(), 2);
  const auto seed_read = argument("SEED", argv[4], 0, kMaxSeed);
  if (!seed_read.ok()) return fail(seed_read.error(), 2);
  const std::int64_t positions = positions_read.value(), vocabulary = vocabulary_read.value(), seed = seed_read.value();
  // Both written under temporary names and renamed: the same name twice
  // would leave only the draft.
  if (same_file(argv[5], argv[6])) {
    return fail(std::string(argv[6]) + ": is the same file as TARGET.npy " + argv[5] + "; give two names", 2);
  }
  auto target = NpyWriter::create(argv[5], positions, vocabulary);
  if (!target.ok()) return fail(target.error(), 1);
  auto draft = NpyWriter::create(argv[6], positions, vocabulary);
  if (!draft.ok()) return fail(draft.error(), 1);
  // Position i is the synthetic pair of seed SEED + i, as logits.
  for (std::int64_t i = 0; i < positions; ++i) {
    const auto logits = synthetic_logits(vocabulary, static_cast<std::uint64_t>(seed + i));
    if (auto written = target.value()->write(logits.target); !written.ok()) return fail(written.error(), 1);
    if (auto written = draft.value()->write(logits.draft); !written.ok()) return fail(written.error(), 1);
  }
  if (auto finished = target.value()->finish(); !finished.ok()) return fail(finished.error(), 1);
  if (auto finished = draft.value()->finish(); !finished.ok()) return fail(finished.error(), 1);
  return 0;
}

}  // namespace mdsd::cli
