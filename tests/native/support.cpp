#include "support.hpp"

#include "api/solve.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <cstdlib>
#include <sys/wait.h>
#include <sstream>
#include <numeric>
#include <stdexcept>

#include <unistd.h>

namespace mdsd::test {

// ---------------------------------------------------------------- shared cases

std::vector<SharedCase> load_small_cases() {
  const std::string path = std::string(MDSD_TEST_DATA_DIR) + "/small.jsonl";
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open " + path);
  std::vector<SharedCase> cases;
  std::string text;
  std::size_t line = 0;
  while (std::getline(file, text)) {
    ++line;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto json = nlohmann::json::parse(text);
    SharedCase entry;
    entry.line = line;
    entry.target = json.at("target").get<std::vector<double>>();
    entry.draft = json.at("draft").get<std::vector<double>>();
    entry.drafts = json.at("drafts").get<int>();
    entry.expected_optimal = json.at("expected").at("optimal");
    entry.expected_verifiers = json.at("expected").value("verifiers", nlohmann::json::object());
    cases.push_back(std::move(entry));
  }
  if (cases.empty()) throw std::runtime_error(path + " has no cases");
  return cases;
}

Eigen::VectorXd normalised(const std::vector<double>& values) {
  Eigen::VectorXd vector(static_cast<Eigen::Index>(values.size()));
  double total = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    vector[static_cast<Eigen::Index>(i)] = values[i];
    total += values[i];
  }
  return vector / total;
}

Eigen::VectorXd vector_of(std::initializer_list<double> values) {
  return normalised(std::vector<double>(values));
}

// ------------------------------------------------------------ random instances

Eigen::VectorXd random_distribution(std::mt19937_64& rng, int vocab) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Eigen::VectorXd weights(vocab);
  for (int i = 0; i < vocab; ++i) {
    const double kind = uniform(rng);
    if (kind < 0.2) {
      weights[i] = 0.0;
    } else if (kind < 0.35 && i > 0) {
      weights[i] = weights[std::uniform_int_distribution<int>(0, i - 1)(rng)];  // a tie
    } else if (kind < 0.5) {
      weights[i] = std::pow(uniform(rng), 4.0);  // skewed: some tiny entries
    } else {
      weights[i] = uniform(rng);
    }
  }
  if (!(weights.sum() > 0.0)) weights[std::uniform_int_distribution<int>(0, vocab - 1)(rng)] = 1.0;
  return weights / weights.sum();
}

int support_size(const Eigen::VectorXd& distribution) {
  int count = 0;
  for (Eigen::Index i = 0; i < distribution.size(); ++i) count += distribution[i] > 0.0;
  return count;
}

Instance random_instance(std::mt19937_64& rng, int min_vocab, int max_vocab, int max_drafts,
                         bool draft_support_at_least_n) {
  Instance instance;
  const int vocab = std::uniform_int_distribution<int>(min_vocab, max_vocab)(rng);
  instance.target = random_distribution(rng, vocab);
  instance.draft = random_distribution(rng, vocab);
  const int highest = draft_support_at_least_n
                          ? std::min(max_drafts, support_size(instance.draft))
                          : max_drafts;
  instance.drafts = std::uniform_int_distribution<int>(1, highest)(rng);
  return instance;
}

// ------------------------------------------------------------------ brute force

Subset subset_of(const std::vector<std::int32_t>& tokens) {
  Subset subset = 0;
  for (std::int32_t token : tokens) subset |= Subset{1} << token;
  return subset;
}

std::vector<std::int32_t> tokens_of(Subset subset) {
  std::vector<std::int32_t> tokens;
  for (std::int32_t token = 0; token < 64; ++token) {
    if (subset >> token & 1u) tokens.push_back(token);
  }
  return tokens;
}

std::vector<std::int32_t> brute_greedy_fixed(const Eigen::VectorXd& draft, int drafts) {
  // Selection by repeated arg-max: the first maximum found wins a tie.
  std::vector<std::int32_t> fixed;
  std::vector<bool> taken(static_cast<std::size_t>(draft.size()), false);
  for (int k = 0; k + 1 < drafts; ++k) {
    std::int32_t best = -1;
    for (std::int32_t i = 0; i < draft.size(); ++i) {
      if (!taken[i] && (best < 0 || draft[i] > draft[best])) best = i;
    }
    taken[best] = true;
    fixed.push_back(best);
  }
  return fixed;
}

