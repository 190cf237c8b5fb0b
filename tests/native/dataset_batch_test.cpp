// dataset/batch: compute_position and BatchAccumulator against single solves.
// Every expected value comes from mdsd::solve (the JSON entry point, one
// request per position and setting) on probabilities computed here (softmax
// at the setting's temperature), and from the textbook normal interval
// mean +- z * sd / sqrt(k), sd the sample standard deviation.
#include "support.hpp"

#include "api/solve.hpp"
#include "dataset/batch.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace mdsd::test {
namespace {

// The 97.5% quantile of the standard normal distribution.
constexpr double kZ975 = 1.959963984540054;

const std::vector<DraftMethod> kMethods = {DraftMethod::with_replacement, DraftMethod::without_replacement,
                                           DraftMethod::greedy};
const std::vector<std::string> kMethodNames = {"with_replacement", "without_replacement", "greedy"};
const std::vector<VerifierKind> kVerifiers = {VerifierKind::rrs_with_replacement,
                                              VerifierKind::rrs_without_replacement, VerifierKind::kseq,
                                              VerifierKind::greedy, VerifierKind::spechub};
const std::vector<std::string> kVerifierNames = {"rrs_with_replacement", "rrs_without_replacement", "kseq",
                                                 "greedy", "spechub"};

DistributionSpec logits_spec(const Eigen::VectorXd& logits) {
  DistributionSpec spec;
  spec.kind = DistributionSpec::Kind::logits;
  spec.values = logits;
  return spec;
}

DistributionSpec weights_spec(const Eigen::VectorXd& weights) {
  DistributionSpec spec;
  spec.values = weights;
  return spec;
}

// softmax(logits / temperature); -infinity gives exactly 0.
std::vector<double> softmax(const Eigen::VectorXd& logits, double temperature) {
  double largest = -INFINITY;
  for (Eigen::Index i = 0; i < logits.size(); ++i) largest = std::max(largest, logits[i]);
  std::vector<double> probabilities(static_cast<std::size_t>(logits.size()));
  double total = 0.0;
  for (Eigen::Index i = 0; i < logits.size(); ++i) {
    probabilities[static_cast<std::size_t>(i)] = std::exp((logits[i] - largest) / temperature);
    total += probabilities[static_cast<std::size_t>(i)];
  }
  for (double& p : probabilities) p /= total;
  return probabilities;
}

// One position for one setting through the single-solve entry point:
// alpha per method and alpha, gap per verifier (NaN where it does not apply).
struct Single {
  std::vector<double> optimal, alpha, gap;
  bool exact = true;
};

Single single_solve(const std::vector<double>& target, const std::vector<double>& draft, int drafts) {
  const nlohmann::json request = {{"target", target}, {"draft", draft}, {"drafts", drafts},
                                  {"methods", kMethodNames}, {"verifiers", kVerifierNames}};
  const SolveOutput output = solve(request.dump());
  REQUIRE_MESSAGE(output.ok, output.text);
  const auto result = nlohmann::json::parse(output.text);
  Single single;
  for (const std::string& name : kMethodNames) {
    const auto& entry = result.at("optimal").at(name);
    single.optimal.push_back(entry.contains("alpha") ? entry["alpha"].get<double>() : NAN);
  }
  for (const std::string& name : kVerifierNames) {
    const auto& entry = result.at("verifiers").at(name);
    const bool applies = entry.contains("alpha");
    single.alpha.push_back(applies ? entry["alpha"].get<double>() : NAN);
    single.gap.push_back(applies ? entry["gap"].get<double>() : NAN);
    if (applies) single.exact = single.exact && entry["exact"].get<bool>();
  }
  return single;
}

// The expected summary entry of a column (NaN entries do not apply).
struct ExpectedMean {
  double mean = NAN, low = NAN, high = NAN;
  std::int64_t positions = 0;
};

ExpectedMean expected_mean(const std::vector<double>& column) {
  ExpectedMean expected;
  double sum = 0.0;
  for (double value : column) {
    if (std::isnan(value)) continue;
    sum += value;
    ++expected.positions;
  }
  if (expected.positions == 0) return expected;
  const double k = static_cast<double>(expected.positions);
  expected.mean = sum / k;
  if (expected.positions < 2) return expected;
  double squares = 0.0;
  for (double value : column) {
    if (!std::isnan(value)) squares += (value - expected.mean) * (value - expected.mean);
  }
  const double sd = std::sqrt(squares / (k - 1.0));
  // The normal interval, cut to [0, 1] where every value lies.
  expected.low = std::max(0.0, expected.mean - kZ975 * sd / std::sqrt(k));
  expected.high = std::min(1.0, expected.mean + kZ975 * sd / std::sqrt(k));
  return expected;
}

bool same(double actual, double expected) {
  if (std::isnan(expected)) return std::isnan(actual);
  return std::abs(actual - expected) <= kRounding;
}

void check_mean(const MeanWithInterval& actual, const std::vector<double>& column, const std::string& what) {
  const ExpectedMean expected = expected_mean(column);
  INFO(what << ": mean " << actual.mean << " vs " << expected.mean << ", ci95 [" << actual.ci95[0] << ", "
            << actual.ci95[1] << "] vs [" << expected.low << ", " << expected.high << "], positions "
            << actual.positions << " vs " << expected.positions);
  CHECK(actual.positions == expected.positions);
  CHECK(same(actual.mean, expected.mean));
  CHECK(same(actual.ci95[0], expected.low));
  CHECK(same(actual.ci95[1], expected.high));
}

// The bin of alpha in 50 equal bins over [0, 1], alpha = 1 in the last.
int bin_of(double alpha) { return std::min(49, static_cast<int>(std::floor(alpha * 50.0))); }

const BatchSummary::Setting* find_setting(const BatchSummary& summary, int drafts, std::optional<double> temperature) {
  for (const auto& setting : summary.settings) {
    if (setting.setting.drafts == drafts && setting.setting.temperature == temperature) return &setting;
  }
  return nullptr;
}

// A position of random logits; `masked_draft` leaves only 2 draft tokens possible.
struct LogitPosition {
  Eigen::VectorXd target, draft;
};

LogitPosition random_logits(std::mt19937_64& rng, int vocab, bool masked_draft) {
  std::normal_distribution<double> normal(0.0, 2.0);
  LogitPosition position{Eigen::VectorXd(vocab), Eigen::VectorXd(vocab)};
  for (int i = 0; i < vocab; ++i) {
    position.target[i] = normal(rng);
    position.draft[i] = position.target[i] + 0.7 * normal(rng);
  }
  if (masked_draft) {
    for (int i = 2; i < vocab; ++i) position.draft[i] = -INFINITY;
  }
  return position;
}

// Runs the batch and checks every entry of its summary against single solves.
void check_sweep_against_single_solves(const BatchSettings& settings, const std::vector<LogitPosition>& positions,
                                       const std::vector<int>& masked) {
  BatchAccumulator batch(settings);
  for (std::size_t i = 0; i < positions.size(); ++i) {
    const std::string where = "position " + std::to_string(i);
    auto values = compute_position(settings, logits_spec(positions[i].target), logits_spec(positions[i].draft), where);
    REQUIRE_MESSAGE(values.ok(), values.error());
    batch.add(std::move(values).value());
  }
  const BatchSummary summary = batch.summary();
  CHECK(summary.positions == static_cast<std::int64_t>(positions.size()));
  CHECK(summary.vocab == positions.front().target.size());
  CHECK(summary.warnings.empty());
  CHECK(summary.settings.size() == settings.drafts.size() * settings.temperatures.size());

  for (double temperature : settings.temperatures) {
    for (int drafts : settings.drafts) {
      CAPTURE(drafts);
      CAPTURE(temperature);
      const BatchSummary::Setting* setting = find_setting(summary, drafts, temperature);
      REQUIRE(setting != nullptr);
      // Columns of single-solve values, one entry per position.
      std::vector<std::vector<double>> optimal(kMethods.size()), alpha(kVerifiers.size()), gap(kVerifiers.size());
      for (const LogitPosition& position : positions) {
        const Single single = single_solve(softmax(position.target, temperature), softmax(position.draft, temperature), drafts);
        CHECK(single.exact);  // small V and n: every verifier has its exact formula
        for (std::size_t m = 0; m < kMethods.size(); ++m) optimal[m].push_back(single.optimal[m]);
        for (std::size_t v = 0; v < kVerifiers.size(); ++v) {
          alpha[v].push_back(single.alpha[v]);
          gap[v].push_back(single.gap[v]);
        }
      }
      for (std::size_t m = 0; m < kMethods.size(); ++m) {
        check_mean(setting->optimal[m], optimal[m], "optimal." + kMethodNames[m]);
        // Histogram: each applying position in its bin.
        std::vector<std::int64_t> bins(50, 0);
        for (double value : optimal[m]) {
          if (!std::isnan(value)) ++bins[static_cast<std::size_t>(bin_of(value))];
        }
        CHECK(setting->optimal_histogram[m] == bins);
        std::int64_t counted = 0;
        for (std::int64_t count : setting->optimal_histogram[m]) counted += count;
        CHECK(counted == setting->optimal[m].positions);
      }
      for (std::size_t v = 0; v < kVerifiers.size(); ++v) {
        check_mean(setting->verifier_alpha[v], alpha[v], "verifiers." + kVerifierNames[v]);
        check_mean(setting->verifier_gap[v], gap[v], "verifiers." + kVerifierNames[v] + ".gap");
        CHECK(setting->verifier_exact[v]);
      }
      // Methods needing n draft tokens skip the masked positions for n = 3.
      const auto expected_count = static_cast<std::int64_t>(positions.size() - (drafts == 3 ? masked.size() : 0));
      CHECK(setting->optimal[0].positions == static_cast<std::int64_t>(positions.size()));
      CHECK(setting->optimal[1].positions == expected_count);
      CHECK(setting->optimal[2].positions == expected_count);
      // SpecHub is defined for n = 2 only.
      CHECK(setting->verifier_alpha[4].positions == (drafts == 2 ? static_cast<std::int64_t>(positions.size()) : 0));
    }
  }
  // Per position: the values the summary was made of.
  REQUIRE(batch.positions().size() == positions.size());
  for (int i : masked) {
    const PositionValues& values = batch.positions()[static_cast<std::size_t>(i)];
    const auto sweep = sweep_of(settings);
    for (std::size_t s = 0; s < sweep.size(); ++s) {
      if (sweep[s].drafts != 3) continue;
      CHECK(std::isnan(values.optimal[s][1]));
      CHECK(std::isnan(values.optimal[s][2]));
      CHECK_FALSE(std::isnan(values.optimal[s][0]));
    }
  }
}

}  // namespace

