// Numerical edge cases through the whole API (request text in, result out):
// subnormal and 1e-300 probabilities, ties, zeros, p = q, one-token
// vocabularies, n equal to the draft support, huge logits, weights whose sum
// underflows or overflows. Every expected value comes from a closed form
// (stated next to it) or from the brute force of support.hpp (enumeration of
// every draft tuple and every subset H), never from the code under test.
#include "api/solve.hpp"

#include "core/ratio_order.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>

namespace mdsd::test {
namespace {

using nlohmann::json;

const char* const kMethods[] = {"with_replacement", "without_replacement", "greedy"};

// A reference to buffers[k] in a request: a JSON binary value of subtype k
// (request.hpp), which only the caller, never request text, can place.
json buffer(std::uint8_t k) { return json::binary({}, k); }

SolveOutput solve_with(const json& request, std::span<const NumberArray> buffers) {
  return buffers.empty() ? solve(request.dump()) : solve_parsed(request, buffers);
}

// solved() of support.hpp, with in-memory buffers.
json solved_with_buffers(const json& request, std::span<const NumberArray> buffers) {
  const SolveOutput output = solve_with(request, buffers);
  REQUIRE_MESSAGE(output.ok, output.text);
  return json::parse(output.text);
}

std::string refused(const std::string& request_text) {
  const SolveOutput output = solve(request_text);
  REQUIRE_MESSAGE(!output.ok, output.text);
  CHECK(output.text.find('\n') == std::string::npos);
  return output.text;
}

std::string refused(const json& request, std::span<const NumberArray> buffers) {
  const SolveOutput output = solve_with(request, buffers);
  REQUIRE_MESSAGE(!output.ok, output.text);
  CHECK(output.text.find('\n') == std::string::npos);
  return output.text;
}

// Every reported alpha is a number in [0, 1] and, for the fast path, equals
// 1 + p(H) - Q(H) from its own certificate masses.
void check_consistent(const json& result) {
  for (const auto& item : result.at("optimal").items()) {
    const std::string method = item.key();
    const json& entry = item.value();
    CAPTURE(method);
    if (entry.contains("error")) continue;
    REQUIRE(entry.at("alpha").is_number());
    const double alpha = entry.at("alpha").get<double>();
    CHECK(alpha >= 0.0);
    CHECK(alpha <= 1.0 + kRounding);
    CHECK(std::abs(alpha - (1.0 + entry.at("certificate_target_mass").get<double>() -
                            entry.at("certificate_draft_mass").get<double>())) <= kRounding);
  }
}

// Checks a result against the brute force: for each method that applies
// (with replacement always; the others when q has >= n positive entries)
// alpha and the LP's alpha equal 1 + min_H p(H) - Q(H) over all 2^V subsets,
// and the certificate H attains it under the enumerated law. A method that
// does not apply must carry an error naming n.
void check_against_brute_force(const json& result, const Eigen::VectorXd& target,
                               const Eigen::VectorXd& draft, int drafts) {
  check_consistent(result);
  for (DraftMethod method : kAllDraftMethods) {
    const std::string name(method_name(method));
    CAPTURE(name);
    const json& entry = result.at("optimal").at(name);
    if (method != DraftMethod::with_replacement && support_size(draft) < drafts) {
      REQUIRE(entry.contains("error"));
      CHECK(contains(entry.at("error").get<std::string>(), "at least n = " + std::to_string(drafts)));
      continue;
    }
    const SetLaw law = brute_set_law(draft, drafts, method);
    const BruteOptimum brute = brute_optimal_rate(target, law);
    REQUIRE_MESSAGE(!entry.contains("error"), entry.dump());
    CHECK(std::abs(entry.at("alpha").get<double>() - brute.alpha) <= kExact);
    std::vector<std::int32_t> certificate = entry.at("certificate").get<std::vector<std::int32_t>>();
    const Subset h = subset_of(certificate);
    CHECK(std::abs(1.0 + target_mass(target, h) - brute_mass_inside(law, h) - brute.alpha) <= kExact);
    if (result.contains("lp")) {
      const json& lp = result.at("lp").at(name);
      REQUIRE_MESSAGE(!lp.contains("error"), lp.dump());
      CHECK(std::abs(lp.at("alpha").get<double>() - brute.alpha) <= kExact);
      CHECK(std::abs(lp.at("certificate_alpha").get<double>() - brute.alpha) <= kExact);
    }
  }
}

json request_of(const Eigen::VectorXd& target, const Eigen::VectorXd& draft, int drafts, bool lp) {
  return {{"target", std::vector<double>(target.data(), target.data() + target.size())},
          {"draft", std::vector<double>(draft.data(), draft.data() + draft.size())},
          {"drafts", drafts},
          {"lp", lp}};
}

double alpha_of(const json& result, const char* method) {
  const json& entry = result.at("optimal").at(method);
  REQUIRE_MESSAGE(!entry.contains("error"), entry.dump());
  return entry.at("alpha").get<double>();
}

}  // namespace

TEST_CASE("edge: subnormal and 1e-300 probabilities") {
  SUBCASE("q = (1, 5e-324), n = 2: without replacement and greedy draw both tokens surely") {
    // With replacement Q(H) = q(H)^2: H = {0} gives 1 + 0.5 - 1 = 0.5, the
    // minimum (H = {1}: (5e-324)^2 underflows to 0, p(H) - Q(H) = 0.5 > 0).
    // Without replacement / greedy the draft set is {0, 1} surely: alpha = p({0,1}) = 1.
    const json result = solved({{"target", {0.5, 0.5}}, {"draft", {1.0, 5e-324}}, {"drafts", 2}, {"lp", true}});
    check_consistent(result);
    CHECK(std::abs(alpha_of(result, "with_replacement") - 0.5) <= kRounding);
    CHECK(std::abs(alpha_of(result, "without_replacement") - 1.0) <= kExact);
    CHECK(std::abs(alpha_of(result, "greedy") - 1.0) <= kRounding);
    for (const char* method : kMethods) {
      CAPTURE(method);
      const double expected = std::string(method) == "with_replacement" ? 0.5 : 1.0;
      CHECK(std::abs(result.at("lp").at(method).at("alpha").get<double>() - expected) <= kExact);
    }
  }
  SUBCASE("q = (1e-300, 1e-300, 0.5, 0.5), n = 3: the set is {2, 3} plus 0 or 1, alpha = 1") {
    // p uniform: every draft set has 3 tokens of p = 1/4 each, so for every H,
    // Q(H) <= P(some set inside H) and p(H) >= 3/4 whenever a set fits: alpha = 1
    // without replacement and greedy. With replacement: brute force below.
    const json result = solved({{"target", {0.25, 0.25, 0.25, 0.25}}, {"draft", {1e-300, 1e-300, 0.5, 0.5}},
                                {"drafts", 3}, {"lp", true}});
    CHECK(std::abs(alpha_of(result, "without_replacement") - 1.0) <= kExact);
    CHECK(std::abs(alpha_of(result, "greedy") - 1.0) <= kRounding);
    // With replacement, H = {2, 3}: 1 + 0.5 - (1 - 2e-300)^3 = 0.5.
    CHECK(std::abs(alpha_of(result, "with_replacement") - 0.5) <= kRounding);
  }
  SUBCASE("1e-300 and subnormal entries among normal ones: brute force") {
    const Eigen::VectorXd target = vector_of({1e-300, 0.5, 0.5 - 1e-300, 5e-324});
    const Eigen::VectorXd draft = vector_of({0.5, 1e-300, 0.25, 0.25});
    for (int drafts = 1; drafts <= 3; ++drafts) {
      CAPTURE(drafts);
      const json result = solved(request_of(target, draft, drafts, true));
      check_against_brute_force(result, target, draft, drafts);
    }
    // n = 1: sum_i min(p_i, q_i) = 1e-300 + 1e-300 + 0.25 + 5e-324 = 0.25.
    CHECK(std::abs(alpha_of(solved(request_of(target, draft, 1, false)), "greedy") - 0.25) <= kRounding);
  }
}

TEST_CASE("edge: weights summing to 1e-300, to 1e300, and past the largest double") {
  // (1e-300, 3e-300) and (1e300, 3e300) both normalise to (1/4, 3/4);
  // (5e-324, 5e-324) to (1/2, 1/2). n = 1: sum min = 1/4 + 1/2 = 3/4.
  for (const auto& pair :
       {std::pair{std::vector{1e-300, 3e-300}, std::vector{5e-324, 5e-324}},
        std::pair{std::vector{1e300, 3e300}, std::vector{1e300, 1e300}}}) {
    const std::vector<double>& target = pair.first;
    const std::vector<double>& draft = pair.second;
    CAPTURE(target[0]);
    const json result = solved({{"target", target}, {"draft", draft}, {"drafts", 1}});
    REQUIRE(result.at("warnings").size() == 2);
    CHECK(contains(result.at("warnings")[0].get<std::string>(), "normalised"));
    for (const char* method : kMethods) CHECK(std::abs(alpha_of(result, method) - 0.75) <= kRounding);
    // n = 2, against the brute force on the normalised vectors.
    check_against_brute_force(solved({{"target", target}, {"draft", draft}, {"drafts", 2}, {"lp", true}}),
                              vector_of({0.25, 0.75}), vector_of({0.5, 0.5}), 2);
  }
  SUBCASE("finite weights whose sum overflows are normalised, not NaN or an error") {
    // (1e308, 1e308) is (1/2, 1/2); against q = (1/4, 3/4), n = 1: 1/4 + 1/2.
    const json result = solved({{"target", {1e308, 1e308}}, {"draft", {0.25, 0.75}}, {"drafts", 1}});
    CHECK(contains(result.at("warnings")[0].get<std::string>(),
                   "target: values sum to more than the largest double, not 1; normalised"));
    for (const char* method : kMethods) CHECK(std::abs(alpha_of(result, method) - 0.75) <= kRounding);
    // (DBL_MAX, 1e300, DBL_MAX) against p = (1/2, 0, 1/2): the middle token
    // has q = 1e300 / (2 DBL_MAX), so n = 1 gives 1 - q_1.
    const json three = solved({{"target", {0.5, 0.0, 0.5}}, {"draft", {DBL_MAX, 1e300, DBL_MAX}}, {"drafts", 1}});
    const double middle = 1e300 / DBL_MAX / 2.0;
    for (const char* method : kMethods) CHECK(std::abs(alpha_of(three, method) - (1.0 - middle)) <= kRounding);
    // A literal past the largest double is refused by the JSON reader.
    CHECK(contains(refused(R"({"target": [1e309, 1], "draft": [0.5, 0.5], "drafts": 1})"),
                   "not valid JSON: number overflow"));
    // The same through in-memory buffers (the JavaScript path).
    const double huge[] = {DBL_MAX, DBL_MAX};
    const double half[] = {0.5, 0.5};
    const NumberArray buffers[] = {{huge, 2}, {half, 2}};
    const json from_buffers = solved_with_buffers({{"target", buffer(0)}, {"draft", buffer(1)}, {"drafts", 1}}, buffers);
    for (const char* method : kMethods) CHECK(std::abs(alpha_of(from_buffers, method) - 1.0) <= kRounding);
    // Joint laws likewise: probs (DBL_MAX, DBL_MAX) on {0} and {1} are 1/2 each.
    const json joint = solved({{"target", {0.5, 0.5}}, {"lp", true},
                               {"draft_joint", {{{"drafts", {0}}, {"prob", DBL_MAX}}, {{"drafts", {1}}, {"prob", DBL_MAX}}}}});
    CHECK(std::abs(joint.at("lp").at("joint").at("alpha").get<double>() - 1.0) <= kRounding);
    CHECK(std::abs(joint.at("lp").at("joint").at("certificate_alpha").get<double>() - 1.0) <= kRounding);
    const double infinite[] = {INFINITY, 1.0};
    const double nan[] = {1.0, std::numeric_limits<double>::quiet_NaN()};
    const NumberArray bad[] = {{infinite, 2}, {nan, 2}};
    CHECK(refused({{"target", buffer(0)}, {"draft", {0.5, 0.5}}, {"drafts", 1}}, bad) ==
          "target[0]: not a finite number (Infinity)");
    CHECK(refused({{"target", {0.5, 0.5}}, {"draft", buffer(1)}, {"drafts", 1}}, bad) ==
          "draft[1]: not a finite number (NaN)");
  }
  SUBCASE("the largest double alone is a valid weight") {
    const json result = solved({{"target", {DBL_MAX, 0.0}}, {"draft", {0.0, DBL_MAX}}, {"drafts", 1}});
    // p = (1, 0), q = (0, 1): disjoint supports, alpha = 0 for every method.
    for (const char* method : kMethods) CHECK(std::abs(alpha_of(result, method)) <= kRounding);
  }
}

TEST_CASE("edge: ties in p, in q and in p/q; zeros in either distribution") {
  const std::vector<std::pair<Eigen::VectorXd, Eigen::VectorXd>> pairs = {
      // p/q ratios 2, 2, 3/4, 3/4.
      {vector_of({0.2, 0.2, 0.3, 0.3}), vector_of({0.1, 0.1, 0.4, 0.4})},
      // Ratios 2, 2, 2, 4/7.
      {vector_of({0.1, 0.2, 0.3, 0.4}), vector_of({0.05, 0.1, 0.15, 0.7})},
      // Everything tied.
      {vector_of({0.25, 0.25, 0.25, 0.25}), vector_of({0.25, 0.25, 0.25, 0.25})},
      // Zeros in p where q > 0, in q where p > 0, and in both.
      {vector_of({0.0, 0.5, 0.0, 0.5, 0.0}), vector_of({0.4, 0.0, 0.3, 0.3, 0.0})},
      {vector_of({0.6, 0.0, 0.4, 0.0}), vector_of({0.0, 0.5, 0.0, 0.5})},  // disjoint supports
      {vector_of({1.0, 0.0, 0.0}), vector_of({0.0, 0.5, 0.5})},
  };
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const auto& [target, draft] = pairs[k];
    for (int drafts = 1; drafts <= 3; ++drafts) {
      CAPTURE(k);
      CAPTURE(drafts);
      check_against_brute_force(solved(request_of(target, draft, drafts, true)), target, draft, drafts);
    }
  }
  // Disjoint supports: nothing can be accepted, alpha = 0 for every method and n.
  for (int drafts = 1; drafts <= 2; ++drafts) {
    const json result = solved(request_of(pairs[4].first, pairs[4].second, drafts, false));
    for (const char* method : kMethods) CHECK(std::abs(alpha_of(result, method)) <= kRounding);
  }
}

