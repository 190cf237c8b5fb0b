// mdsd tree: the best draft tree for a sibling acceptance vector, a budget and
// a depth, beside a chain and independent chains, and with a cost model the
// budget and depth that maximise tokens per unit time (README.md "Draft trees").
#include "api/tree_json.hpp"
#include "cli/commands.hpp"
#include "cli/whole_number_argument.hpp"
#include "core/limits.hpp"
#include "core/message_text.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace mdsd::cli {
namespace {

constexpr const char* kTreeUsage =
    "usage: mdsd tree (--acceptance P1,P2,... | --from VECTOR|SUMMARY|PER_POSITION [--verifier NAME]) --budget M "
    "--depth D [--draft-time T (--target-time T | --target-times N:T,...)]";

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  for (std::size_t from = 0;;) {
    const std::size_t at = text.find(separator, from);
    parts.push_back(text.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) return parts;
    from = at + 1;
  }
}

Expected<std::vector<double>> acceptance_list(const std::string& text) {
  std::vector<double> p;
  const auto parts = split(text, ',');
  for (std::size_t b = 0; b < parts.size(); ++b) {
    const auto value = number_from_text(parts[b]);
    if (!value) return Error{"--acceptance[" + std::to_string(b) + "]: not a number \"" + excerpt(parts[b]) + "\""};
    p.push_back(*value);
  }
  return p;
}

Expected<std::vector<TargetTimePoint>> time_points(const std::string& text) {
  std::vector<TargetTimePoint> points;
  const auto parts = split(text, ',');
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const std::string field = "--target-times[" + std::to_string(k) + "]";
    const std::size_t colon = parts[k].find(':');
    if (colon != std::string::npos) {
      if (auto zero = leading_zero(std::string_view(parts[k]).substr(0, colon))) return Error{field + ": the token count " + *zero};
    }
    const auto tokens = colon == std::string::npos ? std::nullopt
                                                   : whole_number(std::string_view(parts[k]).substr(0, colon), 1, tree_limits::kMaxBudget + 1);
    const auto time = colon == std::string::npos ? std::nullopt : number_from_text(parts[k].substr(colon + 1));
    if (!tokens || !time) {
      return Error{field + ": give TOKENS:TIME (tokens from 1 to " + std::to_string(tree_limits::kMaxBudget + 1) +
                   ", e.g. 64:0.031), got \"" + excerpt(parts[k]) + "\""};
    }
    points.push_back({static_cast<int>(*tokens), *time});
  }
  return points;
}

}  // namespace

