#include "verify/optimal_verifier.hpp"

#include "core/optimal_rate.hpp"
#include "core/subset.hpp"

#include <algorithm>

namespace mdsd {
namespace {

// The classes of one side of the certificate, in the order they are placed.
struct Side {
  std::vector<LevelClass> classes;
  std::vector<std::vector<std::int32_t>> members;
  void add(std::vector<std::int32_t> tokens, double mass, double need) {
    classes.push_back({mass, std::max(need, 0.0)});
    members.push_back(std::move(tokens));
  }
};

// Inside H the target is s = max(p, theta q), summing to q(H)^n: the tokens
// with p/q below theta form one class (s proportional to q), then each other
// token is a class needing p. theta is found on the sorted ratios: the first
// split j (tokens [0, j) below theta) where theta <= ratio[j].
Side inside_classes(const std::vector<std::int32_t>& tokens, const std::vector<double>& mass,
                    const Eigen::VectorXd& target, double total) {
  const std::size_t count = tokens.size();
  // Compensated sums: over 10^5 tokens a plain sum is off by ~1e-13, which
  // the side's last class (it takes the levels left) absorbed as extra
  // length, so its levels were not uniform and s drifted by ~1e-12 at n = 64.
  std::vector<double> target_after(count + 1, 0.0);
  CompensatedSum suffix;
  for (std::size_t i = count; i-- > 0;) {
    suffix.add(target[tokens[i]]);
    target_after[i] = suffix.value();
  }
  std::size_t split = 0;
  CompensatedSum below;
  for (; split < count; ++split) {
    const double ratio = target[tokens[split]] / mass[tokens[split]];
    if (ratio * below.value() + target_after[split] >= total) break;
    below.add(mass[tokens[split]]);
  }
  const double mass_below = below.value();
  Side side;
  if (split > 0) {
    side.add(std::vector<std::int32_t>(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(split)),
             mass_below, total - target_after[split]);
  }
  for (std::size_t i = split; i < count; ++i) side.add({tokens[i]}, mass[tokens[i]], target[tokens[i]]);
  return side;
}

// Outside H the target is s = min(p, theta q), summing to 1 - q(H)^n: each
// token with p/q below theta is a class needing p, then the rest form one
// class (s proportional to q).
Side outside_classes(const std::vector<std::int32_t>& tokens, const std::vector<double>& mass,
                     const Eigen::VectorXd& target, double total) {
  const std::size_t count = tokens.size();
  std::vector<double> mass_after(count + 1, 0.0);
  CompensatedSum suffix;  // compensated: see inside_classes
  for (std::size_t i = count; i-- > 0;) {
    suffix.add(mass[tokens[i]]);
    mass_after[i] = suffix.value();
  }
  std::size_t split = 0;
  CompensatedSum below;
  for (; split < count; ++split) {
    const double ratio = target[tokens[split]] / mass[tokens[split]];
    if (below.value() + ratio * mass_after[split] >= total) break;
    below.add(target[tokens[split]]);
  }
  const double target_below = below.value();
  Side side;
  for (std::size_t i = 0; i < split; ++i) side.add({tokens[i]}, mass[tokens[i]], target[tokens[i]]);
  if (split < count) {
    side.add(std::vector<std::int32_t>(tokens.begin() + static_cast<std::ptrdiff_t>(split), tokens.end()),
             mass_after[split], total - target_below);
  }
  return side;
}

}  // namespace

OptimalWithReplacement::OptimalWithReplacement(const Problem& problem, const std::vector<std::int32_t>& order)
    : problem_(problem) {
  const Eigen::Index vocabulary = problem.draft.size();
  const int n = problem.drafts;
  CompensatedSum draft_total;
  for (Eigen::Index i = 0; i < vocabulary; ++i) draft_total.add(problem.draft[i]);
  std::vector<double> mass(static_cast<std::size_t>(vocabulary));
  for (Eigen::Index i = 0; i < vocabulary; ++i) mass[i] = problem.draft[i] / draft_total.value();

  // H: the optimal prefix of the p/q order (README mathematics §2).
  certificate_size_ = optimal_rate_with_replacement(problem, order).certificate.size();
  std::vector<std::int32_t> inside, outside;
  CompensatedSum inside_mass;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::int32_t token = order[k];
    if (!(mass[token] > 0.0)) continue;
    if (k < certificate_size_) {
      inside.push_back(token);
      inside_mass.add(mass[token]);
    } else {
      outside.push_back(token);
    }
  }
  const double boundary = std::clamp(inside_mass.value(), 0.0, 1.0);

