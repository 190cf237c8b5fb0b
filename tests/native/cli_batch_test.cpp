// cli: `mdsd synthetic-dataset` and `mdsd batch` as a user runs them. The
// .npy rows are read here by hand (float32 after the header), written back as
// JSON Lines, and the two routes must give the same summary; per-position
// output must average to the summary's means.
#include "support.hpp"

#include "core/synthetic.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace mdsd::test {
namespace {

namespace fs = std::filesystem;

struct BatchRun {
  int status = -1;
  std::string out, err;
};

std::string slurp_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string in_quotes(const fs::path& path) { return "'" + path.string() + "'"; }

// A scratch folder for one test, removed afterwards; runs mdsd in it.
struct BatchScratch : ScratchFolder {
  BatchScratch() : ScratchFolder("mdsd_cli_batch_test") {}
  // `mdsd <arguments>` run in the folder (relative names resolve there).
  BatchRun run(const std::string& arguments) const {
    const fs::path out = folder / "stdout", err = folder / "stderr";
    const std::string command = "cd " + in_quotes(folder) + " && '" + std::string(MDSD_MDSD_BINARY) + "' " +
                                arguments + " >'" + out.string() + "' 2>'" + err.string() + "'";
    const int raw = std::system(command.c_str());
    BatchRun run;
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    run.out = slurp_file(out);
    run.err = slurp_file(err);
    return run;
  }
};

// A float32 [N, V] .npy file as rows of doubles, read by the format: header
// length at bytes 8-9 (version 1), data after it, little-endian.
struct Float32Npy {
  std::int64_t rows = 0, columns = 0;
  std::vector<std::vector<double>> values;
};

Float32Npy read_float32_npy(const fs::path& path) {
  const std::string bytes = slurp_file(path);
  REQUIRE(bytes.size() >= 10);
  REQUIRE(bytes.compare(0, 6, "\x93NUMPY") == 0);
  REQUIRE(bytes[6] == 1);
  const std::size_t header_length = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
  const std::string header = bytes.substr(10, header_length);
  REQUIRE(contains(header, "'descr': '<f4'"));
  REQUIRE(contains(header, "'fortran_order': False"));
  const auto open = header.find("'shape': (");
  REQUIRE(open != std::string::npos);
  Float32Npy npy;
  REQUIRE(std::sscanf(header.c_str() + open, "'shape': (%ld, %ld)", &npy.rows, &npy.columns) == 2);
  const std::size_t data = 10 + header_length;
  REQUIRE(bytes.size() == data + static_cast<std::size_t>(npy.rows * npy.columns) * 4);
  for (std::int64_t i = 0; i < npy.rows; ++i) {
    auto& row = npy.values.emplace_back();
    for (std::int64_t j = 0; j < npy.columns; ++j) {
      std::uint32_t bits = 0;
      for (int b = 0; b < 4; ++b) {
        bits |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[data + 4 * (i * npy.columns + j) + b])) << (8 * b);
      }
      row.push_back(static_cast<double>(std::bit_cast<float>(bits)));
    }
  }
  return npy;
}

// A float32 [N, V] .npy file built by hand (version 1.0, 64-byte aligned).
std::string float32_npy(const std::vector<std::vector<float>>& rows, const std::string& descr = "<f4") {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + std::to_string(rows.size()) +
                       ", " + std::to_string(rows.empty() ? 0 : rows[0].size()) + "), }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes.push_back(static_cast<char>(header.size() & 0xff));
  bytes.push_back(static_cast<char>(header.size() >> 8));
  bytes += header;
  for (const auto& row : rows) {
    for (float value : row) {
      const auto bits = std::bit_cast<std::uint32_t>(value);
      for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));
    }
  }
  return bytes;
}