TEST_CASE("edge: p = q gives alpha = 1 for every method") {
  // Q(H) <= q(H) = p(H) for every H (the drafts all lie in H only if the
  // first does; greedy: README mathematics §2 with T inside H), and H = {} gives 0.
  const std::vector<Eigen::VectorXd> distributions = {
      vector_of({0.5, 0.5}), vector_of({0.1, 0.2, 0.3, 0.4}), vector_of({0.0, 0.7, 0.0, 0.2, 0.1}),
      vector_of({1e-300, 0.5, 0.5}), vector_of({0.2, 0.2, 0.2, 0.2, 0.2})};
  for (const Eigen::VectorXd& p : distributions) {
    for (int drafts = 1; drafts <= support_size(p); ++drafts) {
      CAPTURE(p.transpose());
      CAPTURE(drafts);
      const json result = solved(request_of(p, p, drafts, true));
      check_consistent(result);
      for (const char* method : kMethods) {
        CHECK(std::abs(alpha_of(result, method) - 1.0) <= kExact);
        CHECK(std::abs(result.at("lp").at(method).at("alpha").get<double>() - 1.0) <= kExact);
      }
    }
  }
}

TEST_CASE("edge: one-token vocabularies") {
  SUBCASE("n = 1: every method accepts surely") {
    const json result = solved({{"target", {1.0}}, {"draft", {1.0}}, {"drafts", 1}, {"lp", true}});
    for (const char* method : kMethods) {
      CHECK(alpha_of(result, method) == 1.0);
      CHECK(result.at("lp").at(method).at("alpha").get<double>() == doctest::Approx(1.0).epsilon(kExact));
    }
  }
  SUBCASE("n = 3: with replacement 1; the others need 3 draft tokens and say so") {
    const json result = solved({{"target", {1.0}}, {"draft", {1.0}}, {"drafts", 3}, {"lp", true}});
    CHECK(alpha_of(result, "with_replacement") == 1.0);
    for (const char* method : {"without_replacement", "greedy"}) {
      CHECK(result.at("optimal").at(method).at("error") ==
            std::string(method) + " needs at least n = 3 draft tokens with positive probability; draft has 1");
      CHECK(result.at("lp").at(method).contains("error"));
    }
  }
  SUBCASE("a weight, a huge logit, a masked one") {
    const json weight = solved({{"target", {7.0}}, {"draft", {{"logits", {-1e300}}}}, {"drafts", 1}});
    CHECK(alpha_of(weight, "greedy") == 1.0);
    CHECK(refused(R"({"target": {"logits": ["-Infinity"]}, "draft": [1], "drafts": 1})") ==
          "target.logits: every logit is -Infinity; some token must be possible");
  }
}

