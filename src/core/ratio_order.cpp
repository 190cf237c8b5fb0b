#include "core/ratio_order.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace mdsd {
namespace {

// A non-negative double (+infinity included) and its bit pattern order the
// same way, so an LSD radix sort on the bits sorts the ratios; being stable,
// it keeps ties in token order. 11-bit digits: 6 passes, 2048 buckets each.
constexpr int kDigitBits = 11;
constexpr int kPasses = (64 + kDigitBits - 1) / kDigitBits;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;

std::uint64_t bits_of(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);  // std::bit_cast, which Emscripten 3.1.6 lacks
  return bits;
}

// p = 0 first (whatever q), then q = 0 last: so for any c >= 0 the tokens
// with p_i > c q_i are exactly a suffix of the order.
// A subnormal q can make p / q overflow although q > 0; those tokens must
// still come before the q = 0 ones and in their true order (without
// replacement, whether a prefix holds them changes Q(H)). Their keys are a
// second tier above every finite ratio: the ratio scaled by 2^-1000
// (exact for a subnormal q) with the top bit set, which no non-negative
// double has. q = 0 takes the largest key.
std::uint64_t ratio_key(double target, double draft) {
  constexpr std::uint64_t kOverflowTier = std::uint64_t{1} << 63;
  if (!(target > 0.0)) return 0;
  if (!(draft > 0.0)) return ~std::uint64_t{0};
  const double ratio = target / draft;
  if (ratio <= std::numeric_limits<double>::max()) return bits_of(ratio);
  return kOverflowTier | bits_of(target / std::ldexp(draft, 1000));
}

}  // namespace

std::vector<std::int32_t> order_by_ratio(const Eigen::VectorXd& target,
                                         const Eigen::VectorXd& draft) {
  const auto size = static_cast<std::size_t>(target.size());
  std::vector<std::uint64_t> keys(size), keys_next(size);
  std::vector<std::int32_t> order(size), order_next(size);
  std::vector<std::array<std::uint32_t, kBuckets>> counts(kPasses);
  for (auto& count : counts) count.fill(0);
  for (std::size_t i = 0; i < size; ++i) {
    keys[i] = ratio_key(target[static_cast<Eigen::Index>(i)], draft[static_cast<Eigen::Index>(i)]);
    order[i] = static_cast<std::int32_t>(i);
    for (int pass = 0; pass < kPasses; ++pass) ++counts[pass][(keys[i] >> (pass * kDigitBits)) & (kBuckets - 1)];
  }
  for (int pass = 0; pass < kPasses; ++pass) {
    auto& count = counts[pass];
    const int shift = pass * kDigitBits;
    // Every key has the same digit: this pass would not move anything.
    if (count[(keys[0] >> shift) & (kBuckets - 1)] == size) continue;
    std::uint32_t position = 0;
    for (auto& bucket : count) position += std::exchange(bucket, position);
    for (std::size_t i = 0; i < size; ++i) {
      const std::uint32_t slot = count[(keys[i] >> shift) & (kBuckets - 1)]++;
      keys_next[slot] = keys[i];
      order_next[slot] = order[i];
    }
    keys.swap(keys_next);
    order.swap(order_next);
  }
  return order;
}

}  // namespace mdsd