TEST_CASE("batch sweep over drafts {1, 2, 3} x temperatures {0.7, 1.3}: means and intervals equal single solves") {
  std::mt19937_64 rng(20250);
  for (int trial = 0; trial < 3; ++trial) {
    const int vocab = std::uniform_int_distribution<int>(5, 50)(rng);
    CAPTURE(vocab);
    BatchSettings settings;
    settings.drafts = {1, 2, 3};
    settings.temperatures = {0.7, 1.3};
    settings.methods = kMethods;
    settings.verifiers = kVerifiers;
    std::vector<LogitPosition> positions;
    const std::vector<int> masked = {4, 13};  // only 2 draft tokens possible there
    for (int i = 0; i < 20; ++i) {
      positions.push_back(random_logits(rng, vocab, i == masked[0] || i == masked[1]));
    }
    check_sweep_against_single_solves(settings, positions, masked);
  }
}

TEST_CASE("batch of probabilities, no temperature: one setting per n, as given") {
  std::mt19937_64 rng(77);
  const int vocab = 9;
  BatchSettings settings;
  settings.drafts = {3};
  settings.methods = kMethods;
  settings.verifiers = kVerifiers;
  BatchAccumulator batch(settings);
  std::vector<std::vector<double>> optimal(kMethods.size()), alpha(kVerifiers.size());
  const int positions = 12;
  for (int i = 0; i < positions; ++i) {
    Eigen::VectorXd target = random_distribution(rng, vocab);
    Eigen::VectorXd draft = random_distribution(rng, vocab);
    if (i == 5) draft = vector_of({0, 0.25, 0, 0, 0.75, 0, 0, 0, 0});  // 2 draft tokens: n = 3 does not apply
    auto values = compute_position(settings, weights_spec(target), weights_spec(draft), "row " + std::to_string(i));
    REQUIRE_MESSAGE(values.ok(), values.error());
    batch.add(std::move(values).value());
    const Single single = single_solve(std::vector<double>(target.data(), target.data() + vocab),
                                       std::vector<double>(draft.data(), draft.data() + vocab), 3);
    for (std::size_t m = 0; m < kMethods.size(); ++m) optimal[m].push_back(single.optimal[m]);
    for (std::size_t v = 0; v < kVerifiers.size(); ++v) alpha[v].push_back(single.alpha[v]);
  }
  const BatchSummary summary = batch.summary();
  CHECK(summary.positions == positions);  // every position, applying or not
  CHECK(summary.vocab == vocab);
  REQUIRE(summary.settings.size() == 1);
  const auto& setting = summary.settings[0];
  CHECK(setting.setting.drafts == 3);
  CHECK_FALSE(setting.setting.temperature.has_value());
  for (std::size_t m = 0; m < kMethods.size(); ++m) check_mean(setting.optimal[m], optimal[m], kMethodNames[m]);
  for (std::size_t v = 0; v < kVerifiers.size(); ++v) check_mean(setting.verifier_alpha[v], alpha[v], kVerifierNames[v]);
  CHECK(setting.optimal[0].positions == positions);
  // Greedy is skipped at row 5 (and wherever a random draft has fewer than 3 tokens).
  CHECK(std::isnan(optimal[2][5]));
  CHECK(std::isnan(batch.positions()[5].optimal[0][2]));
  std::int64_t greedy_applies = 0, greedy_counted = 0;
  for (double value : optimal[2]) greedy_applies += !std::isnan(value);
  for (std::int64_t count : setting.optimal_histogram[2]) greedy_counted += count;
  CHECK(greedy_applies < positions);
  CHECK(setting.optimal[2].positions == greedy_applies);
  CHECK(greedy_counted == greedy_applies);
  // SpecHub (n = 2 only) applies nowhere: no mean, no interval.
  CHECK(setting.verifier_alpha[4].positions == 0);
  CHECK(std::isnan(setting.verifier_alpha[4].mean));
  CHECK(std::isnan(setting.verifier_alpha[4].ci95[0]));
}

