// The C interface the JavaScript wrapper (web/mdsd.mjs) calls. Number arrays
// arrive as (pointer, length) pairs in the module's heap, never as JSON text.
#include "api/batch_json.hpp"
#include "api/request.hpp"
#include "api/solve.hpp"
#include "core/distribution.hpp"
#include "core/synthetic.hpp"

#include <emscripten/emscripten.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

std::string last_output;  // owned here until the next call

// Open batches by handle (dataset mode: positions arrive one at a time).
std::map<int, std::unique_ptr<mdsd::BatchAccumulator>> batches;
int next_batch = 1;

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

}  // namespace

extern "C" {

// Solves one request. `request_json` refers to array k as {"$buffer": k};
// buffers[k] points at sizes[k] doubles. Returns the result JSON, or the error
// message when *ok is 0; the text stays valid until the next call.
EMSCRIPTEN_KEEPALIVE const char* mdsd_solve(const char* request_json, const double* const* buffers,
                                            const std::uint32_t* sizes, std::uint32_t buffer_count,
                                            int* ok) {
  mdsd::SolveOutput solved = mdsd::solve(request_json, arrays_of(buffers, sizes, buffer_count));
  return output(std::move(solved.text), solved.ok, ok);
}

// Opens a batch with settings JSON (README.md "Dataset mode"). Returns the
// handle as text when *ok, else the error.
EMSCRIPTEN_KEEPALIVE const char* mdsd_batch_create(const char* settings_json, int* ok) {
  auto json = mdsd::parse_json_text(settings_json);
  if (!json.ok()) return output(json.error(), false, ok);
  auto settings = mdsd::parse_batch_settings(json.value());
  if (!settings.ok()) return output(settings.error(), false, ok);
  const int handle = next_batch++;
  batches[handle] = std::make_unique<mdsd::BatchAccumulator>(std::move(settings).value());
  return output(std::to_string(handle), true, ok);
}

// Adds one position {"target": DIST, "draft": DIST} (arrays as buffers).
EMSCRIPTEN_KEEPALIVE const char* mdsd_batch_add(int handle, const char* position_json,
                                                const double* const* buffers, const std::uint32_t* sizes,
                                                std::uint32_t buffer_count, int* ok) {
  const auto batch = batches.find(handle);
  if (batch == batches.end()) return output("batch: closed or unknown", false, ok);
  const std::string where = "position " + std::to_string(batch->second->positions().size());
  auto json = mdsd::parse_json_text(position_json);
  if (!json.ok()) return output(where + ": " + json.error(), false, ok);
  const auto arrays = arrays_of(buffers, sizes, buffer_count);
  const auto& value = json.value();
  for (const char* key : {"target", "draft"}) {
    if (!value.is_object() || !value.contains(key)) return output(where + ": " + key + ": is missing", false, ok);
  }
  auto target = mdsd::distribution_spec(value["target"], "target", arrays);
  if (!target.ok()) return output(where + ": " + target.error(), false, ok);
  auto draft = mdsd::distribution_spec(value["draft"], "draft", arrays);
  if (!draft.ok()) return output(where + ": " + draft.error(), false, ok);
  auto values = mdsd::compute_position(batch->second->settings(), target.value(), draft.value(), where);
  if (!values.ok()) return output(values.error(), false, ok);
  if (auto error = batch->second->add(std::move(values).value(), target.value().values.size(), where)) {
    return output(error->message, false, ok);
  }
  return output("", true, ok);
}

// The summary JSON; with per_position, {"summary": ..., "positions": [...]}.
EMSCRIPTEN_KEEPALIVE const char* mdsd_batch_summary(int handle, int per_position, int* ok) {
  const auto batch = batches.find(handle);
  if (batch == batches.end()) return output("batch: closed or unknown", false, ok);
  if (batch->second->positions().empty()) return output("batch: holds no positions", false, ok);
  auto summary = mdsd::batch_summary_json(batch->second->summary(), batch->second->settings());
  if (per_position) {
    summary = {{"summary", std::move(summary)}, {"positions", mdsd::batch_positions_json(*batch->second)}};
  }
  return output(summary.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), true, ok);
}

EMSCRIPTEN_KEEPALIVE void mdsd_batch_free(int handle) { batches.erase(handle); }

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
