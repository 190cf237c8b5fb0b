// Acceptance at every width n = 1..B (README.md "Draft trees"): alpha* of
// each draft sampling method and each verifier's acceptance for one pair (B
// solves), or the means over a dataset; and, for the verifiers whose drafts
// nest, the sibling vector p[b] = alpha_b - alpha_(b-1), the chance that
// sibling b is the accepted one, which a tree search (Sequoia) reads.
#pragma once

#include "calculation/request.hpp"
#include "tree/draft_tree.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mdsd {

// Drafts nest when the first b - 1 drafts of a b-draft run are a (b - 1)-draft
// run and the verifier tests them first, in order: RRS with and without
// replacement (the residuals do not depend on n) and exact match of top_n
// drafts (the top b - 1 tokens are the top b - 1 of the top b). Not K-SEQ
// (its rho depends on n), greedy or SpecHub (their fixed drafts change with n).
bool drafts_nest(VerifierKind kind);

// One width's value. Partial lists give bounds [alpha, high]; a verifier
// without a formula gives a Monte Carlo estimate with a 95% interval; a
// dataset gives a mean over positions with a 95% interval across them.
struct WidthAcceptance {
  std::optional<std::string> error;  // does not apply at this width
  double alpha = NAN;                // the value, or the lower bound
  double high = NAN;                 // the upper bound when bounded
  bool bounded = false;
  bool exact = true;                      // false: a Monte Carlo estimate
  std::optional<std::array<double, 2>> ci95;  // estimates and dataset means
  std::int64_t samples = 0;               // of an estimate
  std::int64_t positions = 0;             // of a dataset mean
};

struct AcceptanceSeries {
  std::string name;  // a method or a verifier
  std::vector<WidthAcceptance> widths;  // [b - 1]
};

struct SiblingVector {
  VerifierKind kind;
  std::optional<std::string> error;  // no vector (bounds only, or no width applies)
  std::vector<double> p;             // p[b - 1]; as long as the widths that apply from 1 on
  bool exact = true;                 // false: some alpha_b is an estimate
  // Where some alpha_b carries an interval: [low_b - high_(b-1), high_b -
  // low_(b-1)] (a difference of two independent 95% intervals, so at least
  // 90%); empty when every alpha_b is exact. Dataset means are differences
  // of means across positions and carry no interval here.
  std::vector<std::array<double, 2>> ci95;
  std::optional<std::string> note;  // why the vector stops before max_width
};

struct AcceptanceVector {
  int max_width = 0;
  std::int64_t vocab = 0;  // one pair: its vocabulary (0 if unknown); a dataset: its summary's
  std::vector<std::string> warnings;
  std::vector<AcceptanceSeries> optimal;    // by method
  std::vector<AcceptanceSeries> verifiers;  // by verifier
  std::vector<VerifierKind> verifier_kinds; // of verifiers, in order
  std::vector<SiblingVector> sibling;       // the nesting verifiers among them
};

// Differences of a nesting verifier's series (one pair or dataset means).
SiblingVector sibling_vector(VerifierKind kind, const AcceptanceSeries& series);

// One validated request, solved at n = 1..max_width (1 to tree_limits::
// kMaxWidth); its drafts, lp and simulate are not used. optimal_lp is left
// out (an LP per width).
AcceptanceVector acceptance_vector(const Request& request, int max_width);

// Fills each nesting verifier's sibling vector from verifier_kinds/verifiers.
void add_sibling_vectors(AcceptanceVector& vector);

// A dataset from its per-position values (mdsd batch --per-position), one
// series: values[k][b - 1] at position k and n = b, NaN where it does not
// apply; low/high where the position gave bounds (low == high otherwise).
struct PositionSeries {
  std::string name;
  std::optional<VerifierKind> verifier;  // unset: a draft sampling method
  std::vector<std::vector<double>> low, high;  // [position][b - 1]
};
// Means with 95% intervals across positions per width, and for the nesting
// verifiers p[b] as the mean of the per-position differences alpha_b -
// alpha_(b-1), with its own 95% interval across positions (paired).
AcceptanceVector acceptance_vector_of_positions(const std::vector<PositionSeries>& series, int max_width);

}  // namespace mdsd