TEST_CASE("edge: n equal to the draft support") {
  // Without replacement (and greedy: the n - 1 largest plus one more) the
  // draft set is the whole support S of q surely: alpha = p(S).
  const Eigen::VectorXd target = vector_of({0.1, 0.2, 0.3, 0.15, 0.25});
  const Eigen::VectorXd draft = vector_of({0.5, 0.3, 0.2, 0.0, 0.0});
  const json result = solved(request_of(target, draft, 3, true));
  CHECK(std::abs(alpha_of(result, "without_replacement") - 0.6) <= kExact);
  CHECK(std::abs(alpha_of(result, "greedy") - 0.6) <= kRounding);
  check_against_brute_force(result, target, draft, 3);
  // n = 4 > |S|: with replacement still applies, the others say why not.
  check_against_brute_force(solved(request_of(target, draft, 4, true)), target, draft, 4);
  // Full support, n = V: alpha = p(V) = 1.
  const Eigen::VectorXd full = vector_of({0.6, 0.1, 0.1, 0.1, 0.1});
  const json all = solved(request_of(target, full, 5, true));
  CHECK(std::abs(alpha_of(all, "without_replacement") - 1.0) <= kExact);
  CHECK(std::abs(alpha_of(all, "greedy") - 1.0) <= kRounding);
}

