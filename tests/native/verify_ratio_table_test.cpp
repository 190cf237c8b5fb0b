// verify/ratio_table: residual masses and draws in O(log V) against the direct
// O(V) formulas, on random instances with zeros and ties in p and q.
#include "verify/ratio_table.hpp"

#include "core/ratio_order.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

namespace mdsd::test {
namespace {

// Suffix-sum differences against direct sums: rounding scaled by the
// magnitude of the terms (c q can be large).
double table_tolerance(double scale) { return 1e-12 * (1.0 + scale); }
// Inverse-CDF draws on a grid of G values of u: each token's share of the
// grid is its probability up to the grid spacing (2 / G covers both ends).
constexpr int kGrid = 4000;
constexpr double kGridShare = 2.0 / kGrid;
// Below this residual mass the normalised law is dominated by rounding.
constexpr double kMeaningfulMass = 1e-6;

// A direct O(V) residual weight vector.
using Weights = std::function<double(Eigen::Index)>;

// The shares of the grid u = (i + 1/2) / G that `draw` maps to each token, and
// a check that the draws follow the table order (inverse CDF: monotone).
void check_inverse_cdf(const RatioTable& table, Eigen::Index vocab, const Weights& weight,
                       const std::function<std::int32_t(double)>& draw) {
  double mass = 0.0;
  for (Eigen::Index i = 0; i < vocab; ++i) mass += weight(i);
  REQUIRE(mass > 0.0);
  std::vector<int> position(static_cast<std::size_t>(vocab));
  for (std::size_t j = 0; j < table.order().size(); ++j) position[static_cast<std::size_t>(table.order()[j])] = static_cast<int>(j);
  std::vector<int> hits(static_cast<std::size_t>(vocab), 0);
  int last_position = -1;
  bool monotone = true, in_range = true;
  for (int g = 0; g < kGrid && in_range; ++g) {
    const std::int32_t token = draw((g + 0.5) / kGrid);
    in_range = token >= 0 && token < vocab;
    if (!in_range) break;
    ++hits[static_cast<std::size_t>(token)];
    monotone = monotone && position[static_cast<std::size_t>(token)] >= last_position;
    last_position = position[static_cast<std::size_t>(token)];
  }
  REQUIRE(in_range);
  CHECK(monotone);
  for (Eigen::Index i = 0; i < vocab; ++i) {
    CAPTURE(i);
    const double share = hits[static_cast<std::size_t>(i)] / static_cast<double>(kGrid);
    CHECK(std::abs(share - weight(i) / mass) <= kGridShare);
    if (weight(i) <= 0.0) CHECK(hits[static_cast<std::size_t>(i)] == 0);
  }
}

// Shifts worth probing: 0, the token ratios themselves (boundaries), values
// just around them, and large ones.
std::vector<double> probe_shifts(const Eigen::VectorXd& target, const Eigen::VectorXd& draft) {
  std::vector<double> shifts = {0.0, 0.25, 1.0, 2.5, 1e3};
  for (Eigen::Index i = 0; i < target.size(); ++i) {
    if (target[i] > 0.0 && draft[i] > 0.0) {
      const double ratio = target[i] / draft[i];
      shifts.push_back(ratio);
      shifts.push_back(ratio * (1.0 - 1e-9));
      shifts.push_back(ratio * (1.0 + 1e-9));
    }
  }
  return shifts;
}

}  // namespace

TEST_CASE("RatioTable by hand: p = (.3, .4, .3), q = (.6, .3, .1)") {
  const Eigen::VectorXd p = vector_of({.3, .4, .3}), q = vector_of({.6, .3, .1});
  const RatioTable table(p, q, order_by_ratio(p, q));
  CHECK(table.order() == std::vector<std::int32_t>{0, 1, 2});  // ratios .5, 4/3, 3
  CHECK(std::abs(table.positive_mass(0.0) - 1.0) <= kRounding);
  CHECK(std::abs(table.positive_mass(1.0) - 0.3) <= kRounding);  // .1 + .2
  CHECK(std::abs(table.positive_mass(3.0)) <= kRounding);
  // One draft: sum min(p, q) = .3 + .3 + .1.
  CHECK(std::abs(table.overlap_with_residual(0.0, 1.0, 1.0) - 0.7) <= kRounding);
  // RRS step 2: r = (0, 1/3, 2/3); sum min(r, q) = 0 + 0.3 + 0.1.
  CHECK(std::abs(table.overlap_with_residual(1.0, 0.3, 1.0) - 0.4) <= kRounding);
  // beta(1.4) = min(.6, .3/1.4) + min(.3, .4/1.4) + min(.1, .3/1.4) = .3/1.4 + .4/1.4 + .1 = 0.6
  CHECK(std::abs(table.capped_draft_mass(1.4) - 0.6) <= kRounding);
  CHECK(table.sample_positive(1.0, 0.0) == 1);
  CHECK(table.sample_positive(1.0, 0.999) == 2);
}

TEST_CASE("positive_mass, overlap_with_residual and capped_draft_mass equal the O(V) sums") {
  std::mt19937_64 rng(101);
  for (int trial = 0; trial < 300; ++trial) {
    const Instance instance = random_instance(rng, 1, 12, 1, false);
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    CAPTURE(trial);
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    const RatioTable table(p, q, order_by_ratio(p, q));
    REQUIRE(table.order().size() == static_cast<std::size_t>(p.size()));
    for (double c : probe_shifts(p, q)) {
      CAPTURE(c);
      const double mass = (p - c * q).cwiseMax(0.0).sum();
      CHECK(std::abs(table.positive_mass(c) - mass) <= table_tolerance(c));
      if (mass > kMeaningfulMass) {
        for (double k : {0.5, 1.0, 1.7, 10.0}) {
          CAPTURE(k);
          const double overlap = ((p - c * q).cwiseMax(0.0) / mass).cwiseMin(k * q).sum();
          CHECK(std::abs(table.overlap_with_residual(c, mass, k) - overlap) <=
                table_tolerance(c + k) / mass);
        }
      }
      if (c > 0.0) {
        const double capped = q.cwiseMin(p / c).sum();
        CHECK(std::abs(table.capped_draft_mass(c) - capped) <= table_tolerance(1.0 / c));
      }
    }
  }
}

TEST_CASE("sample_positive is the inverse CDF of (p - c q)+ in the table order") {
  std::mt19937_64 rng(102);
  for (int trial = 0; trial < 40; ++trial) {
    const Instance instance = random_instance(rng, 1, 10, 1, false);
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    CAPTURE(trial);
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    const RatioTable table(p, q, order_by_ratio(p, q));
    for (double c : {0.0, 0.5, 1.0, 1.3}) {
      CAPTURE(c);
      const auto weight = [&](Eigen::Index i) { return std::max(p[i] - c * q[i], 0.0); };
      double mass = 0.0;
      for (Eigen::Index i = 0; i < p.size(); ++i) mass += weight(i);
      if (mass <= kMeaningfulMass) continue;
      check_inverse_cdf(table, p.size(), weight, [&](double u) { return table.sample_positive(c, u); });
    }
  }
}

TEST_CASE("sample_capped_residual is the inverse CDF of p - c min(q, p / rho)") {
  std::mt19937_64 rng(103);
  for (int trial = 0; trial < 40; ++trial) {
    const Instance instance = random_instance(rng, 1, 10, 1, false);
    const Eigen::VectorXd& p = instance.target;
    const Eigen::VectorXd& q = instance.draft;
    CAPTURE(trial);
    CAPTURE(p.transpose());
    CAPTURE(q.transpose());
    const RatioTable table(p, q, order_by_ratio(p, q));
    for (double rho : {1.0, 1.4, 2.0, 3.5}) {
      for (double fraction : {0.0, 0.5, 0.9, 1.0}) {
        const double c = fraction * rho;
        CAPTURE(rho);
        CAPTURE(c);
        const auto weight = [&](Eigen::Index i) {
          return std::max(p[i] - c * std::min(q[i], p[i] / rho), 0.0);
        };
        double mass = 0.0;
        for (Eigen::Index i = 0; i < p.size(); ++i) mass += weight(i);
        if (mass <= kMeaningfulMass) continue;
        check_inverse_cdf(table, p.size(), weight,
                          [&](double u) { return table.sample_capped_residual(rho, c, u); });
      }
    }
  }
}

TEST_CASE("a single token and p = q") {
  const Eigen::VectorXd one = vector_of({1.0});
  const RatioTable single(one, one, order_by_ratio(one, one));
  CHECK(single.positive_mass(0.0) == doctest::Approx(1.0));
  CHECK(single.positive_mass(1.0) == doctest::Approx(0.0));
  CHECK(single.sample_positive(0.5, 0.7) == 0);
  CHECK(single.capped_draft_mass(1.0) == doctest::Approx(1.0));

  const Eigen::VectorXd p = vector_of({.2, .5, .3});
  const RatioTable same(p, p, order_by_ratio(p, p));
  CHECK(std::abs(same.positive_mass(1.0)) <= kRounding);
  CHECK(std::abs(same.overlap_with_residual(0.0, 1.0, 1.0) - 1.0) <= kRounding);
  CHECK(std::abs(same.capped_draft_mass(1.0) - 1.0) <= kRounding);
  CHECK(std::abs(same.capped_draft_mass(2.0) - 0.5) <= kRounding);
}

}  // namespace mdsd::test
