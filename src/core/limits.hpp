// The sizes the calculator accepts. Each is enforced with an error that names
// the field, and README.md lists them.
#pragma once

#include <cstdint>

namespace mdsd::limits {

// Largest vocabulary: 2^22 tokens (real ones are at most ~2^18).
inline constexpr std::int64_t kMaxVocabulary = std::int64_t{1} << 22;
// Largest number of drafts. The without-replacement integral costs O(V n).
inline constexpr int kMaxDrafts = 64;
// LP size in columns (pairs "token y in draft set s"); each costs GLPK about
// a few hundred bytes and the simplex time grows faster than linearly.
inline constexpr std::int64_t kDefaultLpColumns = 200'000;
inline constexpr std::int64_t kMaxLpColumns = 2'000'000;
// Largest explicit joint law (entries of draft_joint) before collapsing.
inline constexpr std::int64_t kMaxJointEntries = 2'000'000;

// Largest simulation ("simulate": {"samples": N}); each sample is one
// verifier step per verifier, about 0.1 to 1 microsecond.
inline constexpr std::int64_t kMaxSimulationSamples = 100'000'000;

}  // namespace mdsd::limits
