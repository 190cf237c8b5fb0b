// The JSON boundary of partial lists (api/request, api/result) and of the
// measured acceptance (api/batch_json). Expected values: the full-vector
// solve of the same distributions (itself checked against enumeration), the
// arithmetic of the gaps, and the messages the README promises.
#include "api/batch_json.hpp"
#include "api/solve.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>

namespace mdsd::test {
namespace {

using nlohmann::json;

}  // namespace

TEST_CASE("partial lists in a request: intervals, and a closed list gives the full result") {
  const json lists = {{"target", {{"ids", {0, 1, 2}}, {"probs", {0.5, 0.3, 0.15}}}},
                      {"draft", {{"ids", {0, 1, 3}}, {"probs", {0.4, 0.4, 0.1}}}},
                      {"drafts", 2}};
  const json result = solved(lists);
  CHECK(result.at("vocab").is_null());
  CHECK(std::abs(result.at("unlisted_mass").at("target")[0].get<double>() - 0.05) <= 1e-12);
  CHECK(std::abs(result.at("unlisted_mass").at("draft")[1].get<double>() - 0.1) <= 1e-12);
  for (const char* method : {"with_replacement", "without_replacement", "greedy"}) {
    const json& entry = result.at("optimal").at(method);
    CHECK_FALSE(entry.contains("alpha"));
    CHECK(entry.at("interval")[0].get<double>() <= entry.at("interval")[1].get<double>());
  }
  // top_n drafts tokens 0 and 1, both listed by the target: p(T) = 0.8 exactly.
  CHECK(std::abs(result.at("optimal").at("top_n").at("alpha").get<double>() - 0.8) <= 1e-15);
  CHECK(result.at("verifiers").at("kseq").at("error").get<std::string>().find("needs the full distributions") !=
        std::string::npos);
  CHECK(result.at("verifiers").at("greedy").at("interval") == result.at("optimal").at("greedy").at("interval"));

  // Lists that cover all the mass are the full distributions.
  const json closed = {{"target", {{"ids", {2, 0, 1}}, {"probs", {0.2, 0.5, 0.3}}}},
                       {"draft", {{"ids", {1, 0, 2}}, {"logprobs", {std::log(0.5), std::log(0.2), std::log(0.3)}}}},
                       {"drafts", 2}, {"vocab", 3}};
  const json full = solved({{"target", {0.5, 0.3, 0.2}}, {"draft", {0.2, 0.5, 0.3}}, {"drafts", 2}});
  const json same = solved(closed);
  for (const char* method : {"with_replacement", "without_replacement", "greedy", "top_n"}) {
    CAPTURE(method);
    CHECK(std::abs(same.at("optimal").at(method).at("alpha").get<double>() -
                   full.at("optimal").at(method).at("alpha").get<double>()) <= 1e-12);
    CHECK(same.at("optimal").at(method).at("certificate") == full.at("optimal").at(method).at("certificate"));
  }
  // A full side and a listed side: the listed one is bounded against it.
  const json mixed = solved({{"target", {0.5, 0.3, 0.2, 0.0}}, {"draft", {{"ids", {0, 1}}, {"probs", {0.6, 0.3}}}},
                             {"drafts", 1}, {"verifiers", json::array()}});
  CHECK(mixed.at("vocab") == 4);
  // n = 1: sum min(p, q) over completions q = (0.6, 0.3, x, 0.1 - x): from 0.8 (x = 0) to 0.9 (x = 0.1).
  CHECK(std::abs(mixed.at("optimal").at("with_replacement").at("interval")[0].get<double>() - 0.8) <= 1e-9);
  CHECK(std::abs(mixed.at("optimal").at("with_replacement").at("interval")[1].get<double>() - 0.9) <= 1e-9);
}

TEST_CASE("partial lists: bad input names the field") {
  const json draft = {{"ids", {0, 1}}, {"probs", {0.5, 0.3}}};
  CHECK(solve_error({{"target", {{"ids", {0, 1}}}}, {"draft", draft}, {"drafts", 1}}) ==
        "target: a list of ids needs exactly one of \"logprobs\" and \"probs\"");
  CHECK(solve_error({{"target", {{"ids", {0, -1}}, {"probs", {0.5, 0.3}}}}, {"draft", draft}, {"drafts", 1}}) ==
        "target.ids[1]: must be an integer from 0 to 4194303, got -1");
  CHECK(solve_error({{"target", {{"ids", {0, 1}}, {"probs", {0.5, 0.3}}, {"logits", {1, 2}}}}, {"draft", draft}, {"drafts", 1}}) ==
        "target: give \"logits\" or \"ids\", not both");
  CHECK(solve_error({{"target", {{"logits", {1, 2}}, {"unlisted", "any"}}}, {"draft", draft}, {"drafts", 1}}) ==
        "target.unlisted: goes with \"ids\" (a list of some tokens), not with \"logits\"");
  CHECK(solve_error({{"target", {{"ids", {0, 1}}, {"probs", {0.5, 0.3}}, {"unlisted", "some"}}}, {"draft", draft}, {"drafts", 1}}) ==
        "target.unlisted: must be \"top_k\", \"any\" or {\"at_most_logprob\": x}, got \"some\"");
  CHECK(solve_error({{"target", {0.5, 0.5, 0.0}}, {"draft", draft}, {"drafts", 1}, {"vocab", 4}}) ==
        "target: has 3 tokens but vocab = 4");
  CHECK(solve_error({{"target", {{"ids", {0, 7}}, {"probs", {0.5, 0.3}}}}, {"draft", draft}, {"drafts", 1}, {"vocab", 4}}) ==
        "target.ids[1]: token id 7 is outside the vocabulary of 4 tokens");
  CHECK(solve_error({{"target", draft}, {"draft", draft}, {"drafts", 1}, {"lp", true}}) ==
        "lp: needs the full distributions; a list of some tokens gives bounds only");
  CHECK(solve_error({{"target", draft}, {"draft", draft}, {"drafts", 1}, {"simulate", {{"samples", 10}}}}) ==
        "simulate: needs the full distributions; a list of some tokens gives bounds only");
  CHECK(solve_error({{"target", draft}, {"draft_joint", {{{"drafts", {0}}, {"prob", 1}}}}}) ==
        "target: draft_joint needs the full target distribution, not a list of some tokens");
}

TEST_CASE("measured acceptance: parsed, checked against the sweep, and set beside the bounds") {
  auto settings = parse_batch_settings(
      {{"drafts", {1, 2}},
       {"measured", {{{"steps", 1000}, {"accepted", {880, 610}}, {"drafts", 2}, {"verifier", "kseq"}}, {{"per_position", {0.5}}}}}});
  REQUIRE_MESSAGE(settings.ok(), settings.error());
  REQUIRE(settings.value().measured.size() == 2);
  CHECK(settings.value().measured[0].per_position == std::vector<double>{0.88, 0.61});
  BatchAccumulator batch(settings.value());
  for (const auto& [p, q] : {std::pair{vector_of({0.5, 0.3, 0.2}), vector_of({0.2, 0.5, 0.3})},
                             std::pair{vector_of({0.6, 0.2, 0.2}), vector_of({0.3, 0.3, 0.4})}}) {
    DistributionSpec target, draft;
    target.values = p;
    draft.values = q;
    auto values = compute_position(settings.value(), target, draft, "test");
    REQUIRE(values.ok());
    batch.add(std::move(values).value());
  }
  const auto summary = batch_summary_json(batch.summary(), settings.value());
  const auto& measured = summary.at("measured");
  REQUIRE(measured.size() == 2);
  // The first entry is tied to n = 2 and names kseq: one comparison, one verifier.
  const auto& first = measured[0];
  CHECK(std::abs(first.at("conditional")[1].get<double>() - 0.61 / 0.88) <= 1e-15);
  REQUIRE(first.at("comparisons").size() == 1);
  const auto& comparison = first.at("comparisons")[0];
  CHECK(comparison.at("drafts") == 2);
  CHECK(comparison.at("verifiers").size() == 1);
  const double kseq = summary.at("sweep")[1].at("mean").at("verifiers").at("kseq").at("alpha").get<double>();
  CHECK(comparison.at("verifiers").at("kseq").at("alpha").get<double>() == kseq);
  CHECK(std::abs(comparison.at("verifiers").at("kseq").at("gap").get<double>() - (kseq - 0.88)) <= 1e-15);
  const double with = summary.at("sweep")[1].at("mean").at("optimal").at("with_replacement").at("alpha").get<double>();
  CHECK(std::abs(comparison.at("optimal").at("with_replacement").at("gap").get<double>() - (with - 0.88)) <= 1e-15);
  CHECK(comparison.at("optimal").at("with_replacement").at("positions") == 2);
  // The second applies to every setting.
  CHECK(measured[1].at("comparisons").size() == 2);

  const auto message = [](const json& value) {
    auto parsed = parse_batch_settings(value);
    REQUIRE_FALSE(parsed.ok());
    return parsed.error();
  };
  CHECK(message({{"drafts", 2}, {"measured", {0.5, 0.7}}}) ==
        "settings.measured[1]: 0.7 is above the rate of position 1 (0.5); a draft is accepted only after the ones before it");
  CHECK(message({{"drafts", 2}, {"measured", {{{"per_position", {0.5}}, {"drafts", 3}}}}}) ==
        "measured: drafts = 3 is not a setting of the sweep");
  CHECK(message({{"drafts", 2}, {"measured", {{{"steps", 10}, {"accepted", {11}}}}}}) ==
        "settings.measured[0].accepted[0]: must be an integer from 0 to 10, got 11 (the number of steps)");
  CHECK(message({{"drafts", 2}, {"measured", {{{"rate", 0.5}}}}}) ==
        "settings.measured[0].rate: unknown key (expected per_position, or steps and accepted; drafts, temperature, verifier)");
  CHECK(message({{"drafts", 2}, {"measured", 1.5}}) == "settings.measured: must be a number from 0 to 1, got 1.5");
}

}  // namespace mdsd::test

