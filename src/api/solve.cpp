#include "api/solve.hpp"
#include "core/message_text.hpp"

#include "api/result_writer.hpp"
#include "core/distribution.hpp"

namespace mdsd {

SolveOutput solve(std::string_view request_json) {
  auto json = parse_json_text(request_json);
  if (!json.ok()) return {false, printable(json.error())};
  auto request = parse_request_consuming(std::move(json.value()));
  if (!request.ok()) return {false, printable(request.error())};
  return {true, result_text(calculate(request.value()))};
}

SolveOutput solve_parsed(const nlohmann::json& json, std::span<const NumberArray> buffers) {
  auto request = parse_request(json, buffers);
  if (!request.ok()) return {false, printable(request.error())};
  // The text of to_json(result).dump(), written without the document.
  return {true, result_text(calculate(request.value()))};
}

}  // namespace mdsd