// The first difference between two JSON trees, numbers within `tolerance`;
// empty when they agree.
std::string json_difference(const nlohmann::json& a, const nlohmann::json& b, double tolerance,
                            const std::string& path = "") {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    return std::abs(x - y) <= tolerance ? "" : path + ": " + a.dump() + " vs " + b.dump();
  }
  if (a.type() != b.type()) return path + ": " + a.dump() + " vs " + b.dump();
  if (a.is_object()) {
    if (a.size() != b.size()) return path + ": keys differ";
    for (const auto& item : a.items()) {
      if (!b.contains(item.key())) return path + "." + item.key() + ": missing";
      auto difference = json_difference(item.value(), b[item.key()], tolerance, path + "." + item.key());
      if (!difference.empty()) return difference;
    }
    return "";
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return path + ": lengths differ";
    for (std::size_t i = 0; i < a.size(); ++i) {
      auto difference = json_difference(a[i], b[i], tolerance, path + "[" + std::to_string(i) + "]");
      if (!difference.empty()) return difference;
    }
    return "";
  }
  return a == b ? "" : path + ": " + a.dump() + " vs " + b.dump();
}

nlohmann::json parse_summary(const BatchRun& run) {
  INFO("stderr: " << run.err);
  REQUIRE(run.status == 0);
  CHECK(run.err.empty());
  auto json = nlohmann::json::parse(run.out, nullptr, false);
  REQUIRE_FALSE(json.is_discarded());
  return json;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

const std::vector<std::string> kBatchMethods = {"with_replacement", "without_replacement", "greedy"};
const std::vector<std::string> kBatchVerifiers = {"rrs_with_replacement", "rrs_without_replacement", "kseq", "greedy",
                                                  "spechub"};

// Writes the rows of two logit files as JSON Lines of {"logits": [...]}.
fs::path write_logits_jsonl(const BatchScratch& scratch, const std::string& name, const Float32Npy& target,
                            const Float32Npy& draft) {
  std::string text;
  for (std::size_t i = 0; i < target.values.size(); ++i) {
    const nlohmann::json line = {{"target", {{"logits", target.values[i]}}}, {"draft", {{"logits", draft.values[i]}}}};
    text += line.dump() + "\n";
  }
  return scratch.write(name, text);
}

}  // namespace

TEST_CASE("mdsd synthetic-dataset writes float32 logits; batch of the .npy pair equals batch of the same rows as JSON Lines") {
  const BatchScratch scratch;
  const BatchRun generated = scratch.run("synthetic-dataset 12 200 5 t.npy d.npy");
  INFO(generated.err);
  REQUIRE(generated.status == 0);
  const Float32Npy target = read_float32_npy(scratch.path("t.npy"));
  const Float32Npy draft = read_float32_npy(scratch.path("d.npy"));
  REQUIRE(target.rows == 12);
  REQUIRE(target.columns == 200);
  REQUIRE(draft.rows == 12);
  REQUIRE(draft.columns == 200);
  // Position i is the synthetic pair of seed 5 + i, as logits rounded to float32.
  for (std::int64_t i : {0, 7, 11}) {
    const auto logits = synthetic_logits(200, static_cast<std::uint64_t>(5 + i));
    for (Eigen::Index j = 0; j < 200; ++j) {
      CHECK(target.values[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] == static_cast<double>(static_cast<float>(logits.target[j])));
      CHECK(draft.values[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] == static_cast<double>(static_cast<float>(logits.draft[j])));
    }
  }
  write_logits_jsonl(scratch, "x.jsonl", target, draft);

  const auto npy = parse_summary(scratch.run("batch --drafts 2,3 --logits t.npy d.npy"));
  const auto jsonl = parse_summary(scratch.run("batch --drafts 2,3 x.jsonl"));
  CHECK(npy["positions"] == 12);
  CHECK(npy["vocab"] == 200);
  CHECK(npy["complete"] == true);
  REQUIRE(npy["sweep"].size() == 2);
  CHECK(npy["sweep"][0]["drafts"] == 2);
  CHECK(npy["sweep"][1]["drafts"] == 3);
  const std::string difference = json_difference(npy, jsonl, kRounding);
  CHECK_MESSAGE(difference.empty(), difference);
  // Threads do not change the numbers.
  const auto single_thread = parse_summary(scratch.run("batch --threads 1 --drafts 2,3 --logits t.npy d.npy"));
  const std::string threads_difference = json_difference(npy, single_thread, 0.0);
  CHECK_MESSAGE(threads_difference.empty(), threads_difference);

  // A temperature sweep: JSON Lines logits at each temperature, likewise.
  const auto swept = parse_summary(scratch.run("batch --drafts 2 --temperature 0.7,1.3 --logits t.npy d.npy"));
  const auto swept_jsonl = parse_summary(scratch.run("batch --drafts 2 --temperature 0.7,1.3 x.jsonl"));
  REQUIRE(swept["sweep"].size() == 2);
  const std::string swept_difference = json_difference(swept, swept_jsonl, kRounding);
  CHECK_MESSAGE(swept_difference.empty(), swept_difference);

  // Probabilities: the JSON Lines give the same numbers as arrays.
  std::vector<std::vector<float>> target_probabilities, draft_probabilities;
  std::string lines;
  for (std::size_t i = 0; i < 6; ++i) {
    const auto pair = synthetic_pair(50, 100 + i);
    std::vector<float> p(pair.target.data(), pair.target.data() + 50), q(pair.draft.data(), pair.draft.data() + 50);
    target_probabilities.push_back(p);
    draft_probabilities.push_back(q);
    const nlohmann::json line = {{"target", std::vector<double>(p.begin(), p.end())},
                                 {"draft", std::vector<double>(q.begin(), q.end())}};
    lines += line.dump() + "\n";
  }
  scratch.write("p.npy", float32_npy(target_probabilities));
  scratch.write("q.npy", float32_npy(draft_probabilities));
  scratch.write("pq.jsonl", lines);
  const auto probabilities = parse_summary(scratch.run("batch --drafts 1-3 --probabilities p.npy q.npy"));
  const auto probabilities_jsonl = parse_summary(scratch.run("batch --drafts 1-3 pq.jsonl"));
  CHECK(probabilities["positions"] == 6);
  REQUIRE(probabilities["sweep"].size() == 3);
  const std::string probabilities_difference = json_difference(probabilities, probabilities_jsonl, kRounding);
  CHECK_MESSAGE(probabilities_difference.empty(), probabilities_difference);
}

