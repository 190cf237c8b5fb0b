// calculation/verifier_report through mdsd::solve(): the "verifiers" and "simulation"
// blocks of the result, and the request errors of "verifiers" and "simulate".
#include "calculation/verifier_report.hpp"

#include "api/solve.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace mdsd::test {
namespace {

using nlohmann::json;

constexpr double kZ95 = 1.959963984540054;
// The Monte Carlo estimate's steps (README.md "Verifiers").
constexpr std::int64_t kEstimateSamples = 200'000;
// A gap may be negative only by rounding.
constexpr double kGapRounding = 1e-12;

const char* const kNames[] = {"rrs_with_replacement", "rrs_without_replacement", "kseq",
                              "greedy",               "spechub",                 "optimal_lp",
                              "optimal_with_replacement"};

double number(const json& value) { return value.get<double>(); }

// The shape every successful "verifiers".<name> entry has, and its gap to the
// same result's alpha* of its draft method.
void check_entry(const json& result, const std::string& name, const json& entry) {
  CAPTURE(name);
  REQUIRE(entry.contains("alpha"));
  const std::string method = entry.at("draft_method");
  const bool with_replacement =
      name == "rrs_with_replacement" || name == "kseq" || name == "optimal_with_replacement";
  const std::string expected_method = with_replacement                                 ? "with_replacement"
                                      : name == "greedy" || name == "spechub"          ? "greedy"
                                                                                       : "without_replacement";
  CHECK(method == expected_method);
  const double alpha = number(entry.at("alpha"));
  CHECK(alpha >= 0.0);
  CHECK(alpha <= 1.0 + kRounding);  // the LP's optimum can exceed 1 by an ulp
  const double optimum = number(result.at("optimal").at(method).at("alpha"));
  CHECK(std::abs(number(entry.at("gap")) - (optimum - alpha)) <= kRounding);
  CHECK(number(entry.at("gap")) >= -kGapRounding);
  CHECK(entry.contains("rho") == (name == "kseq"));
  const bool exact = entry.at("exact");
  CHECK(entry.contains("ci95") == !exact);
  CHECK(entry.contains("samples") == !exact);
}

}  // namespace

TEST_CASE("solve's verifiers reproduce tests/data/small.jsonl") {
  for (const SharedVerifierCase& entry : load_small_verifier_cases()) {
    CAPTURE(entry.line);
    // No "verifiers" key, with "lp": all eight are reported.
    const json result = solved(
        {{"target", entry.target}, {"draft", entry.draft}, {"drafts", entry.drafts}, {"lp", true}});
    const json& verifiers = result.at("verifiers");
    CHECK(verifiers.size() == 8);
    const json& expected = entry.expected_verifiers;
    const json& optimal = entry.expected_optimal;
    for (const char* name : kNames) {
      const std::string n_name = name;
      CAPTURE(n_name);
      REQUIRE(verifiers.contains(name));
      const json& got = verifiers.at(name);
      // Which entries must be errors: SpecHub unless n = 2, and everything
      // that drafts without replacement or greedily when the support is < n.
      const bool needs_support =
          n_name != "rrs_with_replacement" && n_name != "kseq" && n_name != "optimal_with_replacement";
      const bool short_support = optimal.at("without_replacement").contains("error");
      if ((n_name == "spechub" && entry.drafts != 2) || (needs_support && short_support)) {
        CHECK(got.at("error").is_string());
        CHECK_FALSE(got.contains("alpha"));
        continue;
      }
      REQUIRE_MESSAGE(got.contains("alpha"), got.dump());
      check_entry(result, name, got);
      CHECK(got.at("exact") == true);
      const double alpha = number(got.at("alpha"));
      if (expected.contains(name)) {
        CHECK(std::abs(alpha - number(expected.at(name).at("alpha"))) <= kExact);
      }
      if (n_name == "kseq") CHECK(std::abs(number(got.at("rho")) - number(expected.at("kseq").at("rho"))) <= kExact);
      if (n_name == "greedy" || n_name == "spechub") {
        CHECK(std::abs(alpha - number(optimal.at("greedy").at("alpha"))) <= kExact);
        CHECK(std::abs(number(got.at("gap"))) <= kExact);
      }
      if (n_name == "optimal_lp") {
        CHECK(std::abs(alpha - number(optimal.at("without_replacement").at("alpha"))) <= kExact);
      }
      if (n_name == "optimal_with_replacement") {
        CHECK(std::abs(alpha - number(optimal.at("with_replacement").at("alpha"))) <= kExact);
      }
    }
  }
}

