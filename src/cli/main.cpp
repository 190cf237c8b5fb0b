// mdsd: the calculator on the command line. See README.md "CLI".
#include "api/solve.hpp"
#include "core/synthetic.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

namespace {

constexpr const char* kUsage =
    "usage: mdsd solve [FILE|-]\n"
    "         Reads a request (JSON) from FILE or standard input, prints the result JSON.\n"
    "         Exit status: 0 on success, 2 on bad input (one line on stderr names the\n"
    "         field), 1 when the file cannot be read.\n"
    "       mdsd synthetic VOCAB [SEED [DRAFTS [TEMPERATURE]]]\n"
    "         Prints a request with a synthetic LLM-like (target, draft) pair: Zipf-like\n"
    "         logits plus noise, the draft a noisy copy of the target (defaults: seed 1,\n"
    "         4 drafts, temperature 1). Deterministic; not any model's output.\n"
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

// mdsd synthetic VOCAB [SEED [DRAFTS [TEMPERATURE]]]
int print_synthetic(int argc, char** argv) {
  const auto number = [&](int index, double fallback) {
    if (index >= argc) return fallback;
    char* end = nullptr;
    const double value = std::strtod(argv[index], &end);
    return *end == '\0' ? value : -1.0;
  };
  const double vocabulary = number(2, -1.0), seed = number(3, 1.0), drafts = number(4, 4.0),
               temperature = number(5, 1.0);
  if (!(vocabulary >= 1 && vocabulary <= 4194304 && vocabulary == static_cast<long>(vocabulary))) {
    std::cerr << "mdsd: VOCAB: must be an integer from 1 to 4194304\n";
    return 2;
  }
  if (!(seed >= 0 && seed == static_cast<double>(static_cast<std::uint64_t>(seed)))) {
    std::cerr << "mdsd: SEED: must be a non-negative integer\n";
    return 2;
  }
  if (!(drafts >= 1 && drafts <= 64 && drafts == static_cast<int>(drafts))) {
    std::cerr << "mdsd: DRAFTS: must be an integer from 1 to 64\n";
    return 2;
  }
  if (!(temperature > 0 && temperature < 1e300)) {
    std::cerr << "mdsd: TEMPERATURE: must be a number > 0\n";
    return 2;
  }
  mdsd::SyntheticOptions options;
  options.temperature = temperature;
  const auto pair = mdsd::synthetic_pair(static_cast<Eigen::Index>(vocabulary),
                                         static_cast<std::uint64_t>(seed), options);
  const nlohmann::json request = {
      {"target", std::vector<double>(pair.target.data(), pair.target.data() + pair.target.size())},
      {"draft", std::vector<double>(pair.draft.data(), pair.draft.data() + pair.draft.size())},
      {"drafts", static_cast<int>(drafts)}};
  std::cout << request.dump() << "\n";
  return 0;
}

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "synthetic" && argc >= 3 && argc <= 6) return print_synthetic(argc, argv);
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
