#include "core/ratio_order.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace mdsd {
namespace {

// A non-negative double (+infinity included) and its bit pattern order the
// same way, so an LSD radix sort on the bits sorts the ratios; being stable,
// it keeps ties in token order. It sorts on the keys' top 32 bits (sign,
// exponent and 20 bits of mantissa: a ratio to about 1e-6), each packed with
// its token id in the low 32 bits, in three passes of 11 bits; the few runs
// of equal top bits are then put in full-key order.
constexpr int kDigitBits = 11;
constexpr int kPasses = 3;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
// A run of equal top bits at most this long is insertion-sorted.
constexpr std::size_t kShortRun = 16;

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
  const auto key_of = [&](std::uint64_t packed) {
    const auto token = static_cast<Eigen::Index>(packed & 0xffffffffu);
    return ratio_key(target[token], draft[token]);
  };
  std::vector<std::uint64_t> packed(size), packed_next(size);
  std::vector<std::array<std::uint32_t, kBuckets>> counts(kPasses);
  for (auto& count : counts) count.fill(0);
  for (std::size_t i = 0; i < size; ++i) {
    const std::uint64_t top = ratio_key(target[static_cast<Eigen::Index>(i)], draft[static_cast<Eigen::Index>(i)]) >> 32;
    packed[i] = top << 32 | i;
    for (int pass = 0; pass < kPasses; ++pass) ++counts[pass][(top >> (pass * kDigitBits)) & (kBuckets - 1)];
  }
  for (int pass = 0; pass < kPasses && size > 0; ++pass) {
    auto& count = counts[pass];
    const int shift = 32 + pass * kDigitBits;
    // Every key has the same digit: this pass would not move anything.
    if (count[(packed[0] >> shift) & (kBuckets - 1)] == size) continue;
    std::uint32_t position = 0;
    for (auto& bucket : count) position += std::exchange(bucket, position);
    for (std::size_t i = 0; i < size; ++i) {
      const std::uint32_t slot = count[(packed[i] >> shift) & (kBuckets - 1)]++;
      packed_next[slot] = packed[i];
    }
    packed.swap(packed_next);
  }
  // Runs of equal top bits are in token order; sort each by the full key,
  // stably, so that ties stay in token order.
  std::vector<std::uint64_t>& keys = packed_next;  // full keys of a long run
  for (std::size_t first = 0; first < size;) {
    std::size_t end = first + 1;
    while (end < size && (packed[end] >> 32) == (packed[first] >> 32)) ++end;
    if (end - first <= kShortRun) {
      for (std::size_t i = first + 1; i < end; ++i) {
        const std::uint64_t moving = packed[i];
        const std::uint64_t key = key_of(moving);
        std::size_t at = i;
        for (; at > first && key_of(packed[at - 1]) > key; --at) packed[at] = packed[at - 1];
        packed[at] = moving;
      }
    } else {
      bool sorted = true;
      for (std::size_t i = first; i < end; ++i) {
        keys[i] = key_of(packed[i]);
        sorted = sorted && (i == first || keys[i - 1] <= keys[i]);
      }
      if (!sorted) {
        // (full key, token): the token ids are distinct, so any sort is stable.
        std::vector<std::pair<std::uint64_t, std::uint64_t>> run;
        run.reserve(end - first);
        for (std::size_t i = first; i < end; ++i) run.emplace_back(keys[i], packed[i] & 0xffffffffu);
        std::sort(run.begin(), run.end());
        const std::uint64_t top = packed[first] & ~std::uint64_t{0xffffffffu};
        for (std::size_t i = first; i < end; ++i) packed[i] = top | run[i - first].second;
      }
    }
    first = end;
  }
  std::vector<std::int32_t> order(size);
  for (std::size_t i = 0; i < size; ++i) order[i] = static_cast<std::int32_t>(packed[i] & 0xffffffffu);
  return order;
}

}  // namespace mdsd
