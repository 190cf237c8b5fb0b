// Small helpers shared by the optimal-rate computations.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace mdsd {

// The first `size` tokens of `order` as ascending token ids, in O(V) (a
// bitmap, not a sort: certificates can hold most of a 150k vocabulary).
std::vector<std::int32_t> sorted_prefix(const std::vector<std::int32_t>& order, std::size_t size);

// x^n for a small integer n >= 0, by squaring (exact for x in {0, 1}).
double integer_power(double x, int n);

// q(H)^n, the chance that n i.i.d. drafts all fall in H, from q(H) = inside
// and 1 - q(H) = outside, each summed directly: near q(H) = 1 it is
// (1 - outside)^n, whose base carries one rounding, where a prefix sum of q
// would carry V of them (4.4e-12 at V = 32,000, n = 64).
double all_inside_power(double inside, double outside, int n);

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
