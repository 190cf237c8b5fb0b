// api/solve (with api/result): request text in, result JSON out.
#include "api/solve.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace mdsd::test {
namespace {

using nlohmann::json;

}  // namespace

TEST_CASE("solve reproduces tests/data/small.jsonl, and its LP agrees") {
  for (const SharedCase& entry : load_small_cases()) {
    CAPTURE(entry.line);
    const json request = {{"target", entry.target}, {"draft", entry.draft},
                          {"drafts", entry.drafts}, {"lp", true}};
    const json result = solved(request);
    CHECK(result.at("vocab") == entry.target.size());
    CHECK(result.at("drafts") == entry.drafts);
    REQUIRE(result.at("warnings").is_array());
    for (const auto& warning : result.at("warnings")) {
      // Inputs that do not sum to 1 are normalised with a warning; the LP and
      // the fast path must never disagree.
      CHECK_FALSE(contains(warning.get<std::string>(), "differs"));
    }
    for (DraftMethod method : kSampledMethods) {
      const std::string name(method_name(method));
      CAPTURE(name);
      const json& expected = entry.expected_optimal.at(name);
      const json& optimal = result.at("optimal").at(name);
      const json& lp = result.at("lp").at(name);
      if (expected.contains("error")) {
        CHECK(optimal.at("error").is_string());
        CHECK_FALSE(optimal.contains("alpha"));
        CHECK(lp.at("error").is_string());
        continue;
      }
      const double alpha = optimal.at("alpha").get<double>();
      CHECK(std::abs(alpha - expected.at("alpha").get<double>()) <= kExact);
      CHECK(std::abs(alpha - (1.0 + optimal.at("certificate_target_mass").get<double>() -
                              optimal.at("certificate_draft_mass").get<double>())) <= kExact);
      CHECK(optimal.at("certificate_size") == optimal.at("certificate").size());
      CHECK(lp.at("status") == "optimal");
      CHECK(std::abs(lp.at("alpha").get<double>() - alpha) <= kExact);
      CHECK(std::abs(lp.at("certificate_alpha").get<double>() - alpha) <= kExact);
    }
  }
}

TEST_CASE("only the methods asked for, and no LP unless asked") {
  const json result = solved({{"target", {0.3, 0.4, 0.3}},
                              {"draft", {0.6, 0.3, 0.1}},
                              {"drafts", 2},
                              {"methods", {"greedy"}}});
  CHECK(result.at("warnings").empty());
  CHECK(result.at("optimal").size() == 1);
  CHECK(std::abs(result.at("optimal").at("greedy").at("alpha").get<double>() - 0.95) <= kExact);
  CHECK_FALSE(result.contains("lp"));
}

TEST_CASE("an LP over lp.max_columns is an error entry, the rest is still solved") {
  // with replacement, V = 3, n = 2: sets {0},{1},{2} and three pairs, 9 columns.
  const json result = solved({{"target", {0.3, 0.4, 0.3}},
                              {"draft", {0.6, 0.3, 0.1}},
                              {"drafts", 2},
                              {"methods", {"with_replacement"}},
                              {"lp", {{"max_columns", 8}}}});
  const std::string error = result.at("lp").at("with_replacement").at("error");
  CHECK(contains(error, "lp.max_columns"));
  CHECK(contains(error, "8"));
  CHECK(std::abs(result.at("optimal").at("with_replacement").at("alpha").get<double>() - 0.89) <=
        kExact);

  const json fits = solved({{"target", {0.3, 0.4, 0.3}},
                            {"draft", {0.6, 0.3, 0.1}},
                            {"drafts", 2},
                            {"methods", {"with_replacement"}},
                            {"lp", {{"max_columns", 9}}}});
  CHECK(fits.at("lp").at("with_replacement").at("columns") == 9);
  CHECK(std::abs(fits.at("lp").at("with_replacement").at("alpha").get<double>() - 0.89) <= kExact);
}

TEST_CASE("draft_joint is solved by the LP as lp.joint") {
  // The without-replacement law of q = (.6, .3, .1), n = 2, given as explicit
  // ordered tuples from the independent enumeration: README mathematics §6 row 1.
  json joint = json::array();
  for (const auto& [tuple, mass] :
       brute_tuple_law(vector_of({.6, .3, .1}), 2, DraftMethod::without_replacement)) {
    joint.push_back({{"drafts", tuple}, {"prob", mass}});
  }
  const json result = solved({{"target", {0.3, 0.4, 0.3}}, {"draft_joint", joint}});
  CHECK_FALSE(result.contains("optimal"));
  const json& lp = result.at("lp").at("joint");
  CHECK(lp.at("status") == "optimal");
  CHECK(std::abs(lp.at("alpha").get<double>() - 0.9928571429) <= kExact);
  CHECK(result.at("vocab") == 3);
  CHECK(result.at("drafts") == 2);

  // By hand: sets {0} and {0, 1} with mass 1/2 each, p = (1/2, 1/2): token 1
  // can only be matched in {0, 1} and token 0 in {0}: alpha = 1.
  const json simple = solved({{"target", {0.5, 0.5}},
                              {"draft_joint", {{{"drafts", {0}}, {"prob", 0.5}},
                                               {{"drafts", {1, 0}}, {"prob", 0.5}}}}});
  CHECK(std::abs(simple.at("lp").at("joint").at("alpha").get<double>() - 1.0) <= kExact);
  // And p = (0, 1): only {0, 1} holds token 1: alpha = 1/2.
  const json half = solved({{"target", {0, 1}},
                            {"draft_joint", {{{"drafts", {0}}, {"prob", 0.5}},
                                             {{"drafts", {1, 0}}, {"prob", 0.5}}}}});
  CHECK(std::abs(half.at("lp").at("joint").at("alpha").get<double>() - 0.5) <= kExact);
}

