// mdsd synthetic VOCAB [SEED [DRAFTS [TEMPERATURE]]] and
// mdsd synthetic-dataset POSITIONS VOCAB SEED TARGET.npy DRAFT.npy
#include "cli/commands.hpp"
#include "core/limits.hpp"
#include "core/synthetic.hpp"
#include "dataset/npy_file.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>

namespace mdsd::cli {
namespace {

// A whole number in [lowest, highest], or nothing.
std::optional<std::int64_t> whole(const char* text, std::int64_t lowest, std::int64_t highest) {
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || value < lowest || value > highest) return std::nullopt;
  return value;
}

}  // namespace

int synthetic_command(int argc, char** argv) {
  if (argc < 3 || argc > 6) return fail("usage: mdsd synthetic VOCAB [SEED [DRAFTS [TEMPERATURE]]]", 2);
  const auto vocabulary = whole(argv[2], 1, limits::kMaxVocabulary);
  if (!vocabulary) return fail("VOCAB: must be an integer from 1 to " + std::to_string(limits::kMaxVocabulary), 2);
  const auto seed = argc > 3 ? whole(argv[3], 0, std::int64_t{1} << 53) : std::optional<std::int64_t>(1);
  if (!seed) return fail("SEED: must be a non-negative integer", 2);
  const auto drafts = argc > 4 ? whole(argv[4], 1, limits::kMaxDrafts) : std::optional<std::int64_t>(4);
  if (!drafts) return fail("DRAFTS: must be an integer from 1 to " + std::to_string(limits::kMaxDrafts), 2);
  SyntheticOptions options;
  if (argc > 5) {
    char* end = nullptr;
    options.temperature = std::strtod(argv[5], &end);
    if (*end != '\0' || !(options.temperature > 0.0 && options.temperature < 1e300)) {
      return fail("TEMPERATURE: must be a number > 0", 2);
    }
  }
  const auto pair = synthetic_pair(*vocabulary, static_cast<std::uint64_t>(*seed), options);
  const nlohmann::json request = {
      {"target", std::vector<double>(pair.target.data(), pair.target.data() + pair.target.size())},
      {"draft", std::vector<double>(pair.draft.data(), pair.draft.data() + pair.draft.size())},
      {"drafts", *drafts}};
  std::cout << request.dump() << "\n";
  return 0;
}

int synthetic_dataset_command(int argc, char** argv) {
  if (argc != 7) return fail("usage: mdsd synthetic-dataset POSITIONS VOCAB SEED TARGET.npy DRAFT.npy", 2);
  const auto positions = whole(argv[2], 1, std::int64_t{1} << 31);
  if (!positions) return fail("POSITIONS: must be a positive integer", 2);
  const auto vocabulary = whole(argv[3], 1, limits::kMaxVocabulary);
  if (!vocabulary) return fail("VOCAB: must be an integer from 1 to " + std::to_string(limits::kMaxVocabulary), 2);
  const auto seed = whole(argv[4], 0, std::int64_t{1} << 53);
  if (!seed) return fail("SEED: must be a non-negative integer", 2);
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
  return 0;
}

}  // namespace mdsd::cli
