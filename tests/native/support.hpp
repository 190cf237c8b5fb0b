// Test support: the shared test vectors, seeded random instances and an
// independent brute force (THEORY.md §1-2) that the tests compare the code
// under test against. Nothing here calls src/core to compute an expectation;
// it only borrows the DraftMethod enum and the DraftSet struct as vocabulary.
#pragma once

#include "core/draft_law.hpp"
#include "core/problem.hpp"

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace mdsd::test {

// Tolerances, named once for the whole suite.
// Two computations of the same double-precision quantity by different routes.
inline constexpr double kExact = 1e-9;
// Sums of a handful of products: only rounding separates them.
inline constexpr double kRounding = 1e-12;
// The without-replacement quadrature against enumeration.
inline constexpr double kQuadrature = 1e-10;

// ---------------------------------------------------------------- shared cases

// One line of /work/shared/cases/small.jsonl, raw (inputs may not sum to 1).
struct SharedCase {
  std::size_t line = 0;  // 1-based, for messages
  std::vector<double> target, draft;
  int drafts = 1;
  nlohmann::json expected_optimal;  // {"with_replacement": {"alpha": x} | {"error": ...}, ...}
};

std::vector<SharedCase> load_small_cases();

// v / sum(v): how THEORY.md §6 says inputs are to be normalised.
Eigen::VectorXd normalised(const std::vector<double>& values);
Eigen::VectorXd vector_of(std::initializer_list<double> values);

// ------------------------------------------------------------ random instances

struct Instance {
  Eigen::VectorXd target, draft;  // each sums to 1
  int drafts = 1;
};

// A probability vector on `vocab` tokens; some entries zero, some tied, at
// least one positive.
Eigen::VectorXd random_distribution(std::mt19937_64& rng, int vocab);

// Target and draft on V in [min_vocab, max_vocab], n in [1, max_drafts]. With
// `draft_support_at_least_n`, n is capped by the number of q > 0 (so that
// without replacement and greedy apply).
Instance random_instance(std::mt19937_64& rng, int min_vocab, int max_vocab, int max_drafts,
                         bool draft_support_at_least_n = true);

int support_size(const Eigen::VectorXd& distribution);

// ------------------------------------------------------------------ brute force

// Token subsets of a small vocabulary as bit masks.
using Subset = std::uint64_t;
Subset subset_of(const std::vector<std::int32_t>& tokens);
std::vector<std::int32_t> tokens_of(Subset subset);

// Ordered draft tuples -> probability, by enumerating every tuple (THEORY.md
// §1). Tuples of probability 0 are left out.
using TupleLaw = std::map<std::vector<std::int32_t>, double>;
// Draft sets (tokens ascending, distinct) -> probability.
using SetLaw = std::map<std::vector<std::int32_t>, double>;

// The greedy fixed drafts T: the n - 1 largest q, ties lower index first.
std::vector<std::int32_t> brute_greedy_fixed(const Eigen::VectorXd& draft, int drafts);

TupleLaw brute_tuple_law(const Eigen::VectorXd& draft, int drafts, DraftMethod method);
SetLaw collapse_to_sets(const TupleLaw& tuples);
SetLaw brute_set_law(const Eigen::VectorXd& draft, int drafts, DraftMethod method);

std::int64_t brute_column_count(const SetLaw& law);
std::vector<DraftSet> as_draft_sets(const SetLaw& law);

// Q(H): the mass of the sets inside H.
double brute_mass_inside(const SetLaw& law, Subset subset);
double target_mass(const Eigen::VectorXd& target, Subset subset);

struct BruteOptimum {
  double alpha = 0.0;  // 1 + min over all 2^V subsets H of p(H) - Q(H)
  Subset certificate = 0;
};
BruteOptimum brute_optimal_rate(const Eigen::VectorXd& target, const SetLaw& law);

// sum_i min(p_i, q_i), the single-draft optimum.
double overlap(const Eigen::VectorXd& target, const Eigen::VectorXd& draft);

// ---------------------------------------------------------------------- misc

bool starts_with(const std::string& text, const std::string& prefix);
bool contains(const std::string& text, const std::string& part);

}  // namespace mdsd::test
