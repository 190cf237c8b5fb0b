#include "core/ratio_order.hpp"

#include <array>
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
std::uint64_t ratio_key(double target, double draft) {
  if (!(target > 0.0)) return 0;
  if (!(draft > 0.0)) return bits_of(std::numeric_limits<double>::infinity());
  return bits_of(target / draft);
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