TEST_CASE("mdsd batch --per-position: CSV and JSON rows average to the summary means") {
  const BatchScratch scratch;
  REQUIRE(scratch.run("synthetic-dataset 12 200 5 t.npy d.npy").status == 0);
  const auto summary = parse_summary(scratch.run("batch --drafts 2,3 --logits t.npy d.npy --per-position rows.csv"));
  const auto same_summary = parse_summary(scratch.run("batch --drafts 2,3 --logits t.npy d.npy --per-position rows.json"));
  CHECK(summary == same_summary);
  REQUIRE(summary["sweep"].size() == 2);

  // JSON: one object per position and setting.
  const auto rows = nlohmann::json::parse(slurp_file(scratch.path("rows.json")), nullptr, false);
  REQUIRE(rows.is_array());
  REQUIRE(rows.size() == 12 * 2);
  // CSV: a header and the same rows.
  const auto lines = split(slurp_file(scratch.path("rows.csv")), '\n');
  REQUIRE(lines.size() >= 25);
  const auto header = split(lines[0], ',');
  std::map<std::string, std::size_t> column;
  for (std::size_t c = 0; c < header.size(); ++c) column[header[c]] = c;
  for (const char* name : {"position", "drafts", "temperature"}) CHECK(column.count(name) == 1);
  std::vector<std::vector<std::string>> cells;
  for (std::size_t l = 1; l < lines.size(); ++l) {
    if (lines[l].empty()) continue;
    cells.push_back(split(lines[l], ','));
    CHECK(cells.back().size() == header.size());
  }
  REQUIRE(cells.size() == 12 * 2);

  for (const auto& setting : summary["sweep"]) {
    const int drafts = setting["drafts"].get<int>();
    CAPTURE(drafts);
    std::map<std::string, std::vector<double>> from_json, from_csv;
    std::vector<bool> seen(12, false);
    for (const auto& row : rows) {
      if (row["drafts"] != drafts) continue;
      CHECK(row["temperature"].is_null());
      seen[row["position"].get<std::size_t>()] = true;
      for (const auto& method : kBatchMethods) {
        if (!row["optimal"][method].is_null()) from_json["optimal." + method].push_back(row["optimal"][method].get<double>());
      }
      for (const auto& verifier : kBatchVerifiers) {
        if (!row["verifiers"][verifier].is_null()) from_json["verifiers." + verifier].push_back(row["verifiers"][verifier].get<double>());
      }
    }
    CHECK(std::count(seen.begin(), seen.end(), true) == 12);
    for (const auto& row : cells) {
      if (std::stoi(row[column["drafts"]]) != drafts) continue;
      CHECK(row[column["temperature"]].empty());
      for (const auto& [name, index] : column) {
        if (name == "position" || name == "drafts" || name == "temperature" || row[index].empty()) continue;
        from_csv[name].push_back(std::stod(row[index]));
      }
    }
    auto check_column = [&](const std::string& name, const nlohmann::json& entry) {
      CAPTURE(name);
      const auto& values = from_json[name];
      const auto& csv_values = from_csv[name];
      CHECK(values.size() == entry["positions"].get<std::size_t>());
      CHECK(csv_values.size() == values.size());
      if (values.empty()) {
        CHECK(entry["alpha"].is_null());
        return;
      }
      double sum = 0.0, csv_sum = 0.0;
      for (double value : values) sum += value;
      for (double value : csv_values) csv_sum += value;
      CHECK(std::abs(sum / values.size() - entry["alpha"].get<double>()) <= kRounding);
      CHECK(std::abs(csv_sum / csv_values.size() - entry["alpha"].get<double>()) <= kRounding);
    };
    for (const auto& method : kBatchMethods) check_column("optimal." + method, setting["mean"]["optimal"][method]);
    for (const auto& verifier : kBatchVerifiers) check_column("verifiers." + verifier, setting["mean"]["verifiers"][verifier]);
    // SpecHub is for n = 2 only.
    CHECK(setting["mean"]["verifiers"]["spechub"]["positions"] == (drafts == 2 ? 12 : 0));
  }
}

