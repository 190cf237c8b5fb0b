// verify/optimal_verifier: the optimal verifier for i.i.d. drafts. Its
// selection rule (the highest random level wins) is integrated here, tuple by
// tuple, from the level segments alone; over the enumerated draft law that
// gives the rule's exact law s. The tests check s against the verifier's own
// formula, the output law against p, and sum min(p, s) against alpha* from the
// brute force over all subsets and from GLPK's LP; then verify() against the
// per-tuple law, and a 10^6-step simulation at V = 32,000 (with a broken
// variant that the same checks reject).
#include "verify/optimal_verifier.hpp"

#include "core/optimal_rate.hpp"
#include "core/ratio_order.hpp"
#include "core/synthetic.hpp"
#include "lp/transport_lp.hpp"
#include "verify/draft_sampler.hpp"
#include "verify/simulation.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace mdsd::test {
namespace {

constexpr std::int64_t kPerTuple = 3000;

struct Built {
  Problem problem;
  OptimalWithReplacement verifier;
  explicit Built(Problem p)
      : problem(std::move(p)), verifier(problem, order_by_ratio(problem.target, problem.draft)) {}
};

// The level law of one token: uniform on its segments.
struct LevelLaw {
  std::vector<LevelSegment> segments;
  double length = 0.0;
  double cdf(double level) const {
    double below = 0.0;
    for (const LevelSegment& s : segments) below += std::clamp(level - s.start, 0.0, s.length);
    return below / length;
  }
  double density(double level) const {
    for (const LevelSegment& s : segments) {
      if (level >= s.start && level < s.start + s.length) return 1.0 / length;
    }
    return 0.0;
  }
};

// P(draft i has the highest level) for each i of the tuple: between
// consecutive segment ends the integrand density_i * prod_j cdf_j is a
// polynomial of degree n - 1 <= 7, which 4-point Gauss-Legendre integrates exactly.
std::vector<double> selection_given(const std::vector<LevelLaw>& laws, const std::vector<std::int32_t>& tuple) {
  static constexpr double kNode[4] = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563,
                                      0.8611363115940526};
  static constexpr double kWeight[4] = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461,
                                        0.3478548451374538};
  std::vector<double> ends = {0.0, 1.0};
  for (const std::int32_t x : tuple) {
    for (const LevelSegment& s : laws[x].segments) {
      ends.push_back(s.start);
      ends.push_back(s.start + s.length);
    }
  }
  std::sort(ends.begin(), ends.end());
  std::vector<double> chosen(tuple.size(), 0.0);
  for (std::size_t e = 0; e + 1 < ends.size(); ++e) {
    const double a = ends[e], b = ends[e + 1];
    if (!(b > a)) continue;
    for (int g = 0; g < 4; ++g) {
      const double level = 0.5 * (a + b) + 0.5 * (b - a) * kNode[g];
      const double weight = 0.5 * (b - a) * kWeight[g];
      for (std::size_t i = 0; i < tuple.size(); ++i) {
        double term = laws[tuple[i]].density(level);
        for (std::size_t j = 0; j < tuple.size() && term > 0.0; ++j) {
          if (j != i) term *= laws[tuple[j]].cdf(level);
        }
        chosen[i] += weight * term;
      }
    }
  }
  return chosen;
}

std::vector<LevelLaw> level_laws(const OptimalWithReplacement& verifier, Eigen::Index vocab) {
  std::vector<LevelLaw> laws(static_cast<std::size_t>(vocab));
  for (Eigen::Index y = 0; y < vocab; ++y) {
    laws[y].segments = verifier.level_segments(static_cast<std::int32_t>(y));
    for (const LevelSegment& s : laws[y].segments) laws[y].length += s.length;
  }
  return laws;
}

