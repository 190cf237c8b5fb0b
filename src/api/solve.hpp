// The one entry point behind the CLI and the WebAssembly module: request JSON
// text in, result JSON text out.
#pragma once

#include "api/request.hpp"

#include <span>
#include <string>
#include <string_view>

namespace mdsd {

struct SolveOutput {
  bool ok = false;
  // The result JSON when ok, else one line naming the field and the problem.
  std::string text;
};

SolveOutput solve(std::string_view request_json);

// A parsed request whose number arrays may be references to `buffers`
// (request.hpp: only the caller, never the request text, can place them).
SolveOutput solve_parsed(const nlohmann::json& request, std::span<const NumberArray> buffers);

}  // namespace mdsd
