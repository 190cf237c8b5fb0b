// Test support: the shared test vectors, seeded random instances and an
// independent brute force (README mathematics §1-2) that the tests compare the code
// under test against. Nothing here calls src/core to compute an expectation;
// it only borrows the DraftMethod enum and the DraftSet struct as vocabulary.
#pragma once

#include "core/draft_law.hpp"
#include "core/problem.hpp"
#include "core/random.hpp"
#include "verify/alias_table.hpp"
#include "verify/verifier.hpp"

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <array>
#include <filesystem>
#include <cstdint>
#include <functional>
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

// One line of /work/tests/data/small.jsonl, raw (inputs may not sum to 1).
struct SharedCase {
  std::size_t line = 0;  // 1-based, for messages
  std::vector<double> target, draft;
  int drafts = 1;
  nlohmann::json expected_optimal;    // {"with_replacement": {"alpha": x} | {"error": ...}, ...}
  nlohmann::json expected_verifiers;  // may lack keys that do not apply; {} when absent
};

// The three sampled methods of tests/data/small.jsonl and README §6; top_n
// (deterministic drafts) is tested against its own closed form.
inline constexpr std::array<DraftMethod, 3> kSampledMethods = {
    DraftMethod::with_replacement, DraftMethod::without_replacement, DraftMethod::greedy};

std::vector<SharedCase> load_small_cases();

// v / sum(v): how README mathematics §6 says inputs are to be normalised.
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

// Ordered draft tuples -> probability, by enumerating every tuple (README mathematics
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


// ------------------------------------------------------- shared verifier cases

// The verifier tests read the same cases (SharedCase carries both blocks).
using SharedVerifierCase = SharedCase;
inline std::vector<SharedCase> load_small_verifier_cases() { return load_small_cases(); }

// README mathematics §6: alpha* (with, without, greedy) and the verifiers' acceptance.
struct TheoryRow {
  Eigen::VectorXd target, draft;
  int drafts;
  double optimal_with, optimal_without, optimal_greedy;
  double rrs_with, rrs_without, kseq, kseq_rho;
};
std::vector<TheoryRow> theory_table_rows();
// The table prints 10 significant digits.
inline constexpr double kTheoryDigits = 1e-9;

// ------------------------------------------------------------------ statistics
// Written here from textbook closed forms, independent of src/verify/statistics.

// P[chi2(df) >= x] for integer df >= 1, by the finite closed forms
// (even df: Poisson tail; odd df: erfc plus a finite series).
double chi_square_upper_tail(double x, int degrees_of_freedom);

struct Fit {
  double statistic = 0.0;
  int degrees_of_freedom = 0;  // bins - 1 (0 when nothing to test)
  double p_value = 1.0;
  bool impossible = false;  // a count where the probability is 0
};
// Pearson's statistic of `counts` against `probabilities` (sum 1). Bins with
// expected count below 5 are pooled into one bin (itself merged into the
// smallest regular bin when its expectation is still below 5).
Fit pearson_fit(const std::vector<std::int64_t>& counts, const std::vector<double>& probabilities);
// Independent fits summed: statistics and degrees of freedom add.
Fit combine_fits(const std::vector<Fit>& fits);

// Wilson score interval with quantile z, inside [0, 1], with the exact end
// points 0 at 0 successes and 1 at n.
std::array<double, 2> wilson_interval(std::int64_t successes, std::int64_t trials, double z);
inline constexpr double kZ999 = 3.2905267314919255;  // two-sided 99.9%
// A correct verifier must pass a fit at this level; a broken one must fail
// below kBrokenP. With fixed seeds these are deterministic.
inline constexpr double kPassP = 1e-4;
inline constexpr double kBrokenP = 1e-6;

// --------------------------------------------------- reference verifier laws
// The exact law of one verifier step given the draft tuple, written straight
// from README mathematics §4 with explicit residual vectors (no scalar-shift trick):
// entry y is P(output y, accepted), entry V + y is P(output y, not accepted).
using Outcome = std::vector<double>;
using OutcomeOf = std::function<Outcome(const std::vector<std::int32_t>& drafts)>;

