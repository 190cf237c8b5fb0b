// JSON Lines read throughput (README "Dataset benchmark"): a dataset of
// POSITIONS lines {"target": [...], "draft": [...]} of V = 32,000
// probabilities each (synthetic pairs of seeds 1..POSITIONS, nlohmann's
// shortest round-trip digits, as an export script writes them), read line by
// line as `mdsd batch` reads it (std::getline, parse_json_text,
// position_spec: cli/batch_command.cpp), against nlohmann's parser and, when
// built with Debian's libsimdjson-dev, simdjson, on one core. MB/s count the
// bytes of the number literals only. Then `mdsd batch --drafts 1
// --verifiers ""` on the file, the whole process (all cores).
// Usage: bench_jsonl [REPEATS [POSITIONS [DIR]]] (default 5, 64, build/bench).
// A program to run, not a test.
#include "api/request.hpp"
#include "core/synthetic.hpp"

#include "cpu_time.hpp"

#include <nlohmann/json.hpp>
#ifdef MDSD_BENCH_SIMDJSON
#include <simdjson.h>
#endif

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

using mdsd::bench::median_times;

// Reads every line with `parse`, which returns the number of values read.
template <class Parse>
std::size_t read_lines(const std::string& path, Parse&& parse) {
  std::ifstream file(path);
  std::string line;
  std::size_t values = 0;
  while (std::getline(file, line)) values += parse(line);
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const int positions = argc > 2 ? std::max(1, std::atoi(argv[2])) : 64;
  const std::string dir = argc > 3 ? argv[3] : "build/bench";
  constexpr long kVocabulary = 32000;
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/positions-" + std::to_string(positions) + ".jsonl";
  std::size_t number_bytes = 0, file_bytes = 0;
  {
    std::ofstream file(path);
    for (int i = 0; i < positions; ++i) {
      const auto pair = mdsd::synthetic_pair(kVocabulary, static_cast<std::uint64_t>(i + 1));
      const nlohmann::json line = {{"target", std::vector<double>(pair.target.data(), pair.target.data() + kVocabulary)},
                                   {"draft", std::vector<double>(pair.draft.data(), pair.draft.data() + kVocabulary)}};
      for (const auto& side : {line["target"], line["draft"]}) {
        for (const auto& value : side) number_bytes += value.dump().size();
      }
      const std::string text = line.dump();
      file_bytes += text.size() + 1;
      file << text << "\n";
    }
  }
  const std::size_t expected_values = static_cast<std::size_t>(positions) * 2 * kVocabulary;
  nlohmann::json row = {{"positions", positions}, {"vocab", kVocabulary}, {"file_bytes", file_bytes},
                        {"number_bytes", number_bytes}, {"repeats", repeats}};
  const auto throughput = [&](const char* name, const std::function<std::size_t(const std::string&)>& parse) {
    std::size_t values = 0;
    const auto times = median_times(repeats, [&] { values = read_lines(path, parse); });
    if (values != expected_values) {
      std::cerr << "bench_jsonl: " << name << " read " << values << " values, expected " << expected_values << "\n";
      std::exit(1);
    }
    row[name] = {{"wall_ms", times.wall_ms}, {"cpu_ms", times.cpu_ms},
                 {"number_mb_per_s", {{"wall", number_bytes / 1e3 / times.wall_ms}, {"cpu", number_bytes / 1e3 / times.cpu_ms}}}};
  };
  throughput("getline", [](const std::string& line) { return line.empty() ? 0 : 2 * kVocabulary; });
  throughput("mdsd", [](const std::string& line) -> std::size_t {
    auto json = mdsd::parse_json_text(line);
    auto position = mdsd::position_spec(json.value());
    if (!position.ok()) return 0;
    return static_cast<std::size_t>(position.value().target.values.size() + position.value().draft.values.size());
  });
  throughput("nlohmann", [](const std::string& line) -> std::size_t {
    auto position = mdsd::position_spec(nlohmann::json::parse(line));
    if (!position.ok()) return 0;
    return static_cast<std::size_t>(position.value().target.values.size() + position.value().draft.values.size());
  });
#ifdef MDSD_BENCH_SIMDJSON
  simdjson::dom::parser parser;
  throughput("simdjson", [&](const std::string& line) -> std::size_t {
    // The DOM of the line, then the arrays into vectors as position_spec makes them.
    simdjson::dom::element document = parser.parse(line);
    std::size_t values = 0;
    for (const char* key : {"target", "draft"}) {
      simdjson::dom::array array = document[key].get_array();
      Eigen::VectorXd numbers(static_cast<Eigen::Index>(array.size()));
      Eigen::Index i = 0;
      for (double value : array) numbers[i++] = value;
      values += static_cast<std::size_t>(numbers.size());
    }
    return values;
  });
#endif
  bool ok = true;
  const auto batch = mdsd::bench::median_child_times(repeats, [&]() -> pid_t {
    const pid_t pid = fork();
    if (pid == 0) {
      if (!std::freopen("/dev/null", "w", stdout)) _exit(1);
      execl(MDSD_MDSD_BINARY, MDSD_MDSD_BINARY, "batch", "--drafts", "1", "--verifiers", "", path.c_str(), nullptr);
      _exit(127);
    }
    return pid;
  }, ok);
  if (!ok) {
    std::cerr << "bench_jsonl: " << MDSD_MDSD_BINARY << " batch --drafts 1 --verifiers '' " << path << " failed\n";
    return 1;
  }
  row["mdsd_batch"] = {{"wall_ms", batch.wall_ms}, {"cpu_ms", batch.cpu_ms},
                       {"number_mb_per_s", {{"wall", number_bytes / 1e3 / batch.wall_ms}, {"cpu", number_bytes / 1e3 / batch.cpu_ms}}}};
  std::cout << row.dump() << std::endl;
}
