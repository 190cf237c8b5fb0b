#include "verify/rrs_verifier.hpp"

#include <algorithm>
#include <cmath>

namespace mdsd {
namespace {

// P(accept draft x) = min(1, r(x) / q_k(x)), r = (p - C q)+ / N.
bool accept(double target, double draft_probability, double shift, double mass,
            double step_draft_probability, Random& random) {
  if (!(mass > 0.0)) return true;  // no residual left: unreachable in exact arithmetic
  const double residual = std::max(target - shift * draft_probability, 0.0) / mass;
  return random.uniform() * step_draft_probability < residual;
}

}  // namespace

RrsWithReplacement::RrsWithReplacement(const Problem& problem, const RatioTable& table)
    : problem_(problem), table_(table) {
  shift_.push_back(0.0);
  mass_.push_back(1.0);
  for (int k = 0; k < problem.drafts; ++k) {
    shift_.push_back(shift_.back() + mass_.back());
    mass_.push_back(table.positive_mass(shift_.back()));
  }
}

Verdict RrsWithReplacement::verify(const std::vector<std::int32_t>& drafts, Random& random) const {
  for (std::size_t k = 0; k < drafts.size(); ++k) {
    const std::int32_t x = drafts[k];
    const double q = problem_.draft[x];
    if (accept(problem_.target[x], q, shift_[k], mass_[k], q, random)) return {x, true};
  }
  if (!(mass_.back() > 0.0)) return {drafts.back(), true};
  return {table_.sample_positive(shift_.back(), random.uniform()), false};
}

RrsWithoutReplacement::RrsWithoutReplacement(const Problem& problem, const RatioTable& table)
    : problem_(problem), table_(table), undrafted_(problem.draft, problem.drafts) {
  for (Eigen::Index i = 0; i < problem.draft.size(); ++i) {
    if (problem.draft[i] > 0.0) support_.push_back(static_cast<std::int32_t>(i));
  }
  total_draft_mass_ = undrafted_.left(nullptr, 0);
}

Verdict RrsWithoutReplacement::verify(const std::vector<std::int32_t>& drafts, Random& random) const {
  double shift = 0.0, mass = 1.0, remaining = total_draft_mass_;
  for (std::size_t k = 0; k < drafts.size(); ++k) {
    const std::int32_t x = drafts[k];
    const double q = problem_.draft[x];
    if (accept(problem_.target[x], q, shift, mass, q / remaining, random)) return {x, true};
    shift += mass / remaining;
    mass = table_.positive_mass(shift);
    // What is left of q: remaining - q unless that cancels (x held almost
    // all of it); then from UndraftedMass, in O(n).
    const double left = remaining - q;
    remaining = left >= 1e-6 * remaining ? left : undrafted_.left(drafts.data(), k + 1);
  }
  if (!(mass > 0.0)) return {drafts.back(), true};
  return {table_.sample_positive(shift, random.uniform()), false};
}

double RrsWithoutReplacement::undrafted_mass(double remaining, double taken,
                                             const std::vector<std::int32_t>& drafted) const {
  // remaining - taken loses the small result's precision when `taken` is
  // most of `remaining` (q = (1 - 1e-13, 1e-13)); then sum what is left.
  if (taken <= 0.5 * remaining) return remaining - taken;
  return undrafted_.left(drafted.data(), drafted.size());
}

double RrsWithoutReplacement::accept_from(int step, double shift, double mass, double remaining,
                                          std::vector<std::int32_t>& drafted) const {
  if (!(mass > 0.0)) return 1.0;
  // Last draft: sum_x min(r(x), q(x) / remaining); drafted tokens have r = 0.
  if (step == problem_.drafts - 1) return std::min(1.0, table_.overlap_with_residual(shift, mass, 1.0 / remaining));
  const double next_shift = shift + mass / remaining;
  const double next_mass = table_.positive_mass(next_shift);
  double total = 0.0;
  for (const std::int32_t x : support_) {
    if (std::find(drafted.begin(), drafted.end(), x) != drafted.end()) continue;
    const double q = problem_.draft[x];
    const double step_probability = q / remaining;
    const double residual = std::max(problem_.target[x] - shift * q, 0.0) / mass;
    const double accepted = std::min(1.0, residual / step_probability);
    double later = 0.0;
    if (accepted < 1.0) {
      drafted.push_back(x);
      later = accept_from(step + 1, next_shift, next_mass, undrafted_mass(remaining, q, drafted), drafted);
      drafted.pop_back();
    }
    total += step_probability * (accepted + (1.0 - accepted) * later);
  }
  return std::min(1.0, total);
}

std::optional<double> RrsWithoutReplacement::exact_acceptance(double max_work) const {
  const double work = std::pow(static_cast<double>(support_.size()), problem_.drafts - 1);
  if (work > max_work) return std::nullopt;
  std::vector<std::int32_t> drafted;
  return accept_from(0, 0.0, 1.0, undrafted_mass(1.0, 1.0, drafted), drafted);
}

}  // namespace mdsd
