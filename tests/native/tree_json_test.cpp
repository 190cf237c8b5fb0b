// api/tree_json and mdsd tree / mdsd acceptance-vector: the contract, the
// exported vector read back (JSON and CSV), and the errors naming the field.
#include "api/request.hpp"
#include "api/tree_json.hpp"
#include "core/message_text.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

namespace mdsd::test {
namespace {

nlohmann::json tree_of(const nlohmann::json& request) {
  const SolveOutput output = solve_tree(request.dump());
  REQUIRE_MESSAGE(output.ok, output.text);
  return nlohmann::json::parse(output.text);
}

std::string tree_error(const nlohmann::json& request) {
  const SolveOutput output = solve_tree(request.dump());
  CHECK(!output.ok);
  return output.text;
}

const nlohmann::json kPair = {{"target", {0.3, 0.4, 0.3}}, {"draft", {0.6, 0.3, 0.1}}, {"max_width", 3}};

}  // namespace

TEST_CASE("the tree result: expected tokens, the parent list and the ranks") {
  // p = (0.5, 0.3, 0.1), budget 6, depth 3: the claim is recomputed from the
  // lists here; its value, 2.475, is brute force's in tree_best_tree_test.
  const nlohmann::json result = tree_of({{"acceptance", {0.5, 0.3, 0.1}}, {"budget", 6}, {"depth", 3}});
  CHECK(result["budget"] == 6);
  CHECK(result["depth"] == 3);
  const auto parents = result["parents"].get<std::vector<int>>();
  const auto ranks = result["ranks"].get<std::vector<int>>();
  REQUIRE(parents.size() == ranks.size());
  CHECK(parents.size() <= 6);
  const std::vector<double> p = {0.5, 0.3, 0.1};
  std::vector<double> reach(parents.size());
  double expected = 1.0;
  for (std::size_t i = 0; i < parents.size(); ++i) {
    CHECK(parents[i] < static_cast<int>(i));
    reach[i] = (parents[i] < 0 ? 1.0 : reach[static_cast<std::size_t>(parents[i])]) * p[static_cast<std::size_t>(ranks[i] - 1)];
    expected += reach[i];
  }
  CHECK(std::abs(result["expected_tokens"].get<double>() - expected) <= kRounding);
  // README "Draft trees" worked example.
  CHECK(std::abs(expected - 2.475) <= kRounding);
  CHECK(std::abs(result["chain"]["expected_tokens"].get<double>() - 1.875) <= kRounding);
  CHECK(result["independent_chains"]["chains"] == 2);
  CHECK(std::abs(result["independent_chains"]["expected_tokens"].get<double>() - 2.4) <= kRounding);
}

TEST_CASE("tree requests: errors name the field") {
  CHECK(tree_error({{"acceptance", {0.5, 0.7}}, {"budget", 3}, {"depth", 2}}).starts_with("acceptance: the entries sum to 1.2"));
  CHECK(tree_error({{"acceptance", {0.5, "x"}}, {"budget", 3}, {"depth", 2}}) == "acceptance[1]: must be a number, got string");
  CHECK(tree_error({{"acceptance", {0.5}}, {"budget", 2000}, {"depth", 2}}).starts_with("budget: must be an integer from 0 to 1024"));
  CHECK(tree_error({{"acceptance", {0.5}}, {"budget", 3}}) == "depth: is missing");
  CHECK(tree_error({{"acceptance", {0.5}}, {"budget", 3}, {"depth", 2}, {"widht", 2}}).starts_with("widht: unknown key"));
  CHECK(tree_error({{"acceptance", {0.5}}, {"budget", 3}, {"depth", 2}, {"cost", {{"draft_time", 1}}}})
            .starts_with("cost: give either target_time"));
  CHECK(tree_error({{"acceptance", {0.5}}, {"budget", 3}, {"depth", 2},
                    {"cost", {{"draft_time", 1}, {"target_times", {{1, 1.0}, {4, -1.0}}}}}})
            .starts_with("cost.target_times[1]: the time must be from 1e-300 to 1e300"));
}

TEST_CASE("the acceptance vector request: max_width in place of drafts") {
  const SolveOutput output = solve_acceptance_vector(kPair.dump());
  REQUIRE_MESSAGE(output.ok, output.text);
  const nlohmann::json vector = nlohmann::json::parse(output.text);
  CHECK(vector["widths"] == nlohmann::json({1, 2, 3}));
  CHECK(std::abs(vector["verifiers"]["rrs_with_replacement"]["alpha"][1].get<double>() - 0.82) <= kTheoryDigits);
  CHECK(vector["verifiers"]["spechub"]["alpha"][0].is_null());
  CHECK(vector["verifiers"]["spechub"]["errors"][0]["width"] == 1);
  nlohmann::json with_drafts = kPair;
  with_drafts["drafts"] = 2;
  CHECK(solve_acceptance_vector(with_drafts.dump()).text.starts_with("drafts: not used here"));
  nlohmann::json wide = kPair;
  wide["max_width"] = 17;
  CHECK(solve_acceptance_vector(wide.dump()).text == "max_width: must be an integer from 1 to 16, got 17");
  nlohmann::json lp = kPair;
  lp["verifiers"] = {"optimal_lp"};
  CHECK(solve_acceptance_vector(lp.dump()).text.starts_with("verifiers[0]: optimal_lp is not offered"));
  nlohmann::json bad = kPair;
  bad["draft"] = {0.6, -0.3, 0.1};
  CHECK(solve_acceptance_vector(bad.dump()).text == "draft[1]: negative value -0.3");
}

TEST_CASE("the exported vector read back, as JSON and as CSV, gives the same p") {
  auto request = parse_acceptance_vector_request(kPair);
  REQUIRE(request.ok());
  const AcceptanceVector vector = acceptance_vector(request.value().request, request.value().max_width);
  const std::string json_text = acceptance_vector_json(vector).dump();
  const std::string csv = acceptance_vector_csv(vector);
  for (const SiblingVector& sibling : vector.sibling) {
    std::vector<std::string> warnings;
    auto from_json = sibling_vector_from_json(nlohmann::json::parse(json_text), sibling.kind, "v.json", warnings);
    REQUIRE_MESSAGE(from_json.ok(), from_json.error());
    CHECK(from_json.value() == sibling.p);  // bit for bit
    auto from_csv = sibling_vector_from_csv(csv, sibling.kind, "v.csv", warnings);
    REQUIRE_MESSAGE(from_csv.ok(), from_csv.error());
    CHECK(from_csv.value() == sibling.p);
    CHECK(warnings.empty());
  }
  // The CSV has a header, then one row per entry that applies: 4 methods x 3,
  // 6 verifiers x 3 and SpecHub at n = 2, 3 sibling vectors x 3.
  std::size_t rows = 0;
  for (char c : csv) rows += c == '\n';
  CHECK(csv.starts_with("quantity,name,width,value,ci95_low,ci95_high,lower_bound,upper_bound,exact,positions\n"));
  CHECK(rows == 1 + 12 + 19 + 9);
  CHECK(contains(csv, "\nsibling,rrs_without_replacement,3,0.125,,,,,true,\n"));
  std::vector<std::string> warnings;
  CHECK(contains(sibling_vector_from_csv("quantity,name,width,value,ci95_low,ci95_high,lower_bound,upper_bound,exact,positions\n"
                                         "sibling,kseq,1,0.5,,,,,true,\n",
                                         VerifierKind::rrs_with_replacement, "v.csv", warnings)
                     .error(),
                 "no sibling rows"));
  CHECK(contains(sibling_vector_from_csv("quantity,name,width,value,ci95_low,ci95_high,lower_bound,upper_bound,exact,positions\n"
                                         "sibling,rrs_with_replacement,2,0.5,,,,,true,\n",
                                         VerifierKind::rrs_with_replacement, "v.csv", warnings)
                     .error(),
                 "no row for width 1"));
  // A cut row is an error naming its line, not a row skipped (which would drop width 2 here).
  const std::string header = "quantity,name,width,value,ci95_low,ci95_high,lower_bound,upper_bound,exact,positions\n";
  CHECK(sibling_vector_from_csv(header + "sibling,rrs_with_replacement,1,0.5,,,,,true,\nsibling,rrs_with_replacement,2,0.2,,\n",
                                VerifierKind::rrs_with_replacement, "v.csv", warnings)
            .error() == "v.csv:3: 6 cells, the header has 10");
  CHECK(sibling_vector_from_csv(header + "sibling,rrs_with_replacement,1,0x1p-1,,,,,true,\n",
                                VerifierKind::rrs_with_replacement, "v.csv", warnings)
            .error() == "v.csv:2: value 0x1p-1 is not a number");
  CHECK(sibling_vector_from_csv(header + "sibling,rrs_with_replacement,1.5,0.5,,,,,true,\n",
                                VerifierKind::rrs_with_replacement, "v.csv", warnings)
            .error() == "v.csv:2: width 1.5 is not a whole number from 1 to 16 (widths count drafts)");
  // Widths are draft counts, written as digits: an integral decimal, an
  // exponent or a leading zero is refused, naming the line and the column.
  for (const std::string width : {"1.0", "1e0", "01", "+1", "0", "17", ""}) {
    CAPTURE(width);
    CHECK(sibling_vector_from_csv(header + "sibling,rrs_with_replacement," + width + ",0.5,,,,,true,\n",
                                  VerifierKind::rrs_with_replacement, "v.csv", warnings)
              .error() == "v.csv:2: width " + width + " is not a whole number from 1 to 16 (widths count drafts)");
  }
  CHECK(sibling_vector_from_csv(header + "sibling,rrs_with_replacement,1,0.5,,,,,true,\nsibling,rrs_with_replacement,1,0.4,,,,,true,\n",
                                VerifierKind::rrs_with_replacement, "v.csv", warnings)
            .error() == "v.csv:3: width 1 is given twice");
  auto widest = sibling_vector_from_csv(header + "sibling,rrs_with_replacement,1,0.5,,,,,true,\n" +
                                            "sibling,rrs_with_replacement,16,0,,,,,true,\n",
                                        VerifierKind::rrs_with_replacement, "v.csv", warnings);
  CHECK(contains(widest.error(), "no row for width 2"));  // 16 is read as a width, the gap then named
  auto blank_lines = sibling_vector_from_csv(header + "\nsibling,rrs_with_replacement,1,0.5,,,,,true,\r\n\r\n",
                                             VerifierKind::rrs_with_replacement, "v.csv", warnings);
  REQUIRE_MESSAGE(blank_lines.ok(), blank_lines.error());
  CHECK(blank_lines.value() == std::vector<double>{0.5});
}

TEST_CASE("an estimate below 0 is read as 0, with a warning") {
  const nlohmann::json document = {
      {"sibling", {{"rrs_without_replacement", {{"p", {0.6, 0.2, -0.001}}, {"exact", false}}}}}};
  std::vector<std::string> warnings;
  auto p = sibling_vector_from_json(document, VerifierKind::rrs_without_replacement, "v.json", warnings);
  REQUIRE(p.ok());
  CHECK(p.value() == std::vector<double>{0.6, 0.2, 0.0});
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].starts_with("v.json: p[3] is estimated at -0.001"));
}

