#include "support.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <stdexcept>

namespace mdsd::test {

// ---------------------------------------------------------------- shared cases

std::vector<SharedCase> load_small_cases() {
  const std::string path = std::string(MDSD_SHARED_DIR) + "/cases/small.jsonl";
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
    extend_without_replacement(draft, drafts, prefix, probability * draft[i] / undrawn, law);
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

// ---------------------------------------------------------------------- misc

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace mdsd::test