TEST_CASE("the interval of a mean stays in [0, 1]") {
  // alpha = 1 (p = q) and alpha = 0 (disjoint supports): mean 1/2, standard
  // error 1/2, so the normal interval [0.5 -+ 0.98] is cut to [0, 1].
  BatchSettings settings;
  settings.drafts = {1};
  settings.methods = kMethods;
  BatchAccumulator batch(settings);
  const std::vector<std::pair<Eigen::VectorXd, Eigen::VectorXd>> pairs = {
      {vector_of({0.5, 0.5}), vector_of({0.5, 0.5})}, {vector_of({1.0, 0.0}), vector_of({0.0, 1.0})}};
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    auto values = compute_position(settings, weights_spec(pairs[i].first), weights_spec(pairs[i].second), "row");
    REQUIRE_MESSAGE(values.ok(), values.error());
    batch.add(std::move(values).value());
  }
  const BatchSummary summary = batch.summary();
  const auto& mean = summary.settings[0].optimal[0];
  CHECK(std::abs(mean.mean - 0.5) <= kRounding);
  CHECK(mean.ci95[0] == 0.0);
  CHECK(mean.ci95[1] == 1.0);
}

TEST_CASE("one position: a mean, no interval") {
  BatchSettings settings;
  settings.drafts = {2};
  BatchAccumulator batch(settings);
  const Eigen::VectorXd target = vector_of({0.3, 0.4, 0.3}), draft = vector_of({0.6, 0.3, 0.1});
  auto values = compute_position(settings, weights_spec(target), weights_spec(draft), "only");
  REQUIRE(values.ok());
  batch.add(std::move(values).value());
  const auto summary = batch.summary();
  REQUIRE(summary.settings.size() == 1);
  // README mathematics §6, first row: 0.89, 0.9928571429, 0.95.
  CHECK(std::abs(summary.settings[0].optimal[0].mean - 0.89) <= kTheoryDigits);
  CHECK(std::abs(summary.settings[0].optimal[1].mean - 0.9928571429) <= kTheoryDigits);
  CHECK(std::abs(summary.settings[0].optimal[2].mean - 0.95) <= kTheoryDigits);
  CHECK(summary.settings[0].optimal[0].positions == 1);
  CHECK(std::isnan(summary.settings[0].optimal[0].ci95[0]));
  CHECK(std::isnan(summary.settings[0].optimal[0].ci95[1]));
}

