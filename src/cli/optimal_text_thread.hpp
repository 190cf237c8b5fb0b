// The text of each entry of Result::optimal, written on a second thread
// while calculate() goes on with the next method (mdsd solve). At
// V = 152,064 the three certificates are 2.2 MB of text, which took 1.1 ms
// after the computation on one thread; written beside it, only the last
// method's text is left to wait for (README "Whole process").
#pragma once

#include "calculation/calculate.hpp"

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mdsd::cli {

class OptimalTextThread {
 public:
  // No thread when not `wanted`, on a single CPU or when none can be
  // started: texts() is then empty and the caller writes the entries itself.
  explicit OptimalTextThread(bool wanted);
  OptimalTextThread(const OptimalTextThread&) = delete;
  OptimalTextThread& operator=(const OptimalTextThread&) = delete;
  ~OptimalTextThread();

  // calculate()'s method_done: the entry is read by the thread until
  // texts() returns, so it must stay unchanged until then.
  void post(const MethodResult& entry);
  // Waits for the thread. The text of every posted entry in order, or
  // nothing when there is no thread or it failed (no memory).
  std::vector<std::string> texts();

 private:
  void serve();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<const MethodResult*> posted_;  // guarded by mutex_
  bool closed_ = false;                      // guarded by mutex_
  std::vector<std::string> texts_;           // the thread's until joined
  bool failed_ = false;                      // the thread's until joined
  std::thread worker_;
};

}  // namespace mdsd::cli
