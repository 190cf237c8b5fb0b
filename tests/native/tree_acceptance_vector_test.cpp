// tree/acceptance_vector: the acceptance at n = 1..B against single solves,
// the sibling vectors against README §6 and nesting, and dataset means.
#include "api/batch_json.hpp"
#include "api/request.hpp"
#include "api/tree_json.hpp"
#include "calculation/calculate.hpp"
#include "support.hpp"
#include "tree/acceptance_vector.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace mdsd::test {
namespace {

Request request_of(const nlohmann::json& json) {
  auto request = parse_request(json);
  REQUIRE_MESSAGE(request.ok(), request.error());
  return request.value();
}

const AcceptanceSeries& verifier_series(const AcceptanceVector& vector, VerifierKind kind) {
  for (std::size_t v = 0; v < vector.verifier_kinds.size(); ++v) {
    if (vector.verifier_kinds[v] == kind) return vector.verifiers[v];
  }
  FAIL("no series");
  return vector.verifiers[0];
}

const SiblingVector& sibling_of(const AcceptanceVector& vector, VerifierKind kind) {
  for (const SiblingVector& sibling : vector.sibling) {
    if (sibling.kind == kind) return sibling;
  }
  FAIL("no sibling vector");
  return vector.sibling[0];
}

}  // namespace

TEST_CASE("the sibling vectors of README §6's first pair: RRS with, without, exact match") {
  // §6: n = 2 and 3 give RRS with 0.82, 0.848 and without 0.875, 1; n = 1 is
  // sum min(p, q) = 0.7. Exact match accepts p(top-n of q): 0.3, 0.7, 1.
  const AcceptanceVector vector = acceptance_vector(
      request_of({{"target", {0.3, 0.4, 0.3}}, {"draft", {0.6, 0.3, 0.1}}, {"drafts", 1}}), 3);
  const std::vector<std::pair<VerifierKind, std::vector<double>>> expected = {
      {VerifierKind::rrs_with_replacement, {0.7, 0.12, 0.028}},
      {VerifierKind::rrs_without_replacement, {0.7, 0.175, 0.125}},
      {VerifierKind::exact_match, {0.3, 0.4, 0.3}}};
  for (const auto& [kind, p] : expected) {
    const SiblingVector& sibling = sibling_of(vector, kind);
    REQUIRE(sibling.p.size() == 3);
    CHECK(sibling.exact);
    for (std::size_t b = 0; b < 3; ++b) CHECK(std::abs(sibling.p[b] - p[b]) <= kTheoryDigits);
  }
  // K-SEQ, greedy and SpecHub do not nest: no sibling vector for them.
  CHECK(vector.sibling.size() == 3);
}

TEST_CASE("every width's value is the single solve at that n") {
  std::mt19937_64 rng(41);
  for (int trial = 0; trial < 12; ++trial) {
    const Instance instance = random_instance(rng, 3, 7, 1, false);
    const std::vector<double> target(instance.target.data(), instance.target.data() + instance.target.size());
    const std::vector<double> draft(instance.draft.data(), instance.draft.data() + instance.draft.size());
    const nlohmann::json base = {{"target", target}, {"draft", draft}, {"drafts", 1}};
    const int width = 5;
    const AcceptanceVector vector = acceptance_vector(request_of(base), width);
    for (int b = 1; b <= width; ++b) {
      nlohmann::json single = base;
      single["drafts"] = b;
      const Result result = calculate(request_of(single));
      for (std::size_t m = 0; m < result.optimal.size(); ++m) {
        const WidthAcceptance& entry = vector.optimal[m].widths[static_cast<std::size_t>(b - 1)];
        CHECK(entry.error.has_value() == !result.optimal[m].rate.ok());
        if (!entry.error) CHECK(entry.alpha == result.optimal[m].rate.value().alpha);
      }
      for (const VerifierReport& report : result.verifiers) {
        if (report.kind == VerifierKind::optimal_lp) continue;
        const WidthAcceptance& entry = verifier_series(vector, report.kind).widths[static_cast<std::size_t>(b - 1)];
        CHECK(entry.error.has_value() == !report.acceptance.ok());
        if (!entry.error) {
          CHECK(entry.alpha == report.acceptance.value().alpha);
          CHECK(entry.exact == report.acceptance.value().exact);
        }
      }
    }
    // Nesting: with exact values, each sibling's chance is >= 0 and they sum to alpha_B.
    for (const SiblingVector& sibling : vector.sibling) {
      if (!sibling.exact || sibling.error) continue;
      double sum = 0.0;
      for (double p : sibling.p) {
        CHECK(p >= 0.0);
        sum += p;
      }
      const AcceptanceSeries& series = verifier_series(vector, sibling.kind);
      CHECK(std::abs(sum - series.widths[sibling.p.size() - 1].alpha) <= kRounding);
      CHECK(!check_sibling_acceptance(sibling.p, "p"));
    }
  }
}

