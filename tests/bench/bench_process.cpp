// Whole-process benchmark (README "Benchmark"): `mdsd solve` on a request
// file of the synthetic LLM-like pair of seed 1 (V = 152,064, n = 4, all
// three methods, "verifiers": []), against the computation alone in the same
// run (bench_compute, in turns with the process; the ratio is the median over
// the turns), and the without-replacement integral against a naive O(V nodes n)
// evaluation of it written here. Also each stage of the process in-process
// (map the file, parse, request, compute, the result text), the start of a
// process alone (`mdsd --help`), the parse on one thread and on two (as
// `mdsd solve` reads), the former result path (nlohmann's document
// and its dump) and, when built with Debian's libsimdjson-dev, simdjson's
// parse of the same text.
// Also the same stages each timed once in a fresh process (`bench_process
// --stages FILE`, run REPEATS times), with their page faults ("start" has
// CPU time only: its wall time began before main).
// Usage: bench_process [REPEATS [DIR]]; DIR (default build/bench) gets the
// request file. Medians over REPEATS (default 7; the naive integral 3), of
// wall time and of CPU time (cpu_time.hpp).
// A program to run, not a test.
#include "api/json_reader.hpp"
#include "api/request.hpp"
#include "api/result.hpp"
#include "api/result_writer.hpp"
#include "calculation/calculate.hpp"
#include "cli/process_memory.hpp"
#include "core/count_laws.hpp"
#include "core/optimal_rate.hpp"
#include "core/ratio_order.hpp"
#include "core/synthetic.hpp"

#include "cpu_time.hpp"

#include <nlohmann/json.hpp>
#ifdef MDSD_BENCH_SIMDJSON
#include <simdjson.h>
#endif

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

using mdsd::bench::median_times;
using mdsd::bench::Times;

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// A regular file mapped as `mdsd solve` maps it (the page cache's pages,
// populated), unmapped when the mapping goes.
struct MappedFile {
  explicit MappedFile(const std::string& path) {
    const int descriptor = ::open(path.c_str(), O_RDONLY);
    struct stat status;
    ::fstat(descriptor, &status);
    size = static_cast<std::size_t>(status.st_size);
    data = static_cast<const char*>(::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor, 0));
    ::close(descriptor);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() { ::munmap(const_cast<char*>(data), size); }
  std::string_view text() const { return {data, size}; }

  const char* data = nullptr;
  std::size_t size = 0;
};

// Mapped, then unmapped; the first byte, so that nothing is optimised away.
char map_file(const std::string& path) { return MappedFile(path).data[0]; }

// Starts `mdsd solve FILE` (or `mdsd --help` when `file` is empty), its
// standard output to /dev/null; the pid or -1.
pid_t spawn_solve(const std::string& binary, const std::string& file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const char* solve_argv[] = {binary.c_str(), "solve", file.c_str(), nullptr};
  const char* help_argv[] = {binary.c_str(), "--help", nullptr};
  const char** argv = file.empty() ? help_argv : solve_argv;
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  return spawned == 0 ? pid : -1;
}

nlohmann::json times_json(const Times& times) { return {{"wall_ms", times.wall_ms}, {"cpu_ms", times.cpu_ms}}; }

