// core/distribution: weights and logits to a validated probability vector.
#include "core/distribution.hpp"
#include "core/message_text.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

namespace mdsd::test {
namespace {

DistributionSpec weights(std::initializer_list<double> values) {
  DistributionSpec spec;
  spec.values = Eigen::Map<const Eigen::VectorXd>(values.begin(),
                                                  static_cast<Eigen::Index>(values.size()));
  return spec;
}

DistributionSpec logits(std::initializer_list<double> values) {
  DistributionSpec spec = weights(values);
  spec.kind = DistributionSpec::Kind::logits;
  return spec;
}

// Both vectors entry by entry (sizes must agree).
void check_vector(const Eigen::VectorXd& actual, const std::vector<double>& expected) {
  REQUIRE(actual.size() == static_cast<Eigen::Index>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(std::abs(actual[static_cast<Eigen::Index>(i)] - expected[i]) <= kRounding);
  }
}

Eigen::VectorXd probabilities_ok(const DistributionSpec& spec, std::vector<std::string>& warnings) {
  auto result = to_probabilities(spec, "draft", warnings);
  REQUIRE_MESSAGE(result.ok(), result.error());
  return result.value();
}

std::string error_of(const DistributionSpec& spec, const std::string& field = "target") {
  std::vector<std::string> warnings;
  auto result = to_probabilities(spec, field, warnings);
  REQUIRE_FALSE(result.ok());
  return result.error();
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfinity = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("weights are normalised, with a warning only when the sum is off by more than 1e-6") {
  std::vector<std::string> warnings;
  check_vector(probabilities_ok(weights({2, 1, 1}), warnings), {0.5, 0.25, 0.25});
  REQUIRE(warnings.size() == 1);
  CHECK(starts_with(warnings[0], "draft: "));
  CHECK(contains(warnings[0], "4"));  // the sum it found

  warnings.clear();
  check_vector(probabilities_ok(weights({0.5, 0.5 + 5e-7}), warnings),
               {0.5 / (1 + 5e-7), (0.5 + 5e-7) / (1 + 5e-7)});
  CHECK(warnings.empty());

  warnings.clear();
  probabilities_ok(weights({0.5, 0.5 + 2e-6}), warnings);
  CHECK(warnings.size() == 1);

  warnings.clear();
  check_vector(probabilities_ok(weights({0.25, 0, 0.75}), warnings), {0.25, 0, 0.75});
  CHECK(warnings.empty());
}

TEST_CASE("weight errors name the field and the index") {
  CHECK(starts_with(error_of(weights({0.5, -0.2, 0.7})), "target[1]: "));
  CHECK(contains(error_of(weights({0.5, -0.2, 0.7})), "negative"));
  CHECK(contains(error_of(weights({0.5, -0.2, 0.7})), "-0.2"));
  CHECK(starts_with(error_of(weights({0.5, 0.5, kNaN}), "draft"), "draft[2]: "));
  CHECK(contains(error_of(weights({0.5, 0.5, kNaN})), "NaN"));
  CHECK(starts_with(error_of(weights({kInfinity, 0.5})), "target[0]: "));
  CHECK(contains(error_of(weights({kInfinity, 0.5})), "Infinity"));
  CHECK(starts_with(error_of(weights({-kInfinity, 0.5})), "target[0]: "));
  CHECK(starts_with(error_of(weights({0, 0, 0})), "target: "));
  CHECK(contains(error_of(weights({0, 0, 0})), "zero"));
  CHECK(starts_with(error_of(weights({})), "target: "));
  CHECK(contains(error_of(weights({})), "empty"));
  // Each finite, but the sum overflows: normalised all the same, (1/2, 1/2).
  std::vector<std::string> warnings;
  check_vector(probabilities_ok(weights({1e308, 1e308}), warnings), {0.5, 0.5});
  REQUIRE(warnings.size() == 1);
  CHECK(contains(warnings[0], "more than the largest double"));
}

TEST_CASE("softmax of logits, computed by hand") {
  std::vector<std::string> warnings;
  // exp(0), exp(ln 2), exp(ln 4) = 1, 2, 4.
  check_vector(probabilities_ok(logits({0, std::log(2.0), std::log(4.0)}), warnings),
               {1.0 / 7, 2.0 / 7, 4.0 / 7});
  // A common shift does not matter, even a huge one.
  check_vector(probabilities_ok(logits({1000, 1000 + std::log(3.0)}), warnings), {0.25, 0.75});
  check_vector(probabilities_ok(logits({-1000, -1000}), warnings), {0.5, 0.5});
  CHECK(warnings.empty());
}

TEST_CASE("temperature divides the logits") {
  std::vector<std::string> warnings;
  DistributionSpec spec = logits({0, std::log(2.0), std::log(4.0)});
  spec.temperature = 2.0;  // exp(l / 2) = 1, sqrt 2, 2
  const double total = 3.0 + std::sqrt(2.0);
  check_vector(probabilities_ok(spec, warnings), {1 / total, std::sqrt(2.0) / total, 2 / total});
  spec.temperature = 0.5;  // 1, 4, 16
  check_vector(probabilities_ok(spec, warnings), {1.0 / 21, 4.0 / 21, 16.0 / 21});
}

TEST_CASE("top_k keeps the k most likely tokens, ties to the lower index") {
  std::vector<std::string> warnings;
  DistributionSpec spec = logits({0, std::log(2.0), std::log(4.0)});
  spec.top_k = 2;
  check_vector(probabilities_ok(spec, warnings), {0, 1.0 / 3, 2.0 / 3});
  spec.top_k = 3;
  check_vector(probabilities_ok(spec, warnings), {1.0 / 7, 2.0 / 7, 4.0 / 7});
  spec.top_k = 100;  // more than V: nothing removed
  check_vector(probabilities_ok(spec, warnings), {1.0 / 7, 2.0 / 7, 4.0 / 7});

  DistributionSpec tied = logits({0, 1, 1, 1});
  tied.top_k = 2;
  check_vector(probabilities_ok(tied, warnings), {0, 0.5, 0.5, 0});
  tied.top_k = 1;
  check_vector(probabilities_ok(tied, warnings), {0, 1, 0, 0});
}

TEST_CASE("top_p keeps the smallest set of most likely tokens reaching top_p") {
  std::vector<std::string> warnings;
  DistributionSpec spec = logits({0, std::log(2.0), std::log(4.0)});  // 1/7, 2/7, 4/7
  spec.top_p = 0.5;  // 4/7 >= 0.5 alone
  check_vector(probabilities_ok(spec, warnings), {0, 0, 1});
  spec.top_p = 0.6;  // needs 4/7 + 2/7
  check_vector(probabilities_ok(spec, warnings), {0, 1.0 / 3, 2.0 / 3});
  spec.top_p = 0.9;  // needs all three
  check_vector(probabilities_ok(spec, warnings), {1.0 / 7, 2.0 / 7, 4.0 / 7});
  spec.top_p = 1.0;
  check_vector(probabilities_ok(spec, warnings), {1.0 / 7, 2.0 / 7, 4.0 / 7});

  // top_k first, then top_p on the renormalised result: after top_k = 2 the
  // law is 0, 1/3, 2/3 and 2/3 alone reaches 0.6. (The other order would
  // keep 1/3 and 2/3.)
  spec.top_k = 2;
  spec.top_p = 0.6;
  check_vector(probabilities_ok(spec, warnings), {0, 0, 1});
}

TEST_CASE("-Infinity logits are masked tokens, with probability exactly 0") {
  std::vector<std::string> warnings;
  const Eigen::VectorXd masked = probabilities_ok(logits({0, -kInfinity, std::log(3.0)}), warnings);
  check_vector(masked, {0.25, 0, 0.75});
  // Exactly 0, not a denormal: "q > 0" decides which tokens can be drafted.
  CHECK(masked[1] == 0.0);

  for (double temperature : {0.1, 1.0, 7.0}) {
    DistributionSpec spec = logits({-kInfinity, 0, -kInfinity, 2, -kInfinity});
    spec.temperature = temperature;
    CAPTURE(temperature);
    const Eigen::VectorXd probabilities = probabilities_ok(spec, warnings);
    CHECK(probabilities[0] == 0.0);
    CHECK(probabilities[2] == 0.0);
    CHECK(probabilities[4] == 0.0);
    const double other = std::exp(-2.0 / temperature);  // token 1 against token 3
    CHECK(std::abs(probabilities[1] - other / (1 + other)) <= kRounding);
  }
}

TEST_CASE("logit errors name the field") {
  const auto message = [](const DistributionSpec& spec) { return error_of(spec, "draft"); };
  CHECK(starts_with(message(logits({0, kInfinity})), "draft.logits[1]: "));
  CHECK(starts_with(message(logits({kNaN, 0})), "draft.logits[0]: "));
  CHECK(starts_with(message(logits({-kInfinity, -kInfinity})), "draft.logits: "));
  CHECK(starts_with(message(logits({})), "draft.logits: "));

  for (double temperature : {0.0, -1.0, kNaN, kInfinity}) {
    DistributionSpec spec = logits({0, 1});
    spec.temperature = temperature;
    CAPTURE(temperature);
    CHECK(starts_with(message(spec), "draft.temperature: "));
  }
  for (std::int64_t top_k : {0, -3}) {
    DistributionSpec spec = logits({0, 1});
    spec.top_k = top_k;
    CAPTURE(top_k);
    CHECK(starts_with(message(spec), "draft.top_k: "));
  }
  for (double top_p : {0.0, -0.5, 1.5, kNaN}) {
    DistributionSpec spec = logits({0, 1});
    spec.top_p = top_p;
    CAPTURE(top_p);
    CHECK(starts_with(message(spec), "draft.top_p: "));
  }
}

TEST_CASE("format_number gives the shortest text that reads back") {
  CHECK(format_number(-0.2) == "-0.2");
  CHECK(format_number(1e-300) == "1e-300");
  CHECK(format_number(0.1 + 0.2) == "0.30000000000000004");
  CHECK(format_number(kNaN) == "NaN");
  CHECK(format_number(-kInfinity) == "-Infinity");
}

}  // namespace mdsd::test
