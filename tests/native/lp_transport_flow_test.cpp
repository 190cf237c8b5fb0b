// lp/transport_flow: the max-flow solver of the transport LP against the
// brute force over all subsets H (alpha* = 1 + min_H p(H) - Q(H)) and against
// GLPK's simplex (lp/transport_lp), on random small laws and on degenerate
// ones: zeros, ties, subnormal masses, masses 1e20 apart, one set, equal
// sets, an empty set. Its certificate must give its alpha, its plan must be
// feasible and sum to alpha.
#include "lp/transport_flow.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

namespace mdsd::test {
namespace {

// Two exact computations of alpha (integer max-flow, brute force or simplex
// in double): only the rounding of sums of probabilities separates them.
constexpr double kAgree = 1e-12;

// alpha* by enumerating every H over the law's vocabulary: 1 + p(H) - Q(H),
// Q(H) the mass of the sets inside H. Written here, on the DraftSet vector
// as the solver gets it (duplicate and empty sets included).
double brute_alpha(const Eigen::VectorXd& target, const std::vector<DraftSet>& law) {
  const int vocab = static_cast<int>(target.size());
  REQUIRE(vocab <= 16);
  double best = 1.0;
  for (Subset h = 0; h < (Subset{1} << vocab); ++h) {
    double inside = 0.0;
    for (const DraftSet& set : law) {
      if (std::all_of(set.tokens.begin(), set.tokens.end(), [&](std::int32_t y) { return h >> y & 1; })) {
        inside += set.mass;
      }
    }
    best = std::min(best, 1.0 + target_mass(target, h) - inside);
  }
  return std::max(best, 0.0);
}

// 1 + p(H) - Q(H) for the solver's certificate, recomputed here.
double certificate_value(const Eigen::VectorXd& target, const std::vector<DraftSet>& law,
                         const std::vector<std::int32_t>& certificate) {
  double target_inside = 0.0, inside = 0.0;
  for (std::int32_t y : certificate) target_inside += target[y];
  for (const DraftSet& set : law) {
    if (std::all_of(set.tokens.begin(), set.tokens.end(), [&](std::int32_t y) {
          return std::find(certificate.begin(), certificate.end(), y) != certificate.end();
        })) {
      inside += set.mass;
    }
  }
  return std::clamp(1.0 + target_inside - inside, 0.0, 1.0);
}

// The plan pairs tokens with sets that hold them, each row sum is at most p_y
// and each set sum at most Q_s (up to the rounding of a sum of doubles), and
// it carries alpha.
void check_plan(const LpSolution& solution, const Eigen::VectorXd& target, const std::vector<DraftSet>& law) {
  Eigen::VectorXd token_sum = Eigen::VectorXd::Zero(target.size());
  std::vector<double> set_sum(law.size(), 0.0);
  double total = 0.0;
  for (const TransportEntry& entry : solution.plan) {
    REQUIRE(entry.set >= 0);
    REQUIRE(static_cast<std::size_t>(entry.set) < law.size());
    const auto& tokens = law[static_cast<std::size_t>(entry.set)].tokens;
    CHECK(std::find(tokens.begin(), tokens.end(), entry.token) != tokens.end());
    CHECK(entry.mass > 0.0);
    token_sum[entry.token] += entry.mass;
    set_sum[static_cast<std::size_t>(entry.set)] += entry.mass;
    total += entry.mass;
  }
  constexpr double kSumRounding = 1e-13;  // relative, sums of at most a few hundred doubles
  for (Eigen::Index y = 0; y < target.size(); ++y) CHECK(token_sum[y] <= target[y] * (1.0 + kSumRounding));
  for (std::size_t s = 0; s < law.size(); ++s) CHECK(set_sum[s] <= law[s].mass * (1.0 + kSumRounding));
  CHECK(std::abs(total - solution.alpha) <= kAgree);
}

// Everything, against GLPK always and the brute force when V <= 16.
LpSolution check_flow(const Eigen::VectorXd& target, const std::vector<DraftSet>& law) {
  LpOptions options;
  options.glpk_max_columns = limits::kMaxGlpkColumns;
  const auto solved = solve_transport_flow(target, law, options);
  REQUIRE_MESSAGE(solved.ok(), solved.error());
  const LpSolution& flow = solved.value();
  CHECK(flow.solver == "max_flow");
  CHECK(flow.status == "optimal");
  CHECK(flow.columns == column_count(law));
  CHECK(std::is_sorted(flow.certificate.begin(), flow.certificate.end()));
  CHECK(flow.alpha >= 0.0);
  CHECK(flow.alpha <= 1.0);
  CHECK(std::abs(flow.certificate_alpha - flow.alpha) <= kAgree);
  CHECK(std::abs(certificate_value(target, law, flow.certificate) - flow.alpha) <= kAgree);
  check_plan(flow, target, law);
  if (target.size() <= 16) CHECK(std::abs(flow.alpha - brute_alpha(target, law)) <= kAgree);
  const auto glpk = solve_transport_lp(target, law, options);
  REQUIRE_MESSAGE(glpk.ok(), glpk.error());
  CHECK(glpk.value().solver == "glpk");
  CHECK(std::abs(glpk.value().alpha - flow.alpha) <= kAgree);
  // The two certificates may differ on ties; each gives the optimum.
  CHECK(std::abs(glpk.value().certificate_alpha - flow.certificate_alpha) <= kAgree);
  return flow;
}

// A random explicit law: `sets` sets of 0..max_size tokens (duplicates and
// empty sets allowed when `degenerate`), masses drawn from `mass` and
// normalised to sum 1.
template <class Mass>
std::vector<DraftSet> random_law(std::mt19937_64& rng, int vocab, int sets, int max_size, Mass mass,
                                 bool degenerate) {
  std::uniform_int_distribution<int> token(0, vocab - 1), size(degenerate ? 0 : 1, max_size);
  std::vector<DraftSet> law;
  double total = 0.0;
  for (int s = 0; s < sets; ++s) {
    DraftSet set;
    for (int k = size(rng); k > 0; --k) set.tokens.push_back(token(rng));
    std::sort(set.tokens.begin(), set.tokens.end());
    set.tokens.erase(std::unique(set.tokens.begin(), set.tokens.end()), set.tokens.end());
    if (!degenerate && set.tokens.empty()) set.tokens.push_back(token(rng));
    set.mass = mass(rng);
    total += set.mass;
    law.push_back(std::move(set));
  }
  if (total == 0.0) law.front().mass = total = 1.0;
  // GLPK refuses an LP without columns (glp_add_cols: ncs = 0).
  if (column_count(law) == 0) law.front().tokens.push_back(token(rng));
  for (DraftSet& set : law) set.mass /= total;
  return law;
}

// Masses in layers: a normal part, and values 1e20, 1e45 and 1e300 smaller,
// subnormal ones, and zeros.
double layered_mass(std::mt19937_64& rng) {
  static constexpr double kScales[] = {1.0, 1.0, 1e-20, 1e-45, 1e-300, 5e-324, 0.0};
  const double scale = kScales[std::uniform_int_distribution<int>(0, std::size(kScales) - 1)(rng)];
  return scale * std::uniform_real_distribution<double>(0.5, 1.0)(rng);
}

Eigen::VectorXd layered_target(std::mt19937_64& rng, int vocab) {
  Eigen::VectorXd target(vocab);
  for (int y = 0; y < vocab; ++y) target[y] = layered_mass(rng);
  if (target.sum() == 0.0) target[0] = 1.0;
  return target / target.sum();
}

}  // namespace

TEST_CASE("max-flow: the four draft methods' laws against brute force and GLPK") {
  std::mt19937_64 rng(61);
  for (int trial = 0; trial < 150; ++trial) {
    const Instance instance = random_instance(rng, 1, 8, 4);
    for (DraftMethod method : kAllDraftMethods) {
      CAPTURE(trial);
      CAPTURE(method_name(method));
      CAPTURE(instance.target.transpose());
      CAPTURE(instance.draft.transpose());
      CAPTURE(instance.drafts);
      check_flow(instance.target, draft_set_law(instance.draft, instance.drafts, method));
    }
  }
}

TEST_CASE("max-flow: random explicit laws, plain and degenerate") {
  std::mt19937_64 rng(62);
  const auto uniform = [](std::mt19937_64& r) { return std::uniform_real_distribution<double>(0.0, 1.0)(r); };
  const auto tied = [](std::mt19937_64&) { return 1.0; };
  for (int trial = 0; trial < 900; ++trial) {
    const int vocab = std::uniform_int_distribution<int>(1, 10)(rng);
    const int sets = 1 + trial / 3 % 15;
    CAPTURE(trial);
    CAPTURE(vocab);
    switch (trial % 3) {
      case 0:  // uniform masses
        check_flow(random_distribution(rng, vocab), random_law(rng, vocab, sets, 4, uniform, false));
        break;
      case 1:  // layered masses 1e20 and more apart, subnormals, zeros, empty and repeated sets
        check_flow(layered_target(rng, vocab), random_law(rng, vocab, sets, 4, layered_mass, true));
        break;
      default:  // ties: equal masses everywhere
        check_flow(Eigen::VectorXd::Constant(vocab, 1.0 / vocab), random_law(rng, vocab, sets, 3, tied, false));
    }
  }
}

TEST_CASE("max-flow: one set, all sets equal, zero target or zero set masses") {
  const Eigen::VectorXd target = vector_of({0.1, 0.2, 0.3, 0.4});
  // One set {1, 2}: alpha = p(1) + p(2) = 0.5 (H = {1, 2}: 1 + 0.5 - 1).
  CHECK(std::abs(check_flow(target, {{{1, 2}, 1.0}}).alpha - 0.5) <= kAgree);
  // One set holding every token: alpha = 1.
  CHECK(std::abs(check_flow(target, {{{0, 1, 2, 3}, 1.0}}).alpha - 1.0) <= kAgree);
  // The same set three times: like one set of the summed mass.
  CHECK(std::abs(check_flow(target, {{{0, 3}, 0.25}, {{0, 3}, 0.25}, {{0, 3}, 0.5}}).alpha - 0.5) <= kAgree);
  // Sets on target-free tokens only: nothing accepted, H = {2, 3} gives 1 + 0 - 1.
  CHECK(check_flow(vector_of({0.5, 0.5, 0.0, 0.0}), {{{2}, 0.5}, {{2, 3}, 0.5}}).alpha <= kAgree);
  // A set of mass 0 changes nothing: {0} w.p. 1 and {1, 2} w.p. 0 give p(0).
  CHECK(std::abs(check_flow(target, {{{0}, 1.0}, {{1, 2}, 0.0}}).alpha - 0.1) <= kAgree);
  // An empty set (mass 1/2) carries nothing; it lies inside every H.
  CHECK(std::abs(check_flow(target, {{{}, 0.5}, {{3}, 0.5}}).alpha - 0.4) <= kAgree);
}

TEST_CASE("max-flow: a token of target mass 3e-9 lands on the right side of the certificate") {
  // Token 0 has p = 3e-9. Set {0} has mass 6e-9 > p: H must hold 0 (it saves
  // 3e-9); with mass 1.5e-9 < p, H must not. GLPK's default tolerance of 1e-7
  // cannot tell these apart; the integer max-flow is exact at this scale.
  const Eigen::VectorXd target = vector_of({3e-9, 0.5, 0.5 - 3e-9});
  for (const double small : {6e-9, 1.5e-9}) {
    CAPTURE(small);
    const std::vector<DraftSet> law = {{{0}, small}, {{1}, 0.5 - small}, {{1, 2}, 0.5}};
    const LpSolution flow = check_flow(target, law);
    const bool holds_zero = std::find(flow.certificate.begin(), flow.certificate.end(), 0) != flow.certificate.end();
    CHECK(holds_zero == (small > 3e-9));
    // alpha = min(p0, Q{0}) + the rest, which fits: {1} w.p. 0.5 - small into
    // p1 = 0.5, {1, 2} w.p. 0.5 into the leftover small + p2 = 0.5 + small - 3e-9.
    CHECK(std::abs(flow.alpha - (std::min(3e-9, small) + (0.5 - small) + std::min(0.5, 0.5 + small - 3e-9))) <=
          kAgree);
  }
}

TEST_CASE("max-flow: masses 1e20 apart in layered draft laws, n = 1..4") {
  const std::vector<std::vector<double>> drafts = {
      {1.0, 1e-20, 1e-20, 1e-45, 1e-45, 1e-45, 1e-310, 1e-310, 5e-324},
      {0.5, 0.5, 1e-25, 3e-25, 1e-300, 1e-300, 1e-300, 2e-300, 0.0},
  };
  std::mt19937_64 rng(63);
  for (const auto& values : drafts) {
    Eigen::VectorXd draft = Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
    draft /= draft.sum();
    for (int trial = 0; trial < 3; ++trial) {
      const Eigen::VectorXd target = trial == 0 ? layered_target(rng, static_cast<int>(values.size()))
                                                : random_distribution(rng, static_cast<int>(values.size()));
      for (int n = 1; n <= 4; ++n) {
        for (DraftMethod method : kSampledMethods) {
          CAPTURE(target.transpose());
          CAPTURE(n);
          CAPTURE(method_name(method));
          check_flow(target, draft_set_law(draft, n, method));
        }
      }
    }
  }
}

TEST_CASE("max-flow: larger random laws against GLPK") {
  // Beyond the brute force: V = 60 to 200, up to ~10,000 columns.
  std::mt19937_64 rng(64);
  for (int trial = 0; trial < 6; ++trial) {
    const int vocab = 60 + 28 * trial;
    CAPTURE(trial);
    const Eigen::VectorXd target = trial % 2 ? layered_target(rng, vocab) : random_distribution(rng, vocab);
    const auto law = trial % 2 ? random_law(rng, vocab, 40 * vocab / 3, 6, layered_mass, true)
                               : random_law(rng, vocab, 40 * vocab / 3, 6,
                                            [](std::mt19937_64& r) { return std::uniform_real_distribution<double>(0.0, 1.0)(r); },
                                            false);
    check_flow(target, law);
  }
  // The synthetic draft's with-replacement law, n = 2 on 120 tokens (7,260 sets).
  Eigen::VectorXd draft = random_distribution(rng, 120).array() + 1e-3;
  draft /= draft.sum();
  check_flow(random_distribution(rng, 120), draft_set_law(draft, 2, DraftMethod::with_replacement));
}

TEST_CASE("max-flow: the column limit and an empty law are errors that say so") {
  const Eigen::VectorXd target = vector_of({0.5, 0.5});
  const std::vector<DraftSet> law = {{{0, 1}, 0.5}, {{1}, 0.5}};  // 3 columns
  LpOptions options;
  options.max_columns = 2;
  const auto over = solve_transport_flow(target, law, options);
  REQUIRE_FALSE(over.ok());
  CHECK(contains(over.error(), "3 columns"));
  CHECK(contains(over.error(), "limit of 2 (lp.max_columns)"));
  options.max_columns = 3;  // exactly at the limit is allowed
  REQUIRE(solve_transport_flow(target, law, options).ok());
  const auto empty = solve_transport_flow(target, {}, options);
  REQUIRE_FALSE(empty.ok());
  CHECK(contains(empty.error(), "empty"));
}

}  // namespace mdsd::test
