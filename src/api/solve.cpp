#include "api/solve.hpp"

#include "api/result.hpp"

#include <cstdio>

namespace mdsd {
namespace {

// Messages may quote the user's text (a key, a method name, what the JSON
// parser read); control characters are escaped so a message stays one line.
std::string one_line(const std::string& message) {
  std::string line;
  for (const unsigned char c : message) {
    if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      line += escaped;
    } else {
      line += static_cast<char>(c);
    }
  }
  return line;
}

}  // namespace

SolveOutput solve(std::string_view request_json, std::span<const NumberArray> buffers) {
  auto json = parse_json_text(request_json);
  if (!json.ok()) return {false, one_line(json.error())};
  auto request = parse_request(json.value(), buffers);
  if (!request.ok()) return {false, one_line(request.error())};
  return {true, to_json(calculate(request.value()))
                     .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)};
}

}  // namespace mdsd