TEST_CASE("edge: huge logits, alone and mixed with -Infinity") {
  // n = 1 and q = (1, 0, ...): alpha = min(p_0, 1) = p_0 for every method,
  // which reads p_0 off the result; q = (0, 1): alpha = p_1.
  const auto first_probability = [](const json& target, std::size_t vocab) {
    std::vector<double> draft(vocab, 0.0);
    draft[0] = 1.0;
    const json result = solved({{"target", target}, {"draft", draft}, {"drafts", 1}});
    check_consistent(result);
    return alpha_of(result, "with_replacement");
  };
  // softmax(1e300, -1e300) = (1, 0): the difference 2e300 is finite.
  CHECK(first_probability({{"logits", {1e300, -1e300}}}, 2) == 1.0);
  CHECK(first_probability({{"logits", {-1e300, 1e300}}}, 2) == 0.0);
  // Ties among huge logits, with masked tokens: (1/2, 1/2, 0).
  CHECK(first_probability({{"logits", {1e300, 1e300, "-Infinity"}}}, 3) == 0.5);
  CHECK(first_probability({{"logits", {-1e300, -1e300, "-Infinity"}}}, 3) == 0.5);
  CHECK(first_probability({{"logits", {"-Infinity", 1e300, -1e300}}}, 3) == 0.0);
  // top_k = 1 on a tie keeps the lower id; top_p on huge logits keeps one.
  CHECK(first_probability({{"logits", {1e300, 1e300}}, {"top_k", 1}}, 2) == 1.0);
  CHECK(first_probability({{"logits", {1e300, 0.0, -1e300}}, {"top_p", 0.5}}, 3) == 1.0);
  // Temperature scales differences that do not fit in a double:
  // (1e308 - (-1e308)) / 1e308 = 2, so p = (1, e^-2) / (1 + e^-2).
  CHECK(first_probability({{"logits", {1e308, -1e308}}, {"temperature", 1e308}}, 2) ==
        doctest::Approx(1.0 / (1.0 + std::exp(-2.0))).epsilon(1e-14));
  CHECK(first_probability({{"logits", {-DBL_MAX, DBL_MAX}}, {"temperature", DBL_MAX}}, 2) ==
        doctest::Approx(std::exp(-2.0) / (1.0 + std::exp(-2.0))).epsilon(1e-14));
  // A tiny temperature: (0 - 1e-300) / 1e-300 = -1, p = (1, e) / (1 + e).
  CHECK(first_probability({{"logits", {0.0, 1e-300}}, {"temperature", 1e-300}}, 2) ==
        doctest::Approx(1.0 / (1.0 + std::exp(1.0))).epsilon(1e-14));
  // A huge draft logit vector against a target: (1/2, 1/2, 0) vs (0, 1/2, 1/2), n = 2.
  const json result = solved({{"target", {{"logits", {1e300, 1e300, "-Infinity"}}}},
                              {"draft", {{"logits", {"-Infinity", -1e300, -1e300}}}},
                              {"drafts", 2},
                              {"lp", true}});
  check_against_brute_force(result, vector_of({0.5, 0.5, 0.0}), vector_of({0.0, 0.5, 0.5}), 2);
  // What is not a logit is refused naming the token.
  CHECK(refused(R"({"target": {"logits": [1, "Infinity"]}, "draft": [0.5, 0.5], "drafts": 1})") ==
        "target.logits[1]: expected a number, got a string");
  const double inf_logits[] = {1.0, INFINITY};
  const NumberArray buffers[] = {{inf_logits, 2}};
  CHECK(contains(refused({{"target", {{"logits", buffer(0)}}}, {"draft", {0.5, 0.5}}, {"drafts", 1}}, buffers),
                 "target.logits[1]: not a finite number (Infinity)"));
}

}  // namespace mdsd::test