TEST_CASE("a masked draft token cannot be drafted") {
  // Draft logits (0, -Infinity): one possible draft token, so n = 2 without
  // replacement or greedy does not apply (README mathematics §1).
  const json result = solved({{"target", {0.5, 0.5}},
                              {"draft", {{"logits", {0.0, "-Infinity"}}}},
                              {"drafts", 2}});
  CHECK(result.at("optimal").at("without_replacement").contains("error"));
  CHECK(result.at("optimal").at("greedy").contains("error"));
  // With replacement both drafts are token 0: alpha = p_0 = 1/2.
  CHECK(std::abs(result.at("optimal").at("with_replacement").at("alpha").get<double>() - 0.5) <=
        kExact);
}

TEST_CASE("a bad request is one message, not a result") {
  const SolveOutput output = solve(R"({"target": [0.3, 0.4, 0.3], "draft": [1, 1], "drafts": 2})");
  CHECK_FALSE(output.ok);
  CHECK(starts_with(output.text, "draft: "));
  const SolveOutput broken = solve("{");
  CHECK_FALSE(broken.ok);
  CHECK(starts_with(broken.text, "request: not valid JSON"));
}

TEST_CASE("an injected GLPK error is the cross-check's error entry and the next solve is right") {
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    const json failed = solved({{"target", {0.3, 0.4, 0.3}},
                                {"draft", {0.6, 0.3, 0.1}},
                                {"drafts", 2},
                                {"methods", {"without_replacement"}},
                                {"lp", {{"inject_glpk_error", true}}}});
    const json& entry = failed.at("lp").at("without_replacement");
    // The max-flow answers; only the GLPK cross-check failed.
    CHECK(entry.at("solver") == "max_flow");
    CHECK(std::abs(entry.at("alpha").get<double>() - 0.9928571429) <= kExact);
    CHECK(entry.at("glpk").at("solver") == "glpk");
    CHECK(contains(entry.at("glpk").at("error").get<std::string>(), "GLPK reported an internal error"));
    const json good = solved({{"target", {0.3, 0.4, 0.3}},
                              {"draft", {0.6, 0.3, 0.1}},
                              {"drafts", 2},
                              {"methods", {"without_replacement"}},
                              {"lp", {{"glpk", true}}}});
    const json& glpk = good.at("lp").at("without_replacement").at("glpk");
    CHECK(glpk.at("solver") == "glpk");
    CHECK(glpk.at("status") == "optimal");
    CHECK(std::abs(glpk.at("alpha").get<double>() - 0.9928571429) <= kExact);
    CHECK(std::abs(glpk.at("alpha_difference").get<double>()) <= kExact);
  }
}

TEST_CASE("lp entries name their solver; GLPK only with lp.glpk, within lp.glpk_max_columns") {
  const json base = {{"target", {0.3, 0.4, 0.3}}, {"draft", {0.6, 0.3, 0.1}}, {"drafts", 2}};
  json plain = base;
  plain["lp"] = true;
  const json without = solved(plain);
  for (const auto& [name, entry] : without.at("lp").items()) {
    CAPTURE(name);
    CHECK(entry.at("solver") == "max_flow");
    CHECK_FALSE(entry.contains("glpk"));
  }
  json checked = base;
  checked["lp"] = {{"glpk", true}};
  const json with = solved(checked);
  CHECK(with.at("warnings").empty());
  for (const auto& [name, entry] : with.at("lp").items()) {
    CAPTURE(name);
    CHECK(entry.at("solver") == "max_flow");
    CHECK(entry.at("glpk").at("solver") == "glpk");
    CHECK(std::abs(entry.at("glpk").at("alpha").get<double>() - entry.at("alpha").get<double>()) <= kExact);
  }
  // with_replacement has 3 + 2 * 3 = 9 columns: over a GLPK limit of 8, the
  // max-flow still answers.
  checked["lp"] = {{"glpk", true}, {"glpk_max_columns", 8}};
  checked["methods"] = {"with_replacement"};
  const json over = solved(checked);
  const json& entry = over.at("lp").at("with_replacement");
  CHECK(std::abs(entry.at("alpha").get<double>() - 0.89) <= kExact);
  CHECK(contains(entry.at("glpk").at("error").get<std::string>(), "lp.glpk_max_columns"));
}

}  // namespace mdsd::test