Outcome brute_rrs_with(const Eigen::VectorXd& target, const Eigen::VectorXd& draft,
                       const std::vector<std::int32_t>& drafts);
Outcome brute_rrs_without(const Eigen::VectorXd& target, const Eigen::VectorXd& draft,
                          const std::vector<std::int32_t>& drafts);
Outcome brute_kseq(const Eigen::VectorXd& target, const Eigen::VectorXd& draft, double rho,
                   const std::vector<std::int32_t>& drafts);
// fixed: greedy's T; the random draft is the one draft outside T.
Outcome brute_greedy(const Eigen::VectorXd& target, const Eigen::VectorXd& draft,
                     const std::vector<std::int32_t>& fixed, const std::vector<std::int32_t>& drafts);
// K-SEQ's rho: the smallest rho in [1, n] with rho beta >= 1 - (1 - beta)^n.
double brute_kseq_rho(const Eigen::VectorXd& target, const Eigen::VectorXd& draft, int drafts);

// SpecHub's tuple law: x1 ~ q; x2 = hub unless x1 is the hub, else q without it.
TupleLaw brute_spechub_tuple_law(const Eigen::VectorXd& draft);

// sum over tuples of Q(tuple) * outcome(tuple).
Outcome mix_outcomes(const TupleLaw& tuples, const OutcomeOf& outcome, Eigen::Index vocab);
// Output law (accepted or not), acceptance (A) and hit rate (B) of a mixed outcome.
Eigen::VectorXd output_law(const Outcome& outcome);
double accepted_mass(const Outcome& outcome);
double hit_mass(const TupleLaw& tuples, const OutcomeOf& outcome);

// Runs verifier.verify on each tuple of `tuples` `per_tuple` times and fits
// the observed (output, accepted) counts against `outcome` (tuples whose
// probability is below `min_probability` are skipped).
Fit conditional_fit(const Verifier& verifier, const TupleLaw& tuples, const OutcomeOf& outcome,
                    Eigen::Index vocab, std::int64_t per_tuple, std::uint64_t seed,
                    double min_probability = 0.0);

// A deliberately wrong verifier, to show that a check can fail: RRS with
// replacement whose residual forgets to subtract q. Every draft is tested
// against p itself, and after n rejections the output is drawn from p, so the
// output over-weights min(p, q). Both distributions must outlive it.
class RrsForgettingQ : public Verifier {
 public:
  RrsForgettingQ(const Eigen::VectorXd& target, const Eigen::VectorXd& draft)
      : target_(target), draft_(draft), target_table_(target) {}
  Verdict verify(const std::vector<std::int32_t>& drafts, Random& random) const override {
    for (std::int32_t x : drafts) {
      if (random.uniform() * draft_[x] < target_[x]) return {x, true};
    }
    return {target_table_.sample(random), false};
  }

 private:
  const Eigen::VectorXd& target_;
  const Eigen::VectorXd& draft_;
  AliasTable target_table_;
};

// ---------------------------------------------------------------------- misc

bool starts_with(const std::string& text, const std::string& prefix);
bool contains(const std::string& text, const std::string& part);

// ------------------------------------------------------------ scratch folders

// A folder of its own under the system's temporary folder for one test,
// removed with everything in it afterwards.
struct ScratchFolder {
  std::filesystem::path folder;
  explicit ScratchFolder(const std::string& prefix);
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  std::filesystem::path path(const std::string& name) const { return folder / name; }
  // Writes `bytes` to `name` in the folder; its path.
  std::string write(const std::string& name, const std::string& bytes) const;
  // build/native/mdsd ARGUMENTS run in the folder (after the shell text
  // `before`, e.g. "cat x |"): exit status, standard output and error.
  struct Run {
    int status = -1;
    std::string out, err;
  };
  Run run_mdsd(const std::string& arguments, const std::string& before = "") const;
};

// The whole file's bytes ("" when it cannot be read).
std::string slurp(const std::filesystem::path& path);
// One line of text, ending with its newline.
bool one_line(const std::string& text);

// mdsd::solve of a request: the result JSON (failing the test on an error),
// or the error line (failing it on a result).
nlohmann::json solved(const nlohmann::json& request);
std::string solve_error(const nlohmann::json& request);

}  // namespace mdsd::test
