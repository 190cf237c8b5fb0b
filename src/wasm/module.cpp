// The C interface the JavaScript wrapper (web/package/mdsd.mjs) calls. Number arrays
// arrive as (pointer, length) pairs in the module's heap, never as JSON text;
// where each one goes in the request is a separate list of key paths, so no
// value inside the request text is ever taken for one (request.hpp).
#include "api/batch_json.hpp"
#include "core/message_text.hpp"
#include "api/request.hpp"
#include "api/solve.hpp"
#include "api/tree_json.hpp"
#include "core/distribution.hpp"
#include "core/limits.hpp"
#include "core/synthetic.hpp"
#include "verify/simulation.hpp"

#include <emscripten/emscripten.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

std::string last_output;  // owned here until the next call

// Open batches by handle (dataset mode: positions arrive one at a time).
std::map<int, std::unique_ptr<mdsd::BatchAccumulator>> batches;
int next_batch = 1;

// A batch keeps a few numbers per position and setting of its sweep (a "row")
// for the per-position output: measured here, about 200 bytes a row while
// adding and 2 KB a row more while the per-position JSON is built. Within
// 2 GB of memory, and checked before the row is computed or the JSON built:
constexpr std::int64_t kMaxBatchRows = 2'000'000;          // all open batches, ~400 MB
constexpr std::int64_t kMaxPerPositionRows = 250'000;      // one summary, ~500 MB
std::map<int, std::int64_t> batch_rows;                    // rows held, by handle

// Settings of a sweep, one row each per position (batch.hpp sweep_of),
// counted without building the sweep.
std::int64_t rows_per_position(const mdsd::BatchSettings& settings) {
  return static_cast<std::int64_t>(settings.drafts.size()) *
         std::max<std::int64_t>(1, static_cast<std::int64_t>(settings.temperatures.size()));
}

std::int64_t rows_held() {
  std::int64_t total = 0;
  for (const auto& [handle, rows] : batch_rows) total += rows;
  return total;
}

const char* output(std::string text, bool ok, int* ok_flag) {
  *ok_flag = ok ? 1 : 0;
  last_output = ok ? std::move(text) : mdsd::printable(text);  // errors: one line
  return last_output.c_str();
}

std::vector<mdsd::NumberArray> arrays_of(const double* const* buffers, const std::uint32_t* sizes,
                                         std::uint32_t count) {
  std::vector<mdsd::NumberArray> arrays(count);
  for (std::uint32_t k = 0; k < count; ++k) arrays[k] = {buffers[k], sizes[k]};
  return arrays;
}

// The JSON text of one call (a request, a position or batch settings; the
// number arrays travel as buffers and do not count). Parsed, JSON takes up to
// about 34 times its text in this module (measured: 60 MB of `[{},{},...]`
// ran out of the 2 GB; `[1,1,...]` peaks at 27 times), and hostile shapes
// parse at about 1.5 MB/s. 16 MiB keeps the worst parse near 550 MB and 10 s;
// legitimate JSON is far smaller (a draft_joint the LP can take, at most
// 200,000 columns, is under 10 MB). Checked before anything is allocated;
// web/package/mdsd.mjs checks the same limit before copying the text in (mdsd_limits).
constexpr std::size_t kMaxJsonBytes = std::size_t{16} << 20;

std::optional<std::string> oversized(const char* text, const std::string& field) {
  const std::size_t bytes = std::strlen(text);
  if (bytes <= kMaxJsonBytes) return std::nullopt;
  return field + ": " + std::to_string(bytes) + " bytes of JSON is more than the limit of " +
         std::to_string(kMaxJsonBytes) + " bytes (16 MiB) in WebAssembly; pass long number arrays as arrays";
}

// Replaces the value at paths[k] (a list of object keys, e.g. ["draft",
// "logits"]) by a reference to buffer k: a binary JSON value of subtype k,
// which no JSON text can spell (request.hpp). The wrapper writes null there;
// anything else means the wrapper and this module disagree.
std::optional<std::string> attach_buffers(nlohmann::json& value, const char* paths_json, std::uint32_t count) {
  auto paths = mdsd::parse_json_text(paths_json);
  if (!paths.ok() || !paths.value().is_array() || paths.value().size() != count) {
    return std::string("request: internal error: the buffer paths do not match the buffers");
  }
  for (std::uint32_t k = 0; k < count; ++k) {
    const auto& path = paths.value()[k];
    nlohmann::json* slot = &value;
    bool found = path.is_array() && !path.empty();
    for (std::size_t i = 0; found && i < path.size(); ++i) {
      found = path[i].is_string() && slot->is_object() && slot->contains(path[i].get_ref<const std::string&>());
      if (found) slot = &(*slot)[path[i].get_ref<const std::string&>()];
    }
    if (!found || !slot->is_null()) {
      return "request: internal error: buffer " + std::to_string(k) + " has no place in the request";
    }
    *slot = nlohmann::json::binary({}, k);
  }
  return std::nullopt;
}