namespace {

// Successive sampling: extend `prefix` (probability `probability`) by every
// token not drawn yet, with probability q_x / (mass of the undrawn tokens).
void extend_without_replacement(const Eigen::VectorXd& draft, int drafts,
                                std::vector<std::int32_t>& prefix, double probability,
                                TupleLaw& law) {
  if (static_cast<int>(prefix.size()) == drafts) {
    law[prefix] += probability;
    return;
  }
  double undrawn = 0.0;  // summed, not 1 - drawn, to keep precision
  for (std::int32_t i = 0; i < draft.size(); ++i) {
    if (std::find(prefix.begin(), prefix.end(), i) == prefix.end()) undrawn += draft[i];
  }
  for (std::int32_t i = 0; i < draft.size(); ++i) {
    if (draft[i] == 0.0 || std::find(prefix.begin(), prefix.end(), i) != prefix.end()) continue;
    prefix.push_back(i);
    extend_without_replacement(draft, drafts, prefix, probability * (draft[i] / undrawn), law);
    prefix.pop_back();
  }
}

void extend_with_replacement(const Eigen::VectorXd& draft, int drafts,
                             std::vector<std::int32_t>& prefix, double probability,
                             TupleLaw& law) {
  if (static_cast<int>(prefix.size()) == drafts) {
    law[prefix] += probability;
    return;
  }
  for (std::int32_t i = 0; i < draft.size(); ++i) {
    if (draft[i] == 0.0) continue;
    prefix.push_back(i);
    extend_with_replacement(draft, drafts, prefix, probability * draft[i], law);
    prefix.pop_back();
  }
}

}  // namespace

TupleLaw brute_tuple_law(const Eigen::VectorXd& draft, int drafts, DraftMethod method) {
  TupleLaw law;
  std::vector<std::int32_t> prefix;
  switch (method) {
    case DraftMethod::with_replacement:
      extend_with_replacement(draft, drafts, prefix, 1.0, law);
      break;
    case DraftMethod::without_replacement:
      extend_without_replacement(draft, drafts, prefix, 1.0, law);
      break;
    case DraftMethod::greedy: {
      prefix = brute_greedy_fixed(draft, drafts);
      double rest = 0.0;
      for (std::int32_t i = 0; i < draft.size(); ++i) {
        if (std::find(prefix.begin(), prefix.end(), i) == prefix.end()) rest += draft[i];
      }
      for (std::int32_t i = 0; i < draft.size(); ++i) {
        if (draft[i] == 0.0 || std::find(prefix.begin(), prefix.end(), i) != prefix.end()) continue;
        auto tuple = prefix;
        tuple.push_back(i);
        law[tuple] += draft[i] / rest;
      }
      break;
    }
    case DraftMethod::top_n:
      // The n largest by repeated arg-max: greedy's T for n + 1 drafts.
      law[brute_greedy_fixed(draft, drafts + 1)] = 1.0;
      break;
  }
  return law;
}

SetLaw collapse_to_sets(const TupleLaw& tuples) {
  SetLaw sets;
  for (const auto& [tuple, mass] : tuples) {
    if (!(mass > 0.0)) continue;
    auto tokens = tuple;
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    sets[tokens] += mass;
  }
  return sets;
}

SetLaw brute_set_law(const Eigen::VectorXd& draft, int drafts, DraftMethod method) {
  return collapse_to_sets(brute_tuple_law(draft, drafts, method));
}

std::int64_t brute_column_count(const SetLaw& law) {
  std::int64_t columns = 0;
  for (const auto& entry : law) columns += static_cast<std::int64_t>(entry.first.size());
  return columns;
}

std::vector<DraftSet> as_draft_sets(const SetLaw& law) {
  std::vector<DraftSet> sets;
  for (const auto& [tokens, mass] : law) sets.push_back({tokens, mass});
  return sets;
}

double brute_mass_inside(const SetLaw& law, Subset subset) {
  double inside = 0.0;
  for (const auto& [tokens, mass] : law) {
    if ((subset_of(tokens) & ~subset) == 0) inside += mass;
  }
  return inside;
}

