// mdsd acceptance-vector [FILE|-] [--csv]: the acceptance at every width n =
// 1..max_width of one pair (a request with "max_width" in place of "drafts"),
// or of a dataset (a summary of mdsd batch --drafts 1-B, or its per-position
// JSON, which pairs the differences position by position), with the sibling
// vectors of the verifiers whose drafts nest (README.md "Draft trees").
#include "api/tree_json.hpp"
#include "cli/commands.hpp"

#include <iostream>

namespace mdsd::cli {

int acceptance_vector_command(int argc, char** argv) {
  std::string path = "-";
  bool csv = false, path_given = false;
  for (int i = 2; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--csv") {
      csv = true;
    } else if (!path_given && (argument == "-" || !argument.starts_with("--"))) {
      path = argument;
      path_given = true;
    } else {
      return fail("usage: mdsd acceptance-vector [REQUEST.json|SUMMARY.json|PER_POSITION.json|-] [--csv]", 2);
    }
  }
  std::string text, error;
  if (!read_text_file(path, text, error)) {
    return fail("cannot read " + (path == "-" ? std::string("standard input") : path) + ": " + error, 1);
  }
  auto json = parse_json_text(text);
  std::string().swap(text);
  if (!json.ok()) return fail(json.error(), 2);
  const nlohmann::json& value = json.value();
  Expected<AcceptanceVector> vector = Error{""};
  if (value.is_array()) {
    vector = acceptance_vector_from_positions(value);
  } else if (value.is_object() && value.contains("positions") && !value.contains("target")) {
    vector = acceptance_vector_from_summary(value);
  } else {
    auto request = parse_acceptance_vector_request(value);
    if (!request.ok()) return fail(request.error(), 2);
    vector = acceptance_vector(request.value().request, request.value().max_width);
  }
  if (!vector.ok()) return fail(vector.error(), 2);
  if (standard_output_closed()) return finish_standard_output();
  if (csv) {
    std::cout << acceptance_vector_csv(vector.value());
  } else {
    std::cout << acceptance_vector_json(vector.value()).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << "\n";
  }
  return finish_standard_output();
}

}  // namespace mdsd::cli
