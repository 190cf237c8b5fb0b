// Dataset mode: many (target, draft) positions, the mean acceptance per draft
// sampling method and per verifier with 95% intervals across positions, for
// each setting of a sweep over the number of drafts and the temperature.
#pragma once

#include "calculation/calculate.hpp"
#include "core/distribution.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace mdsd {

// What an engine measured on the same data (README "The measured acceptance
// beside the bound"): per draft position, the fraction of steps whose draft at
// that position was accepted (position 1 is the single-step acceptance this
// calculator computes). Optional drafts/temperature tie it to one setting of
// the sweep; verifier names the verifier the engine runs.
struct MeasuredAcceptance {
  std::vector<double> per_position;
  std::optional<int> drafts;
  std::optional<double> temperature;
  std::optional<VerifierKind> verifier;
};

struct BatchSettings {
  std::vector<int> drafts = {1};        // the sweep over n
  std::vector<double> temperatures;     // empty: as given; else logits only
  std::vector<DraftMethod> methods{kAllDraftMethods.begin(), kAllDraftMethods.end()};
  // optimal_lp is per-position LP work and is not offered in batch mode.
  std::vector<VerifierKind> verifiers = {VerifierKind::rrs_with_replacement,
                                         VerifierKind::rrs_without_replacement, VerifierKind::kseq,
                                         VerifierKind::greedy, VerifierKind::spechub,
                                         VerifierKind::exact_match};
  // Monte Carlo steps per position for a verifier without an exact formula;
  // the mean over positions averages this noise too.
  std::int64_t estimate_samples = 4'000;
  std::uint64_t seed = 1;
  std::vector<MeasuredAcceptance> measured;  // reported beside the bounds; not computed with
};

// One setting of the sweep.
struct BatchSetting {
  int drafts;
  std::optional<double> temperature;
};
std::vector<BatchSetting> sweep_of(const BatchSettings& settings);

// What one position gives for every setting; NaN where a method or verifier
// does not apply to that position (e.g. fewer than n draft tokens). A
// position given as partial lists has bounds: optimal is the lower end and
// optimal_high the upper (equal for full distributions), likewise verifiers.
struct PositionValues {
  std::vector<std::vector<double>> optimal;         // [setting][method]
  std::vector<std::vector<double>> optimal_high;    // [setting][method]
  std::vector<std::vector<double>> verifier_alpha;  // [setting][verifier]
  std::vector<std::vector<double>> verifier_high;   // [setting][verifier]
  std::vector<std::vector<double>> verifier_gap;
  std::vector<std::vector<char>> verifier_exact;
  std::vector<std::string> warnings;
  Eigen::Index vocab = 0;  // 0: partial lists of an unknown vocabulary
};

// Pure and thread-safe: positions may be computed in parallel. `where`
// prefixes error messages ("data.jsonl:17" or "target.npy row 17").
Expected<PositionValues> compute_position(const BatchSettings& settings, const DistributionSpec& target,
                                          const DistributionSpec& draft, const std::string& where);

struct MeanWithInterval {
  double mean = NAN;
  std::array<double, 2> ci95 = {NAN, NAN};  // normal approximation across positions
  std::int64_t positions = 0;              // where it applied
};

struct BatchSummary {
  struct Setting {
    BatchSetting setting;
    std::vector<MeanWithInterval> optimal;  // per method (the lower ends where bounded)
    std::vector<MeanWithInterval> optimal_high;  // per method, the upper ends
    std::vector<bool> optimal_bounded;           // some position gave an interval
    std::vector<std::vector<std::int64_t>> optimal_histogram;  // per method, kHistogramBins over [0, 1]
    std::vector<MeanWithInterval> verifier_alpha, verifier_gap;  // per verifier
    std::vector<MeanWithInterval> verifier_high;                 // per verifier, the upper ends
    std::vector<bool> verifier_bounded;
    std::vector<bool> verifier_exact;  // exact at every position
  };
  std::int64_t positions = 0;
  Eigen::Index vocab = 0;                  // when every position has the same (else 0)
  Eigen::Index vocab_min = 0, vocab_max = 0;  // over the positions that state theirs
  std::vector<Setting> settings;
  std::vector<std::string> warnings;
};

inline constexpr int kHistogramBins = 50;

class BatchAccumulator {
 public:
  explicit BatchAccumulator(BatchSettings settings);
  // In position order. Positions need not share a vocabulary: each is its
  // own problem.
  void add(PositionValues values);
  BatchSummary summary() const;
  const BatchSettings& settings() const { return settings_; }
  const std::vector<PositionValues>& positions() const { return positions_; }

 private:
  BatchSettings settings_;
  std::vector<BatchSetting> sweep_;
  std::vector<PositionValues> positions_;  // small: a few numbers per position and setting
  std::int64_t warned_positions_ = 0;
  std::string first_warning_;
};

}  // namespace mdsd