namespace mdsd::test {
namespace {

// Masses that underflow what the computations take of them: subnormals,
// values whose ratio to their neighbours overflows, and near-one-hot laws.
constexpr double kTinyMasses[] = {5e-324, 1e-320, 1e-310, 2.2e-308, 1e-300, 1e-200, 1e-30};

}  // namespace

TEST_CASE("hostile: the draft mass outside H below the smallest normal double") {
  // The issue's example: H = {0, 1} holds all but 1e-310 of the draft, so
  // both drafts fall in H surely and alpha* = 1 + 0.2 - 1 = 0.2 for every
  // method (the integral's grid used to overflow and report 1).
  const json result = solved({{"target", {0.1, 0.1, 0.8}}, {"draft", {0.5, 0.5, 1e-310}}, {"drafts", 2}, {"lp", true}});
  for (const char* method : kMethods) {
    CAPTURE(method);
    CHECK(std::abs(alpha_of(result, method) - 0.2) <= kExact);
  }
  CHECK(result.at("optimal").at("without_replacement").at("certificate") == json::array({0, 1}));
  check_against_brute_force(result, vector_of({0.1, 0.1, 0.8}), vector_of({0.5, 0.5, 1e-310}), 2);
}

TEST_CASE("hostile: draft logits 720 apart and temperature 0.0014 reach subnormal masses") {
  // exp(-720) = 1.1e-313 (subnormal): q = (1 / (1 + 2e), e, e) with e that.
  const double e = std::exp(-720.0);
  const Eigen::VectorXd draft = vector_of({1.0 / (1.0 + 2.0 * e), e / (1.0 + 2.0 * e), e / (1.0 + 2.0 * e)});
  const Eigen::VectorXd target = vector_of({0.2, 0.3, 0.5});
  for (const int n : {1, 2, 3}) {
    CAPTURE(n);
    const json result = solved({{"target", {0.2, 0.3, 0.5}},
                                {"draft", {{"logits", {0.0, -720.0, -720.0}}}},
                                {"drafts", n}, {"lp", true}});
    check_against_brute_force(result, target, draft, n);
    // The same gap through a temperature: logits (1, 0, 0) at T = 1/720.
    const json cooled = solved({{"target", {0.2, 0.3, 0.5}},
                                {"draft", {{"logits", {1.0, 0.0, 0.0}}, {"temperature", 1.0 / 720.0}}},
                                {"drafts", n}});
    for (const char* method : kMethods) {
      CAPTURE(method);
      CHECK(std::abs(alpha_of(cooled, method) - alpha_of(result, method)) <= kExact);
    }
  }
}

TEST_CASE("hostile: tiny masses injected at random places; fast alpha* equals enumeration and the LP") {
  // The property the issue asks for: random small instances, tiny masses
  // (kTinyMasses) put in either distribution, sometimes beside a draft that
  // holds nearly everything; the fast path, the LP and the brute force
  // (enumerated draft-set law, masses summed rather than subtracted) agree.
  std::mt19937_64 rng(1010);
  std::uniform_int_distribution<int> pick_mass(0, std::size(kTinyMasses) - 1);
  int checked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    Instance instance = random_instance(rng, 2, 6, 4, false);
    const int vocab = static_cast<int>(instance.target.size());
    std::uniform_int_distribution<int> pick_token(0, vocab - 1);
    const int injections = 1 + trial % 3;
    for (int k = 0; k < injections; ++k) {
      Eigen::VectorXd& side = (rng() & 1) ? instance.target : instance.draft;
      side[pick_token(rng)] = kTinyMasses[pick_mass(rng)];
    }
    if (trial % 4 == 0) {  // a near-one-hot draft: everything else tiny
      const int hot = pick_token(rng);
      for (int i = 0; i < vocab; ++i) {
        if (i != hot) instance.draft[i] = kTinyMasses[pick_mass(rng)];
      }
      instance.draft[hot] = 1.0;
    }
    instance.target /= instance.target.sum();
    instance.draft /= instance.draft.sum();
    CAPTURE(trial);
    CAPTURE(instance.target.transpose());
    CAPTURE(instance.draft.transpose());
    CAPTURE(instance.drafts);
    std::vector<double> target(instance.target.data(), instance.target.data() + vocab);
    std::vector<double> draft(instance.draft.data(), instance.draft.data() + vocab);
    const json result = solved({{"target", target}, {"draft", draft}, {"drafts", instance.drafts},
                                {"lp", true}});
    check_against_brute_force(result, instance.target, instance.draft, instance.drafts);
    // No verifier reports NaN or beats the bound of its draft method.
    for (const auto& [name, entry] : result.at("verifiers").items()) {
      CAPTURE(name);
      if (entry.contains("error")) continue;
      const double alpha = entry.at("alpha").get<double>();
      const std::string method = entry.at("draft_method").get<std::string>();
      CHECK(alpha >= 0.0);
      if (result.at("optimal").at(method).contains("alpha")) {
        CHECK(alpha <= alpha_of(result, method.c_str()) + kExact);
      }
    }
    ++checked;
  }
  CHECK(checked == 400);
}

