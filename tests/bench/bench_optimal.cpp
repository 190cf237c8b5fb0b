// Native half of the alpha* benchmark (tests/bench/optimal.mjs runs it and
// adds the WebAssembly half). For each V and n, on the synthetic LLM-like
// pair of seed 1: the median over `repeats` runs of the core computation
// and of the whole API path (request with in-memory arrays -> result JSON),
// per method, and the time to sort V doubles as the floor. One JSON object a
// line. A program to run, not a test.
#include "api/solve.hpp"
#include "core/optimal_rate.hpp"
#include "core/synthetic.hpp"

#include <nlohmann/json.hpp>

#include "timing.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <vector>

using mdsd::bench::median_ms;

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  for (long vocabulary : {32000L, 152064L, 262144L}) {
    const auto pair = mdsd::synthetic_pair(vocabulary, 1);
    const double sort_ms = median_ms(repeats, [&] {
      std::vector<double> values(pair.target.data(), pair.target.data() + vocabulary);
      std::sort(values.begin(), values.end());
    });
    const mdsd::NumberArray buffers[] = {{pair.target.data(), static_cast<std::size_t>(vocabulary)},
                                         {pair.draft.data(), static_cast<std::size_t>(vocabulary)}};
    for (int drafts : {2, 4, 8}) {
      const mdsd::Problem problem{pair.target, pair.draft, drafts};
      nlohmann::json row = {{"vocab", vocabulary}, {"drafts", drafts}, {"sort_ms", sort_ms}};
      for (mdsd::DraftMethod method : mdsd::kAllDraftMethods) {
        const std::string name(mdsd::method_name(method));
        double alpha = 0.0;
        row[name]["core_ms"] = median_ms(repeats, [&] { alpha = mdsd::optimal_rate(problem, method).value().alpha; });
        // Buffer references are JSON binary values of subtype k (api/request.hpp).
        const nlohmann::json request = {{"target", nlohmann::json::binary({}, 0)},
                                        {"draft", nlohmann::json::binary({}, 1)},
                                        {"drafts", drafts}, {"methods", {name}},
                                        {"verifiers", nlohmann::json::array()}};
        row[name]["api_ms"] = median_ms(repeats, [&] { mdsd::solve_parsed(request, buffers); });
        row[name]["alpha"] = alpha;
      }
      std::cout << row.dump() << std::endl;
    }
  }
}