namespace mdsd::test {

TEST_CASE("values known to a tolerance: the interval holds alpha* of the true distributions") {
  // The true log-probabilities, then each moved by up to delta (and all by
  // one constant, which the softmax cancels), as llama.cpp's quantisation does.
  std::mt19937_64 rng(77);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  int checked = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int vocab = 4 + trial % 9, n = 1 + trial % 3;
    const double delta = trial % 2 == 0 ? 1e-4 : 3e-3;
    std::vector<double> target_logits(vocab), draft_logits(vocab), target_seen(vocab), draft_seen(vocab);
    for (int i = 0; i < vocab; ++i) {
      target_logits[i] = 3.0 * unit(rng);
      draft_logits[i] = target_logits[i] + unit(rng);
      target_seen[i] = target_logits[i] + delta * unit(rng) + 0.25;
      draft_seen[i] = draft_logits[i] + delta * unit(rng) - 1.5;
    }
    const json truth = solved({{"target", {{"logits", target_logits}}}, {"draft", {{"logits", draft_logits}}},
                               {"drafts", n}, {"verifiers", json::array()}});
    const json seen = solved({{"target", {{"logits", target_seen}, {"log_tolerance", delta}}},
                              {"draft", {{"logits", draft_seen}, {"log_tolerance", delta}}},
                              {"drafts", n}, {"verifiers", {"kseq"}}});
    CAPTURE(trial);
    for (const auto& [method, entry] : seen.at("optimal").items()) {
      CAPTURE(method);
      if (entry.contains("error")) {
        CHECK((method == "greedy" || method == "top_n"));  // near-ties within the tolerance
        continue;
      }
      const double alpha = truth.at("optimal").at(method).at("alpha").get<double>();
      CHECK(entry.at("interval")[0].get<double>() <= alpha);
      CHECK(alpha <= entry.at("interval")[1].get<double>());
      ++checked;
    }
    // Other verifiers: their value on the decoded values, said so.
    CHECK(seen.at("verifiers").at("kseq").at("on_decoded_values") == true);
  }
  CHECK(checked > 180);
  CHECK(solve_error({{"target", {{"logits", {1, 2}}, {"log_tolerance", 2}}}, {"draft", {0.5, 0.5}}, {"drafts", 1}}) ==
        "target.log_tolerance: must be a number of nats from 0 to 1, got 2");
  CHECK(solve_error({{"target", {{"logits", {1, 2}}, {"log_tolerance", 1e-3}, {"top_k", 1}}}, {"draft", {0.5, 0.5}}, {"drafts", 1}}) ==
        "target.log_tolerance: top_k and top_p need exact values; these are known to 0.001 nats");
}

}  // namespace mdsd::test

