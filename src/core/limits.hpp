// The sizes the calculator accepts. Each is enforced with an error that names
// the field, and README.md lists them.
#pragma once

#include <cstdint>

namespace mdsd::limits {

// Largest vocabulary: 2^22 tokens (real ones are at most ~2^18).
inline constexpr std::int64_t kMaxVocabulary = std::int64_t{1} << 22;
// Largest number of drafts. The without-replacement integral costs O(V n).
inline constexpr int kMaxDrafts = 64;
// LP size in columns (pairs "token y in draft set s"). The max-flow solver
// (lp/transport_flow.hpp) takes about 0.6 s natively for 2,000,000 columns
// (a second with building the draft-set law), and its time grows a little
// faster than linearly (3,000,000: 1 s; 10,000,000: 6 s and 1 GB), so
// max_columns may raise the default to 10,000,000 (README "LP and max-flow
// benchmark").
inline constexpr std::int64_t kDefaultLpColumns = 2'000'000;
inline constexpr std::int64_t kMaxLpColumns = 10'000'000;
// The GLPK cross-check (lp.glpk) has its own limit (lp.glpk_max_columns):
// its simplex time grows faster than linearly (here: 30,000 columns 1.3 to
// 5 s, 100,000 columns 19 to 30 s), so the default keeps it to seconds.
inline constexpr std::int64_t kDefaultGlpkColumns = 20'000;
inline constexpr std::int64_t kMaxGlpkColumns = 200'000;
// Largest explicit joint law (entries of draft_joint) before collapsing.
inline constexpr std::int64_t kMaxJointEntries = 2'000'000;

// Largest simulation ("simulate": {"samples": N}); each sample is one
// verifier step per verifier, about 0.1 to 1 microsecond.
inline constexpr std::int64_t kMaxSimulationSamples = 100'000'000;

// Largest request text the CLI reads (a file, standard input, or one line of
// a JSON Lines dataset): 1 GiB, about 50 million numbers.
inline constexpr std::int64_t kMaxRequestBytes = std::int64_t{1} << 30;

}  // namespace mdsd::limits
