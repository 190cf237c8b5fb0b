// The transport LP (README mathematics §2) at growing column counts: the
// max-flow solver (lp/transport_flow.hpp) against GLPK's simplex
// (lp/transport_lp.hpp) on the same laws, medians of CPU time over repeats
// (building the law is not timed; building the solver's network is), GLPK only
// while its last median stayed under --glpk-seconds. Three families of laws:
// with replacement (n = 2) and without replacement (n = 3) of the synthetic
// LLM-like draft of seed 1 on V tokens, and random explicit laws (sets of 1 to
// 8 tokens out of V, random masses). One JSON object a line; with --dump DIR
// each law is also written to DIR/<family>-<columns>.json for
// tests/bench/transport_highs.py (SciPy's HiGHS on the same LPs).
// A program to run, not a test:
//   bench_transport [repeats] [--max-columns C] [--glpk-seconds S] [--dump DIR]
#include "core/draft_law.hpp"
#include "core/synthetic.hpp"
#include "lp/transport_flow.hpp"
#include "lp/transport_lp.hpp"

#include <nlohmann/json.hpp>

#include <time.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace {

// CPU time, not wall time: the machine is shared, and both solvers (and
// HiGHS in the companion script, timed the same way) run on one thread.
double cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) * 1e-6;
}

double median_ms(int repeats, const std::function<void()>& work) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const double start = cpu_ms();
    work();
    times.push_back(cpu_ms() - start);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

struct Instance {
  Eigen::VectorXd target;
  std::vector<mdsd::DraftSet> law;
};

// The synthetic pair on `vocab` tokens, the method's set law.
Instance method_instance(int vocab, int drafts, mdsd::DraftMethod method) {
  const auto pair = mdsd::synthetic_pair(vocab, 1);
  return {pair.target, mdsd::draft_set_law(pair.draft, drafts, method)};
}

// About `columns` columns: sets of 1 to 8 distinct tokens out of `vocab`,
// masses uniform then normalised; the target is the synthetic one.
Instance random_instance(std::int64_t columns, int vocab, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> size(1, 8), token(0, vocab - 1);
  std::uniform_real_distribution<double> weight(0.0, 1.0);
  Instance instance{mdsd::synthetic_pair(vocab, seed).target, {}};
  double total = 0.0;
  for (std::int64_t placed = 0; placed < columns;) {
    std::vector<std::int32_t> tokens;
    for (int k = size(rng); k > 0; --k) tokens.push_back(token(rng));
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    placed += static_cast<std::int64_t>(tokens.size());
    instance.law.push_back({std::move(tokens), weight(rng)});
    total += instance.law.back().mass;
  }
  for (auto& set : instance.law) set.mass /= total;
  return instance;
}

void dump(const std::string& path, const Instance& instance, double flow_ms, double alpha) {
  nlohmann::json sets = nlohmann::json::array(), masses = nlohmann::json::array();
  for (const auto& set : instance.law) {
    sets.push_back(set.tokens);
    masses.push_back(set.mass);
  }
  const nlohmann::json file = {
      {"target", std::vector<double>(instance.target.data(), instance.target.data() + instance.target.size())},
      {"sets", sets}, {"masses", masses}, {"max_flow_ms", flow_ms}, {"max_flow_alpha", alpha}};
  std::ofstream(path) << file.dump();
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 5;
  std::int64_t max_columns = 10'000'000;
  double glpk_seconds = 10.0;
  std::string dump_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--max-columns" && i + 1 < argc) {
      max_columns = std::atoll(argv[++i]);
    } else if (arg == "--glpk-seconds" && i + 1 < argc) {
      glpk_seconds = std::atof(argv[++i]);
    } else if (arg == "--dump" && i + 1 < argc) {
      dump_dir = argv[++i];
    } else {
      repeats = std::max(1, std::atoi(arg.c_str()));
    }
  }
  const std::vector<std::int64_t> sizes = {1'000, 3'000, 10'000, 30'000, 100'000, 300'000,
                                           1'000'000, 3'000'000, 10'000'000, 30'000'000};
  for (const std::string family : {"with_replacement", "without_replacement", "random"}) {
    double last_glpk_ms = 0.0;
    for (std::int64_t target_columns : sizes) {
      if (target_columns > max_columns) break;
      Instance instance;
      if (family == "with_replacement") {  // V^2 columns
        instance = method_instance(static_cast<int>(std::lround(std::sqrt(target_columns))), 2,
                                   mdsd::DraftMethod::with_replacement);
      } else if (family == "without_replacement") {  // 3 C(V, 3) ~ V^3 / 2 columns
        instance = method_instance(static_cast<int>(std::lround(std::cbrt(2.0 * target_columns))), 3,
                                   mdsd::DraftMethod::without_replacement);
      } else {
        const int vocab = static_cast<int>(std::max<std::int64_t>(8, target_columns / 100));
        instance = random_instance(target_columns, vocab, 7);
      }
      mdsd::LpOptions options;
      options.max_columns = std::int64_t{1} << 40;
      options.glpk_max_columns = std::int64_t{1} << 30;
      const std::int64_t columns = mdsd::column_count(instance.law);
      nlohmann::json row = {{"family", family},
                            {"vocab", instance.target.size()},
                            {"sets", instance.law.size()},
                            {"columns", columns}};
      mdsd::LpSolution flow;
      const double flow_ms = median_ms(repeats, [&] {
        flow = mdsd::solve_transport_flow(instance.target, instance.law, options).value();
      });
      row["max_flow_ms"] = flow_ms;
      row["alpha"] = flow.alpha;
      row["certificate_gap"] = flow.certificate_alpha - flow.alpha;
      if (last_glpk_ms < glpk_seconds * 1000.0) {
        mdsd::LpSolution glpk;
        // GLPK past a second: one run (its time varies far less than it grows).
        const int glpk_repeats = last_glpk_ms > 1000.0 ? 1 : repeats;
        last_glpk_ms = median_ms(glpk_repeats, [&] {
          glpk = mdsd::solve_transport_lp(instance.target, instance.law, options).value();
        });
        row["glpk_ms"] = last_glpk_ms;
        row["glpk_over_max_flow"] = last_glpk_ms / flow_ms;
        row["alpha_difference"] = glpk.alpha - flow.alpha;
      }
      if (!dump_dir.empty() && columns <= 3'000'000) {
        dump(dump_dir + "/" + family + "-" + std::to_string(target_columns) + ".json", instance, flow_ms,
             flow.alpha);
      }
      std::cout << row.dump() << std::endl;
    }
  }
}
