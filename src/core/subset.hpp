// Small helpers shared by the optimal-rate computations.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace mdsd {

// The first `size` tokens of `order` as ascending token ids, in O(V) (a
// bitmap, not a sort: certificates can hold most of a 150k vocabulary).
std::vector<std::int32_t> sorted_prefix(const std::vector<std::int32_t>& order, std::size_t size);

// x^n for a small integer n >= 0, by squaring (exact for x in {0, 1}).
// Inline: the O(V) scans call it once per prefix.
inline double integer_power(double x, int n) {
  double result = 1.0;
  for (; n > 0; n >>= 1, x *= x) {
    if (n & 1) result *= x;
  }
  return result;
}

// q(H)^n, the chance that n i.i.d. drafts all fall in H, from q(H) = inside
// and 1 - q(H) = outside, each summed directly: near q(H) = 1 it is
// (1 - outside)^n, whose base carries one rounding, where a prefix sum of q
// would carry V of them (4.4e-12 at V = 32,000, n = 64).
inline double all_inside_power(double inside, double outside, int n) {
  if (!(outside > 0.0)) return 1.0;
  // 1 - outside is one rounding away from the directly summed tail, so its
  // n-th power is within about n ulps: enough here, and no libm call in the
  // O(V) scans (exp and log1p per prefix made the 152k scan 3 ms or 28 ms,
  // depending on what had run before; measured, cause not pinned down).
  if (outside < 0.5) return integer_power(1.0 - outside, n);
  return integer_power(std::min(inside, 1.0), n);
}

// A running sum with Neumaier's compensation: the sums of up to 2^22 masses
// along the p/q order stay within a few ulps instead of V ulps.
class CompensatedSum {
 public:
  void add(double x) {
    const double total = sum_ + x;
    compensation_ += std::abs(sum_) >= std::abs(x) ? (sum_ - total) + x : (x - total) + sum_;
    sum_ = total;
  }
  double value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0.0, compensation_ = 0.0;
};

}  // namespace mdsd