// Monte Carlo progress to JavaScript: Module.onSimulationProgress(done,
// samples) when the wrapper has set it (solve's onProgress option), so a
// worker can post a progress bar while one long solve runs.
EM_JS(void, report_simulation_progress, (double done, double samples), {
  if (Module["onSimulationProgress"]) Module["onSimulationProgress"](done, samples);
});

void simulation_progress(std::int64_t done, std::int64_t samples) {
  report_simulation_progress(static_cast<double>(done), static_cast<double>(samples));
}

// Installed once, before the first call: it costs one test per step when no one listens.
[[maybe_unused]] const bool progress_installed = (mdsd::set_simulation_progress(simulation_progress), true);

}  // namespace

extern "C" {

// The limits the wrapper checks before it copies anything into the heap, as
// JSON: {"max_vocabulary", "max_json_bytes", "max_joint_entries",
// "max_batch_rows", "max_per_position_rows"}.
EMSCRIPTEN_KEEPALIVE const char* mdsd_limits() {
  static const std::string text = nlohmann::json{{"max_vocabulary", mdsd::limits::kMaxVocabulary},
                                                 {"max_json_bytes", kMaxJsonBytes},
                                                 {"max_joint_entries", mdsd::limits::kMaxJointEntries},
                                                 {"max_batch_rows", kMaxBatchRows},
                                                 {"max_per_position_rows", kMaxPerPositionRows}}
                                      .dump();
  return text.c_str();
}

// Solves one request. Array k goes where buffer_paths[k] (a JSON list of key
// lists) says, the wrapper having written null there; buffers[k] points at
// sizes[k] doubles. Returns the result JSON, or the error message when *ok is
// 0; the text stays valid until the next call.
EMSCRIPTEN_KEEPALIVE const char* mdsd_solve(const char* request_json, const char* buffer_paths,
                                            const double* const* buffers, const std::uint32_t* sizes,
                                            std::uint32_t buffer_count, int* ok) {
  if (auto error = oversized(request_json, "request")) return output(*error, false, ok);
  auto json = mdsd::parse_json_text(request_json);
  if (!json.ok()) return output(json.error(), false, ok);
  if (auto error = attach_buffers(json.value(), buffer_paths, buffer_count)) return output(*error, false, ok);
  mdsd::SolveOutput solved = mdsd::solve_parsed(json.value(), arrays_of(buffers, sizes, buffer_count));
  return output(std::move(solved.text), solved.ok, ok);
}

// The best draft tree (README.md "Draft trees"): the tree request JSON in,
// the tree JSON out, or the error when *ok is 0.
EMSCRIPTEN_KEEPALIVE const char* mdsd_tree(const char* request_json, int* ok) {
  if (auto error = oversized(request_json, "request")) return output(*error, false, ok);
  mdsd::SolveOutput solved = mdsd::solve_tree(request_json);
  return output(std::move(solved.text), solved.ok, ok);
}

// The acceptance vector (README.md "The acceptance vector"): a request with
// "max_width" (arrays as buffers, placed as for mdsd_solve), a dataset
// summary or per-position rows; JSON out, or the CSV when csv is 1.
EMSCRIPTEN_KEEPALIVE const char* mdsd_acceptance_vector(const char* request_json, const char* buffer_paths,
                                                        const double* const* buffers, const std::uint32_t* sizes,
                                                        std::uint32_t buffer_count, int csv, int* ok) {
  if (auto error = oversized(request_json, "request")) return output(*error, false, ok);
  auto json = mdsd::parse_json_text(request_json);
  if (!json.ok()) return output(json.error(), false, ok);
  if (auto error = attach_buffers(json.value(), buffer_paths, buffer_count)) return output(*error, false, ok);
  mdsd::SolveOutput solved =
      mdsd::solve_acceptance_vector_parsed(json.value(), arrays_of(buffers, sizes, buffer_count), csv != 0);
  return output(std::move(solved.text), solved.ok, ok);
}

// Opens a batch with settings JSON (README.md "Dataset mode"). Returns the
// handle as text when *ok, else the error.
EMSCRIPTEN_KEEPALIVE const char* mdsd_batch_create(const char* settings_json, int* ok) {
  if (auto error = oversized(settings_json, "settings")) return output(*error, false, ok);
  auto json = mdsd::parse_json_text(settings_json);
  if (!json.ok()) return output(json.error(), false, ok);
  auto settings = mdsd::parse_batch_settings(json.value());
  if (!settings.ok()) return output(settings.error(), false, ok);
  if (const std::int64_t rows = rows_per_position(settings.value()); rows > kMaxBatchRows) {
    return output("settings: " + std::to_string(rows) +
                      " settings (drafts times temperatures) is more than the limit of " +
                      std::to_string(kMaxBatchRows) + " rows per position in WebAssembly memory",
                  false, ok);
  }
  const int handle = next_batch++;
  batches[handle] = std::make_unique<mdsd::BatchAccumulator>(std::move(settings).value());
  batch_rows[handle] = 0;
  return output(std::to_string(handle), true, ok);
}

// Adds one position {"target": DIST, "draft": DIST} (arrays as buffers, placed
// as for mdsd_solve).
EMSCRIPTEN_KEEPALIVE const char* mdsd_batch_add(int handle, const char* position_json, const char* buffer_paths,
                                                const double* const* buffers, const std::uint32_t* sizes,
                                                std::uint32_t buffer_count, int* ok) {
  const auto batch = batches.find(handle);
  if (batch == batches.end()) return output("batch: closed or unknown", false, ok);
  const std::string where = "position " + std::to_string(batch->second->positions().size());
  if (auto error = oversized(position_json, where)) return output(*error, false, ok);
  const std::int64_t settings = rows_per_position(batch->second->settings());
  if (rows_held() + settings > kMaxBatchRows) {
    return output(where + ": the open batches hold " + std::to_string(rows_held()) +
                      " rows (positions times settings); one more position is more than the limit of " +
                      std::to_string(kMaxBatchRows) + " rows in WebAssembly memory",
                  false, ok);
  }
  auto json = mdsd::parse_json_text(position_json);
  if (!json.ok()) return output(where + ": " + json.error(), false, ok);
  if (auto error = attach_buffers(json.value(), buffer_paths, buffer_count)) return output(*error, false, ok);
  const auto arrays = arrays_of(buffers, sizes, buffer_count);
  auto position = mdsd::position_spec(json.value(), arrays);
  if (!position.ok()) return output(where + ": " + position.error(), false, ok);
  auto values = mdsd::compute_position(batch->second->settings(), position.value().target, position.value().draft, where);
  if (!values.ok()) return output(values.error(), false, ok);
  batch->second->add(std::move(values).value());
  batch_rows[handle] += settings;
  return output("", true, ok);
}

// The summary JSON; with per_position, {"summary": ..., "positions": [...]}.
EMSCRIPTEN_KEEPALIVE const char* mdsd_batch_summary(int handle, int per_position, int* ok) {
  const auto batch = batches.find(handle);
  if (batch == batches.end()) return output("batch: closed or unknown", false, ok);
  if (batch->second->positions().empty()) return output("batch: holds no positions", false, ok);
  auto summary = mdsd::batch_summary_json(batch->second->summary(), batch->second->settings());
  if (per_position && batch_rows[handle] > kMaxPerPositionRows) {
    return output("batch: " + std::to_string(batch_rows[handle]) +
                      " rows (positions times settings) is more than the limit of " +
                      std::to_string(kMaxPerPositionRows) +
                      " for per-position output in WebAssembly memory; the summary alone has no limit",
                  false, ok);
  }
  if (per_position) {
    summary = {{"summary", std::move(summary)}, {"positions", mdsd::batch_positions_json(*batch->second)}};
  }
  return output(summary.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), true, ok);
}

EMSCRIPTEN_KEEPALIVE void mdsd_batch_free(int handle) {
  batches.erase(handle);
  batch_rows.erase(handle);
}

// Fills target[0..vocabulary) and draft[0..vocabulary) with the synthetic
// LLM-like pair of core/synthetic.hpp.
EMSCRIPTEN_KEEPALIVE void mdsd_synthetic_pair(std::uint32_t vocabulary, double seed, double zipf_exponent,
                                              double target_noise, double draft_noise,
                                              double temperature, double* target, double* draft) {
  const mdsd::SyntheticOptions options{zipf_exponent, target_noise, draft_noise, temperature};
  const auto pair = mdsd::synthetic_pair(vocabulary, static_cast<std::uint64_t>(seed), options);
  std::copy(pair.target.data(), pair.target.data() + vocabulary, target);
  std::copy(pair.draft.data(), pair.draft.data() + vocabulary, draft);
}

}  // extern "C"