// The two-stage law given a tuple: the selected draft y is accepted with
// min(1, p_y / s_y), else the output is drawn from (p - s)+.
OutcomeOf two_stage_outcome(const Eigen::VectorXd& p, const std::vector<double>& s,
                            const std::vector<LevelLaw>& laws) {
  const Eigen::Index vocab = p.size();
  Eigen::VectorXd residual(vocab);
  for (Eigen::Index y = 0; y < vocab; ++y) residual[y] = std::max(p[y] - s[y], 0.0);
  const double residual_mass = residual.sum();
  return [=](const std::vector<std::int32_t>& tuple) {
    Outcome outcome(static_cast<std::size_t>(2 * vocab), 0.0);
    const std::vector<double> chosen = selection_given(laws, tuple);
    for (std::size_t i = 0; i < tuple.size(); ++i) {
      const std::int32_t y = tuple[i];
      const double accept = s[y] > p[y] ? p[y] / s[y] : 1.0;
      outcome[static_cast<std::size_t>(y)] += chosen[i] * accept;
      if (residual_mass > 0.0) {
        for (Eigen::Index z = 0; z < vocab; ++z) {
          outcome[static_cast<std::size_t>(vocab + z)] += chosen[i] * (1.0 - accept) * residual[z] / residual_mass;
        }
      }
    }
    return outcome;
  };
}

// The rule's exact law s, by enumeration of the i.i.d. tuples.
Eigen::VectorXd enumerated_selection(const Eigen::VectorXd& q, int n, const std::vector<LevelLaw>& laws) {
  Eigen::VectorXd s = Eigen::VectorXd::Zero(q.size());
  for (const auto& [tuple, mass] : brute_tuple_law(q, n, DraftMethod::with_replacement)) {
    const std::vector<double> chosen = selection_given(laws, tuple);
    for (std::size_t i = 0; i < tuple.size(); ++i) s[tuple[i]] += mass * chosen[i];
  }
  return s;
}

// A deliberately broken variant: the first draft instead of the highest level,
// with the same second stage (s, (p - s)+) as the real verifier.
class FirstDraftVariant : public Verifier {
 public:
  FirstDraftVariant(const Eigen::VectorXd& p, const std::vector<double>& s) : p_(p), s_(s) {
    Eigen::VectorXd residual(p.size());
    for (Eigen::Index y = 0; y < p.size(); ++y) residual[y] = std::max(p[y] - s[y], 0.0);
    residual_.emplace(residual);
  }
  Verdict verify(const std::vector<std::int32_t>& drafts, Random& random) const override {
    const std::int32_t y = drafts.front();
    if (random.uniform() * s_[y] < p_[y]) return {y, true};
    return {residual_->sample(random), false};
  }

 private:
  const Eigen::VectorXd& p_;
  const std::vector<double>& s_;
  std::optional<AliasTable> residual_;
};

}  // namespace

TEST_CASE("optimal with replacement: the enumerated law of the rule is s, the output is p, the acceptance alpha*") {
  std::mt19937_64 rng(1501);
  int below_one = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const bool many_drafts = trial % 4 == 0;
    const Instance instance =
        many_drafts ? random_instance(rng, 1, 4, 6, false) : random_instance(rng, 1, 6, 4, false);
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    const int n = instance.drafts;
    CAPTURE(trial);
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    CAPTURE(n);
    const Built built(Problem{p, q, n});
    const std::vector<LevelLaw> laws = level_laws(built.verifier, p.size());
    const Eigen::VectorXd s = enumerated_selection(q, n, laws);
    const std::vector<double>& claimed = built.verifier.selection_law();
    for (Eigen::Index y = 0; y < p.size(); ++y) CHECK(std::abs(s[y] - claimed[y]) <= kRounding);

    const double alpha = brute_optimal_rate(p, brute_set_law(q, n, DraftMethod::with_replacement)).alpha;
    CHECK(std::abs(p.cwiseMin(s).sum() - alpha) <= kRounding);
    CHECK(std::abs(built.verifier.acceptance() - alpha) <= kRounding);

    const TupleLaw tuples = brute_tuple_law(q, n, DraftMethod::with_replacement);
    const Outcome law = mix_outcomes(tuples, two_stage_outcome(p, claimed, laws), p.size());
    CHECK((output_law(law) - p).cwiseAbs().maxCoeff() <= kRounding);
    CHECK(std::abs(accepted_mass(law) - alpha) <= kRounding);
    below_one += alpha < 1.0 - 1e-6;
  }
  CHECK(below_one > 150);  // the family is not dominated by alpha* = 1
}