TEST_CASE("mdsd batch: bad input exits 2 with one stderr line naming the file and row") {
  const BatchScratch scratch;
  REQUIRE(scratch.run("synthetic-dataset 12 200 5 t.npy d.npy").status == 0);
  REQUIRE(scratch.run("synthetic-dataset 5 200 5 t5.npy d5.npy").status == 0);

  // Rows 0..5 of 8 logits; one NaN at row 3.
  std::vector<std::vector<float>> good(6, std::vector<float>(8)), with_nan;
  for (std::size_t i = 0; i < 6; ++i) {
    for (std::size_t j = 0; j < 8; ++j) good[i][j] = static_cast<float>(1.5 + std::sin(1.0 + 3.0 * i + j));  // > 0: logits or weights
  }
  with_nan = good;
  with_nan[3][2] = NAN;
  scratch.write("good.npy", float32_npy(good));
  scratch.write("nan.npy", float32_npy(with_nan));
  scratch.write("i4.npy", float32_npy(good, "<i4"));
  const std::string whole = slurp_file(scratch.path("t.npy"));
  scratch.write("cut.npy", whole.substr(0, whole.size() - 1000));  // ends inside row 10
  scratch.write("unknown.jsonl",
                "{\"target\": [0.5, 0.5], \"draft\": [0.5, 0.5]}\n"
                "{\"target\": [0.5, 0.5], \"draft\": [0.5, 0.5], \"drafts\": 3}\n");
  scratch.write("negative.jsonl",
                "{\"target\": [0.5, 0.5], \"draft\": [0.5, 0.5]}\n"
                "{\"target\": [0.5, 0.5], \"draft\": [1.2, -0.2]}\n");
  scratch.write("empty.jsonl", "");
  scratch.write("blank.jsonl", "\n  \n");
  scratch.write("ok.jsonl", "{\"target\": [0.5, 0.5], \"draft\": [0.4, 0.6]}\n");

  struct Bad {
    std::string arguments;
    std::vector<std::string> message_parts;  // each in the one line
  };
  for (const Bad& bad : {
           Bad{"batch --drafts 2 --logits t.npy d5.npy", {"d5.npy", "t.npy", "[5, 200]", "[12, 200]"}},
           Bad{"batch --drafts 2 --logits nan.npy good.npy", {"nan.npy", "row 3", "NaN"}},
           Bad{"batch --drafts 2 --logits good.npy nan.npy", {"row 3", "draft", "NaN"}},
           Bad{"batch --drafts 2 --probabilities nan.npy good.npy", {"nan.npy", "row 3"}},
           Bad{"batch --drafts 2 --logits cut.npy d.npy", {"cut.npy", "row 10"}},
           Bad{"batch --drafts 2 --logits d.npy cut.npy", {"cut.npy", "row 10"}},
           Bad{"batch --drafts 2 --logits i4.npy good.npy", {"i4.npy", "'<i4'"}},
           Bad{"batch --drafts 2 t.npy d.npy", {"--logits", "--probabilities"}},
           Bad{"batch --drafts 2 unknown.jsonl", {"unknown.jsonl:2", "drafts"}},
           Bad{"batch --drafts 2 negative.jsonl", {"negative.jsonl:2", "draft[1]", "-0.2"}},
           Bad{"batch --drafts 0 ok.jsonl", {"--drafts"}},
           Bad{"batch --drafts 2,0 ok.jsonl", {"--drafts"}},
           Bad{"batch --drafts 65 ok.jsonl", {"--drafts"}},
           Bad{"batch ok.jsonl", {"--drafts"}},
           Bad{"batch --drafts 2 empty.jsonl", {"empty.jsonl", "no positions"}},
           Bad{"batch --drafts 2 blank.jsonl", {"blank.jsonl", "no positions"}},
           Bad{"batch --drafts 2 --logits ok.jsonl", {"--logits"}},
           Bad{"batch --drafts 2 --temperature 0.5 ok.jsonl", {"ok.jsonl:1", "temperature"}},
           Bad{"batch --drafts 2 --temperature 0 --logits t.npy d.npy", {"--temperature"}},
       }) {
    CAPTURE(bad.arguments);
    const BatchRun run = scratch.run(bad.arguments);
    CAPTURE(run.err);
    CHECK(run.status == 2);
    CHECK(run.out.empty());
    CHECK(one_line(run.err));
    CHECK(starts_with(run.err, "mdsd: "));
    for (const std::string& part : bad.message_parts) CHECK_MESSAGE(contains(run.err, part), part);
  }
}

