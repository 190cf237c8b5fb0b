// Dataset mode at the boundary: batch settings from JSON (the JS API; the CLI
// builds them from flags) and the summary as JSON, one contract for both.
#pragma once

#include "dataset/batch.hpp"

#include <nlohmann/json.hpp>

namespace mdsd {

// {"drafts": n | [n, ...], "temperatures": [t, ...], "methods": [...],
//  "verifiers": [...], "estimate_samples": s, "seed": s}
Expected<BatchSettings> parse_batch_settings(const nlohmann::json& value);

// {"positions", "vocab", "complete": true, "warnings", then "drafts",
//  "temperature" and "mean" for a single setting, or "sweep": [...]}.
nlohmann::ordered_json batch_summary_json(const BatchSummary& summary, const BatchSettings& settings);

// One object per position and setting: position, drafts, temperature,
// optimal.<method>, verifiers.<verifier> (null where it does not apply).
nlohmann::ordered_json batch_positions_json(const BatchAccumulator& batch);

}  // namespace mdsd
