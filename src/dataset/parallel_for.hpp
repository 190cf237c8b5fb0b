// Runs the positions of one chunk of a dataset on several threads (mdsd
// batch --threads).
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace mdsd {

// Runs work(i) for i in [0, count) on up to `threads` threads, the calling
// thread one of them; it reports how many are finished to `finished` after
// each of its own. An exception thrown by work on any thread (memory running
// out: std::bad_alloc) stops the others taking new items and is rethrown
// here once every thread has ended, so that it is reported like one on the
// calling thread instead of ending the process (std::terminate). A thread
// that cannot be started leaves its share to the others.
inline void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& work,
                         const std::function<void(std::size_t)>& finished = {}) {
  std::atomic<std::size_t> next{0}, done{0};
  std::exception_ptr failure;
  std::mutex failure_lock;
  auto worker = [&](bool caller) {
    try {
      for (std::size_t i; (i = next++) < count;) {
        work(i);
        ++done;
        if (caller && finished) finished(done.load());
      }
    } catch (...) {
      next = count;  // the others stop after their current item
      const std::lock_guard<std::mutex> hold(failure_lock);
      if (!failure) failure = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(worker, false);
    } catch (const std::system_error&) {
      break;  // no more threads to be had (a process limit)
    }
  }
  worker(true);
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace mdsd
