#include "api/solve.hpp"
#include "core/message_text.hpp"

#include "api/result.hpp"
#include "core/distribution.hpp"

namespace mdsd {

SolveOutput solve(std::string_view request_json) {
  auto json = parse_json_text(request_json);
  if (!json.ok()) return {false, printable(json.error())};
  return solve_parsed(json.value(), {});
}

SolveOutput solve_parsed(const nlohmann::json& json, std::span<const NumberArray> buffers) {
  auto request = parse_request(json, buffers);
  if (!request.ok()) return {false, printable(request.error())};
  return {true, to_json(calculate(request.value()))
                     .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)};
}

}  // namespace mdsd