// alpha* without replacement the naive way, README mathematics §3 as
// written: every prefix H_k of the p/q order, on one s-grid covering them
// all, each token's clock probability 1 - e^{-q t} by expm1 at every node,
// the truncated count law updated at every node, and Q(H_k) summed over
// every node with e^{-r t} by exp. O(V nodes n), no bounds, no pruning.
double naive_without_replacement(const Eigen::VectorXd& target, const Eigen::VectorXd& draft, int drafts) {
  const std::vector<std::int32_t> order = mdsd::order_by_ratio(target, draft);
  const std::size_t vocabulary = order.size();
  std::vector<double> outside(vocabulary + 1, 0.0);
  for (std::size_t k = vocabulary; k-- > 0;) outside[k] = outside[k + 1] + draft[order[k]];
  double smallest_rate = 1.0;
  for (std::size_t k = 0; k < vocabulary; ++k) {
    if (outside[k] > 0.0) smallest_rate = std::min(smallest_rate, outside[k]);
  }
  const double step = std::log(2.0) / mdsd::default_chains(drafts);
  const double s_low = mdsd::grid_low(drafts), s_high = std::log(mdsd::kLargestRate / smallest_rate);
  const auto nodes = static_cast<std::size_t>(std::ceil((s_high - s_low) / step)) + 1;
  std::vector<double> times(nodes);
  for (std::size_t j = 0; j < nodes; ++j) times[j] = std::exp(s_low + step * static_cast<double>(j));
  // law[j * n + m] = P[N_H(t_j) = m], m < n.
  std::vector<double> law(nodes * static_cast<std::size_t>(drafts), 0.0);
  for (std::size_t j = 0; j < nodes; ++j) law[j * drafts] = 1.0;
  double target_mass = 0.0, best = 0.0;
  int drafted = 0;
  for (std::size_t k = 1; k <= vocabulary; ++k) {
    const double q = draft[order[k - 1]];
    target_mass += target[order[k - 1]];
    if (q > 0.0) {
      ++drafted;
      for (std::size_t j = 0; j < nodes; ++j) {
        const double a = -std::expm1(-q * times[j]);
        double* at = &law[j * drafts];
        for (int m = drafts - 1; m > 0; --m) at[m] += a * (at[m - 1] - at[m]);
        at[0] -= a * at[0];
      }
    }
    const double r = outside[k];
    double mass = 0.0;  // Q(H_k)
    if (drafted < drafts) {
      mass = 0.0;
    } else if (r == 0.0) {
      mass = 1.0;
    } else {
      for (std::size_t j = 0; j < nodes; ++j) {
        double below = 0.0;
        for (int m = 0; m < drafts; ++m) below += law[j * drafts + m];
        mass += r * times[j] * std::exp(-r * times[j]) * (1.0 - below);
      }
      mass *= step;
    }
    best = std::min(best, target_mass - mass);
  }
  return 1.0 + best;
}

// Wall time (since the first call), CPU time and minor page faults of this
// process so far.
struct Usage {
  double wall_ms = 0.0, cpu_ms = 0.0;
  long faults = 0;
};
Usage usage_now() {
  static const auto first = std::chrono::steady_clock::now();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - first).count();
  return {wall, mdsd::bench::process_cpu_ms(), usage.ru_minflt};
}

// `bench_process --stages FILE`: the stages of `mdsd solve FILE`
// (cli/solve_command.cpp) once, in this fresh process, each with its CPU time
// and page faults ("start": everything before main, the loading of the
// libraries included); one JSON line.
int stages_of_a_fresh_process(const std::string& path) {
  nlohmann::json stages;
  Usage last{};
  const auto stage = [&](const char* name) {
    const Usage now = usage_now();
    stages[name] = {{"wall_ms", now.wall_ms - last.wall_ms}, {"cpu_ms", now.cpu_ms - last.cpu_ms},
                    {"faults", now.faults - last.faults}};
    last = now;
  };
  stage("start");
  mdsd::cli::prepare_heap_for_large_request();
  auto mapped = std::make_unique<MappedFile>(path);
  stage("map");
  auto json = mdsd::parse_json_text(mapped->text(), mdsd::ReadOptions{.second_thread = true});
  mapped.reset();
  stage("parse");
  auto request = mdsd::parse_request_consuming(std::move(json.value()));
  json.value() = nullptr;
  stage("request");
  const mdsd::Result result = mdsd::calculate(request.value());
  stage("compute");
  std::size_t written = 0;
  mdsd::write_result_text(result, [&](std::string_view piece) { written += piece.size(); });
  stage("text");
  stages["result_bytes"] = written;
  std::cout << stages.dump() << std::endl;
  return 0;
}