TEST_CASE("optimal with replacement: acceptance equals GLPK's LP optimum") {
  std::mt19937_64 rng(1502);
  for (int trial = 0; trial < 60; ++trial) {
    const Instance instance = random_instance(rng, 2, 6, 4, false);
    CAPTURE(trial);
    const Built built(Problem{instance.target, instance.draft, instance.drafts});
    const auto law = as_draft_sets(brute_set_law(instance.draft, instance.drafts, DraftMethod::with_replacement));
    const auto lp = solve_transport_lp(instance.target, law, LpOptions{});
    REQUIRE_MESSAGE(lp.ok(), lp.error());
    CHECK(std::abs(built.verifier.acceptance() - lp.value().alpha) <= kRounding);
  }
}

TEST_CASE("optimal with replacement: tests/data/small.jsonl and README mathematics §6") {
  int checked = 0;
  for (const SharedCase& entry : load_small_cases()) {
    const auto& expected = entry.expected_optimal["with_replacement"];
    if (!expected.contains("alpha")) continue;
    CAPTURE(entry.line);
    const Built built(Problem{normalised(entry.target), normalised(entry.draft), entry.drafts});
    CHECK(std::abs(built.verifier.acceptance() - expected["alpha"].get<double>()) <= kExact);
    ++checked;
  }
  CHECK(checked >= 50);
  for (const TheoryRow& row : theory_table_rows()) {
    const Built built(Problem{row.target, row.draft, row.drafts});
    CHECK(std::abs(built.verifier.acceptance() - row.optimal_with) <= kTheoryDigits);
  }
}

TEST_CASE("optimal with replacement: p = q, n = 1 and one-token cases") {
  std::mt19937_64 rng(1503);
  const Eigen::VectorXd p = random_distribution(rng, 50);
  for (const int n : {1, 2, 4, 16}) {
    const Built built(Problem{p, p, n});
    CHECK(std::abs(built.verifier.acceptance() - 1.0) <= kRounding);
  }
  const Eigen::VectorXd a = vector_of({.3, .4, .3}), b = vector_of({.6, .3, .1});
  const Built single(Problem{a, b, 1});
  CHECK(std::abs(single.verifier.acceptance() - overlap(a, b)) <= kRounding);
  const Built one(Problem{vector_of({1.0}), vector_of({1.0}), 3});
  CHECK(one.verifier.acceptance() == doctest::Approx(1.0).epsilon(1e-15));
}

TEST_CASE("optimal with replacement verify(): each tuple's (output, accepted) law matches the integration") {
  std::vector<Instance> instances = {{vector_of({.3, .4, .3}), vector_of({.6, .3, .1}), 3},
                                     {vector_of({.5, .3, .2}), vector_of({.2, .3, .5}), 2},
                                     {vector_of({.1, .2, .3, .4}), vector_of({.4, .3, .2, .1}), 3}};
  std::mt19937_64 rng(1504);
  for (int i = 0; i < 3; ++i) instances.push_back(random_instance(rng, 3, 4, 3, false));
  std::uint64_t seed = 1510;
  for (const Instance& instance : instances) {
    const Eigen::VectorXd& p = instance.target;
    CAPTURE(p.transpose());
    CAPTURE(instance.draft.transpose());
    const Built built(Problem{p, instance.draft, instance.drafts});
    const std::vector<LevelLaw> laws = level_laws(built.verifier, p.size());
    const Fit fit = conditional_fit(built.verifier,
                                    brute_tuple_law(instance.draft, instance.drafts, DraftMethod::with_replacement),
                                    two_stage_outcome(p, built.verifier.selection_law(), laws), p.size(), kPerTuple,
                                    ++seed);
    CHECK_FALSE(fit.impossible);
    CHECK(fit.p_value > kPassP);
  }
}