double target_mass(const Eigen::VectorXd& target, Subset subset) {
  double mass = 0.0;
  for (std::int32_t token : tokens_of(subset)) mass += target[token];
  return mass;
}

BruteOptimum brute_optimal_rate(const Eigen::VectorXd& target, const SetLaw& law) {
  if (target.size() > 20) throw std::invalid_argument("brute force over 2^V subsets: V too large");
  BruteOptimum best{1.0, 0};  // H = {} gives 1 + 0 - 0
  const Subset all = (Subset{1} << target.size()) - 1;
  for (Subset subset = 1; subset <= all; ++subset) {
    const double value = 1.0 + target_mass(target, subset) - brute_mass_inside(law, subset);
    if (value < best.alpha) best = {value, subset};
  }
  return best;
}

double overlap(const Eigen::VectorXd& target, const Eigen::VectorXd& draft) {
  double total = 0.0;
  for (Eigen::Index i = 0; i < target.size(); ++i) total += std::min(target[i], draft[i]);
  return total;
}

std::vector<TheoryRow> theory_table_rows() {
  return {
      {vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 2, 0.89, 0.9928571429, 0.95, 0.82, 0.875,
       0.84, 1.4},
      {vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 3, 0.971, 1, 1, 0.848, 1, 0.875, 1.75},
      {vector_of({.5, .3, .2}), vector_of({.2, .3, .5}), 2, 0.86, 0.9857142857, 0.9, 0.76, 0.82,
       0.7913552873, 1.4567764363},
      {vector_of({.1, .2, .3, .4}), vector_of({.4, .3, .2, .1}), 3, 0.871, 1, 0.9333333333, 0.768,
       0.840297619, 0.7939499683, 1.9394996831},
      {vector_of({.6, .2, .1, .05, .05}), vector_of({.3, .3, .2, .1, .1}), 2, 0.91, 0.9702380952, 1,
       0.79, 0.8136904762, 0.8253672504, 1.4178908346},
      {vector_of({.25, .25, .25, .25}), vector_of({.7, .1, .1, .1}), 2, 0.76, 1, 1, 0.685, 1,
       0.7112159063, 1.5373863542},
  };
}

// ------------------------------------------------------------------ statistics

double chi_square_upper_tail(double x, int degrees_of_freedom) {
  if (!(x > 0.0)) return 1.0;
  if (std::isinf(x)) return 0.0;
  const double half = 0.5 * x;
  const double log_half = std::log(half);
  double tail = 0.0;
  if (degrees_of_freedom % 2 == 0) {
    // e^{-x/2} sum_{k < df/2} (x/2)^k / k!
    double log_term = -half;
    for (int k = 0; k < degrees_of_freedom / 2; ++k) {
      tail += std::exp(log_term);
      log_term += log_half - std::log(k + 1.0);
    }
  } else {
    // erfc(sqrt(x/2)) + e^{-x/2} sum_{k < (df-1)/2} (x/2)^{k+1/2} / Gamma(k + 3/2)
    tail = std::erfc(std::sqrt(half));
    double log_term = -half + 0.5 * log_half - std::lgamma(1.5);
    for (int k = 0; k < (degrees_of_freedom - 1) / 2; ++k) {
      tail += std::exp(log_term);
      log_term += log_half - std::log(k + 1.5);
    }
  }
  return std::min(1.0, std::max(0.0, tail));
}

Fit pearson_fit(const std::vector<std::int64_t>& counts, const std::vector<double>& probabilities) {
  Fit fit;
  double total = 0.0;
  for (std::int64_t count : counts) total += static_cast<double>(count);
  if (!(total > 0.0)) return fit;
  std::vector<std::pair<double, double>> bins;  // (observed, expected)
  double pooled_observed = 0.0, pooled_expected = 0.0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const auto observed = static_cast<double>(counts[i]);
    const double expected = total * probabilities[i];
    if (!(probabilities[i] > 0.0)) {
      if (observed > 0.0) {
        fit.impossible = true;
        fit.statistic = INFINITY;
        fit.p_value = 0.0;
        return fit;
      }
      continue;
    }
    if (expected < 5.0) {
      pooled_observed += observed;
      pooled_expected += expected;
    } else {
      bins.emplace_back(observed, expected);
    }
  }
  if (pooled_expected > 0.0) {
    if (pooled_expected < 5.0 && !bins.empty()) {
      auto smallest = std::min_element(bins.begin(), bins.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      });
      smallest->first += pooled_observed;
      smallest->second += pooled_expected;
    } else {
      bins.emplace_back(pooled_observed, pooled_expected);
    }
  }
  for (const auto& [observed, expected] : bins) {
    fit.statistic += (observed - expected) * (observed - expected) / expected;
  }
  fit.degrees_of_freedom = std::max<int>(static_cast<int>(bins.size()) - 1, 0);
  fit.p_value = fit.degrees_of_freedom > 0 ? chi_square_upper_tail(fit.statistic, fit.degrees_of_freedom)
                                           : 1.0;
  return fit;
}

