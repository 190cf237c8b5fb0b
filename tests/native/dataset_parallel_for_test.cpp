// dataset/parallel_for: every item once, and an exception on any thread
// (memory running out in `mdsd batch --threads`) comes back to the caller
// instead of ending the process.
#include "dataset/parallel_for.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <new>
#include <thread>
#include <vector>

namespace mdsd::test {

TEST_CASE("parallel_for: each item runs once, on any number of threads") {
  for (const unsigned threads : {1u, 2u, 3u, 8u}) {
    for (const std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
      std::vector<std::atomic<int>> runs(count);
      std::size_t last_reported = 0;
      parallel_for(count, threads, [&](std::size_t i) { ++runs[i]; },
                   [&](std::size_t finished) {
                     CHECK(finished >= last_reported);
                     CHECK(finished <= count);
                     last_reported = finished;
                   });
      for (std::size_t i = 0; i < count; ++i) CHECK(runs[i] == 1);
    }
  }
}

TEST_CASE("parallel_for: std::bad_alloc on another thread is rethrown to the caller, the rest not started") {
  const auto caller = std::this_thread::get_id();
  std::atomic<std::size_t> started{0};
  std::atomic<bool> thrown_elsewhere{false};
  const auto work = [&](std::size_t) {
    ++started;
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // so that the other threads take items
    if (std::this_thread::get_id() != caller) {
      thrown_elsewhere = true;
      throw std::bad_alloc();
    }
  };
  CHECK_THROWS_AS(parallel_for(10000, 4, work), std::bad_alloc);
  CHECK(thrown_elsewhere);
  CHECK(started < 10000);  // the threads stopped taking items
  // And on the calling thread itself.
  CHECK_THROWS_AS(parallel_for(100, 1, [](std::size_t i) {
                    if (i == 5) throw std::bad_alloc();
                  }),
                  std::bad_alloc);
}

}  // namespace mdsd::test