TEST_CASE("optimal with replacement: 10^6 steps at V = 32,000, n = 4 reach alpha*; a broken variant fails") {
  const DistributionPair pair = synthetic_pair(32000, 15);
  const Problem problem{pair.target, pair.draft, 4};
  const Built built(problem);
  const double alpha = optimal_rate_with_replacement(built.problem, order_by_ratio(pair.target, pair.draft)).alpha;
  CHECK(std::abs(built.verifier.acceptance() - alpha) <= kRounding);
  const DraftSampler sampler(pair.draft, 4, DraftScheme::with_replacement);
  const std::int64_t samples = 1000000;
  const auto counts = simulate(sampler, built.verifier, samples, 1505, pair.target.size());
  const auto interval = wilson_interval(counts.accepted, counts.samples, kZ999);
  CAPTURE(alpha);
  CAPTURE(counts.accepted);
  CHECK(interval[0] <= alpha);
  CHECK(alpha <= interval[1]);
  const std::vector<double> target(pair.target.data(), pair.target.data() + pair.target.size());
  CHECK(pearson_fit(counts.output_counts, target).p_value > kPassP);

  const FirstDraftVariant broken(built.problem.target, built.verifier.selection_law());
  const auto broken_counts = simulate(sampler, broken, samples, 1506, pair.target.size());
  CHECK(pearson_fit(broken_counts.output_counts, target).p_value < kBrokenP);
}

// The exact law of the selection rule at any vocabulary, from the level
// segments alone: a draft's level has the piecewise-linear CDF F = sum_y q_y
// F_y, and token y is selected with probability q_y / |segments of y| times
// the integral of n F^(n-1) over its segments (F linear on each piece between
// segment ends, so each piece integrates in closed form). Long double
// throughout; tokens sharing a class share its segments, integrated once.
struct ExactRule {
  std::vector<long double> selection;
  long double overlap = 0.0L;  // total length covered by more than one class
};

ExactRule exact_rule(const OptimalWithReplacement& verifier, const Eigen::VectorXd& draft, int n) {
  const Eigen::Index vocab = draft.size();
  const long double total = draft.cast<long double>().sum();
  // a class is named by its first segment (start and length: a light class's
  // segment may start where the next class's does)
  std::map<std::pair<double, double>, std::size_t> class_of_start;
  std::vector<std::vector<LevelSegment>> segments;
  std::vector<long double> class_mass, class_length;
  std::vector<long> class_of(static_cast<std::size_t>(vocab), -1);
  for (Eigen::Index y = 0; y < vocab; ++y) {
    const std::vector<LevelSegment> own = verifier.level_segments(static_cast<std::int32_t>(y));
    if (own.empty()) continue;
    const auto [it, added] = class_of_start.emplace(std::make_pair(own.front().start, own.front().length), segments.size());
    if (added) {
      segments.push_back(own);
      class_mass.push_back(0.0L);
      long double length = 0.0L;
      for (const LevelSegment& s : own) length += s.length;
      class_length.push_back(length);
    }
    class_of[y] = static_cast<long>(it->second);
    class_mass[it->second] += draft[y] / total;
  }
  std::vector<std::pair<long double, long double>> slope_changes;  // (level, change of F's slope)
  for (std::size_t c = 0; c < segments.size(); ++c) {
    for (const LevelSegment& s : segments[c]) {
      const long double slope = class_mass[c] / class_length[c];
      slope_changes.push_back({s.start, slope});
      slope_changes.push_back({static_cast<long double>(s.start) + s.length, -slope});
    }
  }
  std::sort(slope_changes.begin(), slope_changes.end());
  ExactRule rule;
  std::vector<long double> level = {0.0L}, cdf = {0.0L};
  long double slope = 0.0L;
  int open = 0;
  for (const auto& [at, change] : slope_changes) {
    if (open > 1) rule.overlap += at - level.back();
    cdf.push_back(cdf.back() + slope * (at - level.back()));
    level.push_back(at);
    slope += change;
    open += change > 0.0L ? 1 : -1;
  }
  const auto power = [n](long double x) {
    long double r = 1.0L;
    for (int k = 0; k < n; ++k) r *= x;
    return r;
  };
  const auto cdf_at = [&](long double x) {
    const std::size_t i = static_cast<std::size_t>(std::upper_bound(level.begin(), level.end(), x) - level.begin()) - 1;
    if (i + 1 >= level.size() || level[i + 1] == level[i]) return cdf[std::min(i + 1, cdf.size() - 1)];
    return cdf[i] + (cdf[i + 1] - cdf[i]) * (x - level[i]) / (level[i + 1] - level[i]);
  };
  std::vector<long double> per_mass(segments.size(), 0.0L);
  for (std::size_t c = 0; c < segments.size(); ++c) {
    for (const LevelSegment& s : segments[c]) {
      const long double end = static_cast<long double>(s.start) + s.length;
      auto next = std::upper_bound(level.begin(), level.end(), static_cast<long double>(s.start));
      for (long double x = s.start; x < end;) {
        const long double to = next == level.end() || *next >= end ? end : *next;
        const long double a = cdf_at(x), b = cdf_at(to);
        // integral of n F^(n-1) over [x, to], F linear from a to b
        per_mass[c] += b != a ? (power(b) - power(a)) / (b - a) * (to - x) : n * power(a) / (a > 0 ? a : 1) * (to - x);
        x = to;
        if (next != level.end()) ++next;
      }
    }
    per_mass[c] /= class_length[c];
  }
  rule.selection.assign(static_cast<std::size_t>(vocab), 0.0L);
  for (Eigen::Index y = 0; y < vocab; ++y) {
    if (class_of[y] >= 0) rule.selection[y] = draft[y] / total * per_mass[class_of[y]];
  }
  return rule;
}

