// The computation alone, for bench_process: `bench_compute REQUEST.json
// REPEATS` reads the request, computes it once to warm up, then REPEATS
// times, and prints one JSON line {"wall_ms": ..., "cpu_ms": ...}, the
// medians (cpu_time.hpp). Built, linked and with its heap set up as mdsd
// is (CMakeLists.txt mdsd_link_like_mdsd, cli/process_memory.hpp), so that
// the process and the computation it is compared with run the same code.
// A program to run, not a test.
#include "api/request.hpp"
#include "calculation/calculate.hpp"
#include "cli/process_memory.hpp"

#include "cpu_time.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: bench_compute REQUEST.json REPEATS\n";
    return 2;
  }
  mdsd::cli::prepare_heap_for_large_request();
  std::ifstream file(argv[1], std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  auto document = mdsd::parse_json_text(text.str());
  if (!document.ok()) {
    std::cerr << "bench_compute: " << document.error() << "\n";
    return 1;
  }
  auto request = mdsd::parse_request(document.value());
  if (!request.ok()) {
    std::cerr << "bench_compute: " << request.error() << "\n";
    return 1;
  }
  (void)mdsd::calculate(request.value());
  const mdsd::bench::Times times = mdsd::bench::median_times(std::max(1, std::atoi(argv[2])), [&] {
    (void)mdsd::calculate(request.value());
  });
  std::printf("{\"wall_ms\": %.6f, \"cpu_ms\": %.6f}\n", times.wall_ms, times.cpu_ms);
  return 0;
}