Fit combine_fits(const std::vector<Fit>& fits) {
  Fit total;
  for (const Fit& fit : fits) {
    total.statistic += fit.statistic;
    total.degrees_of_freedom += fit.degrees_of_freedom;
    total.impossible = total.impossible || fit.impossible;
  }
  total.p_value = total.impossible ? 0.0
                  : total.degrees_of_freedom > 0
                      ? chi_square_upper_tail(total.statistic, total.degrees_of_freedom)
                      : 1.0;
  return total;
}

std::array<double, 2> wilson_interval(std::int64_t successes, std::int64_t trials, double z) {
  const double n = static_cast<double>(trials);
  const double phat = static_cast<double>(successes) / n;
  const double denominator = 1.0 + z * z / n;
  const double center = (phat + z * z / (2.0 * n)) / denominator;
  const double half = z / denominator * std::sqrt(phat * (1.0 - phat) / n + z * z / (4.0 * n * n));
  // Exact in real arithmetic at the ends: 0/n starts at 0, n/n ends at 1.
  return {successes == 0 ? 0.0 : std::max(0.0, center - half),
          successes == trials ? 1.0 : std::min(1.0, center + half)};
}

// --------------------------------------------------- reference verifier laws

namespace {

Eigen::VectorXd positive_part(const Eigen::VectorXd& values) { return values.cwiseMax(0.0); }

// v / sum(v), or zeros when v has no mass.
Eigen::VectorXd normalise_or_zero(const Eigen::VectorXd& values) {
  const double total = values.sum();
  return total > 0.0 ? Eigen::VectorXd(values / total) : Eigen::VectorXd::Zero(values.size());
}

Outcome zero_outcome(Eigen::Index vocab) { return Outcome(static_cast<std::size_t>(2 * vocab), 0.0); }

void add_rejected(Outcome& outcome, double reach, const Eigen::VectorXd& law) {
  const auto vocab = law.size();
  for (Eigen::Index y = 0; y < vocab; ++y) outcome[static_cast<std::size_t>(vocab + y)] += reach * law[y];
}

}  // namespace

Outcome brute_rrs_with(const Eigen::VectorXd& target, const Eigen::VectorXd& draft,
                       const std::vector<std::int32_t>& drafts) {
  Outcome outcome = zero_outcome(target.size());
  Eigen::VectorXd residual = target;
  double reach = 1.0;
  for (std::int32_t x : drafts) {
    const double accept = std::min(1.0, residual[x] / draft[x]);
    outcome[static_cast<std::size_t>(x)] += reach * accept;
    reach *= 1.0 - accept;
    residual = normalise_or_zero(positive_part(residual - draft));
  }
  if (reach > 0.0) add_rejected(outcome, reach, residual);
  return outcome;
}

Outcome brute_rrs_without(const Eigen::VectorXd& target, const Eigen::VectorXd& draft,
                          const std::vector<std::int32_t>& drafts) {
  Outcome outcome = zero_outcome(target.size());
  Eigen::VectorXd residual = target, step_draft = draft / draft.sum();
  double reach = 1.0;
  for (std::int32_t x : drafts) {
    const double accept = std::min(1.0, residual[x] / step_draft[x]);
    outcome[static_cast<std::size_t>(x)] += reach * accept;
    reach *= 1.0 - accept;
    residual = normalise_or_zero(positive_part(residual - step_draft));
    step_draft[x] = 0.0;
    step_draft = normalise_or_zero(step_draft);
  }
  if (reach > 0.0) add_rejected(outcome, reach, residual);
  return outcome;
}