namespace mdsd::test {

// The red team's cases (each a completion it built by hand, alpha* by the
// full-vector path): the bounds must hold them, or refuse.
TEST_CASE("partial lists: ties at the cap, overflow and tiny temperatures stay honest") {
  // A listed token tied with the cap (the smallest listed value) stays tied
  // under any temperature: an unlisted token with a lower id may be a draft.
  const json tied = solved({{"draft", {{"ids", {7, 2}}, {"probs", {0.511585474424284, 0.12941079621578452}}, {"temperature", 0.7}}},
                            {"target", {{"ids", {1, 7}}, {"probs", {0.5, 0.5}}}}, {"drafts", 2}, {"methods", {"top_n"}},
                            {"verifiers", json::array()}, {"vocab", 10}});
  CHECK(tied.at("optimal").at("top_n").at("error").get<std::string>().find("does not determine") != std::string::npos);
  // A tempered unlisted total far above the listed: no overflow, and the
  // completion with the rest on one token (alpha* = 0) is inside.
  const json hot = solved({{"target", {{"ids", {0}}, {"probs", {1e-5}}, {"unlisted", "any"}, {"temperature", 0.01}}},
                           {"draft", {0.4, 0.4, 0.2, 0, 0, 0, 0, 0, 0, 0}}, {"drafts", 2}, {"verifiers", json::array()}});
  CHECK(hot.at("unlisted_mass").at("target")[1].get<double>() == 1.0);
  for (const auto& [method, entry] : hot.at("optimal").items()) {
    CAPTURE(method);
    CHECK(entry.at("interval")[0].get<double>() == 0.0);
    CHECK(entry.at("interval")[1].is_number());
  }
  // T = 1e-16: the listed 0.5 and an unlisted token of 0.5 both survive; the
  // completion p = (0.5, 0.5, 0) against q = (0, 1, 0) gives 0.5.
  const json cold = solved({{"target", {{"ids", {0}}, {"probs", {0.5}}, {"temperature", 1e-16}}},
                            {"draft", {{"logits", {-1e9, 0, -1e9}}}}, {"drafts", 1}, {"vocab", 3}, {"verifiers", json::array()}});
  CHECK(cold.at("optimal").at("with_replacement").at("interval")[1].get<double>() >= 0.5);
  // ceil(u / cap) rounded up past a whole number used to promise a draft token
  // the data does not guarantee.
  const json support = solved({{"draft", {{"ids", {3, 0}}, {"probs", {0.7241111427475551, 0.24774097492514066}},
                                          {"temperature", 2.9358678580335718}}},
                               {"target", {0.2, 0.2, 0.2, 0.2, 0.2}}, {"drafts", 4}, {"methods", {"without_replacement"}},
                               {"verifiers", json::array()}});
  CHECK(support.at("optimal").at("without_replacement").contains("error"));
}

TEST_CASE("dataset: a sweep's temperature and a position's own cannot both be given") {
  BatchSettings settings;
  settings.drafts = {1};
  settings.temperatures = {0.5};
  DistributionSpec target, draft;
  target.kind = draft.kind = DistributionSpec::Kind::logits;
  target.values = draft.values = vector_of({0.0, 1.0});
  target.temperature = 2.0;
  auto values = compute_position(settings, target, draft, "x.jsonl:1");
  REQUIRE_FALSE(values.ok());
  CHECK(values.error() == "x.jsonl:1: target.temperature: the sweep sets the temperature; this position gives its own (2): remove one of the two");
}

}  // namespace mdsd::test