TEST_CASE("hostile: a subnormal q whose p/q overflows still sorts before q = 0 and by its ratio") {
  // p/q = 0.3 / 1e-310 overflows; the token must come before the q = 0 one
  // and after finite ratios, and two such tokens keep their true order
  // (0.6 / 1e-310 after 0.3 / 1e-310).
  const Eigen::VectorXd target = vector_of({0.6, 0.05, 0.3, 0.05});
  const Eigen::VectorXd draft = vector_of({1e-310, 0.0, 1e-310, 1.0});
  const auto order = order_by_ratio(target, draft);
  CHECK(order == std::vector<std::int32_t>{3, 2, 0, 1});
}

TEST_CASE("hostile: RRS without replacement is refused, not NaN, when its residual would overflow") {
  // After rejecting the large token, the remaining draft mass is 2e-310:
  // the residual's scale C ~ 1 / 2e-310 is past the double range.
  const json result = solved({{"target", {0.2, 0.3, 0.5}}, {"draft", {1.0, 1e-310, 1e-310}}, {"drafts", 3},
                              {"verifiers", {"rrs_without_replacement", "rrs_with_replacement", "kseq", "greedy"}}});
  const json& verifiers = result.at("verifiers");
  REQUIRE(verifiers.at("rrs_without_replacement").contains("error"));
  CHECK(contains(verifiers.at("rrs_without_replacement").at("error").get<std::string>(), "overflow the double range"));
  for (const char* name : {"rrs_with_replacement", "kseq", "greedy"}) {
    CAPTURE(name);
    const double alpha = verifiers.at(name).at("alpha").get<double>();
    CHECK(alpha >= 0.0);
    CHECK(alpha <= 1.0);
  }
  // Greedy drafts are {0, 1, 2} surely: its verifier accepts always.
  CHECK(std::abs(verifiers.at("greedy").at("alpha").get<double>() - 1.0) <= kExact);
}

}  // namespace mdsd::test

