// mdsd solve [FILE|-]
#include "api/request.hpp"
#include "core/message_text.hpp"
#include "api/result.hpp"
#include "cli/commands.hpp"
#include "core/distribution.hpp"
#include "core/limits.hpp"

#include <malloc.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace mdsd::cli {
namespace {

enum class ReadStatus { ok, unreadable, too_large };

// Reads in chunks and stops past the limit, so an oversized input is never
// held whole. A regular file's size is reserved up front: growing the text by
// doubling would hold up to three times its size while copying. `error`
// receives what failed when unreadable.
ReadStatus read_all(const std::string& path, std::string& text, std::string& error) {
  if (path == "-" && standard_input_closed()) {
    error = "it is closed";
    return ReadStatus::unreadable;
  }
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!file) {
    error = std::strerror(errno);
    return ReadStatus::unreadable;
  }
  struct stat status;
  ReadStatus result = ReadStatus::ok;
  if (::fstat(::fileno(file), &status) == 0 && S_ISREG(status.st_mode) && status.st_size <= limits::kMaxRequestBytes) {
    // Straight into the text (the file may still grow: the loop below reads on).
    text.resize(static_cast<std::size_t>(status.st_size));
    text.resize(std::fread(text.data(), 1, text.size(), file));
  }
  char chunk[1 << 16];
  for (;;) {
    const std::size_t got = std::fread(chunk, 1, sizeof chunk, file);
    text.append(chunk, got);
    if (static_cast<std::int64_t>(text.size()) > limits::kMaxRequestBytes) {
      result = ReadStatus::too_large;
      break;
    }
    if (got < sizeof chunk) break;
  }
  if (result == ReadStatus::ok && std::ferror(file)) {
    error = std::strerror(errno);
    result = ReadStatus::unreadable;
  }
  if (file != stdin) std::fclose(file);
  return result;
}

}  // namespace

int fail(const std::string& message, int status) {
  std::cerr << "mdsd: " << printable(message) << "\n";
  return status;
}

int fail(const char* message, int status) { return fail(std::string(message), status); }

int solve_command(int argc, char** argv) {
  if (argc > 3) return fail("usage: mdsd solve [FILE|-]", 2);
  // Blocks up to 32 MiB from the heap, and freed memory kept for reuse: the
  // vectors of one large request are allocated and freed many times, and
  // each fresh mapping costs its page faults again (5 ms of 70 at
  // V = 152,064; README "Benchmark"). The peak is unchanged.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  if (standard_output_closed()) return finish_standard_output();
  const std::string path = argc == 3 ? argv[2] : "-";
  std::string text, error;
  switch (read_all(path, text, error)) {
    case ReadStatus::ok: break;
    case ReadStatus::unreadable: return fail("cannot read " + (path == "-" ? std::string("standard input") : path) + ": " + error, 1);
    case ReadStatus::too_large:
      return fail("request: larger than the limit of " + std::to_string(limits::kMaxRequestBytes) + " bytes (1 GiB)", 2);
  }
  // solve() step by step, so that each stage's input is freed before the
  // next: the text once parsed, the document once read into the request
  // (README "Limits": peak memory at most 3 times the text plus the vectors).
  auto json = parse_json_text(text);
  std::string().swap(text);
  if (!json.ok()) return fail(json.error(), 2);
  auto request = parse_request(json.value());
  json.value() = nullptr;
  if (!request.ok()) return fail(request.error(), 2);
  // The result document is left to the end of the process: nlohmann's
  // destructor walks its certificates (up to V token ids) element by element.
  static const auto* result = new nlohmann::ordered_json(to_json(calculate(request.value())));
  std::cout << result->dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  return finish_standard_output();
}

}  // namespace mdsd::cli