TEST_CASE("mdsd tree and mdsd acceptance-vector on the command line") {
  const ScratchFolder scratch("mdsd_tree_cli");
  scratch.write("pair.json", kPair.dump());
  const auto exported = scratch.run_mdsd("acceptance-vector pair.json");
  REQUIRE(exported.status == 0);
  scratch.write("vector.json", exported.out);
  const auto csv = scratch.run_mdsd("acceptance-vector pair.json --csv");
  REQUIRE(csv.status == 0);
  scratch.write("vector.csv", csv.out);
  // The same tree from the vector given by hand, from the JSON and from the CSV.
  const auto vector = nlohmann::json::parse(exported.out);
  std::string list;
  for (const auto& value : vector["sibling"]["rrs_without_replacement"]["p"]) {
    list += (list.empty() ? "" : ",") + format_number(value.get<double>());
  }
  const auto by_hand = scratch.run_mdsd("tree --acceptance " + list + " --budget 5 --depth 3");
  const auto from_json = scratch.run_mdsd("tree --from vector.json --budget 5 --depth 3");
  const auto from_csv = scratch.run_mdsd("tree --from vector.csv --verifier rrs_without_replacement --budget 5 --depth 3");
  REQUIRE(by_hand.status == 0);
  CHECK(from_json.out == by_hand.out);
  CHECK(from_csv.out == by_hand.out);
  // As a spreadsheet saves it, with a byte order mark first.
  scratch.write("vector-bom.csv", "\xef\xbb\xbf" + csv.out);
  const auto from_bom_csv = scratch.run_mdsd("tree --from vector-bom.csv --verifier rrs_without_replacement --budget 5 --depth 3");
  CHECK(from_bom_csv.out == by_hand.out);
  const auto timed = scratch.run_mdsd("tree --acceptance 0.6,0.2 --budget 8 --depth 4 --draft-time 0.1 --target-times 1:1,9:1.5");
  REQUIRE(timed.status == 0);
  CHECK(nlohmann::json::parse(timed.out).contains("time"));

  const auto expect_error = [&](const std::string& arguments, const std::string& message) {
    const auto run = scratch.run_mdsd(arguments);
    CAPTURE(arguments);
    CHECK(run.status == 2);
    CHECK(run.err == "mdsd: " + message + "\n");
    CHECK(run.out.empty());
  };
  expect_error("tree --acceptance 0.5,0.2,2 --budget 4 --depth 2", "--acceptance[2]: must be from 0 to 1, got 2");
  expect_error("tree --acceptance 0.5,,0.1 --budget 4 --depth 2", "--acceptance[1]: not a number \"\"");
  // Numbers follow JSON's grammar: strtod's hex floats, inf and nan are not numbers here.
  expect_error("tree --acceptance 0x1p-1 --budget 4 --depth 2", "--acceptance[0]: not a number \"0x1p-1\"");
  expect_error("tree --acceptance 0.5,inf --budget 4 --depth 2", "--acceptance[1]: not a number \"inf\"");
  expect_error("tree --acceptance nan --budget 4 --depth 2", "--acceptance[0]: not a number \"nan\"");
  expect_error("tree --acceptance \" 0.5\" --budget 4 --depth 2", "--acceptance[0]: not a number \" 0.5\"");
  CHECK(!number_from_text("\xef\xbb\xbf" "0.5"));  // the JSON reader skips a leading byte order mark; a number has none
  CHECK(number_from_text("-0.25") == -0.25);
  expect_error("tree --acceptance 0.5 --budget 4 --depth 2 --draft-time 0x1 --target-time 1",
               "--draft-time: not a number \"0x1\"");
  expect_error("tree --acceptance 0.5,0.2 --budget 4x --depth 2", "--budget: give an integer from 0 to 1024, got \"4x\"");
  expect_error("tree --acceptance 0.5 --budget 4", "--depth: is missing (levels below the root)");
  expect_error("tree --acceptance 0.5 --budget 4 --depth 65", "--depth: give an integer from 0 to 64, got \"65\"");
  expect_error("tree --acceptance 0.5 --budget 4 --depth 2 --draft-time 0.1 --target-time 0",
               "--target-time: the time must be from 1e-300 to 1e300 (any unit), got 0");
  expect_error("tree --acceptance 0.5 --budget 4 --depth 2 --draft-time 0.1 --target-times 2:1,4:1.2",
               "--target-times[0]: the first point must be at 1 token (plain decoding), got 2");
  expect_error("tree --acceptance 0.5 --budget 4 --depth 2 --draft-time 0.1 --target-times 1:1,x",
               "--target-times[1]: give TOKENS:TIME (tokens from 1 to 1025, e.g. 64:0.031), got \"x\"");
  // Integers follow JSON's grammar too: no leading zero (from_chars would read "01" as 1).
  expect_error("tree --acceptance 0.5 --budget 4 --depth 2 --draft-time 0.1 --target-times 1:1,01:1.2",
               "--target-times[1]: the token count \"01\" has a leading zero (write 1)");
  expect_error("tree --acceptance 0.5 --budget 4 --depth 2 --draft-time 0.1 --target-times 001:1",
               "--target-times[0]: the token count \"001\" has a leading zero (write 1)");
  expect_error("tree --acceptance 0.5 --budget 04 --depth 2", "--budget: \"04\" has a leading zero (write 4)");
  expect_error("tree --acceptance 0.5 --budget 00 --depth 2", "--budget: \"00\" has a leading zero (write 0)");
  expect_error("tree --acceptance 0.5 --budget 4 --depth -00", "--depth: \"-00\" has a leading zero (write -0)");
  expect_error("tree --from vector.json --verifier kseq --budget 4 --depth 2",
               "--verifier: give rrs_with_replacement, rrs_without_replacement or exact_match (the verifiers whose drafts nest), got \"kseq\"");
  expect_error("tree --from pair.json --budget 4 --depth 2",
               "pair.json: neither an acceptance vector (no \"sibling\") nor a dataset summary (no \"positions\")");
  const auto missing = scratch.run_mdsd("tree --from nowhere.json --budget 4 --depth 2");
  CHECK(missing.status == 1);
  CHECK(missing.err.starts_with("mdsd: cannot read nowhere.json: "));
  const auto help = scratch.run_mdsd("--help");
  CHECK(contains(help.out, "mdsd tree"));
  CHECK(contains(help.out, "mdsd acceptance-vector"));
}

