// Small helpers shared by the optimal-rate computations.
#pragma once

#include <cstdint>
#include <vector>

namespace mdsd {

// The first `size` tokens of `order` as ascending token ids, in O(V) (a
// bitmap, not a sort: certificates can hold most of a 150k vocabulary).
std::vector<std::int32_t> sorted_prefix(const std::vector<std::int32_t>& order, std::size_t size);

// x^n for a small integer n >= 0, by squaring (exact for x in {0, 1}).
double integer_power(double x, int n);

}  // namespace mdsd
