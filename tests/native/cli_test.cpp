// cli/main: the mdsd binary as a user runs it.
#include "support.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mdsd::test {
namespace {

namespace fs = std::filesystem;

struct Run {
  int status = -1;  // exit status
  std::string out, err;
};

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// A scratch folder for one test, removed afterwards.
struct Scratch {
  fs::path folder;
  Scratch() {
    static int counter = 0;
    folder = fs::temp_directory_path() /
             ("mdsd_cli_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(folder);
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(folder, ignored);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path path = folder / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // Runs `mdsd <arguments>` through the shell, stdout and stderr to files.
  Run run(const std::string& arguments) const {
    const fs::path out = folder / "stdout", err = folder / "stderr";
    const std::string command = "'" + std::string(MDSD_MDSD_BINARY) + "' " + arguments + " >'" +
                                out.string() + "' 2>'" + err.string() + "'";
    const int raw = std::system(command.c_str());
    Run run;
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    run.out = read_file(out);
    run.err = read_file(err);
    return run;
  }
};

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

// One line: text ending in exactly one newline.
bool is_one_line(const std::string& text) {
  return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

}  // namespace

TEST_CASE("mdsd solve FILE prints the result JSON and exits 0") {
  const Scratch scratch;
  const auto request = scratch.write(
      "request.json", R"({"target": [0.3, 0.4, 0.3], "draft": [0.6, 0.3, 0.1], "drafts": 2})");
  const Run run = scratch.run("solve " + quoted(request));
  CHECK(run.status == 0);
  CHECK(run.err.empty());
  const auto result = nlohmann::json::parse(run.out, nullptr, false);
  REQUIRE_FALSE(result.is_discarded());
  // README mathematics §6, first row.
  CHECK(std::abs(result["optimal"]["with_replacement"]["alpha"].get<double>() - 0.89) <= kExact);
  CHECK(std::abs(result["optimal"]["without_replacement"]["alpha"].get<double>() - 0.9928571429) <=
        kExact);
  CHECK(std::abs(result["optimal"]["greedy"]["alpha"].get<double>() - 0.95) <= kExact);

  // The same from standard input.
  const Run piped = scratch.run("solve - <" + quoted(request));
  CHECK(piped.status == 0);
  CHECK(piped.out == run.out);
  const Run implicit = scratch.run("solve <" + quoted(request));
  CHECK(implicit.status == 0);
  CHECK(implicit.out == run.out);
}

TEST_CASE("bad input exits 2 with one line on stderr naming the field") {
  const Scratch scratch;
  struct BadInput {
    const char* text;
    const char* field;  // how the line starts after "mdsd: "
  };
  for (const BadInput& bad : {
           BadInput{R"({"target": [0.3, 0.4, 0.3], "draft": [0.6, 0.3, 0.1], "drafts": 0})",
                    "drafts: "},
           BadInput{R"({"target": [0.3, -0.4, 0.3], "draft": [0.6, 0.3, 0.1], "drafts": 2})",
                    "target[1]: "},
           BadInput{R"({"target": [0.3, 0.4], "draft": [0.6, 0.3, 0.1], "drafts": 2})", "draft: "},
           BadInput{R"({"target": [0.3, 0.4, 0.3], "draft": [0.6, 0.3, 0.1], "drafts": 2,
                        "methods": ["fast"]})",
                    "methods[0]: "},
           BadInput{R"({"target": [0.3, 0.4, 0.3)", "request: "},
           BadInput{"", "request: "},
       }) {
    CAPTURE(bad.text);
    const Run run = scratch.run("solve " + quoted(scratch.write("bad.json", bad.text)));
    CHECK(run.status == 2);
    CHECK(run.out.empty());
    CHECK(is_one_line(run.err));
    CHECK(starts_with(run.err, std::string("mdsd: ") + bad.field));
  }
}

TEST_CASE("the one-line error stays one line when the input holds a newline") {
  // A JSON string may hold an escaped newline; the message quotes it.
  const Scratch scratch;
  const Run key = scratch.run(
      "solve " + quoted(scratch.write("key.json", R"({"target": [1], "draft": [1], "drafts": 1,
                                                      "a\nb": 1})")));
  CHECK(key.status == 2);
  CHECK(is_one_line(key.err));
  const Run method = scratch.run(
      "solve " + quoted(scratch.write("method.json", R"({"target": [1], "draft": [1], "drafts": 1,
                                                         "methods": ["x\ny"]})")));
  CHECK(method.status == 2);
  CHECK(is_one_line(method.err));
}

TEST_CASE("mdsd --help exits 0; usage errors and unreadable files do not") {
  const Scratch scratch;
  const Run help = scratch.run("--help");
  CHECK(help.status == 0);
  CHECK(contains(help.out, "usage: mdsd solve"));

  const Run no_command = scratch.run("");
  CHECK(no_command.status == 2);
  CHECK(contains(no_command.err, "usage"));

  const Run missing = scratch.run("solve " + quoted(scratch.folder / "does-not-exist.json"));
  CHECK(missing.status == 1);
  CHECK(starts_with(missing.err, "mdsd: cannot read"));
}

}  // namespace mdsd::test