// BUG (src/cli/batch_command.cpp, batch_command): a file that cannot be opened
// exits 2, but README.md "CLI" and cli/commands.hpp promise 1 when a file
// cannot be read (as `mdsd solve` does).
TEST_CASE("mdsd batch: a file that cannot be read exits 1, naming it") {
  const BatchScratch scratch;
  REQUIRE(scratch.run("synthetic-dataset 2 10 1 t.npy d.npy").status == 0);
  for (const char* arguments : {"batch --drafts 2 missing.jsonl", "batch --drafts 2 --logits missing.npy d.npy",
                                "batch --drafts 2 --logits t.npy missing.npy"}) {
    const std::string command = arguments;
    CAPTURE(command);
    const BatchRun run = scratch.run(command);
    CAPTURE(run.err);
    CHECK(run.status == 1);
    CHECK(one_line(run.err));
    CHECK(contains(run.err, "missing."));
  }
}

// BUG (src/dataset/npy_file.cpp, NpyRowReader::open): the row buffer is sized
// from the header's shape before any limit is checked, so a header claiming
// 99999999999999 columns makes `mdsd batch` die with std::bad_alloc (exit 134);
// a shape of 20+ digits dies with std::out_of_range from std::stoll. Both are
// bad input and must exit 2 with one line naming the file.
TEST_CASE("mdsd batch: a corrupt .npy header with an absurd shape exits 2, it does not abort") {
  const BatchScratch scratch;
  auto header_only = [](const std::string& shape) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
    header.push_back('\n');
    std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
    bytes.push_back(static_cast<char>(header.size() & 0xff));
    bytes.push_back(static_cast<char>(header.size() >> 8));
    return bytes + header + std::string(64, '\0');
  };
  scratch.write("wide.npy", header_only("(2, 99999999999999)"));
  scratch.write("digits.npy", header_only("(99999999999999999999, 5)"));
  for (const std::string name : {"wide.npy", "digits.npy"}) {
    CAPTURE(name);
    const BatchRun run = scratch.run("batch --drafts 2 --logits " + name + " " + name);
    CAPTURE(run.err);
    CHECK(run.status == 2);
    CHECK(one_line(run.err));
    CHECK(contains(run.err, name));
  }
}

}  // namespace mdsd::test