// psi = 2 l (n = 2) integrated over a segment: b^2 - a^2 = length (2 a + length).
double selected_by(const std::vector<LevelSegment>& segments) {
  double sum = 0.0;
  for (const LevelSegment& s : segments) sum += s.length * (2.0 * s.start + s.length);
  return sum;
}
double length_of(const std::vector<LevelSegment>& segments) {
  double sum = 0.0;
  for (const LevelSegment& s : segments) sum += s.length;
  return sum;
}

TEST_CASE("optimal with replacement: level placement keeps taken levels out of the free list") {
  // n = 2 on [0, 1]. Class 0 takes [0, 0.5] (need 0.25), class 1 [0.6, 0.7]
  // (need 0.49 - 0.36); class 2 (mass 1e-16) straddles [0.6, 0.7]: 3e-17
  // left of 0.6 (below half an ulp of 0.6), 7e-17 right of 0.7, need
  // 1.2 * 3e-17 + 1.4 * 7e-17; class 3 takes the rest. Regression: the left
  // part's start rounded onto 0.6, its cut was matched against the piece
  // after the block, and [0.6, 0.7] came back as free levels, which class 3
  // then took too (length 0.5 for a mass of 0.4).
  const std::vector<LevelClass> classes = {
      {0.5, 0.25}, {0.1, 0.49 - 0.36}, {1e-16, 1.34e-16}, {0.4 - 1e-16, 1.0 - 0.25 - (0.49 - 0.36) - 1.34e-16}};
  const auto placed = place_level_classes(classes, 0.0, 1.0, 2);
  REQUIRE(placed.size() == classes.size());
  std::vector<std::pair<double, double>> all;
  for (std::size_t k = 0; k < classes.size(); ++k) {
    CAPTURE(k);
    CHECK(std::abs(length_of(placed[k]) - classes[k].mass) <= 1e-6 * classes[k].mass);
    CHECK(std::abs(selected_by(placed[k]) - classes[k].need) <= 1e-15 * std::max(classes[k].need, 1e-2));
    for (const LevelSegment& s : placed[k]) all.push_back({s.start, s.start + s.length});
  }
  REQUIRE(placed[2].size() == 2);
  CHECK(std::abs(placed[2].front().length - 3e-17) <= 1e-22);
  std::sort(all.begin(), all.end());
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i].first >= all[i - 1].second - 1e-16);
}