TEST_CASE("without replacement stops at the draft's support, with a note") {
  const AcceptanceVector vector = acceptance_vector(
      request_of({{"target", {0.3, 0.4, 0.3}}, {"draft", {0.7, 0.3, 0.0}}, {"drafts", 1}}), 4);
  const SiblingVector& sibling = sibling_of(vector, VerifierKind::rrs_without_replacement);
  CHECK(sibling.p.size() == 2);
  REQUIRE(sibling.note.has_value());
  CHECK(contains(*sibling.note, "ends at sibling 2"));
  CHECK(sibling_of(vector, VerifierKind::rrs_with_replacement).p.size() == 4);
}

TEST_CASE("a Monte Carlo estimate carries its interval into the sibling vector") {
  // 300 tokens, n = 4: RRS without replacement is estimated (README "Verifiers").
  std::mt19937_64 rng(7);
  std::vector<double> target(300), draft(300);
  std::uniform_real_distribution<double> unit(0.01, 1.0);
  for (int i = 0; i < 300; ++i) {
    target[i] = unit(rng);
    draft[i] = unit(rng);
  }
  const AcceptanceVector vector = acceptance_vector(
      request_of({{"target", target}, {"draft", draft}, {"drafts", 1}, {"verifiers", {"rrs_without_replacement"}}}), 4);
  const AcceptanceSeries& series = vector.verifiers[0];
  const SiblingVector& sibling = sibling_of(vector, VerifierKind::rrs_without_replacement);
  CHECK(series.widths[0].exact);   // n = 1, 2 have formulas
  CHECK(!series.widths[3].exact);  // n = 4 is an estimate
  CHECK(!sibling.exact);
  REQUIRE(sibling.ci95.size() == 4);
  // p[4] = alpha_4 - alpha_3; its interval spans both estimates' intervals.
  // n = 3 may be exact (a point) or an estimate; n = 4 is an estimate.
  const WidthAcceptance& w3 = series.widths[2];
  const std::array<double, 2> a3 = w3.exact ? std::array<double, 2>{w3.alpha, w3.alpha} : *w3.ci95;
  REQUIRE(series.widths[3].ci95.has_value());
  const auto& a4 = *series.widths[3].ci95;
  CHECK(std::abs(sibling.ci95[3][0] - (a4[0] - a3[1])) <= kRounding);
  CHECK(std::abs(sibling.ci95[3][1] - (a4[1] - a3[0])) <= kRounding);
  CHECK(sibling.ci95[3][0] <= sibling.p[3]);
  CHECK(sibling.p[3] <= sibling.ci95[3][1]);
  // Exact widths give a point interval.
  CHECK(sibling.ci95[0][0] == sibling.p[0]);
}

TEST_CASE("partial lists give bounds, labelled, and no sibling vector where they need not nest") {
  const AcceptanceVector vector = acceptance_vector(
      request_of({{"target", {{"ids", {0, 1, 2}}, {"probs", {0.5, 0.3, 0.15}}}},
                  {"draft", {{"ids", {0, 1, 3}}, {"probs", {0.4, 0.4, 0.1}}}},
                  {"drafts", 1}}),
      2);
  bool some_bound = false;
  for (const AcceptanceSeries& series : vector.optimal) {
    for (const WidthAcceptance& entry : series.widths) some_bound = some_bound || entry.bounded;
  }
  CHECK(some_bound);
  for (const SiblingVector& sibling : vector.sibling) {
    if (sibling.kind == VerifierKind::exact_match) {
      // Exact match of top_n gets top_n's interval: a vector only where every
      // width's interval has closed to a value.
      bool bounded = false;
      for (std::size_t v = 0; v < vector.verifier_kinds.size(); ++v) {
        if (vector.verifier_kinds[v] != VerifierKind::exact_match) continue;
        for (const WidthAcceptance& entry : vector.verifiers[v].widths) bounded = bounded || entry.bounded;
      }
      CHECK(sibling.error.has_value() == bounded);
    } else {
      REQUIRE(sibling.error.has_value());  // RRS needs the full distributions
      CHECK(contains(*sibling.error, "needs the full distributions"));
    }
  }
}