  // H's drafts take the levels [0, q(H)), the others [q(H), 1]: a draft
  // outside H always beats one inside, and s(H) = q(H)^n exactly.
  const Side low = inside_classes(inside, mass, problem.target, integer_power(boundary, n));
  const Side high = outside_classes(outside, mass, problem.target, power_increment(boundary, 1.0 - boundary, n));
  const auto low_levels = place_level_classes(low.classes, 0.0, boundary, n);
  const auto high_levels = place_level_classes(high.classes, boundary, 1.0, n);

  class_of_.assign(static_cast<std::size_t>(vocabulary), -1);
  selection_.assign(static_cast<std::size_t>(vocabulary), 0.0);
  class_begin_.push_back(0);
  for (const auto* side : {&low, &high}) {
    const auto& levels = side == &low ? low_levels : high_levels;
    for (std::size_t k = 0; k < side->classes.size(); ++k) {
      const std::int32_t index = static_cast<std::int32_t>(class_begin_.size() - 1);
      double length = 0.0, selected = 0.0;
      for (const LevelSegment& segment : levels[k]) {
        length += segment.length;
        selected += power_increment(segment.start, segment.length, n);
        segments_.push_back(segment);
        segment_end_.push_back(length);
      }
      class_begin_.push_back(segments_.size());
      for (const std::int32_t token : side->members[k]) {
        class_of_[token] = index;
        // s_y = m_y * (psi integrated over the class's levels) / (their length).
        selection_[token] = length > 0.0 ? mass[token] * (selected / length) : 0.0;
      }
    }
  }

  CompensatedSum accepted, left;
  Eigen::VectorXd residual(vocabulary);
  for (Eigen::Index y = 0; y < vocabulary; ++y) {
    accepted.add(std::min(problem.target[y], selection_[y]));
    residual[y] = std::max(problem.target[y] - selection_[y], 0.0);
    left.add(residual[y]);
  }
  acceptance_ = std::min(accepted.value(), 1.0);
  if (left.value() > 0.0) residual_.emplace(residual);
}

std::vector<LevelSegment> OptimalWithReplacement::level_segments(std::int32_t token) const {
  const std::int32_t index = class_of_[token];
  if (index < 0) return {};
  return {segments_.begin() + static_cast<std::ptrdiff_t>(class_begin_[index]),
          segments_.begin() + static_cast<std::ptrdiff_t>(class_begin_[index + 1])};
}

double OptimalWithReplacement::sample_level(std::int32_t token, Random& random) const {
  const std::int32_t index = class_of_[token];
  if (index < 0) return 0.0;  // q_y = 0: never drafted; below every drafted level if passed anyway
  const std::size_t begin = class_begin_[index], end = class_begin_[index + 1];
  if (begin == end) return 0.0;  // a class too light to hold a level (below any probability seen)
  const double u = random.uniform() * segment_end_[end - 1];
  const std::size_t k = static_cast<std::size_t>(
      std::upper_bound(segment_end_.begin() + static_cast<std::ptrdiff_t>(begin),
                       segment_end_.begin() + static_cast<std::ptrdiff_t>(end - 1), u) -
      segment_end_.begin());
  const double before = k == begin ? 0.0 : segment_end_[k - 1];
  return segments_[k].start + std::min(u - before, segments_[k].length);
}

Verdict OptimalWithReplacement::verify(const std::vector<std::int32_t>& drafts, Random& random) const {
  std::int32_t chosen = drafts.front();
  double best = -1.0;
  for (const std::int32_t x : drafts) {
    const double level = sample_level(x, random);
    if (level > best) {
      best = level;
      chosen = x;
    }
  }
  const double p = problem_.target[chosen], s = selection_[chosen];
  if (random.uniform() * s < p) return {chosen, true};
  if (!residual_) return {chosen, false};  // only rounding reaches here: alpha* = 1
  return {residual_->sample(random), false};
}

}  // namespace mdsd