TEST_CASE("batch errors name the position") {
  BatchSettings settings;
  settings.drafts = {2};
  std::mt19937_64 rng(5);

  SUBCASE("positions of different vocabularies are each their own problem") {
    BatchAccumulator batch(settings);
    std::vector<double> alphas;
    for (int i = 0; i < 3; ++i) {
      const int vocab = i < 2 ? 6 : 7;
      const Eigen::VectorXd p = random_distribution(rng, vocab), q = random_distribution(rng, vocab);
      auto values = compute_position(settings, weights_spec(p), weights_spec(q), "data.jsonl:" + std::to_string(i + 1));
      REQUIRE_MESSAGE(values.ok(), values.error());
      batch.add(std::move(values).value());
      alphas.push_back(optimal_rate(Problem{p, q, 2}, DraftMethod::with_replacement).value().alpha);
    }
    const BatchSummary summary = batch.summary();
    CHECK(summary.positions == 3);
    CHECK(summary.vocab == 0);  // no single vocabulary
    CHECK(summary.vocab_min == 6);
    CHECK(summary.vocab_max == 7);
    CHECK(std::abs(summary.settings[0].optimal[0].mean - (alphas[0] + alphas[1] + alphas[2]) / 3) <= 1e-12);
  }

  SUBCASE("probabilities under a temperature sweep") {
    settings.temperatures = {0.7, 1.3};
    const Eigen::VectorXd logits = Eigen::VectorXd::LinSpaced(5, -1.0, 1.0);
    const Eigen::VectorXd probabilities = vector_of({0.1, 0.2, 0.3, 0.2, 0.2});
    auto target_bad = compute_position(settings, weights_spec(probabilities), logits_spec(logits), "t.npy row 17");
    REQUIRE_FALSE(target_bad.ok());
    CHECK(starts_with(target_bad.error(), "t.npy row 17: "));
    CHECK(contains(target_bad.error(), "target"));
    auto draft_bad = compute_position(settings, logits_spec(logits), weights_spec(probabilities), "position 4");
    REQUIRE_FALSE(draft_bad.ok());
    CHECK(starts_with(draft_bad.error(), "position 4: "));
    CHECK(contains(draft_bad.error(), "draft"));
    // Logits for both: fine.
    CHECK(compute_position(settings, logits_spec(logits), logits_spec(logits), "position 5").ok());
  }

  SUBCASE("target and draft of different sizes, or bad values") {
    auto sizes = compute_position(settings, weights_spec(vector_of({0.5, 0.5})),
                                  weights_spec(vector_of({0.2, 0.3, 0.5})), "x.jsonl:9");
    REQUIRE_FALSE(sizes.ok());
    CHECK(starts_with(sizes.error(), "x.jsonl:9: "));
    Eigen::VectorXd negative(3);
    negative << 0.5, -0.5, 1.0;
    auto values = compute_position(settings, weights_spec(negative), weights_spec(vector_of({0.2, 0.3, 0.5})), "x.jsonl:2");
    REQUIRE_FALSE(values.ok());
    CHECK(starts_with(values.error(), "x.jsonl:2: target[1]: "));
    Eigen::VectorXd nan_logits = Eigen::VectorXd::Zero(4);
    nan_logits[3] = NAN;
    auto nan = compute_position(settings, logits_spec(nan_logits), logits_spec(Eigen::VectorXd::Zero(4)), "t.npy row 3");
    REQUIRE_FALSE(nan.ok());
    CHECK(starts_with(nan.error(), "t.npy row 3: target.logits[3]: "));
  }
}

}  // namespace mdsd::test