namespace mdsd::test {

TEST_CASE("hostile: layered near-certain drafts (a cold draft's tail) against enumeration") {
  // Draft masses in layers 1e20 and more apart: the first draws are certain
  // layer by layer, and the last layer is all but never drawn. Every method
  // against the enumerated draft-set law and the LP, for n = 1..4.
  const std::vector<std::vector<double>> drafts = {
      {1.0, 1e-20, 1e-20, 1e-45, 1e-45, 1e-45, 1e-310, 1e-310, 5e-324},
      {0.5, 0.5, 1e-25, 3e-25, 1e-300, 1e-300, 1e-300, 2e-300, 0.0},
      {1.0, 1e-300, 1e-300, 1e-300, 1e-300, 1e-300, 1e-300, 1e-300, 1e-300},
  };
  std::mt19937_64 rng(1020);
  for (const auto& draft_values : drafts) {
    for (int trial = 0; trial < 3; ++trial) {
      const Eigen::VectorXd target = random_distribution(rng, static_cast<int>(draft_values.size()));
      std::vector<double> target_values(target.data(), target.data() + target.size());
      Eigen::VectorXd draft =
          Eigen::Map<const Eigen::VectorXd>(draft_values.data(), static_cast<Eigen::Index>(draft_values.size()));
      draft /= draft.sum();
      std::vector<double> normalised_draft(draft.data(), draft.data() + draft.size());
      for (const int n : {1, 2, 3, 4}) {
        CAPTURE(draft.transpose());
        CAPTURE(target.transpose());
        CAPTURE(n);
        check_against_brute_force(solved({{"target", target_values}, {"draft", normalised_draft}, {"drafts", n},
                                          {"lp", true}, {"verifiers", json::array()}}),
                                  target, draft, n);
      }
    }
  }
}

}  // namespace mdsd::test

