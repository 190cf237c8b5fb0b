#include "verify/undrafted_mass.hpp"

#include "core/draft_law.hpp"

#include <algorithm>

namespace mdsd {
namespace {

bool drawn_contains(const std::int32_t* drawn, std::size_t count, std::int32_t token) {
  return std::find(drawn, drawn + count, token) != drawn + count;
}

}  // namespace

UndraftedMass::UndraftedMass(const Eigen::VectorXd& draft, int drafts)
    : draft_(draft),
      largest_(greedy_fixed_drafts(draft, std::min<int>(drafts, static_cast<int>(draft.size())) + 1)),
      is_largest_(static_cast<std::size_t>(draft.size()), false),
      rest_weights_(draft) {
  std::sort(largest_.begin(), largest_.end(), [&](std::int32_t a, std::int32_t b) {
    return draft[a] > draft[b] || (draft[a] == draft[b] && a < b);
  });
  for (const std::int32_t token : largest_) {
    is_largest_[static_cast<std::size_t>(token)] = true;
    rest_weights_[token] = 0.0;
  }
  rest_ = rest_weights_.sum();
}

UndraftedMass::Split UndraftedMass::split(const std::int32_t* drawn, std::size_t count) const {
  Split parts;
  for (const std::int32_t token : largest_) {
    if (!drawn_contains(drawn, count, token)) parts.largest += draft_[token];
  }
  double drawn_rest = 0.0;
  for (std::size_t k = 0; k < count; ++k) {
    if (!is_largest(drawn[k])) drawn_rest += draft_[drawn[k]];
  }
  if (drawn_rest <= 0.5 * rest_) {
    parts.rest = rest_ - drawn_rest;
  } else {  // the subtraction would cancel: sum what is left
    for (Eigen::Index i = 0; i < rest_weights_.size(); ++i) {
      if (rest_weights_[i] > 0.0 && !drawn_contains(drawn, count, static_cast<std::int32_t>(i))) {
        parts.rest += rest_weights_[i];
      }
    }
  }
  return parts;
}

}  // namespace mdsd
