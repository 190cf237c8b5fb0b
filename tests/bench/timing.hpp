// Shared by the benchmark programs: the median wall time of repeated work.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace mdsd::bench {

inline double median_ms(int repeats, const std::function<void()>& work) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    work();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace mdsd::bench
