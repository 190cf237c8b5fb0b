// Dataset mode at the boundary: batch settings from JSON (the JS API; the CLI
// builds them from flags) and the summary as JSON, one contract for both.
#pragma once

#include "dataset/batch.hpp"

#include <nlohmann/json.hpp>

namespace mdsd {

// {"drafts": n | [n, ...], "temperatures": [t, ...], "methods": [...],
//  "verifiers": [...], "estimate_samples": s, "seed": s}
Expected<BatchSettings> parse_batch_settings(const nlohmann::json& value);

// One measured acceptance: a rate or a list of rates per draft position, or
// {"per_position": [...] | "steps": N, "accepted": [...], "drafts", "temperature",
// "verifier"}; the error names `field`.
Expected<MeasuredAcceptance> parse_measured(const nlohmann::json& value, const std::string& field);
// Each measurement's drafts, temperature and verifier are settings of the run.
std::optional<Error> check_measured_settings(const BatchSettings& settings);

// {"positions", "vocab", "complete": true, "warnings", then "drafts",
//  "temperature" and "mean" for a single setting, or "sweep": [...]}.
nlohmann::ordered_json batch_summary_json(const BatchSummary& summary, const BatchSettings& settings);

// One object per position and setting: position, drafts, temperature,
// optimal.<method>, verifiers.<verifier> (null where it does not apply).
nlohmann::ordered_json batch_positions_json(const BatchAccumulator& batch);

}  // namespace mdsd