// The computation alone as bench_compute times it (medians of `repeats`
// after one to warm up); zero times if it failed.
Times compute_alone(const std::string& file, int repeats, const std::string& dir) {
  const std::string out = dir + "/compute.json", count = std::to_string(repeats);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const char* argv[] = {MDSD_BENCH_COMPUTE_BINARY, file.c_str(), count.c_str(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, MDSD_BENCH_COMPUTE_BINARY, &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (spawned != 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  const auto line = nlohmann::json::parse(read_file(out), nullptr, false);
  if (!line.is_object()) return {};
  return {line.value("wall_ms", 0.0), line.value("cpu_ms", 0.0)};
}

// Medians over `repeats` fresh processes of stages_of_a_fresh_process.
nlohmann::json fresh_process_stages(int repeats, const std::string& file, const std::string& dir) {
  const std::string out = dir + "/stages.json";
  std::map<std::string, std::vector<double>> wall, cpu, faults;
  for (int r = 0; r < repeats; ++r) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const char* argv[] = {"/proc/self/exe", "--stages", file.c_str(), nullptr};
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    if (spawned != 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return nullptr;
    const auto line = nlohmann::json::parse(read_file(out));
    for (const auto& [name, value] : line.items()) {
      if (!value.is_object()) continue;
      wall[name].push_back(value["wall_ms"].get<double>());
      cpu[name].push_back(value["cpu_ms"].get<double>());
      faults[name].push_back(value["faults"].get<double>());
    }
  }
  nlohmann::json medians;
  for (const auto& [name, values] : cpu) {
    medians[name] = {{"wall_ms", mdsd::bench::median_of(wall[name])}, {"cpu_ms", mdsd::bench::median_of(values)},
                     {"faults", mdsd::bench::median_of(faults[name])}};
  }
  return medians;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--stages") return stages_of_a_fresh_process(argv[2]);
  // The heap as mdsd solve sets it up, so that the stages timed here run on
  // the same memory as in the process (in huge pages, without page faults
  // once warm).
  mdsd::cli::prepare_heap_for_large_request();
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
  const std::string dir = argc > 2 ? argv[2] : "build/bench";
  constexpr long kVocabulary = 152064;
  constexpr int kDrafts = 4;
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/request-152064.json";
  const auto pair = mdsd::synthetic_pair(kVocabulary, 1);
  {
    // As `mdsd synthetic 152064 1 4` writes it (nlohmann's shortest round
    // trip), plus "verifiers": [].
    const nlohmann::json request = {
        {"target", std::vector<double>(pair.target.data(), pair.target.data() + kVocabulary)},
        {"draft", std::vector<double>(pair.draft.data(), pair.draft.data() + kVocabulary)},
        {"drafts", kDrafts},
        {"verifiers", nlohmann::json::array()}};
    std::ofstream(file) << request.dump() << "\n";
  }
  const std::string text = read_file(file);

  nlohmann::json row = {{"vocab", kVocabulary}, {"drafts", kDrafts}, {"request_bytes", text.size()}, {"repeats", repeats}};
  bool ok = true;
  row["fresh_process_stages"] = fresh_process_stages(repeats, file, dir);
  row["process_start"] = times_json(mdsd::bench::median_child_times(repeats, [&] { return spawn_solve(MDSD_MDSD_BINARY, ""); }, ok));
  // The stages of `mdsd solve` (cli/solve_command.cpp) in this process.
  row["read"] = times_json(median_times(repeats, [&] { (void)map_file(file); }));
  row["read_into_string"] = times_json(median_times(repeats, [&] { (void)read_file(file); }));
  row["parse"] = times_json(median_times(repeats, [&] { (void)mdsd::parse_json_text(text); }));
  row["parse_second_thread"] = times_json(median_times(repeats, [&] {
    (void)mdsd::parse_json_text(text, mdsd::ReadOptions{.second_thread = true});
  }));
  row["nlohmann_parse"] = times_json(median_times(repeats, [&] { const auto parsed = nlohmann::json::parse(text); }));
#ifdef MDSD_BENCH_SIMDJSON
  {
    simdjson::dom::parser parser;
    row["simdjson_parse"] = times_json(median_times(repeats, [&] {
      // The DOM, then the two arrays into doubles, as the request needs them.
      simdjson::padded_string padded(text);
      simdjson::dom::element document = parser.parse(padded);
      for (const char* key : {"target", "draft"}) {
        std::vector<double> values;
        for (double value : document[key].get_array()) values.push_back(value);
      }
    }));
  }
#endif
  const auto json = mdsd::parse_json_text(text);
  row["request"] = times_json(median_times(repeats, [&] { (void)mdsd::parse_request(json.value()); }));
  const auto request = mdsd::parse_request(json.value());
  if (!request.ok()) {
    std::cerr << "bench_process: " << request.error() << "\n";
    return 1;
  }
  // The process and the computation alone in turns, so that both see the
  // machine at the same speed (on this VM it drifts by 10-20% within a run):
  // each turn three processes, then bench_compute (the computation alone,
  // built and linked as mdsd is, on mdsd's heap), which computes once to warm
  // up and times three more; medians of each, and the median over the turns
  // of the ratio of the turn's medians.
  constexpr int kPerTurn = 3;
  std::vector<double> process_wall, process_cpu, compute_wall, compute_cpu, ratio_wall, ratio_cpu;
  for (int turn = 0; turn < repeats; ++turn) {
    std::vector<double> wall(kPerTurn), cpu(kPerTurn);
    for (int r = 0; r < kPerTurn; ++r) {
      if (!mdsd::bench::time_child([&] { return spawn_solve(MDSD_MDSD_BINARY, file); }, wall[r], cpu[r])) {
        std::cerr << "bench_process: " << MDSD_MDSD_BINARY << " solve " << file << " failed\n";
        return 1;
      }
    }
    const Times compute = compute_alone(file, kPerTurn, dir);
    if (compute.wall_ms <= 0.0) {
      std::cerr << "bench_process: " << MDSD_BENCH_COMPUTE_BINARY << " " << file << " failed\n";
      return 1;
    }
    const Times process{mdsd::bench::median_of(wall), mdsd::bench::median_of(cpu)};
    process_wall.insert(process_wall.end(), wall.begin(), wall.end());
    process_cpu.insert(process_cpu.end(), cpu.begin(), cpu.end());
    compute_wall.push_back(compute.wall_ms);
    compute_cpu.push_back(compute.cpu_ms);
    ratio_wall.push_back(process.wall_ms / compute.wall_ms);
    ratio_cpu.push_back(process.cpu_ms / compute.cpu_ms);
  }
  using mdsd::bench::median_of;
  row["process"] = {{"wall_ms", median_of(process_wall)}, {"cpu_ms", median_of(process_cpu)}};
  row["compute"] = {{"wall_ms", median_of(compute_wall)}, {"cpu_ms", median_of(compute_cpu)}};
  row["process_over_compute_turns"] = {{"lowest", *std::min_element(ratio_wall.begin(), ratio_wall.end())},
                                       {"highest", *std::max_element(ratio_wall.begin(), ratio_wall.end())}};
  const mdsd::Result result = mdsd::calculate(request.value());
  // The result text as mdsd solve writes it (in pieces, here counted), and
  // the former path: nlohmann's document, then its dump.
  std::size_t written = 0;
  row["result_text"] = times_json(median_times(repeats, [&] {
    mdsd::write_result_text(result, [&](std::string_view piece) { written += piece.size(); });
  }));
  row["result_bytes"] = written / static_cast<std::size_t>(repeats);
  row["nlohmann_result_json"] = times_json(median_times(repeats, [&] { (void)mdsd::to_json(result); }));
  const auto document = mdsd::to_json(result);
  row["nlohmann_result_dump"] = times_json(median_times(repeats, [&] {
    (void)document.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }));
  row["result_text_identical"] = mdsd::result_text(result) ==
                                 document.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);

  // The integral alone, against the naive evaluation.
  const mdsd::Problem problem{pair.target, pair.draft, kDrafts};
  double core_alpha = 0.0, naive_alpha = 0.0;
  const Times core = median_times(repeats, [&] {
    core_alpha = mdsd::optimal_rate(problem, mdsd::DraftMethod::without_replacement).value().alpha;
  });
  const Times naive = median_times(std::min(repeats, 3), [&] {
    naive_alpha = naive_without_replacement(pair.target, pair.draft, kDrafts);
  });
  row["without_replacement"] = times_json(core);
  row["with_replacement"] = times_json(median_times(repeats, [&] {
    (void)mdsd::optimal_rate(problem, mdsd::DraftMethod::with_replacement);
  }));
  row["naive_without_replacement"] = times_json(naive);
  row["alpha_without"] = core_alpha;
  row["naive_alpha_difference"] = naive_alpha - core_alpha;
  row["process_over_compute"] = {{"wall", median_of(ratio_wall)}, {"cpu", median_of(ratio_cpu)}};
  row["naive_over_core"] = {{"wall", naive.wall_ms / core.wall_ms}, {"cpu", naive.cpu_ms / core.cpu_ms}};
  std::cout << row.dump() << std::endl;
}
