// CPU time beside wall time for the process and JSON Lines benchmarks: on a
// shared machine the wall time of a run depends on the other load, its CPU
// time much less, so ratios are given in both.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace mdsd::bench {

struct Times {
  double wall_ms = 0.0, cpu_ms = 0.0;  // medians over the repeats
};

inline double process_cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

inline double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// `work` run `repeats` times in this process; its CPU time counts every thread.
inline Times median_times(int repeats, const std::function<void()>& work) {
  std::vector<double> wall, cpu;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = process_cpu_ms();
    work();
    cpu.push_back(process_cpu_ms() - cpu_start);
    wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return {median_of(wall), median_of(cpu)};
}

// A child process started by `spawn` (which returns its pid, or -1), waited
// for; CPU time is the child's user + system time. False if it failed.
inline bool time_child(const std::function<pid_t()>& spawn, double& wall_ms, double& cpu_ms) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = spawn();
  if (pid < 0) return false;
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) return false;
  wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  cpu_ms = ms(usage.ru_utime) + ms(usage.ru_stime);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

inline Times median_child_times(int repeats, const std::function<pid_t()>& spawn, bool& ok) {
  std::vector<double> wall, cpu;
  ok = true;
  for (int r = 0; r < repeats && ok; ++r) {
    double w = 0.0, c = 0.0;
    ok = time_child(spawn, w, c);
    wall.push_back(w);
    cpu.push_back(c);
  }
  return {median_of(wall), median_of(cpu)};
}

}  // namespace mdsd::bench