Outcome brute_kseq(const Eigen::VectorXd& target, const Eigen::VectorXd& draft, double rho,
                   const std::vector<std::int32_t>& drafts) {
  Outcome outcome = zero_outcome(target.size());
  const Eigen::VectorXd capped = draft.cwiseMin(target / rho);
  const double beta = capped.sum();
  // c = (1 - (1 - beta)^n) / beta, whose limit at beta = 0 (disjoint supports) is n.
  const auto n = static_cast<double>(drafts.size());
  const double scale = beta > 0.0 ? (1.0 - std::pow(1.0 - beta, n)) / beta : n;
  double reach = 1.0;
  for (std::int32_t x : drafts) {
    const double accept = std::min(1.0, target[x] / (rho * draft[x]));
    outcome[static_cast<std::size_t>(x)] += reach * accept;
    reach *= 1.0 - accept;
  }
  if (reach > 0.0) add_rejected(outcome, reach, normalise_or_zero(positive_part(target - scale * capped)));
  return outcome;
}

Outcome brute_greedy(const Eigen::VectorXd& target, const Eigen::VectorXd& draft,
                     const std::vector<std::int32_t>& fixed, const std::vector<std::int32_t>& drafts) {
  const Eigen::Index vocab = target.size();
  Outcome outcome = zero_outcome(vocab);
  std::vector<bool> in_fixed(static_cast<std::size_t>(vocab), false);
  for (std::int32_t token : fixed) in_fixed[static_cast<std::size_t>(token)] = true;
  Eigen::VectorXd conditional = draft;
  for (std::int32_t token : fixed) conditional[token] = 0.0;
  conditional = normalise_or_zero(conditional);
  std::int32_t x = -1;
  for (std::int32_t token : drafts) {
    if (!in_fixed[static_cast<std::size_t>(token)]) x = token;
  }
  if (x < 0) throw std::invalid_argument("brute_greedy: no draft outside T");
  const double accept = std::min(1.0, target[x] / conditional[x]);
  outcome[static_cast<std::size_t>(x)] += accept;
  const Eigen::VectorXd residual = normalise_or_zero(positive_part(target - conditional));
  for (Eigen::Index y = 0; y < vocab; ++y) {
    const auto slot = static_cast<std::size_t>(in_fixed[static_cast<std::size_t>(y)] ? y : vocab + y);
    outcome[slot] += (1.0 - accept) * residual[y];
  }
  return outcome;
}

double brute_kseq_rho(const Eigen::VectorXd& target, const Eigen::VectorXd& draft, int drafts) {
  // In long double, token by token, on p and q renormalised to sum to 1 in
  // that precision: 1 - beta and 1 - rho beta are sums of non-negative terms
  // (a difference with 1 would decide p = q by the last bit of the sums).
  const Eigen::Index vocab = target.size();
  long double target_total = 0.0L, draft_total = 0.0L;
  for (Eigen::Index i = 0; i < vocab; ++i) {
    target_total += target[i];
    draft_total += draft[i];
  }
  const auto excess = [&](long double rho) {
    long double shortfall = 0.0L, surplus = 0.0L;  // 1 - beta, 1 - rho beta
    for (Eigen::Index i = 0; i < vocab; ++i) {
      const long double p = target[i] / target_total, q = draft[i] / draft_total;
      shortfall += q - std::min(q, p / rho);
      surplus += p - std::min(rho * q, p);
    }
    return std::pow(shortfall, static_cast<long double>(drafts)) - surplus;
  };
  if (excess(1.0L) >= 0.0L) return 1.0;
  long double low = 1.0L, high = drafts;
  for (int iteration = 0; iteration < 300; ++iteration) {
    const long double middle = 0.5L * (low + high);
    (excess(middle) >= 0.0L ? high : low) = middle;
  }
  return static_cast<double>(high);
}

