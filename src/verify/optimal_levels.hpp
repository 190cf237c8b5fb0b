// The level tiling behind the optimal verifier (README "The optimal verifier").
// Every drafted token gets a random level in [0, 1] and the draft with the
// highest level is selected. Levels are drawn so that a draft's level is
// uniform on [0, 1] whatever its token: then the selected draft's level has
// density psi(l) = n l^(n-1) and a token is selected with probability
// m_y * (mean of psi over its levels). This file places groups of tokens
// ("classes") on an interval of levels so that each class gets the
// selection mass it needs.
#pragma once

#include <vector>

namespace mdsd {

struct LevelSegment {
  double start = 0.0;
  double length = 0.0;
};

struct LevelClass {
  double mass = 0.0;  // draft mass of the class's tokens
  double need = 0.0;  // the selection mass the class must receive
};

// b^n - a^n with b = start + length, as length * sum_j b^j a^(n-1-j): no
// cancellation when the segment is short.
double power_increment(double start, double length, int drafts);

// Places `classes` (ascending need / mass; every prefix needing at least what
// the lowest levels of its size give, which is what the verifier's targets
// satisfy) on [low, high]: each class, in turn, takes the stretch of the
// still-free levels (collapsed, as if the taken ones were cut out) whose psi
// integrates to its need; the last class takes every level left. Returns the
// segments of each class, in level order.
std::vector<std::vector<LevelSegment>> place_level_classes(const std::vector<LevelClass>& classes,
                                                           double low, double high, int drafts);

}  // namespace mdsd