TEST_CASE("a dataset's vector: the means per width and p[b] as differences of means") {
  auto settings = parse_batch_settings({{"drafts", {1, 2, 3}}, {"verifiers", {"rrs_with_replacement", "exact_match"}}});
  REQUIRE(settings.ok());
  BatchAccumulator batch(settings.value());
  const std::vector<std::pair<std::vector<double>, std::vector<double>>> pairs = {
      {{0.3, 0.4, 0.3}, {0.6, 0.3, 0.1}}, {{0.5, 0.3, 0.2}, {0.2, 0.3, 0.5}}, {{0.25, 0.25, 0.5}, {0.1, 0.6, 0.3}}};
  std::vector<std::vector<double>> rrs(3, std::vector<double>(3));  // [position][b - 1], from single solves
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    auto position = position_spec({{"target", pairs[k].first}, {"draft", pairs[k].second}});
    REQUIRE(position.ok());
    auto values = compute_position(batch.settings(), position.value().target, position.value().draft, "row");
    REQUIRE(values.ok());
    batch.add(std::move(values).value());
    for (int b = 1; b <= 3; ++b) {
      const Result result = calculate(request_of({{"target", pairs[k].first}, {"draft", pairs[k].second}, {"drafts", b},
                                                  {"verifiers", {"rrs_with_replacement"}}}));
      rrs[k][static_cast<std::size_t>(b - 1)] = result.verifiers[0].acceptance.value().alpha;
    }
  }
  const nlohmann::json summary = nlohmann::json::parse(batch_summary_json(batch.summary(), batch.settings()).dump());
  auto vector = acceptance_vector_from_summary(summary);
  REQUIRE_MESSAGE(vector.ok(), vector.error());
  CHECK(vector.value().max_width == 3);
  const SiblingVector& sibling = sibling_of(vector.value(), VerifierKind::rrs_with_replacement);
  REQUIRE(sibling.p.size() == 3);
  for (int b = 0; b < 3; ++b) {
    double mean = 0.0, before = 0.0;
    for (std::size_t k = 0; k < 3; ++k) {
      mean += rrs[k][static_cast<std::size_t>(b)] / 3.0;
      before += (b == 0 ? 0.0 : rrs[k][static_cast<std::size_t>(b - 1)]) / 3.0;
    }
    CHECK(std::abs(sibling.p[static_cast<std::size_t>(b)] - (mean - before)) <= kRounding);
    const WidthAcceptance& width = verifier_series(vector.value(), VerifierKind::rrs_with_replacement).widths[static_cast<std::size_t>(b)];
    CHECK(width.positions == 3);
    REQUIRE(width.ci95.has_value());
    CHECK((*width.ci95)[0] <= width.alpha);
  }
  // The per-position output pairs the differences: the same p[b], with an
  // interval from the spread of the per-position differences.
  const nlohmann::json rows = nlohmann::json::parse(batch_positions_json(batch).dump());
  auto paired = acceptance_vector_from_positions(rows);
  REQUIRE_MESSAGE(paired.ok(), paired.error());
  const SiblingVector& pairs_sibling = sibling_of(paired.value(), VerifierKind::rrs_with_replacement);
  REQUIRE(pairs_sibling.ci95.size() == 3);
  for (int b = 0; b < 3; ++b) {
    std::vector<double> differences;
    for (std::size_t k = 0; k < 3; ++k) {
      differences.push_back(rrs[k][static_cast<std::size_t>(b)] - (b == 0 ? 0.0 : rrs[k][static_cast<std::size_t>(b - 1)]));
    }
    const double mean = (differences[0] + differences[1] + differences[2]) / 3.0;
    double squares = 0.0;
    for (double d : differences) squares += (d - mean) * (d - mean);
    const double half = 1.959963984540054 * std::sqrt(squares / 2.0 / 3.0);
    CHECK(std::abs(pairs_sibling.p[static_cast<std::size_t>(b)] - mean) <= kRounding);
    CHECK(std::abs(pairs_sibling.ci95[static_cast<std::size_t>(b)][0] - std::max(-1.0, mean - half)) <= kRounding);
    CHECK(std::abs(pairs_sibling.ci95[static_cast<std::size_t>(b)][1] - std::min(1.0, mean + half)) <= kRounding);
    CHECK(std::abs(pairs_sibling.p[static_cast<std::size_t>(b)] - sibling.p[static_cast<std::size_t>(b)]) <= kRounding);
  }
  // Several temperatures, or no drafts = 1: refused with the reason.
  nlohmann::json two = summary;
  two["sweep"][1]["temperature"] = 0.7;
  CHECK(contains(acceptance_vector_from_summary(two).error(), "temperatures"));
  nlohmann::json no_one = summary;
  no_one["sweep"].erase(0);
  CHECK(contains(acceptance_vector_from_summary(no_one).error(), "drafts = 1"));
}

}  // namespace mdsd::test