TEST_CASE("a large support makes RRS without replacement a Monte Carlo estimate with ci95 and samples") {
  // V = 300, n = 4: about S^3 > 4e6 recursion steps, so not exact.
  std::mt19937_64 rng(1001);
  const Eigen::VectorXd p = random_distribution(rng, 300), q = random_distribution(rng, 300);
  REQUIRE(std::pow(support_size(q), 3) > 4e6);
  const std::vector<double> target(p.data(), p.data() + p.size()), draft(q.data(), q.data() + q.size());
  const json request = {{"target", target},
                        {"draft", draft},
                        {"drafts", 4},
                        {"verifiers", {"rrs_without_replacement", "rrs_with_replacement"}},
                        {"simulate", {{"samples", kEstimateSamples}, {"seed", 17}}}};
  const json result = solved(request);
  const json& entry = result.at("verifiers").at("rrs_without_replacement");
  check_entry(result, "rrs_without_replacement", entry);
  CHECK(entry.at("exact") == false);
  CHECK(entry.at("samples") == kEstimateSamples);
  const double alpha = number(entry.at("alpha"));
  const auto accepted = static_cast<std::int64_t>(std::llround(alpha * kEstimateSamples));
  const auto wilson = wilson_interval(accepted, kEstimateSamples, kZ95);
  CHECK(std::abs(number(entry.at("ci95")[0]) - wilson[0]) <= kRounding);
  CHECK(std::abs(number(entry.at("ci95")[1]) - wilson[1]) <= kRounding);
  // The estimate uses simulate's seed: with as many samples it is the
  // simulation's acceptance exactly.
  CHECK(number(result.at("simulation").at("rrs_without_replacement").at("acceptance")) == alpha);
  // Only the one that needs it is an estimate.
  CHECK(result.at("verifiers").at("rrs_with_replacement").at("exact") == true);
  CHECK_FALSE(result.at("verifiers").at("rrs_with_replacement").contains("ci95"));
}

TEST_CASE("spechub with n != 2 is an error entry, in verifiers and simulation; the rest is solved") {
  const json result = solved({{"target", {.1, .2, .3, .4}},
                              {"draft", {.4, .3, .2, .1}},
                              {"drafts", 3},
                              {"verifiers", {"spechub", "greedy"}},
                              {"simulate", {{"samples", 1000}}}});
  const json& spechub = result.at("verifiers").at("spechub");
  REQUIRE(spechub.size() == 1);
  CHECK(contains(spechub.at("error").get<std::string>(), "n = 2"));
  CHECK(result.at("simulation").at("spechub").at("error") == spechub.at("error"));
  CHECK(std::abs(number(result.at("verifiers").at("greedy").at("alpha")) - 0.9333333333) <= kTheoryDigits);
  CHECK(result.at("simulation").at("greedy").at("samples") == 1000);
}

TEST_CASE("simulate: counts, intervals and fit of every verifier; same seed, same counts") {
  const Eigen::VectorXd p = vector_of({.6, .2, .1, .05, .05}), q = vector_of({.3, .3, .2, .1, .1});
  constexpr std::int64_t kSamples = 50'000;
  const json request = {{"target", {.6, .2, .1, .05, .05}},
                        {"draft", {.3, .3, .2, .1, .1}},
                        {"drafts", 2},
                        {"verifiers", kNames},
                        {"simulate", {{"samples", kSamples}, {"seed", 5}}}};
  const json result = solved(request);
  const json& simulation = result.at("simulation");
  CHECK(simulation.size() == 7);
  for (const std::string name : kNames) {
    CAPTURE(name);
    const json& run = simulation.at(name);
    REQUIRE_MESSAGE(run.contains("samples"), run.dump());
    CHECK(run.at("samples") == kSamples);
    const auto counts = run.at("output_counts").get<std::vector<std::int64_t>>();
    REQUIRE(counts.size() == 5);
    std::int64_t total = 0;
    for (std::int64_t count : counts) total += count;
    CHECK(total == kSamples);
    for (const char* key : {"acceptance", "hit_rate"}) {
      CAPTURE(key);
      const double rate = number(run.at(key));
      const auto successes = static_cast<std::int64_t>(std::llround(rate * kSamples));
      const auto wilson = wilson_interval(successes, kSamples, kZ95);
      const json& interval = run.at(std::string(key) + "_ci95");
      CHECK(std::abs(number(interval[0]) - wilson[0]) <= kRounding);
      CHECK(std::abs(number(interval[1]) - wilson[1]) <= kRounding);
    }
    CHECK(number(run.at("hit_rate")) >= number(run.at("acceptance")));
    // The exact acceptance lies in the 99.9% interval of the run.
    const double exact = number(result.at("verifiers").at(name).at("alpha"));
    const auto accepted = static_cast<std::int64_t>(std::llround(number(run.at("acceptance")) * kSamples));
    const auto interval = wilson_interval(accepted, kSamples, kZ999);
    CHECK(interval[0] <= exact + kRounding);
    CHECK(exact <= interval[1] + kRounding);
    // The reported fit is the independent one, and the output keeps p.
    const Fit fit = pearson_fit(counts, std::vector<double>(p.data(), p.data() + p.size()));
    CHECK(run.at("chi2_degrees_of_freedom") == fit.degrees_of_freedom);
    CHECK(std::abs(number(run.at("chi2_statistic")) - fit.statistic) <= 1e-9 * (1.0 + fit.statistic));
    CHECK(std::abs(number(run.at("chi2_p_value")) - fit.p_value) <= 1e-9);
    CHECK(number(run.at("chi2_p_value")) > kPassP);
  }
  const json again = solved(request);
  json other_request = request;
  other_request["simulate"]["seed"] = 6;
  const json other = solved(other_request);
  for (const std::string name : kNames) {
    CAPTURE(name);
    CHECK(again.at("simulation").at(name).at("output_counts") == simulation.at(name).at("output_counts"));
    CHECK(other.at("simulation").at(name).at("output_counts") != simulation.at(name).at("output_counts"));
  }
}

