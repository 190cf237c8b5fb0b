// The C interface the JavaScript wrapper (web/mdsd.mjs) calls. Number arrays
// arrive as (pointer, length) pairs in the module's heap, never as JSON text.
#include "api/solve.hpp"
#include "core/synthetic.hpp"

#include <emscripten/emscripten.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace {
std::string last_output;  // owned here until the next call
}

extern "C" {

// Solves one request. `request_json` refers to array k as {"$buffer": k};
// buffers[k] points at sizes[k] doubles. Returns the result JSON, or the error
// message when *ok is 0; the text stays valid until the next call.
EMSCRIPTEN_KEEPALIVE const char* mdsd_solve(const char* request_json, const double* const* buffers,
                                            const std::uint32_t* sizes, std::uint32_t buffer_count,
                                            int* ok) {
  std::vector<mdsd::NumberArray> arrays(buffer_count);
  for (std::uint32_t k = 0; k < buffer_count; ++k) arrays[k] = {buffers[k], sizes[k]};
  mdsd::SolveOutput output = mdsd::solve(request_json, arrays);
  *ok = output.ok ? 1 : 0;
  last_output = std::move(output.text);
  return last_output.c_str();
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
