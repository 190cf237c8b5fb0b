// mdsd solve [FILE|-]
#include "api/solve.hpp"
#include "cli/commands.hpp"
#include "core/distribution.hpp"
#include "core/limits.hpp"

#include <fstream>
#include <iostream>

namespace mdsd::cli {
namespace {

enum class ReadStatus { ok, unreadable, too_large };

// Reads in chunks and stops past the limit, so an oversized input is never
// held whole.
ReadStatus read_all(const std::string& path, std::string& text) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return ReadStatus::unreadable;
    in = &file;
  }
  char chunk[1 << 16];
  while (in->read(chunk, sizeof chunk) || in->gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in->gcount()));
    if (static_cast<std::int64_t>(text.size()) > limits::kMaxRequestBytes) return ReadStatus::too_large;
  }
  return in->bad() ? ReadStatus::unreadable : ReadStatus::ok;
}

}  // namespace

int fail(const std::string& message, int status) {
  std::cerr << "mdsd: " << printable(message) << "\n";
  return status;
}

int fail(const char* message, int status) { return fail(std::string(message), status); }

int solve_command(int argc, char** argv) {
  if (argc > 3) return fail("usage: mdsd solve [FILE|-]", 2);
  const std::string path = argc == 3 ? argv[2] : "-";
  std::string text;
  switch (read_all(path, text)) {
    case ReadStatus::ok: break;
    case ReadStatus::unreadable: return fail("cannot read " + path, 1);
    case ReadStatus::too_large:
      return fail("request: larger than the limit of " + std::to_string(limits::kMaxRequestBytes) + " bytes (1 GiB)", 2);
  }
  const SolveOutput output = solve(text);
  if (!output.ok) return fail(output.text, 2);
  std::cout << output.text << "\n";
  return 0;
}

}  // namespace mdsd::cli
