#include "core/subset.hpp"

#include <algorithm>

namespace mdsd {

std::vector<std::int32_t> sorted_prefix(const std::vector<std::int32_t>& order, std::size_t size) {
  std::vector<unsigned char> inside(order.size(), 0);  // bytes: faster than vector<bool> here
  for (std::size_t k = 0; k < size; ++k) inside[static_cast<std::size_t>(order[k])] = 1;
  // Every token is written, and kept when inside: no branch to mispredict.
  std::vector<std::int32_t> tokens(size + 1);
  std::size_t count = 0;
  for (std::size_t token = 0; token < inside.size() && count < size; ++token) {
    tokens[count] = static_cast<std::int32_t>(token);
    count += inside[token];
  }
  tokens.resize(count);
  return tokens;
}

}  // namespace mdsd