TEST_CASE("mdsd tree reads a subnormal sibling entry as the number it is") {
  // strtod flags 1e-320 with ERANGE, yet it is a double in [0, 1]; only an
  // overflow is not a number. Budget 2, depth 1: the root's children of
  // ranks 1 and 2 are worth 0.5 and 1e-320, and 1 + 0.5 + 1e-320 rounds to
  // 1.5, so the tie keeps the one-node tree.
  const ScratchFolder scratch("mdsd_tree_subnormal");
  const auto run = scratch.run_mdsd("tree --acceptance 0.5,1e-320 --budget 2 --depth 1");
  REQUIRE_MESSAGE(run.status == 0, run.err);
  const auto result = nlohmann::json::parse(run.out);
  CHECK(result["expected_tokens"].get<double>() == 1.5);
  CHECK(result["acceptance"][1].get<double>() == 1e-320);
  CHECK(result["nodes"].get<int>() == 1);
  const auto overflow = scratch.run_mdsd("tree --acceptance 0.5,1e999 --budget 2 --depth 1");
  CHECK(overflow.status == 2);
  CHECK(overflow.err == "mdsd: --acceptance[1]: not a number \"1e999\"\n");
}

// The tree request's "by_budget" lists (the page's chart of expected tokens
// against the budget): each entry is checked against a separate request at
// that budget, and the chains against their closed forms computed here.
namespace {

// 1 + p1 + ... + p1^length
double chain_value(double p1, int length) {
  double total = 1.0, reach = 1.0;
  for (int k = 0; k < length; ++k) total += (reach *= p1);
  return total;
}

}  // namespace