TupleLaw brute_spechub_tuple_law(const Eigen::VectorXd& draft) {
  const Eigen::Index vocab = draft.size();
  std::int32_t hub = 0;
  for (std::int32_t i = 1; i < vocab; ++i) {
    if (draft[i] > draft[hub]) hub = i;
  }
  const double total = draft.sum();
  double others = 0.0;
  for (std::int32_t i = 0; i < vocab; ++i) others += i == hub ? 0.0 : draft[i];
  TupleLaw law;
  for (std::int32_t first = 0; first < vocab; ++first) {
    if (draft[first] == 0.0) continue;
    if (first != hub) {
      law[{first, hub}] += draft[first] / total;
      continue;
    }
    for (std::int32_t second = 0; second < vocab; ++second) {
      if (second == hub || draft[second] == 0.0) continue;
      law[{hub, second}] += (draft[hub] / total) * (draft[second] / others);
    }
  }
  return law;
}

Outcome mix_outcomes(const TupleLaw& tuples, const OutcomeOf& outcome, Eigen::Index vocab) {
  Outcome mixed = zero_outcome(vocab);
  for (const auto& [tuple, mass] : tuples) {
    const Outcome one = outcome(tuple);
    for (std::size_t i = 0; i < mixed.size(); ++i) mixed[i] += mass * one[i];
  }
  return mixed;
}

Eigen::VectorXd output_law(const Outcome& outcome) {
  const auto vocab = static_cast<Eigen::Index>(outcome.size() / 2);
  Eigen::VectorXd law(vocab);
  for (Eigen::Index y = 0; y < vocab; ++y) {
    law[y] = outcome[static_cast<std::size_t>(y)] + outcome[static_cast<std::size_t>(vocab + y)];
  }
  return law;
}

double accepted_mass(const Outcome& outcome) {
  double total = 0.0;
  for (std::size_t y = 0; y < outcome.size() / 2; ++y) total += outcome[y];
  return total;
}

double hit_mass(const TupleLaw& tuples, const OutcomeOf& outcome) {
  double total = 0.0;
  for (const auto& [tuple, mass] : tuples) {
    const Eigen::VectorXd law = output_law(outcome(tuple));
    std::vector<std::int32_t> set = tuple;
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    for (std::int32_t token : set) total += mass * law[token];
  }
  return total;
}

Fit conditional_fit(const Verifier& verifier, const TupleLaw& tuples, const OutcomeOf& outcome,
                    Eigen::Index vocab, std::int64_t per_tuple, std::uint64_t seed,
                    double min_probability) {
  std::vector<Fit> fits;
  Random random(seed);
  for (const auto& [tuple, mass] : tuples) {
    if (mass < min_probability) continue;
    std::vector<std::int64_t> counts(static_cast<std::size_t>(2 * vocab), 0);
    for (std::int64_t step = 0; step < per_tuple; ++step) {
      const Verdict verdict = verifier.verify(tuple, random);
      ++counts[static_cast<std::size_t>(verdict.accepted ? verdict.token : vocab + verdict.token)];
    }
    fits.push_back(pearson_fit(counts, outcome(tuple)));
  }
  return combine_fits(fits);
}

// ---------------------------------------------------------------------- misc

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ------------------------------------------------------------ scratch folders

ScratchFolder::ScratchFolder(const std::string& prefix) {
  static int counter = 0;
  folder = std::filesystem::temp_directory_path() /
           (prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::create_directories(folder);
}

ScratchFolder::~ScratchFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
}

std::string ScratchFolder::write(const std::string& name, const std::string& bytes) const {
  std::ofstream(folder / name, std::ios::binary) << bytes;
  return (folder / name).string();
}

nlohmann::json solved(const nlohmann::json& request) {
  const SolveOutput output = solve(request.dump());
  REQUIRE_MESSAGE(output.ok, output.text);
  return nlohmann::json::parse(output.text);
}

std::string solve_error(const nlohmann::json& request) {
  const SolveOutput output = solve(request.dump());
  REQUIRE_FALSE(output.ok);
  return output.text;
}

ScratchFolder::Run ScratchFolder::run_mdsd(const std::string& arguments, const std::string& before) const {
  const std::filesystem::path out = folder / "stdout", err = folder / "stderr";
  const std::string command = "cd '" + folder.string() + "' && " + before + "'" + std::string(MDSD_MDSD_BINARY) + "' " +
                              arguments + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int raw = std::system(command.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

bool one_line(const std::string& text) {
  return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

}  // namespace mdsd::test