TEST_CASE("verifiers: an empty list reports none, duplicates once, absent means all (optimal_lp with lp)") {
  const json base = {{"target", {.3, .4, .3}}, {"draft", {.6, .3, .1}}, {"drafts", 2}};
  json none = base;
  none["verifiers"] = json::array();
  CHECK_FALSE(solved(none).contains("verifiers"));
  json twice = base;
  twice["verifiers"] = {"kseq", "kseq"};
  const json result = solved(twice);
  CHECK(result.at("verifiers").size() == 1);
  CHECK(std::abs(number(result.at("verifiers").at("kseq").at("alpha")) - 0.84) <= kTheoryDigits);
  CHECK(std::abs(number(result.at("verifiers").at("kseq").at("rho")) - 1.4) <= kTheoryDigits);
  const json defaults = solved(base);
  CHECK(defaults.at("verifiers").size() == 7);
  CHECK_FALSE(defaults.at("verifiers").contains("optimal_lp"));
  CHECK_FALSE(defaults.contains("simulation"));
  json with_lp = base;
  with_lp["lp"] = true;
  CHECK(solved(with_lp).at("verifiers").size() == 8);
}

TEST_CASE("verifiers and simulate request errors name the field") {
  const json base = {{"target", {.3, .4, .3}}, {"draft", {.6, .3, .1}}, {"drafts", 2}};
  const auto with = [&](const char* key, const json& value) {
    json request = base;
    request[key] = value;
    return solve_error(request);
  };
  CHECK(starts_with(with("verifiers", "kseq"), "verifiers: "));
  CHECK(starts_with(with("verifiers", json{{"kseq", true}}), "verifiers: "));
  const std::string unknown = with("verifiers", {"rrs"});
  CHECK(starts_with(unknown, "verifiers[0]: "));
  CHECK(contains(unknown, "unknown verifier \"rrs\""));
  CHECK(starts_with(with("verifiers", {"kseq", "nope"}), "verifiers[1]: "));
  CHECK(starts_with(with("verifiers", {1}), "verifiers[0]: "));

  CHECK(starts_with(with("simulate", 5), "simulate: "));
  CHECK(starts_with(with("simulate", json::object()), "simulate.samples: is missing"));
  for (const json& samples : {json(0), json(-3), json(100'000'001), json(1.5), json("10")}) {
    CAPTURE(samples.dump());
    CHECK(starts_with(with("simulate", {{"samples", samples}}), "simulate.samples: "));
  }
  CHECK(starts_with(with("simulate", {{"samples", 10}, {"seed", -1}}), "simulate.seed: "));
  CHECK(starts_with(with("simulate", {{"samples", 10}, {"seed", 0.5}}), "simulate.seed: "));
  const std::string key = with("simulate", {{"samples", 10}, {"sed", 1}});
  CHECK(starts_with(key, "simulate.sed: "));
  CHECK(contains(key, "unknown key"));
  // The limit itself and seed 0 are accepted (checked through parse_request,
  // so that 1e8 samples are not run).
  CHECK(parse_request({{"target", {.5, .5}}, {"draft", {.5, .5}}, {"drafts", 1},
                       {"simulate", {{"samples", 100'000'000}, {"seed", 0}}}}).ok());

  // draft_joint has no draft law to verify.
  const json joint = {{"target", {.5, .5}},
                      {"draft_joint", {{{"drafts", {0}}, {"prob", 1.0}}}},
                      {"verifiers", {"kseq"}}};
  CHECK(starts_with(solve_error(joint), "verifiers: "));
}

}  // namespace mdsd::test