namespace mdsd::test {

TEST_CASE("hostile: simulated outputs keep p when the draws' masses are subnormal") {
  // u * mass takes a handful of values when the mass is subnormal; the
  // samplers compare u with ratios of masses instead. Each verifier's output
  // must fit p (chi-square), and its simulated acceptance its exact one.
  const std::vector<json> requests = {
      {{"target", {0.2, 0.5, 0.3}}, {"draft", {1.0, 5e-324, 5e-324}}, {"drafts", 2}},
      {{"target", {0.648, 0.411, 0.966, 0.196, 0.238}}, {"draft", {0.0, 0.457, 1e-323, 5e-324, 1e-30}}, {"drafts", 3}},
      {{"target", {0.1, 0.2, 0.3, 0.4}}, {"draft", {1.0, 3e-323, 1e-323, 2e-323}}, {"drafts", 3}},
  };
  std::uint64_t seed = 1200;
  for (json request : requests) {
    request["lp"] = true;
    request["simulate"] = {{"samples", 40000}, {"seed", ++seed}};
    CAPTURE(request.dump());
    const json result = solved(request);
    int fitted = 0;
    for (const auto& [name, simulation] : result.at("simulation").items()) {
      CAPTURE(name);
      if (simulation.contains("error")) continue;
      CHECK(simulation.at("chi2_p_value").get<double>() > kPassP);
      const json& verifier = result.at("verifiers").at(name);
      if (verifier.contains("alpha") && verifier.at("exact").get<bool>()) {
        const auto interval = simulation.at("acceptance_ci95").get<std::vector<double>>();
        // 95% intervals: allow a little past them so that 1 in 20 is not a failure.
        const double slack = 0.5 * (interval[1] - interval[0]);
        CHECK(verifier.at("alpha").get<double>() >= interval[0] - slack);
        CHECK(verifier.at("alpha").get<double>() <= interval[1] + slack);
      }
      ++fitted;
    }
    CHECK(fitted >= 3);
  }
}

}  // namespace mdsd::test

namespace mdsd::test {

TEST_CASE("hostile: every reported acceptance and interval lies in [0, 1]") {
  // The LP's objective carries the simplex's rounding (1.0000000000000002
  // was reported for these); an acceptance is a probability.
  const std::vector<json> requests = {
      {{"target", {0.9395927937784699, 0.3668545410598476}}, {"draft", {0.1, 1e-30}}, {"drafts", 2}},
      {{"target", {1.7e308, 1.7e308, 1.7e308}}, {"draft", {5e-324, 5e-324, 5e-324}}, {"drafts", 2}},
  };
  for (json request : requests) {
    request["lp"] = true;
    CAPTURE(request.dump());
    const json result = solved(request);
    for (const auto& [method, entry] : result.at("lp").items()) {
      if (entry.contains("error")) continue;
      CHECK(entry.at("alpha").get<double>() <= 1.0);
      CHECK(entry.at("certificate_alpha").get<double>() <= 1.0);
    }
    for (const auto& [name, entry] : result.at("verifiers").items()) {
      if (entry.contains("alpha")) CHECK(entry.at("alpha").get<double>() <= 1.0);
    }
  }
}

}  // namespace mdsd::test

namespace mdsd::test {

TEST_CASE("hostile: a positive weight that normalising rounds to 0 is said, not hidden") {
  // 5e-324 / 2 rounds to 0: the draft support is then 2, and without
  // replacement with n = 3 does not apply; the warning says why.
  const json result = solved({{"target", {0.1, 0.2, 0.4, 0.3}}, {"draft", {1.0, 1.0, 5e-324, 5e-324}}, {"drafts", 3}});
  bool said = false;
  for (const auto& warning : result.at("warnings")) {
    said = said || warning.get<std::string>() ==
                       "draft: 2 positive values (the first draft[2] = 5e-324) fall below the smallest double "
                       "once normalised and count as 0";
  }
  CHECK_MESSAGE(said, result.at("warnings").dump());
  CHECK(result.at("optimal").at("without_replacement").contains("error"));
}

}  // namespace mdsd::test