int tree_command(int argc, char** argv) {
  std::optional<std::string> acceptance_text, from, verifier_text, budget_text, depth_text, draft_text, target_text, times_text;
  for (int i = 2; i < argc; ++i) {
    const std::string argument = argv[i];
    std::optional<std::string>* slot = argument == "--acceptance"     ? &acceptance_text
                                       : argument == "--from"         ? &from
                                       : argument == "--verifier"     ? &verifier_text
                                       : argument == "--budget"       ? &budget_text
                                       : argument == "--depth"        ? &depth_text
                                       : argument == "--draft-time"   ? &draft_text
                                       : argument == "--target-time"  ? &target_text
                                       : argument == "--target-times" ? &times_text
                                                                      : nullptr;
    if (!slot) return fail(excerpt(argument) + ": unknown option; " + kTreeUsage, 2);
    if (i + 1 >= argc) return fail(argument + ": needs a value", 2);
    if (*slot) return fail(argument + ": given twice", 2);
    *slot = argv[++i];
  }
  if (acceptance_text.has_value() == from.has_value()) return fail(std::string("give --acceptance or --from; ") + kTreeUsage, 2);
  if (verifier_text && !from) return fail("--verifier: only with --from (which vector of the file to read)", 2);
  if (!budget_text) return fail("--budget: is missing (draft nodes per tree)", 2);
  if (!depth_text) return fail("--depth: is missing (levels below the root)", 2);

  TreeRequest request;
  if (auto zero = leading_zero(*budget_text)) return fail("--budget: " + *zero, 2);
  if (auto zero = leading_zero(*depth_text)) return fail("--depth: " + *zero, 2);
  const auto budget = whole_number(*budget_text, 0, tree_limits::kMaxBudget);
  if (!budget) return fail("--budget: give an integer from 0 to " + std::to_string(tree_limits::kMaxBudget) + ", got \"" + excerpt(*budget_text) + "\"", 2);
  const auto depth = whole_number(*depth_text, 0, tree_limits::kMaxDepth);
  if (!depth) return fail("--depth: give an integer from 0 to " + std::to_string(tree_limits::kMaxDepth) + ", got \"" + excerpt(*depth_text) + "\"", 2);
  request.budget = static_cast<int>(*budget);
  request.depth = static_cast<int>(*depth);

  if (acceptance_text) {
    auto p = acceptance_list(*acceptance_text);
    if (!p.ok()) return fail(p.error(), 2);
    request.acceptance = std::move(p).value();
  } else {
    VerifierKind verifier = VerifierKind::rrs_without_replacement;
    if (verifier_text) {
      const auto kind = verifier_from_name(*verifier_text);
      if (!kind || !drafts_nest(*kind)) {
        return fail("--verifier: give rrs_with_replacement, rrs_without_replacement or exact_match (the verifiers whose "
                    "drafts nest), got \"" + excerpt(*verifier_text) + "\"", 2);
      }
      verifier = *kind;
    }
    std::string text, error;
    if (!read_text_file(*from, text, error)) return fail("cannot read " + *from + ": " + error, 1);
    Expected<std::vector<double>> p = Error{""};
    // A spreadsheet may save the CSV with a UTF-8 byte order mark first.
    const std::string_view csv = std::string_view(text).substr(text.starts_with("\xef\xbb\xbf") ? 3 : 0);
    if (csv.starts_with("quantity,")) {
      p = sibling_vector_from_csv(csv, verifier, *from, request.warnings);
    } else {
      auto json = parse_json_text(text);
      if (!json.ok()) return fail(*from + ": " + json.error(), 2);
      p = sibling_vector_from_json(json.value(), verifier, *from, request.warnings);
    }
    if (!p.ok()) return fail(p.error(), 2);
    request.acceptance = std::move(p).value();
  }
  const std::string field = acceptance_text ? "--acceptance" : *from + ": the sibling vector";
  if (auto error = check_sibling_acceptance(request.acceptance, field)) return fail(error->message, 2);

  if (draft_text || target_text || times_text) {
    if (!draft_text) return fail("--draft-time: is missing (the time of one draft step) for the cost model", 2);
    if (target_text.has_value() == times_text.has_value()) {
      return fail("give --target-time T (one time for every tree) or --target-times N:T,... (measured per tokens verified)", 2);
    }
    CostModel cost;
    const auto draft_time = number_from_text(*draft_text);
    if (!draft_time) return fail("--draft-time: not a number \"" + excerpt(*draft_text) + "\"", 2);
    cost.draft_time = *draft_time;
    if (target_text) {
      const auto time = number_from_text(*target_text);
      if (!time) return fail("--target-time: not a number \"" + excerpt(*target_text) + "\"", 2);
      cost.target_times.push_back({1, *time});
    } else {
      auto points = time_points(*times_text);
      if (!points.ok()) return fail(points.error(), 2);
      cost.target_times = std::move(points).value();
    }
    if (auto error = check_cost_model(cost, "--draft-time", target_text ? "--target-time" : "--target-times")) {
      return fail(error->message, 2);
    }
    request.cost = std::move(cost);
  }
  if (standard_output_closed()) return finish_standard_output();
  std::cout << tree_result_json(request).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  return finish_standard_output();
}

bool read_text_file(const std::string& path, std::string& text, std::string& error) {
  if (path == "-" && standard_input_closed()) {
    error = "it is closed";
    return false;
  }
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!file) {
    error = std::strerror(errno);
    return false;
  }
  char chunk[1 << 16];
  bool ok = true;
  for (;;) {
    const std::size_t got = std::fread(chunk, 1, sizeof chunk, file);
    text.append(chunk, got);
    if (static_cast<std::int64_t>(text.size()) > limits::kMaxRequestBytes) {
      error = "larger than the limit of " + std::to_string(limits::kMaxRequestBytes) + " bytes (1 GiB)";
      ok = false;
      break;
    }
    if (got < sizeof chunk) break;
  }
  if (ok && std::ferror(file)) {
    error = std::strerror(errno);
    ok = false;
  }
  if (file != stdin) std::fclose(file);
  return ok;
}

}  // namespace mdsd::cli
