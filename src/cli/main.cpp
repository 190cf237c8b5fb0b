// mdsd: the calculator on the command line. See README.md "CLI".
#include "api/solve.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

namespace {

constexpr const char* kUsage =
    "usage: mdsd solve [FILE|-]\n"
    "  Reads a request (JSON) from FILE or standard input and prints the result JSON.\n"
    "  Exit status: 0 on success, 2 on bad input (one line on stderr names the field),\n"
    "  1 when the file cannot be read.\n"
    "See README.md for the request and result contract.\n";

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

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command != "solve" || argc > 3) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string path = argc == 3 ? argv[2] : "-";
  std::string text;
  if (!read_all(path, text)) {
    std::cerr << "mdsd: cannot read " << path << "\n";
    return 1;
  }
  const mdsd::SolveOutput output = mdsd::solve(text);
  if (!output.ok) {
    std::cerr << "mdsd: " << output.text << "\n";
    return 2;
  }
  std::cout << output.text << "\n";
  return 0;
}