TEST_CASE("by_budget: the best tree, one chain and independent chains at every budget") {
  const std::vector<double> p = {0.5, 0.3, 0.1};
  const int depth = 3;
  const nlohmann::json result = tree_of({{"acceptance", p}, {"budget", 9}, {"depth", depth}, {"by_budget", true}});
  const auto& lists = result["by_budget"];
  REQUIRE(lists["best"].size() == 10);
  REQUIRE(lists["chain"].size() == 10);
  REQUIRE(lists["independent_chains"].size() == 10);
  for (int m = 0; m <= 9; ++m) {
    CAPTURE(m);
    const nlohmann::json alone = tree_of({{"acceptance", p}, {"budget", m}, {"depth", depth}});
    CHECK(lists["best"][m].get<double>() == doctest::Approx(alone["expected_tokens"].get<double>()).epsilon(1e-15));
    CHECK(lists["chain"][m].get<double>() == doctest::Approx(chain_value(p[0], std::min(m, depth))).epsilon(1e-15));
    double chains = 1.0;
    for (int n = 1; n <= std::min<int>(3, m); ++n) {
      double first = 0.0;
      for (int b = 0; b < n; ++b) first += p[static_cast<std::size_t>(b)];
      const int length = std::min(depth, m / n);
      chains = std::max(chains, 1.0 + first * (chain_value(p[0], length - 1)));
    }
    CHECK(lists["independent_chains"][m].get<double>() == doctest::Approx(chains).epsilon(1e-15));
  }
  // The last entry is the result itself.
  CHECK(lists["best"][9].get<double>() == result["expected_tokens"].get<double>());
}

TEST_CASE("by_budget: absent unless asked, and a boolean") {
  CHECK_FALSE(tree_of({{"acceptance", {0.5}}, {"budget", 2}, {"depth", 2}}).contains("by_budget"));
  CHECK_FALSE(tree_of({{"acceptance", {0.5}}, {"budget", 2}, {"depth", 2}, {"by_budget", false}}).contains("by_budget"));
  const SolveOutput output = solve_tree(R"({"acceptance": [0.5], "budget": 2, "depth": 2, "by_budget": 1})");
  CHECK_FALSE(output.ok);
  CHECK(output.text.rfind("by_budget: must be true or false", 0) == 0);
}

}  // namespace mdsd::test