TEST_CASE("optimal with replacement: a class lighter than half an ulp of the free length still gets its levels") {
  // After class 0 takes [0.1, 0.6], the free length is 0.5, and 0.5 - 1e-17
  // rounds to 0.5. Regression: the stretch at that c was empty, solve()
  // settled there, and class 1 got no levels (its tokens never selected).
  const std::vector<LevelClass> classes = {{0.5, 0.35}, {1e-17, 1.1e-17}, {0.5 - 1e-17, 0.65 - 1.1e-17}};
  const auto placed = place_level_classes(classes, 0.0, 1.0, 2);
  REQUIRE(placed.size() == classes.size());
  CHECK(std::abs(length_of(placed[1]) - 1e-17) <= 1e-6 * 1e-17);
  // psi on the free levels is 2 l <= 0.2 below the block and >= 1.2 above it:
  // to the levels' resolution (an ulp of 0.6 is 1.1e-16 > 1e-17) the class
  // sits at one end of the block, within 1e-18 of its need.
  CHECK(std::abs(selected_by(placed[1]) - 1.1e-17) <= 1.1e-18);
  CHECK(std::abs(length_of(placed[2]) - classes[2].mass) <= 1e-15);
}

TEST_CASE("optimal with replacement: exact law from the levels at V = 32,000, sharp pairs (temperature 0.3)") {
  // Pairs on which the taken-levels defect (above) gave the rule's law a TV of
  // up to 0.07 from the verifier's own s; alpha* from the core's prefix scan.
  SyntheticOptions sharp;
  sharp.temperature = 0.3;
  for (const auto& [seed, n] : std::vector<std::pair<std::uint64_t, int>>{{2, 2}, {2, 4}, {3, 16}, {3, 64}}) {
    CAPTURE(seed);
    CAPTURE(n);
    const DistributionPair pair = synthetic_pair(32000, seed, sharp);
    const Built built(Problem{pair.target, pair.draft, n});
    const double alpha = optimal_rate_with_replacement(built.problem, order_by_ratio(pair.target, pair.draft)).alpha;
    const ExactRule rule = exact_rule(built.verifier, pair.draft, n);
    CHECK(rule.overlap <= 1e-12L);  // rounding: an ulp per class boundary at most
    const std::vector<double>& claimed = built.verifier.selection_law();
    long double worst = 0.0L, accepted = 0.0L, total = 0.0L;
    for (Eigen::Index y = 0; y < pair.target.size(); ++y) {
      worst = std::max(worst, std::abs(rule.selection[y] - claimed[y]));
      // the verifier accepts a selected y with min(1, p_y / s_y), s its own law
      const long double accept = claimed[y] > pair.target[y] ? pair.target[y] / claimed[y] : 1.0L;
      accepted += rule.selection[y] * accept;
      total += rule.selection[y];
    }
    CHECK(std::abs(total - 1.0L) <= 1e-12L);
    CHECK(worst <= 1e-12L);
    CHECK(std::abs(accepted - alpha) <= 1e-12L);
    CHECK(std::abs(built.verifier.acceptance() - alpha) <= kRounding);
  }
}

TEST_CASE("optimal with replacement verify(): a token the draft never proposes loses the selection") {
  // q = (1, 0): token 1 has no levels. Passed anyway, it must not index a
  // class; the rule selects token 0, accepted with p_0 / s_0 = 1/2.
  const Built built(Problem{vector_of({0.5, 0.5}), vector_of({1.0, 0.0}), 2});
  Random random(1520);
  int accepted = 0;
  for (int i = 0; i < 2000; ++i) {
    const Verdict verdict = built.verifier.verify({1, 0}, random);
    if (verdict.accepted) {
      CHECK(verdict.token == 0);
      ++accepted;
    }
  }
  CHECK(accepted > 850);
  CHECK(accepted < 1150);
}

}  // namespace mdsd::test
