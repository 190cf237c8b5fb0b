// mdsd solve [FILE|-]
#include "api/solve.hpp"
#include "cli/commands.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace mdsd::cli {
namespace {

bool read_all(const std::string& path, std::string& text) {
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return !std::cin.bad();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  std::ostringstream buffer;
  buffer << file.rdbuf();
  text = buffer.str();
  return !file.bad();
}

}  // namespace

int fail(const std::string& message, int status) {
  std::cerr << "mdsd: " << message << "\n";
  return status;
}

int fail(const char* message, int status) { return fail(std::string(message), status); }

int solve_command(int argc, char** argv) {
  if (argc > 3) return fail("usage: mdsd solve [FILE|-]", 2);
  const std::string path = argc == 3 ? argv[2] : "-";
  std::string text;
  if (!read_all(path, text)) return fail("cannot read " + path, 1);
  const SolveOutput output = solve(text);
  if (!output.ok) return fail(output.text, 2);
  std::cout << output.text << "\n";
  return 0;
}

}  // namespace mdsd::cli
